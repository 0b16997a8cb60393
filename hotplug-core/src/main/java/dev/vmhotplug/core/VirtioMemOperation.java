package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.VirtioMemPlanner;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply and verify steps of a planned virtio-mem resize (package-private): exactly the plan's
 * steps (one {@code updateDeviceFlags} call per scope, live first, each with its side's device XML),
 * then the reads that prove it: the live XML until the device's {@code <current>} reaches its
 * {@code <requested>} size, the inactive XML once; then the guest's view when a probe is given.
 *
 * <p>The live wait never waits forever for a guest that stopped: {@code <current>} standing still for
 * the progress timeout ends it, with a diagnosis from the numbers (nothing moved on a grow: no
 * virtio-mem driver in the guest; a shrink that moved and stopped above the request: memory the
 * guest cannot unplug, ZONE_NORMAL). It waits through the verifier armed for
 * {@link Verifier.Signal#MEMORY_SIZE_CHANGED} (libvirt emits that event about once a second while the
 * guest plugs or unplugs, each with the size at that moment), re-reading {@code <current>} each time.
 * Used by {@link MemoryChange#apply()} and the memory steps of {@link DesiredState}; the caller
 * holds the domain's lock.
 */
final class VirtioMemOperation {
  private static final Logger LOG = LoggerFactory.getLogger(VirtioMemOperation.class);

  /** How long {@code <current>} may stand still before the wait ends, unless the request says otherwise. */
  static final Duration DEFAULT_PROGRESS_TIMEOUT = Duration.ofSeconds(10);

  private VirtioMemOperation() {}

  /**
   * Runs a virtio-mem plan.
   *
   * @param ctx the request's context
   * @param before the inspection the plan was made from
   * @param plan the plan (model virtio-mem)
   * @param progressTimeout how long {@code <current>} may stand still before the live wait ends
   * @return the result
   */
  static MemoryResult execute(OpContext ctx, Inspection before, MemoryPlan plan, Duration progressTimeout) {
    DomainHandle domain = ctx.domain;
    String name = SafeText.quote(ctx.name());
    Scope sc = plan.scope();
    MemoryView viewBefore = before.memoryView();
    List<OperationStep> steps = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    long start = System.nanoTime();
    if (!plan.changes()) {
      return new MemoryResult(plan, viewBefore, viewBefore, steps, 0, Duration.ZERO, warnings, Optional.empty());
    }
    Optional<MemoryPlan.Step> liveStep = step(plan, Scope.LIVE);
    Optional<MemoryPlan.Step> configStep = step(plan, Scope.CONFIG);
    Optional<GuestProbe> probe = liveStep.isPresent() ? ctx.verification.probe() : Optional.empty();
    MemorySize currentBefore = liveStep.map(s -> find(before.live().orElseThrow(), s.device())
        .flatMap(MemoryDevice::currentSize).orElse(MemorySize.ZERO)).orElse(MemorySize.ZERO);
    if (probe.isPresent()) {
      // the guest check compares the guest's MemTotal with the change of <current>: both must start
      // from the same state, so a resize still settling (libvirt's <current> lags the guest) ends first
      currentBefore = settle(ctx, liveStep.orElseThrow(), currentBefore, warnings);
    }
    // the guest's baseline before any change: an unreachable agent refuses before any change
    Optional<GuestFacts> baseline = probe.map(p -> p.facts(domain));
    LibvirtGateway gw = ctx.gateway();
    DomainXml liveSeen = null;
    DomainXml configSeen = null;
    int attempts = 0;
    try (Verifier.Armed armed = ctx.verifier().arm(domain, Verifier.Signal.MEMORY_SIZE_CHANGED)) {
      for (MemoryPlan.Step s : plan.steps()) {
        Scope side = s.scopeIn(sc);
        OperationStep step = new OperationStep(MemoryPlan.Action.UPDATE.libvirtCall(), side, s.detail());
        if (LOG.isDebugEnabled()) {
          LOG.debug("domain={} op=updateDeviceFlags model=virtio-mem node={} requested={} scope={}", name, s.node(),
              s.requestedAfter().orElseThrow(), side);
        }
        try {
          gw.updateDevice(domain.ref(), s.xml(), side);
        } catch (ConnectionLostException lost) {
          warnings.add(reconcile(ctx, plan, steps, s, step, lost));
          steps.add(step);
          continue;
        } catch (LibvirtException e) {
          HotplugException translated = translate(ctx, e, s, side);
          if (steps.isEmpty()) {
            throw translated;
          }
          throw new PartialApplyException("virtio-mem resize of domain " + name + " stopped half way: " + steps
              + " was done, then " + step + " failed: " + translated.getMessage() + ". The live device was resized"
              + " and the persistent definition was not: they now differ (drift()); fix the cause and resize the"
              + " persistent side with config(), or set the live side back with live()", steps, step,
              MemoryOperation.observedAfterFailure(domain), null, translated);
        }
        steps.add(step);
      }

      if (ctx.verification.host()) {
        if (liveStep.isPresent()) {
          Verifier.Waited<DomainXml> w = awaitCurrent(ctx, armed, liveStep.get(), currentBefore, progressTimeout);
          attempts += w.attempts();
          liveSeen = w.last();
        }
        if (configStep.isPresent()) {
          configSeen = Inspection.readConfig(domain);
          attempts++;
          MemorySize want = configStep.get().requestedAfter().orElseThrow();
          Optional<MemorySize> found = find(configSeen, configStep.get().device()).flatMap(MemoryDevice::requestedSize);
          if (!found.equals(Optional.of(want))) {
            String seen = found.map(String::valueOf).orElse("no such device");
            throw new VerificationTimeoutException("libvirt accepted the config resize of the virtio-mem device on"
                + " node " + configStep.get().node() + " of domain " + name + " but the persistent definition shows"
                + " requested " + seen + ", expected " + want + ". Read memoryView() and drift()",
                "config virtio-mem requested " + want, "config virtio-mem requested " + seen, attempts, Duration.ZERO,
                null);
          }
        }
      }
    }
    ctx.afterHostVerified(steps, warnings);
    Optional<GuestVerdict> verdict = Optional.empty();
    if (probe.isPresent()) {
      MemorySize currentAfter = liveSeen == null ? liveStep.get().requestedAfter().orElseThrow()
          : find(liveSeen, liveStep.get().device()).flatMap(MemoryDevice::currentSize).orElse(MemorySize.ZERO);
      GuestOutcome g = verifyGuest(ctx, probe.get(), baseline.orElseThrow(), currentBefore, currentAfter, warnings);
      attempts += g.attempts;
      verdict = Optional.of(g.verdict);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (sc == Scope.LIVE && before.persistent()) {
      warnings.add("live only: the persistent definition keeps its requested size; the next cold boot starts with"
          + " that (use live().config() to change both)");
    }
    if (sc == Scope.CONFIG && before.running()) {
      warnings.add("config only: the running domain is unchanged; the next cold boot starts with the new requested"
          + " size");
    }
    if (!ctx.verification.host()) {
      warnings.add("not verified (verification " + ctx.verification.kind() + "): libvirt accepted the call(s) but"
          + " the domain was not read back, so 'after' is the view from before the change; the guest resizes"
          + " asynchronously, or not at all. Read memoryView() to see <current>, or verify with Verification.HOST");
    }
    MemoryView after = ctx.verification.host()
        ? MemoryView.of(ctx.name(), liveSeen != null ? Optional.of(liveSeen) : before.live(),
            configSeen != null ? Optional.of(configSeen) : before.config())
        : viewBefore;
    return new MemoryResult(plan, viewBefore, after, steps, attempts, elapsed, warnings, verdict);
  }

  private static Optional<MemoryPlan.Step> step(MemoryPlan plan, Scope side) {
    for (MemoryPlan.Step s : plan.steps()) {
      if (s.scopeIn(plan.scope()) == side) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * The device of {@code xml} that is {@code like}: the one with its alias when it has one, else the
   * first virtio-mem device of the same size and node.
   */
  static Optional<MemoryDevice> find(DomainXml xml, MemoryDevice like) {
    List<MemoryDevice> vms = VirtioMemPlanner.devices(xml);
    if (like.alias().isPresent()) {
      for (MemoryDevice d : vms) {
        if (like.alias().equals(d.alias())) {
          return Optional.of(d);
        }
      }
    }
    for (MemoryDevice d : vms) {
      if (d.sameDevice(like)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- host verification

  /** Tracks {@code <current>} over the reads: done when it reaches the target or stands still too long. */
  static final class Progress implements Predicate<DomainXml> {
    private final MemoryDevice device;
    private final MemorySize target;
    private final MemorySize currentBefore;
    private final long windowNanos;
    private long lastChange;
    private MemorySize last;
    private boolean stalled;
    private boolean moved;
    private boolean requestSeen;

    Progress(MemoryDevice device, MemorySize target, MemorySize currentBefore, Duration window) {
      this.device = device;
      this.target = target;
      this.currentBefore = currentBefore;
      this.windowNanos = window.toNanos();
      this.lastChange = System.nanoTime();
      this.last = currentBefore;
    }

    @Override
    public boolean test(DomainXml x) {
      Optional<MemoryDevice> d = find(x, device);
      if (d.isEmpty()) {
        return false;
      }
      MemorySize cur = d.get().currentSize().orElse(MemorySize.ZERO);
      requestSeen = d.get().requestedSize().equals(Optional.of(target));
      if (cur.equals(target) && requestSeen) {
        last = cur;
        return true;
      }
      long now = System.nanoTime();
      if (!cur.equals(last)) {
        last = cur;
        lastChange = now;
        moved |= !cur.equals(currentBefore);
        return false;
      }
      if (now - lastChange >= windowNanos) {
        stalled = true;
        return true;
      }
      return false;
    }

    MemorySize last() {
      return last;
    }

    boolean reached() {
      return !stalled && last.equals(target) && requestSeen;
    }
  }

  /** How long {@code <current>} must stand still to count as settled before a guest-verified resize. */
  static final Duration SETTLE_WINDOW = Duration.ofSeconds(2);

  /**
   * Waits, before a guest-verified resize, until the device's {@code <current>} equals its
   * {@code <requested>} or has stood still for {@link #SETTLE_WINDOW} (a guest that stopped short),
   * and returns that {@code <current>}. libvirt's {@code <current>} follows QEMU's size-change
   * events, which QEMU rate-limits: right after an earlier resize it can show 128 MiB while the guest
   * already has 256 MiB. Taken from such a moment, the guest's baseline and {@code <current>} would
   * disagree and a correct resize would fail the guest check. Returns at once when nothing settles.
   */
  private static MemorySize settle(OpContext ctx, MemoryPlan.Step s, MemorySize current, List<String> warnings) {
    Optional<MemorySize> requested = s.from();
    if (requested.isEmpty() || requested.get().equals(current)) {
      return current;
    }
    String name = SafeText.quote(ctx.name());
    Progress p = new Progress(s.device(), requested.get(), current, SETTLE_WINDOW);
    Verifier.Waited<DomainXml> w;
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.MEMORY_SIZE_CHANGED)) {
      w = armed.await(() -> Inspection.readLive(ctx.domain), p,
          "the virtio-mem device of " + name + " to settle before the resize");
    }
    if (!w.satisfied()) {
      warnings.add("the virtio-mem device on node " + s.node() + " was still resizing (an earlier request, <current> "
          + p.last() + " of requested " + requested.get() + ") when this resize started: the guest check measures"
          + " from that moment");
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op=settle model=virtio-mem node={} current={} requested={} reads={}", name, s.node(),
          p.last(), requested.get(), w.attempts());
    }
    return p.last();
  }

  private static Verifier.Waited<DomainXml> awaitCurrent(OpContext ctx, Verifier.Armed armed, MemoryPlan.Step s,
      MemorySize currentBefore, Duration window) {
    String name = SafeText.quote(ctx.name());
    MemorySize target = s.requestedAfter().orElseThrow();
    MemorySize from = s.from().orElseThrow();
    Progress p = new Progress(s.device(), target, currentBefore, window);
    Verifier.Waited<DomainXml> w = armed.await(() -> Inspection.readLive(ctx.domain), p,
        "the virtio-mem device of " + name + " to reach " + target);
    if (w.satisfied() && p.reached()) {
      return w;
    }
    MemorySize cur = p.last();
    String dev = "the virtio-mem device on node " + s.node() + s.device().alias().map(a -> " (" + SafeText.quote(a)
        + ")").orElse("") + " of domain " + name;
    String expected = "live virtio-mem current " + target;
    String observed = "live virtio-mem current " + cur + " (requested " + target + ")";
    String reads = w.attempts() + " read(s) in " + w.elapsed().toMillis() + " ms";
    long still = window.toMillis() / 1000;
    boolean grow = target.compareTo(currentBefore) > 0;
    if (!p.requestSeen) {
      throw new VerificationTimeoutException("libvirt accepted the live resize of " + dev + " to " + target + " but"
          + " the live XML does not show that requested size (" + reads + "); read memoryView(): someone else may"
          + " have resized it", expected, observed, w.attempts(), w.elapsed(), null);
    }
    if (!p.stalled) {
      throw new VerificationTimeoutException(dev + " is still resizing: the guest has " + cur + " of the requested "
          + target + " after " + reads + " (it moved from " + currentBefore + "), and the timeout " + ctx.poller()
          .timeout() + " passed. It continues in the guest: read memoryView() for <current>, or give a longer"
          + " timeout(…)", expected, observed, w.attempts(), w.elapsed(), null);
    }
    String keeps = " The device keeps requested " + target + " (the guest may still get there later); requested("
        + cur + ") makes the request match what the guest has.";
    if (grow) {
      if (!p.moved) {
        throw new VerificationTimeoutException(dev + ": libvirt accepted requested " + target + " (was " + from
            + ") but the guest plugged nothing: <current> stayed " + cur + " for " + still + " s (" + reads + ", no"
            + " progress). This is what a guest without a loaded virtio-mem driver does: in Linux load virtio_mem"
            + " (CONFIG_VIRTIO_MEM; it needs the virtio-pci stack: modprobe virtio_mem), or wait until the guest has"
            + " booted; the driver plugs the request when it loads." + keeps, expected, observed, w.attempts(),
            w.elapsed(), null);
      }
      throw new VerificationTimeoutException(dev + ": the guest plugged " + cur + " of the requested " + target
          + " (from " + currentBefore + ") and stopped: no progress for " + still + " s (" + reads + "). The guest"
          + " plugs only while it onlines what it added and has free memory for its page tables: online it"
          + " (memhp_default_state=online_movable, the memory udev rule, or onlineThroughAgent())." + keeps,
          expected, observed, w.attempts(), w.elapsed(), null);
    }
    String movable = "memory onlined 'online' lands in ZONE_NORMAL, where the kernel puts unmovable allocations;"
        + " online virtio-mem memory movable (kernel parameter memhp_default_state=online_movable, or the udev rule"
        + " variant ATTR{state}=\"online_movable\", RuleOptions.movableMemory(true)) to shrink it completely.";
    if (!p.moved) {
      throw new GuestRefusedException(dev + ": libvirt accepted requested " + target + " (was " + from + ") but the"
          + " guest unplugged nothing: <current> stayed " + cur + " for " + still + " s (" + reads + "). Either the"
          + " guest cannot unplug that memory (" + movable + ") or its virtio-mem driver is not loaded." + keeps,
          expected, observed, w.attempts(), w.elapsed(), null);
    }
    MemorySize stays = cur.compareTo(target) >= 0 ? cur.minus(target) : MemorySize.ZERO;
    throw new GuestRefusedException("the shrink of " + dev + " ended short: requested " + target + ", the guest"
        + " unplugged from " + currentBefore + " down to " + cur + " and stopped (" + stays + " above the request; no"
        + " progress for " + still + " s, " + reads + "). The guest keeps memory it cannot unplug: " + movable + keeps,
        expected, observed, w.attempts(), w.elapsed(), null);
  }

  // ---------------------------------------------------------------- guest verification

  private record GuestOutcome(GuestVerdict verdict, int attempts) {}

  /**
   * Waits until the guest shows the plugged change: {@code MemTotal} moved by exactly the change of
   * {@code <current>} (the virtio_mem driver counts only plugged memory) and, after a grow, no block
   * offline.
   */
  private static GuestOutcome verifyGuest(OpContext ctx, GuestProbe probe, GuestFacts baseline,
      MemorySize currentBefore, MemorySize currentAfter, List<String> warnings) {
    String name = SafeText.quote(ctx.name());
    boolean grow = currentAfter.compareTo(currentBefore) >= 0;
    long deltaKiB = currentAfter.toKiB() - currentBefore.toKiB();
    Optional<Long> base = baseline.memTotalKiB().isPresent()
        ? Optional.of(baseline.memTotalKiB().getAsLong()) : Optional.empty();
    Verifier.Waited<GuestFacts> o;
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.NONE)) {
      o = armed.await(() -> probe.facts(ctx.domain), f -> guestShows(f, base, deltaKiB, grow),
          "the guest of " + name + " to show the virtio-mem change");
    }
    GuestFacts f = o.last();
    String memTotal = f.memTotalKiB().isPresent() ? f.memTotalKiB().getAsLong() + " kB" : "not reported";
    String offline = String.valueOf(offlineBlocks(f));
    if (o.satisfied()) {
      List<String> findings = new ArrayList<>();
      if (base.isPresent() && f.memTotalKiB().isPresent()) {
        findings.add("MemTotal " + base.get() + " -> " + f.memTotalKiB().getAsLong() + " kB (" + (deltaKiB >= 0 ? "+" : "")
            + deltaKiB + " kB, exactly the change of <current>)");
      } else {
        warnings.add("the guest probe reports no MemTotal: only the memory block states were checked");
      }
      findings.add("no memory block offline");
      return new GuestOutcome(new GuestVerdict(GuestVerdict.Status.OK, findings), o.attempts());
    }
    throw new VerificationTimeoutException("domain " + name + ": the host shows the virtio-mem device at " + currentAfter
        + " (from " + currentBefore + ") but the guest does not show it within " + ctx.poller().timeout() + ": MemTotal "
        + memTotal + (base.map(b -> " (was " + b + " kB, expected " + (b + deltaKiB) + " kB)").orElse(""))
        + ", offline blocks " + offline + "." + (grow ? " The guest plugged the memory but did not online it: boot it"
            + " with memhp_default_state=online_movable, install the memory udev rule, or use onlineThroughAgent()" : ""),
        base.map(b -> "guest MemTotal " + (b + deltaKiB) + " kB").orElse("no memory block offline"),
        "guest MemTotal " + memTotal + ", offline blocks " + offline, o.attempts(), o.elapsed(), null);
  }

  static boolean guestShows(GuestFacts f, Optional<Long> base, long deltaKiB, boolean grow) {
    if (grow && !offlineBlocks(f).isEmpty()) {
      return false;
    }
    if (base.isPresent() && f.memTotalKiB().isPresent()) {
      return f.memTotalKiB().getAsLong() == base.get() + deltaKiB;
    }
    return f.memoryBlockStates().isPresent();
  }

  private static List<Integer> offlineBlocks(GuestFacts f) {
    List<Integer> out = new ArrayList<>();
    Optional<SortedMap<Integer, String>> m = f.memoryBlockStates();
    if (m.isPresent()) {
      for (Map.Entry<Integer, String> e : m.get().entrySet()) {
        if (e.getValue().startsWith("offline")) {
          out.add(e.getKey());
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- failures

  private static HotplugException translate(OpContext ctx, LibvirtException e, MemoryPlan.Step s, Scope side) {
    String name = SafeText.quote(ctx.name());
    String m = e.libvirtMessage() == null ? "" : e.libvirtMessage();
    String fix = null;
    if (m.contains("not found")) {
      fix = "libvirt did not find the virtio-mem device on node " + s.node() + " in the " + (side == Scope.LIVE ? "live"
          : "persistent") + " definition (it matches by the device's address): the definitions may differ, read"
          + " drift() and resize each side alone";
    } else if (m.contains("not supported") || m.contains("unsupported")) {
      fix = "this libvirt driver cannot resize virtio-mem (virDomainUpdateDeviceFlags): use a QEMU/KVM host with"
          + " libvirt 7.9 or newer (the test driver has no device updates)";
    } else if (m.contains("not running")) {
      fix = "the domain is not running: resize the persistent definition with config()";
    }
    if (fix == null) {
      return e;
    }
    return new LibvirtException("the resize of the virtio-mem device on node " + s.node() + " of domain " + name + " ("
        + side.virshFlags() + ") was refused: " + fix + " (libvirt: " + m + "); nothing was changed by this call",
        e.errorCode(), e.errorName(), e.libvirtMessage(), e);
  }

  /**
   * An update broke with the connection: re-read the side's requested size. Applied: the warning.
   * Not applied: {@link ConnectionLostException} (first step) or {@link PartialApplyException}.
   * Anything else: {@link OutcomeUnknownException}.
   */
  private static String reconcile(OpContext ctx, MemoryPlan plan, List<OperationStep> done, MemoryPlan.Step s,
      OperationStep step, ConnectionLostException lost) {
    Scope side = s.scopeIn(plan.scope());
    MemorySize to = s.requestedAfter().orElseThrow();
    MemorySize from = s.from().orElseThrow();
    String name = SafeText.quote(ctx.name());
    String uri = ctx.domain.client().uri();
    Verifier.Waited<Optional<MemorySize>> w = Reconcile.reread(ctx, step, "requested " + from, lost,
        () -> find(side == Scope.LIVE ? Inspection.readLive(ctx.domain) : Inspection.readConfig(ctx.domain), s.device())
            .flatMap(MemoryDevice::requestedSize),
        r -> r.equals(Optional.of(to)), "the virtio-mem device of " + name + " after the connection loss");
    String seen = w.last().map(String::valueOf).orElse("no such device");
    if (w.satisfied()) {
      return "the connection to " + uri + " was lost during " + step + " (" + lost.getMessage() + "); after"
          + " reconnecting, domain " + name + " shows requested " + to + ": the call was applied. Nothing was retried";
    }
    if (w.last().equals(Optional.of(from))) {
      if (done.isEmpty()) {
        throw new ConnectionLostException(uri, "the connection to " + uri + " was lost during " + step + " on domain "
            + name + ": " + lost.getMessage() + ". After reconnecting, the device still has requested " + from
            + ": the change was not applied. Nothing was changed and nothing was retried; run it again when the"
            + " connection is stable", lost);
      }
      throw new PartialApplyException("virtio-mem resize of domain " + name + " stopped half way: " + done + " was"
          + " done, then the connection to " + uri + " was lost during " + step + " (" + lost.getMessage() + ") and"
          + " after reconnecting that side still has requested " + from + ". Resize it alone to reconcile", done, step,
          MemoryOperation.observedAfterFailure(ctx.domain), null, lost);
    }
    throw new OutcomeUnknownException("the connection to " + uri + " was lost during " + step + " on domain " + name
        + " (" + lost.getMessage() + "). After reconnecting, the device shows requested " + seen + ", neither "
        + from + " nor " + to + ": the SDK cannot tell what happened, and did not retry. Read memoryView() and decide",
        step, "requested " + from, side == Scope.LIVE ? "requested " + seen : "live side not read",
        side == Scope.CONFIG ? "requested " + seen : "config side not read", null, null, lost);
  }
}
