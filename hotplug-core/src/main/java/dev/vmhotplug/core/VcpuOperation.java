package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.Vcpu;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply and verify steps of a planned vCPU change (package-private): the one
 * {@code setVcpusFlags} call of the plan, then the reads that prove it, then the result. Used by
 * {@link VcpuChange#apply()} and by the vCPU step of {@link DesiredState}; the caller holds the
 * domain's lock.
 */
final class VcpuOperation {
  private static final Logger LOG = LoggerFactory.getLogger(VcpuOperation.class);

  private VcpuOperation() {}

  static VcpuResult execute(OpContext ctx, VcpuPlanner.Plan plan, long t0) {
    String name = ctx.name();
    int target = plan.target();
    Verification verification = ctx.verification;
    List<OperationStep> steps = ctx.newSteps();
    List<String> warnings = new ArrayList<>(0);
    if (!plan.changes()) {
      return new VcpuResult(name, target, plan.scope(), verification, plan.before(), plan.before(), steps, 0,
          since(t0), warnings);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op=setVcpus target={} scope={} verify={}", SafeText.quote(name), target,
          plan.call().get(), verification.kind());
    }
    LibvirtGateway gw = ctx.gateway();
    Scope call = plan.call().get();
    OperationStep step = new OperationStep("setVcpusFlags", call, plan.detail());
    int attempts = 0;
    Vcpu liveSeen = null;
    Vcpu configSeen = null;
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.NONE)) {
      LibvirtException unplugTimeout = null;
      boolean configStillToDo = false;
      try {
        gw.setVcpus(ctx.domain.ref(), target, call);
        steps.add(step);
      } catch (ConnectionLostException lost) {
        Reconcile.Verdict v = Reconcile.vcpus(ctx, plan, step, lost);
        steps.addAll(v.applied());
        warnings.add(v.warning());
      } catch (LibvirtException e) {
        if (plan.hotUnplug() && LibvirtGateway.isUnplugTimeout(e)) {
          // the request was sent; the guest may still release the CPU: keep waiting. libvirt stops at
          // the live part, so the config part of a combined call was not made
          unplugTimeout = e;
          configStillToDo = call.includesConfig();
          steps.add(configStillToDo ? new OperationStep("setVcpusFlags", Scope.LIVE,
              "vCPUs " + plan.liveBefore() + " -> " + target + " (hot-unplug)") : step);
        } else if (call == Scope.LIVE_AND_CONFIG) {
          throw Reconcile.vcpusFailedCall(ctx, plan, step, e);
        } else {
          throw e;
        }
      }
      if (plan.hotUnplug() && !verification.host() && unplugTimeout == null) {
        warnings.add("hot-unplug not waited for (verification " + verification.kind() + "): libvirt returned once"
            + " the request was sent and the guest releases the vCPU(s) asynchronously, or not at all; read"
            + " vcpuCount() to see the outcome, or verify with Verification.HOST");
      }
      if (call.includesLive() && (verification.host() || unplugTimeout != null)) {
        Verifier.Waited<Vcpu> w = armed.await(() -> liveVcpu(ctx), v -> v.effectiveCurrent() == target,
            "live vCPUs of domain " + SafeText.quote(name) + " to become " + target);
        attempts += w.attempts();
        if (!w.satisfied()) {
          throw liveNotShown(ctx, plan, w, unplugTimeout, configStillToDo);
        }
        liveSeen = w.last();
        if (unplugTimeout != null) {
          warnings.add("libvirt reported '" + unplugTimeout.libvirtMessage() + "' but the guest released the"
              + " vCPU(s) afterwards (after " + w.attempts() + " reads)");
        }
      }
      if (configStillToDo) {
        OperationStep configStep = new OperationStep("setVcpusFlags", Scope.CONFIG,
            "vCPUs " + plan.configBefore() + " -> " + target);
        try {
          gw.setVcpus(ctx.domain.ref(), target, Scope.CONFIG);
        } catch (HotplugException e) {
          throw Reconcile.partial(ctx, plan, steps, configStep, e);
        }
        steps.add(configStep);
        warnings.add("libvirt stopped at the live part of the combined call (the unplug was not confirmed in"
            + " time), so the persistent definition was changed by a second call once the guest had released"
            + " the vCPU(s)");
      }
      if (call.includesConfig() && verification.host()) {
        Verifier.Waited<Vcpu> w = armed.await(() -> configVcpu(ctx), v -> v.effectiveCurrent() == target,
            "config vCPUs of domain " + SafeText.quote(name) + " to become " + target);
        attempts += w.attempts();
        if (!w.satisfied()) {
          throw new VerificationTimeoutException("libvirt accepted the config change of domain " + SafeText.quote(name)
              + " to " + target + " vCPUs but the inactive XML still shows " + w.last().effectiveCurrent()
              + ": read vcpucount again", "config vCPUs = " + target, "config vCPUs = " + w.last().effectiveCurrent(),
              w.attempts(), w.elapsed(), null);
        }
        configSeen = w.last();
      }
    }
    // after: the counts the verification read (a side not changed: as read before); without
    // verification, the counts expected
    VcpuCount after = verification.host() ? observed(plan.before(), liveSeen, configSeen)
        : expected(plan.before(), call, target);
    ctx.afterHostVerified(steps, warnings);
    if (verification.kind() == Verification.Kind.GUEST && plan.scope().includesLive()) {
      attempts += verifyGuest(ctx, target, after, warnings);
    }
    return new VcpuResult(name, target, plan.scope(), verification, plan.before(), after, steps, attempts,
        since(t0), warnings);
  }

  static Vcpu liveVcpu(OpContext ctx) {
    return vcpuOf(Inspection.readLive(ctx.domain).vcpu());
  }

  static Vcpu configVcpu(OpContext ctx) {
    return vcpuOf(Inspection.readConfig(ctx.domain).vcpu());
  }

  /** libvirt gives a domain without {@code <vcpu>} one vCPU (and always writes the element). */
  private static Vcpu vcpuOf(java.util.Optional<Vcpu> v) {
    return v.orElseGet(() -> Vcpu.builder().maximum(1).build());
  }

  private static HotplugException liveNotShown(OpContext ctx, VcpuPlanner.Plan plan, Verifier.Waited<Vcpu> w,
      LibvirtException unplugTimeout, boolean configNotMade) {
    String name = SafeText.quote(ctx.name());
    int target = plan.target();
    int seen = w.last().effectiveCurrent();
    String expected = "live vCPUs = " + target;
    String observed = "live vCPUs = " + seen;
    String configNote = configNote(ctx, plan, configNotMade);
    if (plan.hotUnplug()) {
      String what = "asked for " + target + " (from " + plan.liveBefore() + "), still " + seen + " after "
          + w.elapsed().toMillis() + " ms and " + w.attempts() + " reads";
      String guestSide = "The guest must support CPU hot-unplug and let the CPU go (Linux: not CPU 0, not"
          + " pinned or busy)";
      String msg = unplugTimeout == null
          ? "the guest of domain " + name + " did not release its vCPUs: " + what + ". " + guestSide
              + "; libvirt's request may still complete: read vcpucount again, or give a longer timeout(…)."
          // libvirt gave up waiting for QEMU's DEVICE_DELETED: the guest may or may not have let go
          : "the vCPU unplug of domain " + name + " was not confirmed: " + what + " (libvirt: "
              + unplugTimeout.libvirtMessage() + "). Either the guest did not release its vCPUs (" + guestSide
              + "), or it did and QEMU never confirmed the removal (QEMU under TCG software emulation never"
              + " sends DEVICE_DELETED for a vCPU). libvirt's vCPU state of this domain is then unreliable:"
              + " check the guest's /sys/devices/system/cpu/online, and restart the domain before further"
              + " vCPU changes.";
      return new GuestRefusedException(msg + configNote, expected, observed, w.attempts(), w.elapsed(), unplugTimeout);
    }
    return new VerificationTimeoutException("libvirt accepted the live change of domain " + name + " to " + target
        + " vCPUs but the live XML still shows " + seen + " after " + w.elapsed().toMillis() + " ms and "
        + w.attempts() + " reads: read vcpucount again, or give a longer timeout(…)." + configNote, expected,
        observed, w.attempts(), w.elapsed(), null);
  }

  /** What became of the persistent definition when the live side did not show the change. */
  private static String configNote(OpContext ctx, VcpuPlanner.Plan plan, boolean configNotMade) {
    Scope call = plan.call().orElseThrow();
    if (!call.includesConfig()) {
      return "";
    }
    if (configNotMade) {
      return " The persistent definition was not changed.";
    }
    try {
      int c = configVcpu(ctx).effectiveCurrent();
      return c == plan.configBefore() ? " The persistent definition was not changed (still " + c + " vCPUs)."
          : " The persistent definition now has " + c + " vCPUs (libvirt applied the config part).";
    } catch (HotplugException e) {
      return " The persistent definition could not be read back: " + e.getMessage();
    }
  }

  private static int verifyGuest(OpContext ctx, int target, VcpuCount after, List<String> warnings) {
    GuestProbe probe = ctx.verification.probe().orElseThrow();
    String name = SafeText.quote(ctx.name());
    Verifier.Waited<GuestFacts> o;
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.NONE)) {
      o = armed.await(() -> probe.facts(ctx.domain), f -> {
        OptionalInt online = onlineCount(f);
        return online.isEmpty() || online.getAsInt() == target;
      }, "the guest of domain " + name + " to see " + target + " vCPUs online");
    } catch (HotplugException e) {
      throw new HotplugException("domain " + name + ": the vCPU change was applied and verified on the host ("
          + after.currentLive().orElse(target) + " live vCPUs) but the guest could not be asked: " + e.getMessage(), e);
    }
    GuestFacts facts = o.last();
    OptionalInt online = onlineCount(facts);
    if (online.isPresent() && online.getAsInt() == target) {
      return o.attempts();
    }
    GuestVerdict verdict = GuestCheck.check(facts, GuestExpectation.builder().vcpus(target).build());
    if (online.isEmpty()) {
      warnings.add("guest verification could not tell whether the guest sees " + target + " vCPUs: "
          + verdict.summary());
      return o.attempts();
    }
    throw new VerificationTimeoutException("domain " + name + " has " + target + " live vCPUs on the host but"
        + " the guest sees " + online.getAsInt() + " online after " + o.elapsed().toMillis() + " ms and "
        + o.attempts() + " reads: " + verdict.summary() + " " + String.join("; ", verdict.findings()),
        "guest CPUs online = " + target, "guest CPUs online = " + online.getAsInt(), o.attempts(), o.elapsed(), null);
  }

  private static OptionalInt onlineCount(GuestFacts f) {
    if (f.cpusOnline().isPresent()) {
      return OptionalInt.of(f.cpusOnline().get().size());
    }
    return f.processorCount();
  }

  /** The counts after: those the verification read; a side it did not read, as before. */
  static VcpuCount observed(VcpuCount before, Vcpu live, Vcpu config) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (config != null) {
      b.config(config.maximum(), config.effectiveCurrent());
    } else if (before.maximumConfig().isPresent()) {
      b.config(before.maximumConfig().getAsInt(), before.currentConfig().getAsInt());
    }
    if (live != null) {
      b.live(live.maximum(), live.effectiveCurrent());
    } else if (before.maximumLive().isPresent()) {
      b.live(before.maximumLive().getAsInt(), before.currentLive().getAsInt());
    }
    return b.build();
  }

  /** The counts expected after a call in {@code call} (without verification). */
  static VcpuCount expected(VcpuCount before, Scope call, int target) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (before.maximumConfig().isPresent()) {
      b.config(before.maximumConfig().getAsInt(), call.includesConfig() ? target : before.currentConfig().getAsInt());
    }
    if (before.maximumLive().isPresent()) {
      b.live(before.maximumLive().getAsInt(), call.includesLive() ? target : before.currentLive().getAsInt());
    }
    return b.build();
  }

  static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
