package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.core.internal.VcpuXml;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vCPU change request for one domain, built fluently and run by {@link #apply()}:
 * <pre>{@code
 * domain.vcpus().set(4).live().config().apply();   // hot-add (or remove) and persist
 * domain.vcpus().set(2).apply();                   // live only, like virsh setvcpus
 * }</pre>
 *
 * <p>Immutable: every method returns a new request. The count is the total wanted (as in
 * {@code virsh setvcpus}), not a delta; below the current count it is a hot-unplug, which the guest
 * completes asynchronously: {@code apply()} waits for it (see {@link #timeout(Duration)}).
 *
 * <p>Before any change {@code apply()} checks: the count is at least 1; a live change needs a
 * running domain and a count within the live maximum; a config change needs a persistent domain
 * and a count within the config maximum. A refusal changes nothing. With both scopes the live
 * change is made first, then the config change; if the second fails after the first succeeded, a
 * {@link PartialApplyException} carries both states.
 *
 * <p>Only the sides in scope are read: a live change reads the live XML (before, and until the
 * count shows), not the persistent definition; its result's tables hold the live rows only.
 */
public final class VcpuChange {
  private static final Logger LOG = LoggerFactory.getLogger(VcpuChange.class);
  private static final int UNSET = Integer.MIN_VALUE;

  private final DomainHandle domain;
  private final int target;
  private final Scope scope;
  private final Duration timeout;
  private final Verification verification;

  VcpuChange(DomainHandle domain) {
    this(domain, UNSET, null, null, Verification.HOST);
  }

  private VcpuChange(DomainHandle domain, int target, Scope scope, Duration timeout, Verification verification) {
    this.domain = domain;
    this.target = target;
    this.scope = scope;
    this.timeout = timeout;
    this.verification = verification;
  }

  /**
   * The total number of vCPUs wanted (checked by {@link #apply()}: at least 1, at most the maximum).
   *
   * @param count total vCPUs
   * @return a new request
   */
  public VcpuChange set(int count) {
    return new VcpuChange(domain, count, scope, timeout, verification);
  }

  /** Adds the running domain to the scope ({@code --live}). */
  public VcpuChange live() {
    return new VcpuChange(domain, target, Scope.LIVE.plus(scope), timeout, verification);
  }

  /** Adds the persistent definition to the scope ({@code --config}). */
  public VcpuChange config() {
    return new VcpuChange(domain, target, Scope.CONFIG.plus(scope), timeout, verification);
  }

  /**
   * Adds a scope to the request; scopes accumulate ({@code live().scope(Scope.CONFIG)} is both), as
   * in {@link MemoryChange#scope(Scope)} and {@link DesiredState#scope(Scope)}.
   *
   * @param scope the scope to add
   * @return a new request
   */
  public VcpuChange scope(Scope scope) {
    return new VcpuChange(domain, target, Objects.requireNonNull(scope, "scope").plus(this.scope), timeout,
        verification);
  }

  /**
   * How long to wait for the change to show (default: the client's {@code defaultTimeout}).
   *
   * @param timeout zero or positive
   * @return a new request
   * @throws IllegalArgumentException if negative
   */
  public VcpuChange timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    return new VcpuChange(domain, target, scope, timeout, verification);
  }

  /**
   * How to prove the change (default {@link Verification#HOST}).
   *
   * @param verification the policy
   * @return a new request
   */
  public VcpuChange verify(Verification verification) {
    return new VcpuChange(domain, target, scope, timeout, Objects.requireNonNull(verification, "verification"));
  }

  /** The scope that {@link #apply()} will use: the one asked, else {@link Scope#LIVE}. */
  public Scope effectiveScope() {
    return scope == null ? Scope.LIVE : scope;
  }

  /**
   * Checks the request, applies it, verifies it.
   *
   * @return what was done; a no-op result when the domain already has the count
   * @throws PreconditionException refused before any change: count below 1 ({@link Refusal#COUNT_BELOW_ONE}),
   *     no count ({@link Refusal#INVALID_REQUEST}), domain not running for live ({@link Refusal#NOT_RUNNING}),
   *     transient domain for config ({@link Refusal#NOT_PERSISTENT}), above the maximum ({@link Refusal#ABOVE_MAXIMUM})
   * @throws GuestRefusedException a hot-unplug the guest did not complete within the timeout
   * @throws VerificationTimeoutException the new count did not show within the timeout, or the guest
   *     (with {@link Verification#guest(GuestProbe)}) did not bring the CPUs online
   * @throws PartialApplyException the live change was applied and the config change failed
   * @throws DomainNotFoundException the domain no longer exists
   * @throws LibvirtException libvirt refused or failed (nothing was applied)
   */
  public VcpuResult apply() {
    if (target == UNSET) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "no vCPU count given for domain '"
          + domain.name() + "': call vcpus().set(n) with the total number of vCPUs wanted, then apply()");
    }
    if (target < 1) {
      throw new PreconditionException(Refusal.COUNT_BELOW_ONE, "asked for " + target + " vCPUs for domain '"
          + domain.name() + "': a domain needs at least 1 vCPU. Ask for the total number wanted, e.g. set(1);"
          + " to remove vCPUs ask for a smaller total");
    }
    Scope s = effectiveScope();
    return domain.locked(() -> run(s));
  }

  private VcpuResult run(Scope s) {
    long t0 = System.nanoTime();
    LibvirtGateway gw = domain.gateway();
    LibvirtGateway.DomainRef ref = domain.ref();
    String name = domain.name();
    if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op=setVcpus target={} scope={} verify={}", name, target, s, verification.kind());
    }
    // only the sides in scope are read: a live change costs what a careful hand-written one does.
    // The live XML of a running domain carries its id (<domain id='N'>), a shut-off one's does not:
    // that answers isActive without another libvirt round trip.
    String liveXml = s.includesLive() ? gw.xml(ref, false) : null;
    boolean active = liveXml != null && VcpuXml.hasDomainId(liveXml);
    boolean persistent = s.includesConfig() && gw.isPersistent(ref);
    if (s.includesLive() && !active) {
      throw new PreconditionException(Refusal.NOT_RUNNING, "domain '" + name + "' is not running: a live vCPU"
          + " change needs a running domain. Start it first (virsh start " + name + "), or change only the"
          + " persistent definition with .config()");
    }
    if (s.includesConfig() && !persistent) {
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "domain '" + name + "' is transient (it has no"
          + " persistent definition): a config change has nothing to change. Use .live() only, or make it"
          + " persistent first (virsh dumpxml " + name + " > " + name + ".xml; virsh define " + name + ".xml)");
    }
    VcpuCount.Builder read = VcpuCount.builder();
    if (persistent) {
      int[] c = VcpuXml.read(gw.xml(ref, true));
      read.config(c[0], c[1]);
    }
    if (active) {
      int[] l = VcpuXml.read(liveXml);
      read.live(l[0], l[1]);
    }
    VcpuCount before = read.build();
    if (s.includesLive() && target > before.maximumLive().getAsInt()) {
      int max = before.maximumLive().getAsInt();
      throw new PreconditionException(Refusal.ABOVE_MAXIMUM, "asked for " + target + " vCPUs live but domain '"
          + name + "' runs with a maximum of " + max + " (<vcpu>" + max + "</vcpu>), which cannot change while it"
          + " runs. Raise the maximum with domain.prepare(HotplugLimits.builder().maxVcpus(" + target + ")…)"
          + " (or virsh setvcpus " + name + " " + target + " --maximum --config), then shut the domain down and"
          + " start it; or ask for at most " + max);
    }
    if (s.includesConfig() && target > before.maximumConfig().getAsInt()) {
      int max = before.maximumConfig().getAsInt();
      throw new PreconditionException(Refusal.ABOVE_MAXIMUM, "asked for " + target + " vCPUs in the config but"
          + " the persistent definition of domain '" + name + "' allows at most " + max + " (<vcpu>" + max
          + "</vcpu>). Raise the maximum with domain.prepare(HotplugLimits.builder().maxVcpus(" + target + ")…)"
          + " (or virsh setvcpus " + name + " " + target + " --maximum --config); or ask for at most " + max);
    }
    int liveBefore = before.currentLive().orElse(0);
    int configBefore = before.currentConfig().orElse(0);
    boolean liveNeeded = s.includesLive() && liveBefore != target;
    boolean configNeeded = s.includesConfig() && configBefore != target;
    List<OperationStep> steps = new ArrayList<>(2);
    List<String> warnings = new ArrayList<>(0);
    if (!liveNeeded && !configNeeded) {
      return new VcpuResult(name, target, s, verification, before, before, steps, 0, since(t0), warnings);
    }
    Poller poller = domain.client().poller(timeout);
    int attempts = 0;
    int[] liveSeen = null;
    int[] configSeen = null;
    if (liveNeeded) {
      boolean unplug = target < liveBefore;
      OperationStep step = new OperationStep("setVcpusFlags", Scope.LIVE,
          "vCPUs " + liveBefore + " -> " + target + (unplug ? " (hot-unplug)" : " (hot-plug)"));
      LibvirtException unplugTimeout = null;
      try {
        gw.setVcpus(ref, target, Scope.LIVE);
      } catch (LibvirtException e) {
        if (!(unplug && LibvirtGateway.isUnplugTimeout(e))) {
          throw e;
        }
        unplugTimeout = e; // the request was sent; the guest may still release the CPU: keep waiting
      }
      steps.add(step);
      if (unplug && !verification.host() && unplugTimeout == null) {
        warnings.add("hot-unplug not waited for (verification " + verification.kind() + "): libvirt returned once"
            + " the request was sent and the guest releases the vCPU(s) asynchronously, or not at all; read"
            + " vcpuCount() to see the outcome, or verify with Verification.HOST");
      }
      if (verification.host() || unplugTimeout != null) {
        Poller.Outcome<int[]> o = poller.await(() -> VcpuXml.read(gw.xml(ref, false)), v -> v[1] == target,
            "live vCPUs of domain '" + name + "' to become " + target);
        attempts += o.attempts();
        if (!o.satisfied()) {
          String expected = "live vCPUs = " + target;
          String observed = "live vCPUs = " + o.last()[1];
          String untouched = configNeeded ? " The persistent definition was not changed." : "";
          if (unplug) {
            String what = "asked for " + target + " (from " + liveBefore + "), still " + o.last()[1] + " after "
                + o.elapsed().toMillis() + " ms and " + o.attempts() + " reads";
            String guestSide = "The guest must support CPU hot-unplug and let the CPU go (Linux: not CPU 0, not"
                + " pinned or busy)";
            String msg = unplugTimeout == null
                ? "the guest of domain '" + name + "' did not release its vCPUs: " + what + ". " + guestSide
                    + "; libvirt's request may still complete: read vcpucount again, or give a longer timeout(…)."
                // libvirt gave up waiting for QEMU's DEVICE_DELETED: the guest may or may not have let go
                : "the vCPU unplug of domain '" + name + "' was not confirmed: " + what + " (libvirt: "
                    + unplugTimeout.libvirtMessage() + "). Either the guest did not release its vCPUs (" + guestSide
                    + "), or it did and QEMU never confirmed the removal (QEMU under TCG software emulation never"
                    + " sends DEVICE_DELETED for a vCPU). libvirt's vCPU state of this domain is then unreliable:"
                    + " check the guest's /sys/devices/system/cpu/online, and restart the domain before further"
                    + " vCPU changes.";
            throw new GuestRefusedException(msg + untouched, expected, observed, o.attempts(), o.elapsed(), unplugTimeout);
          }
          throw new VerificationTimeoutException("libvirt accepted the live change of domain '" + name + "' to "
              + target + " vCPUs but the live XML still shows " + o.last()[1] + " after " + o.elapsed().toMillis()
              + " ms and " + o.attempts() + " reads: read vcpucount again, or give a longer timeout(…)." + untouched,
              expected, observed, o.attempts(), o.elapsed(), null);
        }
        liveSeen = o.last();
        if (unplugTimeout != null) {
          warnings.add("libvirt reported '" + unplugTimeout.libvirtMessage() + "' but the guest released the"
              + " vCPU(s) afterwards (after " + o.attempts() + " reads)");
        }
      }
    }
    if (configNeeded) {
      OperationStep step = new OperationStep("setVcpusFlags", Scope.CONFIG, "vCPUs " + configBefore + " -> " + target);
      try {
        gw.setVcpus(ref, target, Scope.CONFIG);
      } catch (HotplugException e) {
        if (steps.isEmpty()) {
          throw e;
        }
        VcpuCount now = readQuietly(active, persistent);
        throw new PartialApplyException("domain '" + name + "': the live change was applied (" + steps.get(0).detail()
            + ") but the config change failed: " + e.getMessage() + ". Live and persistent definition now"
            + " differ: fix the cause and run vcpus().set(" + target + ").config() again, or set the live count"
            + " back with vcpus().set(" + liveBefore + ").live()", steps, step,
            now == null ? "live vCPUs = " + target + " (not re-read)" : now.toString(), now, e);
      }
      steps.add(step);
      if (verification.host()) {
        Poller.Outcome<int[]> o = poller.await(() -> VcpuXml.read(gw.xml(ref, true)), v -> v[1] == target,
            "config vCPUs of domain '" + name + "' to become " + target);
        attempts += o.attempts();
        if (!o.satisfied()) {
          throw new VerificationTimeoutException("libvirt accepted the config change of domain '" + name + "' to "
              + target + " vCPUs but the inactive XML still shows " + o.last()[1] + ": read vcpucount again",
              "config vCPUs = " + target, "config vCPUs = " + o.last()[1], o.attempts(), o.elapsed(), null);
        }
        configSeen = o.last();
      }
    }
    // after: the counts the verification read (a side outside the scope was not touched: as read before);
    // without verification, the counts expected
    VcpuCount after = verification.host() ? observed(before, liveSeen, configSeen) : expected(before, s);
    if (verification.kind() == Verification.Kind.GUEST && s.includesLive()) {
      attempts += verifyGuest(poller, after, warnings);
    }
    return new VcpuResult(name, target, s, verification, before, after, steps, attempts, since(t0), warnings);
  }

  private int verifyGuest(Poller poller, VcpuCount after, List<String> warnings) {
    GuestProbe probe = verification.probe().orElseThrow();
    String name = domain.name();
    Poller.Outcome<GuestFacts> o;
    try {
      o = poller.await(() -> probe.facts(domain), f -> {
        OptionalInt online = onlineCount(f);
        return online.isEmpty() || online.getAsInt() == target;
      }, "the guest of domain '" + name + "' to see " + target + " vCPUs online");
    } catch (HotplugException e) {
      throw new HotplugException("domain '" + name + "': the vCPU change was applied and verified on the host ("
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
    throw new VerificationTimeoutException("domain '" + name + "' has " + target + " live vCPUs on the host but"
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

  private static VcpuCount observed(VcpuCount before, int[] live, int[] config) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (config != null) {
      b.config(config[0], config[1]);
    } else if (before.maximumConfig().isPresent()) {
      b.config(before.maximumConfig().getAsInt(), before.currentConfig().getAsInt());
    }
    if (live != null) {
      b.live(live[0], live[1]);
    } else if (before.maximumLive().isPresent()) {
      b.live(before.maximumLive().getAsInt(), before.currentLive().getAsInt());
    }
    return b.build();
  }

  private VcpuCount expected(VcpuCount before, Scope s) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (before.maximumConfig().isPresent()) {
      b.config(before.maximumConfig().getAsInt(), s.includesConfig() ? target : before.currentConfig().getAsInt());
    }
    if (before.maximumLive().isPresent()) {
      b.live(before.maximumLive().getAsInt(), s.includesLive() ? target : before.currentLive().getAsInt());
    }
    return b.build();
  }

  private VcpuCount readQuietly(boolean active, boolean persistent) {
    try {
      return domain.readVcpuCount(active, persistent);
    } catch (HotplugException e) {
      LOG.debug("domain={} op=setVcpus could not re-read counts after a failure: {}", domain.name(), e.getMessage());
      return null;
    }
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Override
  public String toString() {
    return "vcpus().set(" + (target == UNSET ? "?" : target) + ") " + effectiveScope().virshFlags()
        + " verify=" + verification;
  }
}
