package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operation does when a change call did not return normally (package-private): it never
 * retries the call; it re-reads what the call touches and reports what really happened.
 *
 * <ul>
 *   <li>The connection broke during the call ({@link ConnectionLostException}): the next read
 *       reconnects. The domain is re-read until it shows the change or the request's timeout passes
 *       (a call that reached libvirt completes there even when its answer is lost). Shows the
 *       change: applied (the operation goes on, with a warning). Shows the state from before: not
 *       applied, a {@link ConnectionLostException} that says nothing was changed — except for a
 *       hot-unplug, which the guest may still complete: {@link OutcomeUnknownException}. Live done,
 *       config not: {@link PartialApplyException}. Anything else, or nothing readable:
 *       {@link OutcomeUnknownException} with both states.
 *   <li>libvirt failed a combined live + config call: it applies the live part first, so the live
 *       side is re-read once: changed means {@link PartialApplyException}, unchanged means nothing
 *       was applied (the libvirt error is thrown as it is).
 * </ul>
 */
final class Reconcile {
  private static final Logger LOG = LoggerFactory.getLogger(Reconcile.class);

  private Reconcile() {}

  /**
   * The outcome of a broken change call that was applied after all.
   *
   * @param applied the steps that took effect
   * @param warning what the caller should know
   */
  record Verdict(List<OperationStep> applied, String warning) {}

  // ---------------------------------------------------------------- vCPUs

  static Verdict vcpus(OpContext ctx, VcpuPlanner.Plan plan, OperationStep step, ConnectionLostException lost) {
    Scope call = step.scope();
    int target = plan.target();
    String name = SafeText.quote(ctx.name());
    LOG.debug("domain={} op=setVcpus connection lost during the call; re-reading", name);
    Verifier.Waited<VcpuCount> w = reread(ctx, step, plan.before().toString(), lost, () -> counts(ctx, call),
        c -> at(c, call, target, target), "the vCPUs of domain " + name + " after the connection loss");
    VcpuCount now = w.last();
    String uri = ctx.domain.client().uri();
    if (w.satisfied()) {
      return new Verdict(List.of(step), "the connection to " + uri + " was lost during setVcpusFlags ("
          + lost.getMessage() + "); after reconnecting, domain " + name + " shows " + target + " vCPUs "
          + call.virshFlags() + ": the change was applied. Nothing was retried");
    }
    boolean untouched = at(now, call, plan.liveBefore(), plan.configBefore());
    if (untouched && !plan.hotUnplug()) {
      throw new ConnectionLostException(uri, "the connection to " + uri + " was lost while setting the vCPUs of"
          + " domain " + name + " (" + step + "): " + lost.getMessage() + ". After reconnecting, the domain still"
          + " shows the counts from before for " + w.elapsed().toMillis() + " ms (" + oneLine(now) + "): the change"
          + " was not applied. Nothing was changed and nothing was retried; run it again when the connection is"
          + " stable", lost);
    }
    if (call == Scope.LIVE_AND_CONFIG && now.currentLive().getAsInt() == target
        && now.currentConfig().getAsInt() == plan.configBefore()) {
      throw partial(ctx, plan, List.of(liveStep(plan)), configStep(plan), now, lost);
    }
    throw new OutcomeUnknownException("the connection to " + uri + " was lost while setting the vCPUs of domain "
        + name + " (" + step + "): " + lost.getMessage() + ". After reconnecting, the domain shows " + oneLine(now)
        + (untouched ? " as before, but a hot-unplug may still complete in the guest" : "")
        + ": the SDK cannot tell whether the change was applied, and did not retry it. Read vcpuCount() again"
        + " and decide", step, oneLine(plan.before()), live(now), config(now), now, null, lost);
  }

  /** libvirt failed a combined live + config vCPU call: did the live part happen? */
  static HotplugException vcpusFailedCall(OpContext ctx, VcpuPlanner.Plan plan, OperationStep step,
      LibvirtException e) {
    VcpuCount now;
    try {
      now = counts(ctx, Scope.LIVE_AND_CONFIG);
    } catch (HotplugException readFailure) {
      LOG.debug("domain={} op=setVcpus could not re-read after a failure: {}", SafeText.quote(ctx.name()),
          readFailure.getMessage());
      return e;
    }
    if (now.currentLive().getAsInt() == plan.target() && now.currentConfig().getAsInt() != plan.target()) {
      return partial(ctx, plan, List.of(liveStep(plan)), configStep(plan), now, e);
    }
    return e;
  }

  /** The live part was applied and the config part failed. */
  static PartialApplyException partial(OpContext ctx, VcpuPlanner.Plan plan, List<OperationStep> done,
      OperationStep failed, HotplugException cause) {
    VcpuCount now;
    try {
      now = counts(ctx, Scope.LIVE_AND_CONFIG);
    } catch (HotplugException e) {
      now = null;
    }
    return partial(ctx, plan, done, failed, now, cause);
  }

