package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A memory hot-add or hot-remove request for one domain, built fluently and immutable (every
 * method returns a new request):
 *
 * <pre>{@code
 * MemoryResult r = domain.memory().add(MemorySize.ofGiB(8)).node(0).live().config().apply();
 * MemoryPlan p = domain.memory().add(MemorySize.ofGiB(8)).split(MemorySize.ofGiB(2)).plan(); // dry run
 * domain.memory().remove(MemorySize.ofGiB(2)).live().config().apply();
 * }</pre>
 *
 * <p>Before any change the request is checked against the domain (see {@link #plan()}); a request
 * that cannot succeed is refused with a {@link PreconditionException} and nothing is touched.
 * Without {@link #live()}/{@link #config()} the scope is live, as with {@code virsh attach-device}.
 * Sizes must be multiples of the guest memory block (128 MiB on x86_64 by default: see
 * {@link HotplugClient.Builder#memoryBlockSize(MemorySize)} and {@link #blockSize(MemorySize)}).
 *
 * <p>Changes on the same domain through one client are serialized (a per-domain lock is held from
 * planning to verification); different domains proceed in parallel.
 */
public final class MemoryChange {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryChange.class);

  private final DomainHandle domain;
  private final MemoryPlan.Operation operation;
  private final MemorySize size;
  private final OptionalInt node;
  private final Optional<MemorySize> chunk;
  private final Optional<MemorySize> firstDimm;
  private final Optional<MemorySize> blockSize;
  private final Scope scope;
  private final Duration timeout;
  private final Verification verification;

  MemoryChange(DomainHandle domain) {
    this(domain, null, null, OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(), null, null,
        Verification.HOST);
  }

  private MemoryChange(DomainHandle domain, MemoryPlan.Operation operation, MemorySize size, OptionalInt node,
      Optional<MemorySize> chunk, Optional<MemorySize> firstDimm, Optional<MemorySize> blockSize, Scope scope,
      Duration timeout, Verification verification) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.operation = operation;
    this.size = size;
    this.node = node;
    this.chunk = chunk;
    this.firstDimm = firstDimm;
    this.blockSize = blockSize;
    this.scope = scope;
    this.timeout = timeout;
    this.verification = verification;
  }

  private MemoryChange with(MemoryPlan.Operation op, MemorySize s, OptionalInt n, Optional<MemorySize> ch,
      Optional<MemorySize> first, Optional<MemorySize> block, Scope sc, Duration t, Verification v) {
    return new MemoryChange(domain, op, s, n, ch, first, block, sc, t, v);
  }

  /**
   * Adds memory: one DIMM of this size (unless {@link #split} or {@link #firstDimm} is given).
   *
   * @param size the amount to add
   * @return the request
   */
  public MemoryChange add(MemorySize size) {
    return with(MemoryPlan.Operation.ADD, Objects.requireNonNull(size, "size"), node, chunk, firstDimm, blockSize,
        scope, timeout, verification);
  }

  /**
   * Adds memory given as text with a unit ({@code "8GiB"}, {@code "512 MiB"}).
   *
   * @param size the amount with its unit
   * @return the request
   * @throws PreconditionException NO_UNIT when the text has no unit or is not a size
   */
  public MemoryChange add(String size) {
    return add(parse(size));
  }

  /**
   * Removes memory: hot-plugged DIMMs whose sizes add up to exactly this amount.
   *
   * @param size the amount to remove
   * @return the request
   */
  public MemoryChange remove(MemorySize size) {
    return with(MemoryPlan.Operation.REMOVE, Objects.requireNonNull(size, "size"), node, chunk, firstDimm, blockSize,
        scope, timeout, verification);
  }

  /**
   * Removes memory given as text with a unit.
   *
   * @param size the amount with its unit
   * @return the request
   * @throws PreconditionException NO_UNIT when the text has no unit or is not a size
   */
  public MemoryChange remove(String size) {
    return remove(parse(size));
  }

  /**
   * The guest NUMA node (a {@code <cell id>}). For add the default is node 0; for remove the
   * default is any node.
   *
   * @param node the cell id
   * @return the request
   */
  public MemoryChange node(int node) {
    return with(operation, size, OptionalInt.of(node), chunk, firstDimm, blockSize, scope, timeout, verification);
  }

  /**
   * Splits an addition into DIMMs of this size (each takes a slot; smaller DIMMs can later be
   * removed one by one). The plan lists every DIMM.
   *
   * @param chunk the size of each DIMM
   * @return the request
   */
  public MemoryChange split(MemorySize chunk) {
    return with(operation, size, node, Optional.of(Objects.requireNonNull(chunk, "chunk")), firstDimm, blockSize,
        scope, timeout, verification);
  }

  /**
   * oVirt-style: a small first DIMM of this size, the rest in one DIMM (or in {@link #split} chunks).
   *
   * @param first the size of the first DIMM
   * @return the request
   */
  public MemoryChange firstDimm(MemorySize first) {
    return with(operation, size, node, chunk, Optional.of(Objects.requireNonNull(first, "first")), blockSize,
        scope, timeout, verification);
  }

  /**
   * The guest memory block size for this request (default: the client's, 128 MiB unless configured).
   *
   * @param block the block size ({@code /sys/devices/system/memory/block_size_bytes} in the guest)
   * @return the request
   * @throws IllegalArgumentException if the block size is zero bytes
   */
  public MemoryChange blockSize(MemorySize block) {
    Objects.requireNonNull(block, "block");
    if (block.bytes() <= 0) {
      throw new IllegalArgumentException("blockSize must be positive, got " + block
          + ": give the guest's /sys/devices/system/memory/block_size_bytes, e.g. MemorySize.ofMiB(128)");
    }
    return with(operation, size, node, chunk, firstDimm, Optional.of(Objects.requireNonNull(block, "block")), scope,
        timeout, verification);
  }

  /** Applies to the running domain ({@code --live}); combine with {@link #config()} for both. */
  public MemoryChange live() {
    return scope(Scope.LIVE);
  }

  /** Applies to the persistent definition ({@code --config}); combine with {@link #live()} for both. */
  public MemoryChange config() {
    return scope(Scope.CONFIG);
  }

  /**
   * Adds a scope to the request (scopes accumulate: {@code live().config()} is both).
   *
   * @param scope the scope to add
   * @return the request
   */
  public MemoryChange scope(Scope scope) {
    Objects.requireNonNull(scope, "scope");
    return with(operation, size, node, chunk, firstDimm, blockSize, scope.plus(this.scope), timeout, verification);
  }

  /**
   * How long to wait for verification (default: the client's default timeout).
   *
   * @param timeout the maximum wait, zero or positive
   * @return the request
   * @throws IllegalArgumentException if the timeout is negative
   */
  public MemoryChange timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    return with(operation, size, node, chunk, firstDimm, blockSize, scope, timeout, verification);
  }

  /**
   * The verification policy (default {@link Verification#HOST}).
   *
   * @param verification none, host, or guest through a probe
   * @return the request
   */
  public MemoryChange verify(Verification verification) {
    return with(operation, size, node, chunk, firstDimm, blockSize, scope, timeout,
        Objects.requireNonNull(verification, "verification"));
  }

  /** The effective scope (live when none was chosen). */
  public Scope effectiveScope() {
    return scope == null ? Scope.LIVE : scope;
  }

  /**
   * Computes the plan without changing anything (dry run).
   *
   * @return the DIMMs that {@link #apply()} would attach or detach, with their XML and reasons
   * @throws PreconditionException when the request cannot succeed: NOT_RUNNING (live on a shut-off
   *     domain), NOT_PERSISTENT (config on a transient domain), NOT_PREPARED, ABOVE_MAX_MEMORY,
   *     NO_FREE_SLOT, NODE_OUT_OF_RANGE, NOT_BLOCK_ALIGNED, NOTHING_TO_REMOVE, INVALID_REQUEST
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails while reading the domain
   */
  public MemoryPlan plan() {
    return plan(MemoryInspector.read(domain));
  }

  MemoryPlan plan(MemoryInspector.State state) {
    if (operation == null) {
      throw new PreconditionException(Refusal.INVALID_REQUEST,
          "no memory change given: call add(MemorySize) or remove(MemorySize) first, e.g. memory().add(MemorySize.ofGiB(1))");
    }
    Scope sc = effectiveScope();
    MemoryInspector.checkScope(state, sc, operation == MemoryPlan.Operation.ADD ? "add memory to" : "remove memory from");
    Optional<DomainXml> live = sc.includesLive() ? state.live() : Optional.empty();
    Optional<DomainXml> config = sc.includesConfig() ? state.config() : Optional.empty();
    if (operation == MemoryPlan.Operation.ADD) {
      MemorySize block = blockSize.orElse(domain.client().memoryBlockSize());
      return MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(size, node, chunk, firstDimm, block, sc), live, config);
    }
    return MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(size, node, sc), live, config);
  }

  /**
   * Plans, applies and verifies the change.
   *
   * <p>Add: one {@code attachDeviceFlags} call per planned DIMM with exactly the plan's XML and the
   * scope's flags (live and config in the same call, as virsh does); then the live XML is re-read
   * until the DIMM shows and {@code <memory>} grew, and the persistent XML is checked. Remove: one
   * {@code detachDeviceFlags} per DIMM with the minimal DIMM XML, then the live XML is re-read until
   * the DIMM is gone (QEMU completes unplug asynchronously).
   *
   * @return what was done and observed
   * @throws PreconditionException when refused before any change (see {@link #plan()})
   * @throws GuestRefusedException when the guest refused to release a DIMM (not onlined movable) or
   *     did not release it within the timeout
   * @throws PartialApplyException when some DIMMs were attached/detached and a later one failed
   * @throws VerificationTimeoutException when the change did not show within the timeout (host XML,
   *     or — with guest verification — the guest did not online the memory; the message carries
   *     hotplug-guest's diagnosis)
   * @throws GuestAgentUnavailableException when guest verification through the agent cannot reach it
   *     (checked before any change)
   * @throws LibvirtException when libvirt refuses the first call (nothing changed)
   * @throws DomainNotFoundException if the domain no longer exists
   */
  public MemoryResult apply() {
    return domain.locked(this::applyLocked);
  }

  private MemoryResult applyLocked() {
    MemoryInspector.State state = MemoryInspector.read(domain);
    MemoryPlan plan = plan(state);
    MemoryView before = state.view();
    Scope sc = plan.scope();
    Optional<GuestProbe> probe = sc.includesLive() ? verification.probe() : Optional.empty();
    Optional<GuestFacts> baseline = probe.map(p -> p.facts(domain));
    List<OperationStep> steps = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    long start = System.nanoTime();
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    String action = add ? "attachDeviceFlags" : "detachDeviceFlags";
    for (int i = 0; i < plan.dimms().size(); i++) {
      MemoryPlan.Dimm d = plan.dimms().get(i);
      OperationStep step = new OperationStep(action, sc, (add ? "attach DIMM " : "detach DIMM ") + d.size() + " node "
          + d.node() + d.slot().stream().mapToObj(s -> " (slot " + s + ")").findFirst().orElse(""));
      LOG.debug("domain={} op={} size={} node={} scope={}", domain.name(), action, d.size(), d.node(), sc);
      try {
        if (add) {
          domain.gateway().attachDevice(domain.ref(), d.xml(), sc);
        } else {
          domain.gateway().detachDevice(domain.ref(), d.xml(), sc);
        }
      } catch (LibvirtException e) {
        HotplugException translated = add ? e : translateDetach(e, d);
        if (steps.isEmpty()) {
          throw translated;
        }
        String observed = observedAfterFailure();
        throw new PartialApplyException(
            (add ? "memory hot-add" : "memory hot-remove") + " of domain '" + domain.name() + "' stopped half way: "
                + steps.size() + " of " + plan.dimms().size() + " DIMM(s) done (" + steps + "), then " + step + " failed: "
                + translated.getMessage() + ". The done steps were not rolled back; read memoryView() and "
                + (add ? "remove(…) the added DIMMs or add the rest" : "remove the rest or add back") + " to reconcile",
            steps, step, observed, null, translated);
      }
      steps.add(step);
    }

    int attempts = 0;
    if (verification.host()) {
      attempts += verifyHost(plan, state.live());
    }
    Optional<GuestVerdict> verdict = Optional.empty();
    if (probe.isPresent()) {
      GuestOutcome g = verifyGuest(plan, probe.get(), baseline.orElseThrow());
      attempts += g.attempts;
      verdict = Optional.of(g.verdict);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (sc == Scope.LIVE && state.persistent()) {
      warnings.add("live only: the persistent definition still has the old memory; the next cold boot "
          + (add ? "loses the added DIMM(s)" : "brings the DIMM(s) back") + " (use live().config() to keep both)");
    }
    if (sc == Scope.CONFIG && state.running()) {
      warnings.add("config only: the running domain is unchanged; the change takes effect at the next cold boot");
    }
    if (!verification.host()) {
      warnings.add("not verified (verification " + verification.kind() + "): libvirt accepted the call(s) but the"
          + " domain was not read back, so 'after' is the view from before the change"
          + (add ? "" : "; a hot-remove completes asynchronously, or not at all if the guest refuses")
          + ". Read memoryView() to see the outcome, or verify with Verification.HOST");
    }
    MemoryView after = verification.host() ? MemoryInspector.view(domain) : before;
    return new MemoryResult(plan, before, after, steps, attempts, elapsed, warnings, verdict);
  }

  // ---------------------------------------------------------------- verification

  /** The DIMMs (model, size, node) of the plan, counted in an XML. */
  private static Map<MemoryDevice, Integer> counts(MemoryPlan plan, DomainXml xml) {
    Map<MemoryDevice, Integer> out = new java.util.LinkedHashMap<>();
    for (MemoryPlan.Dimm d : plan.dimms()) {
      MemoryDevice spec = MemoryDevice.dimm(d.size(), d.node());
      if (out.keySet().stream().noneMatch(k -> k.sameDevice(spec))) {
        int n = 0;
        for (MemoryDevice m : xml.memoryDevices()) {
          if (m.sameDevice(spec)) {
            n++;
          }
        }
        out.put(spec, n);
      }
    }
    return out;
  }

  /** How many planned DIMMs have each spec. */
  private static int planned(MemoryPlan plan, MemoryDevice spec) {
    int n = 0;
    for (MemoryPlan.Dimm d : plan.dimms()) {
      if (MemoryDevice.dimm(d.size(), d.node()).sameDevice(spec)) {
        n++;
      }
    }
    return n;
  }

  /** Whether the live XML shows the change: the memory total and the DIMM counts per spec. */
  private static boolean shows(MemoryPlan plan, Map<MemoryDevice, Integer> before, DomainXml now, MemorySize total) {
    if (!MemoryPlanner.totalMemory(now).equals(total)) {
      return false;
    }
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    Map<MemoryDevice, Integer> after = counts(plan, now);
    for (Map.Entry<MemoryDevice, Integer> e : before.entrySet()) {
      int want = e.getValue() + (add ? 1 : -1) * planned(plan, e.getKey());
      int have = after.entrySet().stream().filter(x -> x.getKey().sameDevice(e.getKey())).mapToInt(Map.Entry::getValue)
          .findFirst().orElse(0);
      if (have != want) {
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

  /** Reads back the persistent XML once and polls the live XML until the change shows. */
  private int verifyHost(MemoryPlan plan, Optional<DomainXml> liveBefore) {
    Scope sc = plan.scope();
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    int attempts = 0;
    if (sc.includesConfig()) {
      DomainXml config = MemoryInspector.readConfig(domain);
      attempts++;
      MemorySize expected = plan.configMemoryAfter().orElseThrow();
      MemorySize found = MemoryPlanner.totalMemory(config);
      if (!found.equals(expected)) {
        throw new VerificationTimeoutException("the persistent definition of domain '" + domain.name() + "' has "
            + found + " of memory after " + (add ? "attaching" : "detaching") + " the DIMM(s), expected " + expected
            + ". Read memoryView() and drift(); libvirt may have rejected part of the change",
            "config memory " + expected, "config memory " + found, attempts, Duration.ZERO, null);
      }
    }
    if (sc.includesLive()) {
      MemorySize expected = plan.liveMemoryAfter().orElseThrow();
      MemorySize before = plan.liveMemoryBefore().orElseThrow();
      Poller poller = domain.client().poller(timeout);
      Map<MemoryDevice, Integer> countsBefore = counts(plan, liveBefore.orElseThrow());
      Poller.Outcome<DomainXml> o = poller.await(() -> MemoryInspector.readLive(domain),
          x -> shows(plan, countsBefore, x, expected), "the live memory of " + domain.name() + " to become " + expected);
      attempts += o.attempts();
      if (!o.satisfied()) {
        String msg;
        String observed = describe(plan, o.last());
        if (add) {
          msg = "domain '" + domain.name() + "': libvirt accepted the DIMM(s) but the live XML shows " + observed
              + " after " + o.attempts() + " read(s) in " + o.elapsed().toMillis() + " ms, expected memory " + expected
              + " with the new DIMM(s). Read memoryView(); the device may still be added";
          throw new VerificationTimeoutException(msg, "live memory " + expected, observed,
              o.attempts(), o.elapsed(), null);
        }
        boolean nothingReleased = MemoryPlanner.totalMemory(o.last()).equals(before);
        msg = "domain '" + domain.name() + "': the guest did not release the DIMM(s) within " + poller.timeout()
            + ": the live XML shows " + observed + ", expected memory " + expected + " (" + o.attempts() + " read(s)). "
            + (nothingReleased ? "Nothing was released. " : "Part was released. ")
            + "A guest releases a DIMM only if its memory blocks can be offlined: memory onlined as 'online' lands "
            + "in ZONE_NORMAL and is refused; online it movable (udev rule ATTR{state}=\"online_movable\", "
            + "RuleOptions.movableMemory(true), or the kernel parameter memhp_default_state=online_movable). "
            + "The request may still complete: read memoryView() again";
        throw new GuestRefusedException(msg, "live memory " + expected, observed, o.attempts(), o.elapsed(), null);
      }
    }
    return attempts;
  }

  private record GuestOutcome(GuestVerdict verdict, int attempts) {}

  private GuestOutcome verifyGuest(MemoryPlan plan, GuestProbe probe, GuestFacts baseline) {
    boolean add = plan.operation() == MemoryPlan.Operation.ADD;
    long blockBytes = baseline.blockSizeBytes().orElse(blockSize.orElse(domain.client().memoryBlockSize()).bytes());
    long changedBlocks = plan.total().bytes() / blockBytes;
    int baseOnline = online(baseline);
    GuestExpectation.Builder e = GuestExpectation.builder();
    plan.liveMemoryAfter().ifPresent(m -> e.memoryKiB(m.toKiB()));
    if (add) {
      e.addedKiB(plan.total().toKiB());
      baseline.memTotalKiB().ifPresent(e::baselineMemTotalKiB);
    }
    GuestExpectation expectation = e.build();
    Poller poller = domain.client().poller(timeout);
    // done when the blocks show the change and hotplug-guest's check does not see memory missing
    // (MemTotal can lag behind the block states by a moment)
    Poller.Outcome<GuestFacts> o = poller.await(() -> probe.facts(domain),
        f -> guestShows(add, baseline, f, changedBlocks, expectation),
        "the guest of " + domain.name() + " to " + (add ? "online" : "release") + " the memory");
    GuestVerdict verdict = GuestCheck.check(o.last(), expectation);
    if (!o.satisfied()) {
      String expected = add ? changedBlocks + " more memory block(s) online" : changedBlocks + " memory block(s) fewer";
      String observed = "online blocks " + baseOnline + " -> " + online(o.last()) + ", offline " + offline(o.last());
      throw new VerificationTimeoutException("domain '" + domain.name() + "': the host " + (add ? "added" : "removed")
          + " " + plan.total() + " but the guest did not " + (add ? "online" : "release") + " it within "
          + poller.timeout() + " (" + observed + "). Guest check: " + verdict.summary()
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

  private HotplugException translateDetach(LibvirtException e, MemoryPlan.Dimm d) {
    String m = e.libvirtMessage() == null ? "" : e.libvirtMessage();
    if (m.contains("rejected by the guest")) {
      return new GuestRefusedException("the guest of domain '" + domain.name() + "' refused to release the DIMM "
          + d.size() + " on node " + d.node() + " (libvirt: " + m + "). Its memory was onlined as 'online' and "
          + "landed in ZONE_NORMAL, where the kernel cannot offline it. Online hot-added memory movable: the udev "
          + "rule variant ATTR{state}=\"online_movable\" (RuleOptions.movableMemory(true)) or the kernel parameter "
          + "memhp_default_state=online_movable; DIMMs already onlined need a guest reboot first",
          "DIMM " + d.size() + " node " + d.node() + " removed", "DIMM still present", 1, Duration.ZERO, e);
    }
    if (m.contains("not found")) {
      return new LibvirtException("libvirt found no DIMM of " + d.size() + " on node " + d.node() + " in domain '"
          + domain.name() + "' (" + m + "): the live and persistent definitions may differ; read drift() and "
          + "remove with live() or config() alone", e.errorCode(), e.errorName(), e.libvirtMessage(), e);
    }
    return e;
  }

  private String observedAfterFailure() {
    try {
      return MemoryInspector.view(domain).toString();
    } catch (HotplugException | DomainXmlException ex) {
      return "could not read the state after the failure: " + ex.getMessage();
    }
  }

  private static MemorySize parse(String text) {
    Objects.requireNonNull(text, "size");
    try {
      return MemorySize.parse(text);
    } catch (DomainXmlException e) {
      throw new PreconditionException(Refusal.NO_UNIT, "cannot use the size '" + text + "': " + e.getMessage()
          + ". Give a unit, e.g. \"8GiB\", \"512MiB\" or \"8192MiB\"", e);
    }
  }

  /** A one-line description of the request. */
  @Override
  public String toString() {
    return "MemoryChange[" + domain.name() + ": " + (operation == null ? "no change" : operation + " " + size)
        + node.stream().mapToObj(n -> " node " + n).findFirst().orElse("")
        + chunk.map(c -> " split " + c).orElse("") + firstDimm.map(f -> " first " + f).orElse("")
        + " scope " + effectiveScope() + " verify " + verification + "]";
  }

  // for DesiredState
  MemoryPlan.Operation operation() {
    return operation;
  }

  MemorySize size() {
    return size;
  }
}
