package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply and verify steps of a planned memory change (package-private): exactly the plan's
 * steps (one {@code attachDeviceFlags} / {@code detachDeviceFlags} call each, with the step's
 * device XML and the plan's scope), then the reads that prove it (the live XML until the devices and
 * the total show, the inactive XML once), the guest's view when asked, and the result. The before
 * and after views are built from those reads: no extra call. Used by {@link MemoryChange#apply()}
 * and the memory steps of {@link DesiredState}; the caller holds the domain's lock. A virtio-mem plan
 * is handed to {@link VirtioMemOperation}.
 */
final class MemoryOperation {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryOperation.class);

  private MemoryOperation() {}

  /**
   * Runs a plan.
   *
   * @param ctx the request's context
   * @param before the inspection the plan was made from (sides in scope; both flags read)
   * @param plan the plan
   * @param blockSize the guest memory block size (guest verification)
   * @return the result
   */
  static MemoryResult execute(OpContext ctx, Inspection before, MemoryPlan plan, MemorySize blockSize) {
    return execute(ctx, before, plan, blockSize, VirtioMemOperation.DEFAULT_PROGRESS_TIMEOUT);
  }

  /**
   * Runs a plan of either model: a virtio-mem plan through {@link VirtioMemOperation}.
   *
   * @param ctx the request's context
   * @param before the inspection the plan was made from
   * @param plan the plan
   * @param blockSize the guest memory block size (DIMM guest verification)
   * @param progressTimeout virtio-mem: how long {@code <current>} may stand still
   * @return the result
   */
  static MemoryResult execute(OpContext ctx, Inspection before, MemoryPlan plan, MemorySize blockSize,
      Duration progressTimeout) {
    if (plan.model() == MemoryModel.VIRTIO_MEM) {
      return VirtioMemOperation.execute(ctx, before, plan, progressTimeout);
    }
    DomainHandle domain = ctx.domain;
    String name = SafeText.quote(ctx.name());
    Scope sc = plan.scope();
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    Optional<GuestProbe> probe = sc.includesLive() ? ctx.verification.probe() : Optional.empty();
    // the guest's baseline comes first: an unreachable agent refuses before any change
    Optional<GuestFacts> baseline = probe.map(p -> p.facts(domain));
    MemoryView viewBefore = before.memoryView();
    List<OperationStep> steps = ctx.newSteps();
    List<String> warnings = new ArrayList<>();
    long start = System.nanoTime();
    LibvirtGateway gw = ctx.gateway();
    DomainXml liveSeen = null;
    DomainXml configSeen = null;
    int attempts = 0;
    try (Verifier.Armed armed = ctx.verifier().arm(domain,
        add ? Verifier.Signal.DEVICE_ADDED : Verifier.Signal.DEVICE_REMOVED)) {
      for (MemoryPlan.Step s : plan.steps()) {
        OperationStep step = new OperationStep(s.action().libvirtCall(), sc, s.detail());
        if (LOG.isDebugEnabled()) {
          LOG.debug("domain={} op={} size={} node={} scope={}", name, s.action().libvirtCall(), s.size(), s.node(), sc);
        }
        try {
          if (s.action() == MemoryPlan.Action.ATTACH) {
            gw.attachDevice(domain.ref(), s.xml(), sc);
          } else {
            gw.detachDevice(domain.ref(), s.xml(), sc);
          }
        } catch (ConnectionLostException lost) {
          warnings.add(Reconcile.memoryStep(ctx, before, plan, steps, s, step, lost));
          steps.add(step);
          continue;
        } catch (LibvirtException e) {
          HotplugException translated = add ? e : translateDetach(ctx, e, s);
          if (steps.isEmpty()) {
            throw translated;
          }
          throw new PartialApplyException((add ? "memory hot-add" : "memory hot-remove") + " of domain " + name
              + " stopped half way: " + steps.size() + " of " + plan.steps().size() + " DIMM(s) done (" + steps
              + "), then " + step + " failed: " + translated.getMessage() + ". The done steps were not rolled back;"
              + " read memoryView() and " + (add ? "remove(…) the added DIMMs or add the rest" : "remove the rest or"
              + " add back") + " to reconcile", steps, step, observedAfterFailure(domain), null, translated);
        }
        steps.add(step);
      }

      if (ctx.verification.host()) {
        if (sc.includesLive()) {
          Verifier.Waited<DomainXml> w = awaitLive(ctx, armed, before, plan);
          attempts += w.attempts();
          liveSeen = w.last();
        }
        if (sc.includesConfig()) {
          configSeen = Inspection.readConfig(domain);
          attempts++;
          MemorySize expected = plan.configMemoryAfter().orElseThrow();
          MemorySize found = MemoryPlanner.totalMemory(configSeen);
          if (!found.equals(expected)) {
            throw new VerificationTimeoutException("the persistent definition of domain " + name + " has "
                + found + " of memory after " + (add ? "attaching" : "detaching") + " the DIMM(s), expected "
                + expected + ". Read memoryView() and drift(); libvirt may have rejected part of the change",
                "config memory " + expected, "config memory " + found, attempts, Duration.ZERO, null);
          }
        }
      }
    }
    ctx.afterHostVerified(steps, warnings);
    Optional<GuestVerdict> verdict = Optional.empty();
    if (probe.isPresent()) {
      GuestOutcome g = verifyGuest(ctx, plan, probe.get(), baseline.orElseThrow(), blockSize);
      attempts += g.attempts;
      verdict = Optional.of(g.verdict);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (sc == Scope.LIVE && before.persistent()) {
      warnings.add("live only: the persistent definition still has the old memory; the next cold boot "
          + (add ? "loses the added DIMM(s)" : "brings the DIMM(s) back") + " (use live().config() to keep both)");
    }
    if (sc == Scope.CONFIG && before.running()) {
      warnings.add("config only: the running domain is unchanged; the change takes effect at the next cold boot");
    }
    if (!ctx.verification.host()) {
      warnings.add("not verified (verification " + ctx.verification.kind() + "): libvirt accepted the call(s) but"
          + " the domain was not read back, so 'after' is the view from before the change"
          + (add ? "" : "; a hot-remove completes asynchronously, or not at all if the guest refuses")
          + ". Read memoryView() to see the outcome, or verify with Verification.HOST");
    }
    MemoryView after = ctx.verification.host()
        ? MemoryView.of(ctx.name(), liveSeen != null ? Optional.of(liveSeen) : before.live(),
            configSeen != null ? Optional.of(configSeen) : before.config())
        : viewBefore;
    return new MemoryResult(plan, viewBefore, after, steps, attempts, elapsed, warnings, verdict);
  }

  // ---------------------------------------------------------------- host verification

  /** Polls the live XML until the memory total and the device counts of the plan show. */
  private static Verifier.Waited<DomainXml> awaitLive(OpContext ctx, Verifier.Armed armed, Inspection before,
      MemoryPlan plan) {
    String name = SafeText.quote(ctx.name());
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    MemorySize expected = plan.liveMemoryAfter().orElseThrow();
    MemorySize totalBefore = plan.liveMemoryBefore().orElseThrow();
    Map<MemoryDevice, Integer> countsBefore = counts(plan, before.live().orElseThrow());
    Verifier.Waited<DomainXml> w = armed.await(() -> Inspection.readLive(ctx.domain),
        x -> shows(plan, countsBefore, x, expected), "the live memory of " + name + " to become " + expected);
    if (w.satisfied()) {
      return w;
    }
    String observed = describe(plan, w.last());
    if (add) {
      throw new VerificationTimeoutException("domain " + name + ": libvirt accepted the DIMM(s) but the live XML"
          + " shows " + observed + " after " + w.attempts() + " read(s) in " + w.elapsed().toMillis() + " ms,"
          + " expected memory " + expected + " with the new DIMM(s). Read memoryView(); the device may still be added",
          "live memory " + expected, observed, w.attempts(), w.elapsed(), null);
    }
    boolean nothingReleased = MemoryPlanner.totalMemory(w.last()).equals(totalBefore);
    String why = w.refusedByGuest().map(r -> "the guest refused the removal (libvirt: " + r + ")")
        .orElse("the guest did not release the DIMM(s) within " + ctx.poller().timeout());
    throw new GuestRefusedException("domain " + name + ": " + why + ": the live XML shows " + observed
        + ", expected memory " + expected + " (" + w.attempts() + " read(s)). "
        + (nothingReleased ? "Nothing was released. " : "Part was released. ")
        + "A guest releases a DIMM only if its memory blocks can be offlined: memory onlined as 'online' lands "
        + "in ZONE_NORMAL and is refused; online it movable (udev rule ATTR{state}=\"online_movable\", "
        + "RuleOptions.movableMemory(true), or the kernel parameter memhp_default_state=online_movable). "
        + (w.refusedByGuest().isPresent() ? "" : "The request may still complete: read memoryView() again. ")
        + configAfterRefusal(ctx, plan, before),
        "live memory " + expected, observed, w.attempts(), w.elapsed(), null);
  }

  /**
   * After a live + config detach that the guest did not complete: libvirt removes the DIMM from the
   * persistent definition as soon as it accepts the live detach (observed with libvirt 9.0), so the
   * definition is read once and what it shows is said.
   */
  private static String configAfterRefusal(OpContext ctx, MemoryPlan plan, Inspection before) {
    if (!plan.scope().includesConfig() || before.config().isEmpty()) {
      return "";
    }
    try {
      DomainXml config = Inspection.readConfig(ctx.domain);
      Map<MemoryDevice, Integer> then = counts(plan, before.config().get());
      Map<MemoryDevice, Integer> now = counts(plan, config);
      return now.equals(then) ? "The persistent definition still has the DIMM(s)."
          : "libvirt already removed the DIMM(s) from the persistent definition when it accepted the live detach"
              + " (now " + describe(plan, config) + "): the running domain and its definition differ; read drift()"
              + " and, to keep the memory after the next cold boot, add it back with memory().add(…).config()";
    } catch (HotplugException e) {
      return "The persistent definition could not be read back: " + e.getMessage();
    }
  }

  /** The devices (model, size, node) of the plan's steps, counted in an XML. */
  static Map<MemoryDevice, Integer> counts(MemoryPlan plan, DomainXml xml) {
    Map<MemoryDevice, Integer> out = new LinkedHashMap<>();
    List<MemoryDevice> present = xml.memoryDevices();
    for (MemoryPlan.Step s : plan.steps()) {
      MemoryDevice spec = s.device();
      if (out.keySet().stream().noneMatch(k -> k.sameDevice(spec))) {
        out.put(spec, count(present, spec));
      }
    }
    return out;
  }

  static int count(List<MemoryDevice> present, MemoryDevice spec) {
    int n = 0;
    for (MemoryDevice m : present) {
      if (m.sameDevice(spec)) {
        n++;
      }
    }
    return n;
  }

  /** How many of the plan's steps have the spec of {@code device}. */
  static int planned(List<MemoryPlan.Step> steps, MemoryDevice spec) {
    int n = 0;
    for (MemoryPlan.Step s : steps) {
      if (s.device().sameDevice(spec)) {
        n++;
      }
    }
    return n;
  }

  /** Whether the live XML shows the change: the memory total and the device counts per spec. */
  private static boolean shows(MemoryPlan plan, Map<MemoryDevice, Integer> before, DomainXml now, MemorySize total) {
    if (!MemoryPlanner.totalMemory(now).equals(total)) {
      return false;
    }
    int sign = plan.operation() == MemoryPlan.Operation.ADD ? 1 : -1;
    List<MemoryDevice> present = now.memoryDevices();
    for (Map.Entry<MemoryDevice, Integer> e : before.entrySet()) {
      if (count(present, e.getKey()) != e.getValue() + sign * planned(plan.steps(), e.getKey())) {
        return false;
      }
    }
    return true;
  }

  private static String describe(MemoryPlan plan, DomainXml now) {
    StringBuilder b = new StringBuilder("memory " + MemoryPlanner.totalMemory(now));
    for (Map.Entry<MemoryDevice, Integer> e : counts(plan, now).entrySet()) {
      b.append(", ").append(e.getValue()).append(" DIMM(s) of ").append(e.getKey().targetSize().orElseThrow())
          .append(" on node ").append(e.getKey().targetNode().orElse(0));
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- guest verification

  private record GuestOutcome(GuestVerdict verdict, int attempts) {}

  private static GuestOutcome verifyGuest(OpContext ctx, MemoryPlan plan, GuestProbe probe, GuestFacts baseline,
      MemorySize blockSize) {
    String name = SafeText.quote(ctx.name());
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    long blockBytes = baseline.blockSizeBytes().orElse(blockSize.bytes());
    long changedBlocks = plan.total().bytes() / blockBytes;
    int baseOnline = online(baseline);
    GuestExpectation.Builder e = GuestExpectation.builder();
    plan.liveMemoryAfter().ifPresent(m -> e.memoryKiB(m.toKiB()));
    if (add) {
      e.addedKiB(plan.total().toKiB());
      baseline.memTotalKiB().ifPresent(e::baselineMemTotalKiB);
    }
    GuestExpectation expectation = e.build();
    Verifier.Waited<GuestFacts> o;
    // done when the blocks show the change and hotplug-guest's check does not see memory missing
    // (MemTotal can lag behind the block states by a moment)
    try (Verifier.Armed armed = ctx.verifier().arm(ctx.domain, Verifier.Signal.NONE)) {
      o = armed.await(() -> probe.facts(ctx.domain), f -> guestShows(add, baseline, f, changedBlocks, expectation),
          "the guest of " + name + " to " + (add ? "online" : "release") + " the memory");
    }
    GuestVerdict verdict = GuestCheck.check(o.last(), expectation);
    if (!o.satisfied()) {
      String expected = add ? changedBlocks + " more memory block(s) online" : changedBlocks + " memory block(s) fewer";
      String observed = "online blocks " + baseOnline + " -> " + online(o.last()) + ", offline " + offline(o.last());
      throw new VerificationTimeoutException("domain " + name + ": the host " + (add ? "added" : "removed")
          + " " + plan.total() + " but the guest did not " + (add ? "online" : "release") + " it within "
          + ctx.poller().timeout() + " (" + observed + "). Guest check: " + verdict.summary()
          + (add ? ". Install the memory udev rule (hotplug-guest RuleGenerator, 81-mem-hotplug.rules) or boot the guest"
              + " with memhp_default_state=online_movable" : ""),
          expected, observed, o.attempts(), o.elapsed(), null);
    }
    return new GuestOutcome(verdict, o.attempts());
  }

  /**
   * Whether the guest shows the change: after an add, {@code changedBlocks} more blocks online than
   * at the baseline and none offline; after a remove, that many blocks fewer; and in both cases
   * hotplug-guest's check does not find memory missing (MemTotal can lag behind the block states).
   */
  static boolean guestShows(boolean add, GuestFacts baseline, GuestFacts now, long changedBlocks,
      GuestExpectation expectation) {
    if (now.memoryBlockStates().isEmpty()) {
      return false;
    }
    boolean blocks = add ? online(now) - online(baseline) >= changedBlocks && offline(now) == 0
        : baseline.memoryBlockStates().map(Map::size).orElse(0) - now.memoryBlockStates().get().size()
            >= changedBlocks;
    return blocks && GuestCheck.check(now, expectation).status() != GuestVerdict.Status.NOT_ONLINE;
  }

  private static int online(GuestFacts f) {
    return count(f, "online");
  }

  private static int offline(GuestFacts f) {
    return count(f, "offline");
  }

  private static int count(GuestFacts f, String state) {
    int n = 0;
    Optional<SortedMap<Integer, String>> m = f.memoryBlockStates();
    if (m.isPresent()) {
      for (String s : m.get().values()) {
        if (s.startsWith(state)) {
          n++;
        }
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- helpers

  private static HotplugException translateDetach(OpContext ctx, LibvirtException e, MemoryPlan.Step s) {
    String name = SafeText.quote(ctx.name());
    String m = e.libvirtMessage() == null ? "" : e.libvirtMessage();
    if (m.contains("rejected by the guest")) {
      return new GuestRefusedException("the guest of domain " + name + " refused to release the DIMM "
          + s.size() + " on node " + s.node() + " (libvirt: " + m + "). Its memory was onlined as 'online' and "
          + "landed in ZONE_NORMAL, where the kernel cannot offline it. Online hot-added memory movable: the udev "
          + "rule variant ATTR{state}=\"online_movable\" (RuleOptions.movableMemory(true)) or the kernel parameter "
          + "memhp_default_state=online_movable; DIMMs already onlined need a guest reboot first",
          "DIMM " + s.size() + " node " + s.node() + " removed", "DIMM still present", 1, Duration.ZERO, e);
    }
    if (m.contains("not found")) {
      return new LibvirtException("libvirt found no DIMM of " + s.size() + " on node " + s.node() + " in domain "
          + name + " (" + m + "): the live and persistent definitions may differ; read drift() and "
          + "remove with live() or config() alone", e.errorCode(), e.errorName(), e.libvirtMessage(), e);
    }
    return e;
  }

  static String observedAfterFailure(DomainHandle domain) {
    try {
      return Inspection.whole(domain).memoryView().toString();
    } catch (HotplugException ex) {
      return "could not read the state after the failure: " + ex.getMessage();
    }
  }
}