  private static PartialApplyException partial(OpContext ctx, VcpuPlanner.Plan plan, List<OperationStep> done,
      OperationStep failed, VcpuCount now, HotplugException cause) {
    String name = SafeText.quote(ctx.name());
    return new PartialApplyException("domain " + name + ": the live change was applied (" + done.get(0).detail()
        + ") but the config change failed: " + cause.getMessage() + ". Live and persistent definition now differ:"
        + " fix the cause and run vcpus().set(" + plan.target() + ").config() again, or set the live count back"
        + " with vcpus().set(" + plan.liveBefore() + ").live()", done, failed,
        now == null ? "live vCPUs = " + plan.target() + " (not re-read)" : now.toString(), now, cause);
  }

  private static OperationStep liveStep(VcpuPlanner.Plan plan) {
    return new OperationStep("setVcpusFlags", Scope.LIVE, "vCPUs " + plan.liveBefore() + " -> " + plan.target()
        + (plan.target() < plan.liveBefore() ? " (hot-unplug)" : " (hot-plug)"));
  }

  private static OperationStep configStep(VcpuPlanner.Plan plan) {
    return new OperationStep("setVcpusFlags", Scope.CONFIG, "vCPUs " + plan.configBefore() + " -> " + plan.target());
  }

  /** The counts of the sides in {@code sides}, read now. */
  static VcpuCount counts(OpContext ctx, Scope sides) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (sides.includesConfig()) {
      dev.vmhotplug.xml.Vcpu c = VcpuOperation.configVcpu(ctx);
      b.config(c.maximum(), c.effectiveCurrent());
    }
    if (sides.includesLive()) {
      dev.vmhotplug.xml.Vcpu l = VcpuOperation.liveVcpu(ctx);
      b.live(l.maximum(), l.effectiveCurrent());
    }
    return b.build();
  }

  private static boolean at(VcpuCount c, Scope sides, int live, int config) {
    return (!sides.includesLive() || c.currentLive().getAsInt() == live)
        && (!sides.includesConfig() || c.currentConfig().getAsInt() == config);
  }

  private static String oneLine(VcpuCount c) {
    StringBuilder b = new StringBuilder();
    c.currentLive().ifPresent(v -> b.append("live ").append(v));
    c.currentConfig().ifPresent(v -> b.append(b.length() > 0 ? ", " : "").append("config ").append(v));
    return b.append(" vCPUs").toString();
  }

  private static String live(VcpuCount c) {
    return c.currentLive().isPresent() ? "live vCPUs = " + c.currentLive().getAsInt() : "live side not changed, not read";
  }

  private static String config(VcpuCount c) {
    return c.currentConfig().isPresent() ? "config vCPUs = " + c.currentConfig().getAsInt()
        : "config side not changed, not read";
  }

  // ---------------------------------------------------------------- memory

  /**
   * A memory step's call broke with the connection: re-read the device counts of the sides in scope.
   *
   * @return the warning when the step was applied after all
   * @throws ConnectionLostException when nothing was changed (first step, not applied)
   * @throws PartialApplyException when earlier steps (or the live part of this one) were applied
   * @throws OutcomeUnknownException when the reads do not tell
   */
  static String memoryStep(OpContext ctx, Inspection before, MemoryPlan plan, List<OperationStep> done,
      MemoryPlan.Step s, OperationStep step, ConnectionLostException lost) {
    Scope sc = plan.scope();
    boolean attach = s.action() == MemoryPlan.Action.ATTACH;
    dev.vmhotplug.xml.MemoryDevice spec = s.device();
    int sign = attach ? 1 : -1;
    int earlier = MemoryOperation.planned(plan.steps().subList(0, done.size()), spec) * sign;
    int liveBefore = sc.includesLive()
        ? MemoryOperation.count(before.live().orElseThrow().memoryDevices(), spec) + earlier : -1;
    int configBefore = sc.includesConfig()
        ? MemoryOperation.count(before.config().orElseThrow().memoryDevices(), spec) + earlier : -1;
    String name = SafeText.quote(ctx.name());
    String uri = ctx.domain.client().uri();
    String what = s.detail();
    LOG.debug("domain={} op={} connection lost during the call; re-reading", name, s.action().libvirtCall());
    Verifier.Waited<int[]> w = reread(ctx, step, ctx.name() + ": " + liveBefore + " live, " + configBefore
        + " config device(s) like " + what, lost, () -> new int[] {
            sc.includesLive() ? MemoryOperation.count(Inspection.readLive(ctx.domain).memoryDevices(), spec) : -1,
            sc.includesConfig() ? MemoryOperation.count(Inspection.readConfig(ctx.domain).memoryDevices(), spec) : -1},
        c -> (!sc.includesLive() || c[0] == liveBefore + sign) && (!sc.includesConfig() || c[1] == configBefore + sign),
        "the memory devices of domain " + name + " after the connection loss");
    int[] c = w.last();
    String seen = (sc.includesLive() ? c[0] + " live" : "") + (sc == Scope.LIVE_AND_CONFIG ? ", " : "")
        + (sc.includesConfig() ? c[1] + " config" : "") + " device(s) like the one of '" + what + "'";
    if (w.satisfied()) {
      return "the connection to " + uri + " was lost during " + step + " (" + lost.getMessage() + "); after"
          + " reconnecting, domain " + name + " shows " + seen + ": the step was applied. Nothing was retried";
    }
    boolean untouched = (!sc.includesLive() || c[0] == liveBefore) && (!sc.includesConfig() || c[1] == configBefore);
    // a detach the guest completes asynchronously may still happen: then untouched tells nothing
    if (untouched && (attach || !sc.includesLive())) {
      if (done.isEmpty()) {
        throw new ConnectionLostException(uri, "the connection to " + uri + " was lost during " + step + " on domain "
            + name + ": " + lost.getMessage() + ". After reconnecting, the domain still shows " + seen + " as before,"
            + " for " + w.elapsed().toMillis() + " ms: the change was not applied. Nothing was changed and nothing was"
            + " retried; run it again when the connection is stable", lost);
      }
      throw new PartialApplyException("memory change of domain " + name + " stopped half way: " + done.size() + " of "
          + plan.steps().size() + " step(s) done (" + done + "), then the connection to " + uri + " was lost during "
          + step + " (" + lost.getMessage() + ") and after reconnecting that step shows as not applied. The done"
          + " steps were not rolled back; read memoryView() to reconcile", done, step,
          MemoryOperation.observedAfterFailure(ctx.domain), null, lost);
    }
    MemoryView view = null;
    try {
      view = Inspection.whole(ctx.domain).memoryView();
    } catch (HotplugException e) {
      LOG.debug("domain={} op=reconcile could not read the memory view: {}", name, e.getMessage());
    }
    throw new OutcomeUnknownException("the connection to " + uri + " was lost during " + step + " on domain " + name
        + " (" + lost.getMessage() + "). After reconnecting, the domain shows " + seen
        + (untouched ? " as before, but the guest may still complete the removal" : "")
        + ": the SDK cannot tell whether the step was applied, and did not retry it."
        + (done.isEmpty() ? "" : " Earlier steps were applied: " + done + ".") + " Read memoryView() and decide",
        step, liveBefore + " live / " + configBefore + " config device(s) like it",
        sc.includesLive() ? c[0] + " live device(s) like it" : "live side not changed, not read",
        sc.includesConfig() ? c[1] + " config device(s) like it" : "config side not changed, not read",
        null, view, lost);
  }

  // ---------------------------------------------------------------- shared

  /**
   * Re-reads after a lost connection until {@code done} holds or the request's timeout passes. A read
   * that fails because the connection is not back yet (a {@link ConnectionException}: the daemon is
   * still restarting, the reconnect backoff is running) is tried again at the poll's pace until the
   * timeout; still unreadable then, or any other failure, ends in {@link OutcomeUnknownException}.
   */
  static <T> Verifier.Waited<T> reread(OpContext ctx, OperationStep step, String before, ConnectionLostException lost,
      Supplier<T> read, Predicate<? super T> done, String what) {
    HotplugException[] lastFailure = new HotplugException[1];
    Supplier<Optional<T>> tolerant = () -> {
      try {
        T v = read.get();
        lastFailure[0] = null;
        return Optional.of(v);
      } catch (ConnectionException e) {
        lastFailure[0] = e;
        LOG.debug("domain={} op=reconcile not readable yet: {}", SafeText.quote(ctx.name()), e.getMessage());
        return Optional.empty();
      }
    };
    Verifier.Waited<Optional<T>> w;
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.NONE)) {
      w = armed.await(tolerant, o -> o.isPresent() && done.test(o.get()), what);
    } catch (HotplugException e) {
      throw unreadable(ctx, step, before, lost, e);
    }
    if (w.last().isEmpty()) {
      throw unreadable(ctx, step, before, lost, lastFailure[0]);
    }
    return new Verifier.Waited<>(w.last().get(), w.satisfied(), w.attempts(), w.elapsed(), w.refusedByGuest(),
        w.byEvent());
  }

  private static OutcomeUnknownException unreadable(OpContext ctx, OperationStep step, String before,
      ConnectionLostException lost, HotplugException e) {
    String uri = ctx.domain.client().uri();
    String why = "could not be read after the connection loss: " + e.getMessage();
    return new OutcomeUnknownException("the connection to " + uri + " was lost during " + step + " on domain "
        + SafeText.quote(ctx.name()) + " (" + lost.getMessage() + ") and the domain could not be read again within "
        + ctx.poller().timeout().toMillis() + " ms (" + e.getMessage() + "): the SDK cannot tell whether the change was"
        + " applied, and did not retry it. Check the connection, then read the domain and decide", step, before, why,
        why, null, null, lost);
  }
}
