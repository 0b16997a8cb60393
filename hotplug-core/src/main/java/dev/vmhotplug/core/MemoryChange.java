package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.VirtioMemPlanner;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A memory hot-add, hot-remove or virtio-mem resize request for one domain, built fluently:
 *
 * <pre>{@code
 * MemoryResult r = domain.memory().add(MemorySize.ofGiB(8)).node(0).live().config().apply();
 * MemoryPlan p = domain.memory().add(MemorySize.ofGiB(8)).split(MemorySize.ofGiB(2)).plan(); // dry run
 * domain.memory().remove(MemorySize.ofGiB(2)).live().config().apply();
 * domain.memory().requested(MemorySize.ofMiB(768)).node(0).live().config().apply();     // virtio-mem
 * domain.memory().add(MemorySize.ofMiB(256)).onlineThroughAgent().apply();    // guest without udev rules
 * }</pre>
 *
 * <p><b>DIMMs or virtio-mem.</b> {@link #add} and {@link #remove} hot-plug DIMMs on a domain without
 * virtio-mem devices, and grow or shrink the {@code <requested>} size of its virtio-mem device when
 * the definitions in scope have one ({@link MemoryModel}; {@link #model(MemoryModel)} chooses
 * explicitly, the plan's notes say which and why). {@link #requested(MemorySize)} sets a virtio-mem
 * device's requested size ({@code virsh update-memory-device --requested-size}). With several
 * virtio-mem devices (one per NUMA node) name one with {@link #node(int)} or {@link #alias(String)}.
 * A virtio-mem change is one {@code virDomainUpdateDeviceFlags} per scope; it is verified by waiting
 * until the device's {@code <current>} reaches the request, and ends early, with a diagnosis, when
 * {@code <current>} stops moving ({@link #progressTimeout(Duration)}): a guest without the driver
 * plugs nothing, a shrink can end short.
 *
 * <p>An immutable request value: every method returns a new request, and each argument is checked
 * when it is given ({@link InvalidArgumentException}: a size of zero or without a unit, a negative
 * node, a block size that is not a whole number of KiB, a negative timeout). Before any change the
 * request is checked against the domain (see {@link #plan()}); a request that cannot succeed is
 * refused with a {@link PreconditionException} and nothing is touched. Without
 * {@link #live()}/{@link #config()} the scope is live, as with {@code virsh attach-device}. Sizes
 * must be multiples of the guest memory block (128 MiB on x86_64 by default: see
 * {@link HotplugClient.Builder#memoryBlockSize(MemorySize)} and {@link #blockSize(MemorySize)}).
 *
 * <p><b>Onlining through the guest agent.</b> {@link #onlineThroughAgent()} checks before any change
 * that the domain's QEMU guest agent answers, and once the host shows the added memory onlines what
 * the guest left offline ({@code guest-set-memory-blocks}), for guests without udev rules.
 *
 * <p>{@code plan()} and {@code apply()} run the same inspect and plan steps (the XML of the sides
 * in scope, each read and parsed once; a pure planner); {@code apply()} then executes exactly the
 * plan's steps and verifies them. Changes on the same domain through one client are serialized (a
 * per-domain lock is held from inspection to verification); different domains proceed in parallel.
 */
public final class MemoryChange {
  private final DomainHandle domain;
  private MemoryPlan.Operation operation;
  private MemorySize size;
  private OptionalInt node = OptionalInt.empty();
  private Optional<MemorySize> chunk = Optional.empty();
  private Optional<MemorySize> firstDimm = Optional.empty();
  private Optional<MemorySize> blockSize = Optional.empty();
  private Optional<MemoryModel> model = Optional.empty();
  private Optional<String> alias = Optional.empty();
  private Scope scope;
  private Duration timeout;
  private Duration progressTimeout = VirtioMemOperation.DEFAULT_PROGRESS_TIMEOUT;
  private Verification verification = Verification.HOST;
  private Optional<Duration> agent = Optional.empty();

  MemoryChange(DomainHandle domain) {
    this.domain = Objects.requireNonNull(domain, "domain");
  }

  private MemoryChange copy() {
    MemoryChange c = new MemoryChange(domain);
    c.operation = operation;
    c.size = size;
    c.node = node;
    c.chunk = chunk;
    c.firstDimm = firstDimm;
    c.blockSize = blockSize;
    c.model = model;
    c.alias = alias;
    c.scope = scope;
    c.timeout = timeout;
    c.progressTimeout = progressTimeout;
    c.verification = verification;
    c.agent = agent;
    return c;
  }

  /**
   * Adds memory: one DIMM of this size (unless {@link #split} or {@link #firstDimm} is given), or,
   * on a domain with virtio-mem, that much more requested of its virtio-mem device.
   *
   * @param size the amount to add, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if size is null
   */
  public MemoryChange add(MemorySize size) {
    MemoryChange c = copy();
    c.operation = MemoryPlan.Operation.ADD;
    c.size = positive(size, "size", "add");
    return c;
  }

  /**
   * Adds memory given as text with a unit ({@code "8GiB"}, {@code "512 MiB"}).
   *
   * @param size the amount with its unit
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NO_UNIT} when the text has no unit or is not a size
   * @throws NullPointerException if size is null
   */
  public MemoryChange add(String size) {
    return add(Requests.size(size, "size"));
  }

  /**
   * Removes memory: hot-plugged DIMMs whose sizes add up to exactly this amount, or, on a domain with
   * virtio-mem, that much less requested of its virtio-mem device (not below 0).
   *
   * @param size the amount to remove, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if size is null
   */
  public MemoryChange remove(MemorySize size) {
    MemoryChange c = copy();
    c.operation = MemoryPlan.Operation.REMOVE;
    c.size = positive(size, "size", "remove");
    return c;
  }

  /**
   * Removes memory given as text with a unit.
   *
   * @param size the amount with its unit
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NO_UNIT} when the text has no unit or is not a size
   * @throws NullPointerException if size is null
   */
  public MemoryChange remove(String size) {
    return remove(Requests.size(size, "size"));
  }

  /**
   * Sets the requested size of a virtio-mem device ({@code virsh update-memory-device
   * --requested-size}): the memory the device gives the guest, from 0 to the device's size, a multiple
   * of its block (2 MiB on x86_64). Always virtio-mem.
   *
   * @param requested the requested size, zero or more
   * @return the request
   * @throws NullPointerException if requested is null
   */
  public MemoryChange requested(MemorySize requested) {
    MemoryChange c = copy();
    c.operation = MemoryPlan.Operation.RESIZE;
    c.size = Objects.requireNonNull(requested, "requested");
    return c;
  }

  /**
   * Sets the requested size of a virtio-mem device, given as text with a unit ({@code "768MiB"}).
   *
   * @param requested the size with its unit
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NO_UNIT} when the text has no unit or is not a size
   * @throws NullPointerException if requested is null
   */
  public MemoryChange requested(String requested) {
    return requested(Requests.size(requested, "requested size"));
  }

  /**
   * The guest NUMA node (a {@code <cell id>}). For a DIMM add the default is node 0; for a DIMM
   * remove any node; for virtio-mem it selects the node's device (default: the only one).
   *
   * @param node the cell id, 0 or more
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NODE_OUT_OF_RANGE} for a negative node
   */
  public MemoryChange node(int node) {
    MemoryChange c = copy();
    c.node = OptionalInt.of(Requests.node(node));
    return c;
  }

  /**
   * Selects the virtio-mem device by its {@code <alias name>} as the live XML has it
   * ({@code virtiomem0}), like {@code virsh update-memory-device --alias}.
   *
   * @param alias the alias
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for an empty alias
   * @throws NullPointerException if alias is null
   */
  public MemoryChange alias(String alias) {
    Objects.requireNonNull(alias, "alias");
    if (alias.isBlank()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "an empty alias selects no device: give the"
          + " <alias name> of the virtio-mem device as the live XML has it, e.g. alias(\"virtiomem0\")");
    }
    MemoryChange c = copy();
    c.alias = Optional.of(alias);
    return c;
  }

  /**
   * How the memory is hot-plugged: DIMMs or virtio-mem (default: virtio-mem when the definitions in
   * scope have a virtio-mem device, DIMMs otherwise).
   *
   * @param model the model
   * @return the request
   * @throws NullPointerException if model is null
   */
  public MemoryChange model(MemoryModel model) {
    MemoryChange c = copy();
    c.model = Optional.of(Objects.requireNonNull(model, "model"));
    return c;
  }

  /**
   * Splits an addition into DIMMs of this size (each takes a slot; smaller DIMMs can later be
   * removed one by one). The plan lists every DIMM. DIMMs only.
   *
   * @param chunk the size of each DIMM, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if chunk is null
   */
  public MemoryChange split(MemorySize chunk) {
    MemoryChange c = copy();
    c.chunk = Optional.of(positive(chunk, "chunk", "split"));
    return c;
  }

  /**
   * oVirt-style: a small first DIMM of this size, the rest in one DIMM (or in {@link #split} chunks).
   * DIMMs only.
   *
   * @param first the size of the first DIMM, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if first is null
   */
  public MemoryChange firstDimm(MemorySize first) {
    MemoryChange c = copy();
    c.firstDimm = Optional.of(positive(first, "first", "firstDimm"));
    return c;
  }

  /**
   * The guest memory block size for this request (default: the client's, 128 MiB unless configured).
   * DIMM sizes must be a multiple of it; virtio-mem sizes are multiples of the device's own block.
   *
   * @param block the block size ({@code /sys/devices/system/memory/block_size_bytes} in the guest):
   *     more than zero and a whole number of KiB
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for zero or not whole KiB
   * @throws NullPointerException if block is null
   */
  public MemoryChange blockSize(MemorySize block) {
    MemoryChange c = copy();
    c.blockSize = Optional.of(Requests.blockSize(block));
    return c;
  }

  /**
   * Applies to the running domain ({@code --live}); combine with {@link #config()} for both.
   *
   * @return the request
   */
  public MemoryChange live() {
    return scope(Scope.LIVE);
  }

  /**
   * Applies to the persistent definition ({@code --config}); combine with {@link #live()} for both.
   *
   * @return the request
   */
  public MemoryChange config() {
    return scope(Scope.CONFIG);
  }

  /**
   * Adds a scope to the request (scopes accumulate: {@code live().config()} is both).
   *
   * @param scope the scope to add
   * @return the request
   * @throws NullPointerException if scope is null
   */
  public MemoryChange scope(Scope scope) {
    Objects.requireNonNull(scope, "scope");
    MemoryChange c = copy();
    c.scope = scope.plus(this.scope);
    return c;
  }

  /**
   * How long to wait for verification (default: the client's default timeout).
   *
   * @param timeout the maximum wait, zero or positive
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if the timeout is negative
   * @throws NullPointerException if timeout is null
   */
  public MemoryChange timeout(Duration timeout) {
    MemoryChange c = copy();
    c.timeout = Requests.timeout(timeout);
    return c;
  }

  /**
   * virtio-mem: how long the device's {@code <current>} may stand still before the wait ends with a
   * diagnosis instead of waiting out the whole {@link #timeout(Duration)} (default 10 s; libvirt
   * reports progress about once a second while the guest plugs or unplugs).
   *
   * @param stillFor more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if zero or negative
   * @throws NullPointerException if stillFor is null
   */
  public MemoryChange progressTimeout(Duration stillFor) {
    MemoryChange c = copy();
    c.progressTimeout = progress(stillFor);
    return c;
  }

  /**
   * The verification policy (default {@link Verification#HOST}).
   *
   * @param verification none, host, or guest through a probe
   * @return the request
   * @throws NullPointerException if verification is null
   */
  public MemoryChange verify(Verification verification) {
    MemoryChange c = copy();
    c.verification = Objects.requireNonNull(verification, "verification");
    return c;
  }

  /**
   * Onlines the added memory through the QEMU guest agent ({@code guest-set-memory-blocks}) once the
   * host shows it, for guests whose udev rules do not. Before any change the agent must be there
   * ({@link Refusal#NO_GUEST_AGENT} otherwise) and answer {@code guest-ping}
   * ({@link GuestAgentUnavailableException} otherwise; 5 s per agent command). With the default host
   * verification the guest is then verified through the agent ({@link AgentGuestProbe}). The agent
   * onlines memory as {@code online} (ZONE_NORMAL): it may not be removable later. Only a change that
   * adds memory to the running domain onlines anything.
   *
   * @return the request
   */
  public MemoryChange onlineThroughAgent() {
    MemoryChange c = copy();
    c.agent = Optional.of(GuestAgent.DEFAULT_TIMEOUT);
    return c;
  }

  /** {@return the effective scope (live when none was chosen)} */
  public Scope effectiveScope() {
    return scope == null ? Scope.LIVE : scope;
  }

  /**
   * Computes the plan without changing anything (dry run): the inspect and plan steps of
   * {@link #apply()}.
   *
   * @return the steps that {@link #apply()} would make, with their device XML and reasons
   * @throws PreconditionException when the request cannot succeed: NOT_RUNNING (live on a shut-off
   *     domain), NOT_PERSISTENT (config on a transient domain), NOT_PREPARED (also: virtio-mem asked
   *     on a domain without a virtio-mem device), ABOVE_MAX_MEMORY (also for a size too large to add
   *     at all; virtio-mem: above the device's size), NO_FREE_SLOT, NODE_OUT_OF_RANGE (virtio-mem: no
   *     device on that node), NOT_BLOCK_ALIGNED (virtio-mem: not a multiple of the device's block),
   *     NOTHING_TO_REMOVE (virtio-mem: a shrink below 0), NOT_SUPPORTED (virtio-mem on a domain type,
   *     architecture or machine that cannot have it), INVALID_REQUEST (no change given; DIMM options
   *     on a virtio-mem change; several virtio-mem devices and neither node nor alias)
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails while reading the domain
   * @throws HotplugException if the domain XML libvirt returned cannot be read
   */
  public MemoryPlan plan() {
    requireOperation();
    return OpContext.guard(domain.name(), () -> plan(Inspection.forScope(domain, effectiveScope(), false)));
  }

  MemoryPlan plan(Inspection in) {
    Scope sc = effectiveScope();
    in.checkScope(sc, "memory");
    Optional<DomainXml> live = sc.includesLive() ? in.live() : Optional.empty();
    Optional<DomainXml> config = sc.includesConfig() ? in.config() : Optional.empty();
    String q = SafeText.quote(domain.name());
    if (operation == MemoryPlan.Operation.RESIZE && model.equals(Optional.of(MemoryModel.DIMM))) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "requested(" + size + ") sets a virtio-mem"
          + " device's requested size, but model(DIMM) was asked for domain " + q + ": DIMMs are added with add(…)"
          + " and removed with remove(…)");
    }
    MemoryModel m = operation == MemoryPlan.Operation.RESIZE ? MemoryModel.VIRTIO_MEM
        : VirtioMemPlanner.choose(model, live, config);
    String note = VirtioMemPlanner.modelNote(m, model.isPresent() || operation == MemoryPlan.Operation.RESIZE,
        live, config);
    if (m == MemoryModel.VIRTIO_MEM) {
      if (chunk.isPresent() || firstDimm.isPresent()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "split(…) and firstDimm(…) choose DIMM sizes,"
            + " but this change of domain " + q + " resizes its virtio-mem device (" + note + "): drop them, or ask"
            + " model(MemoryModel.DIMM)");
      }
      return VirtioMemPlanner.plan(new VirtioMemPlanner.Request(operation, size, node, alias, sc), live, config)
          .withFirstNote(note);
    }
    if (alias.isPresent()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "alias(" + SafeText.quote(alias.get()) + ")"
          + " selects a virtio-mem device, but this change of domain " + q + " hot-plugs DIMMs (" + note + "):"
          + " drop the alias, or use node(N)");
    }
    MemoryPlan p = operation == MemoryPlan.Operation.ADD
        ? MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(size, node, chunk, firstDimm, block(), sc), live, config)
        : MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(size, node, sc), live, config);
    return model.isPresent() || live.map(VirtioMemPlanner::hasVirtioMem).orElse(false)
        || config.map(VirtioMemPlanner::hasVirtioMem).orElse(false) ? p.withFirstNote(note) : p;
  }

  private MemorySize block() {
    return blockSize.orElse(domain.client().memoryBlockSize());
  }

  /**
   * Inspects, plans, applies and verifies the change.
   *
   * <p>DIMM add: one {@code attachDeviceFlags} call per planned DIMM with exactly the plan's XML and
   * the scope's flags (live and config in the same call, as virsh does); then the live XML is re-read
   * until the DIMM shows and {@code <memory>} grew, and the persistent XML is read once. DIMM remove:
   * one {@code detachDeviceFlags} per DIMM with the minimal DIMM XML, then the live XML is re-read
   * until the DIMM is gone (QEMU completes unplug asynchronously). A verified DIMM attach with both
   * scopes makes 6 libvirt calls and 4 whole-document parses. virtio-mem: one
   * {@code updateDeviceFlags} per scope (live first), then the live XML is re-read until the
   * device's {@code <current>} reaches the request or stops moving, and the persistent XML once.
   *
   * @return what was done and observed
   * @throws PreconditionException when refused before any change (see {@link #plan()}), or
   *     {@link Refusal#READ_ONLY} for a read-only client, or {@link Refusal#NO_GUEST_AGENT} with
   *     {@link #onlineThroughAgent()} on a domain without the agent channel
   * @throws GuestRefusedException when the guest refused to release a DIMM (not onlined movable) or
   *     did not release it within the timeout; virtio-mem: when a shrink ended short (the numbers and
   *     the fix are in the message) or the guest unplugged nothing
   * @throws PartialApplyException when some DIMMs were attached/detached and a later one failed, or
   *     the live virtio-mem resize was made and the config one failed
   * @throws VerificationTimeoutException when the change did not show within the timeout (host XML,
   *     or — with guest verification — the guest did not online the memory; the message carries
   *     hotplug-guest's diagnosis); virtio-mem: when the guest plugged nothing (no driver: the message
   *     says so) or stopped short of a grow
   * @throws GuestAgentUnavailableException when guest verification or onlining through the agent
   *     cannot reach it (checked before any change)
   * @throws ConnectionLostException the connection broke during the first call and it was not
   *     applied (nothing was changed, nothing retried)
   * @throws OutcomeUnknownException the connection broke during a call and the reads after it do not
   *     tell whether it was applied
   * @throws LibvirtException when libvirt refuses the first call (nothing changed)
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws HotplugException if the domain XML libvirt returned cannot be read
   */
  public MemoryResult apply() {
    return Listening.observe(domain, operation == null ? "memory.change"
        : "memory." + operation.name().toLowerCase(java.util.Locale.ROOT), effectiveScope(), this::run,
        r -> !r.steps().isEmpty());
  }

  private MemoryResult run() {
    OpContext.refuseReadOnly(domain, operation == MemoryPlan.Operation.REMOVE ? "remove memory from"
        : operation == MemoryPlan.Operation.RESIZE ? "resize the memory of" : "add memory to");
    requireOperation();
    return OpContext.guard(domain.name(), () -> domain.locked(() -> {
      Inspection in = Inspection.forScope(domain, effectiveScope(), true);
      MemoryPlan plan = plan(in);
      OpContext ctx = context(domain, timeout, verification, agent, plan, block());
      return MemoryOperation.execute(ctx, in, plan, block(), progressTimeout);
    }));
  }

  /**
   * The context of a memory plan's execution: with the agent option and a plan that adds memory to
   * the running domain, the agent is checked now (before any change), onlines after the host
   * verification, and (with host verification) the guest is verified through it.
   */
  static OpContext context(DomainHandle domain, Duration timeout, Verification verification,
      Optional<Duration> agent, MemoryPlan plan, MemorySize blockSize) {
    if (agent.isEmpty() || !addsLive(plan)) {
      return new OpContext(domain, timeout, verification);
    }
    // DIMMs: wait for the guest to list the new blocks before onlining; virtio-mem adds its blocks
    // before <current> grows, so they are there once the host shows the request reached
    long blocks = plan.model() == MemoryModel.DIMM ? plan.total().bytes() / blockSize.bytes() : 0;
    AgentOnlining online = new AgentOnlining(false, true, agent.get(), 0, blocks);
    online.precheck(domain);
    Verification v = verification.kind() == Verification.Kind.HOST
        ? Verification.guest(AgentGuestProbe.withTimeout(agent.get())) : verification;
    return new OpContext(domain, timeout, v, List.of(online));
  }

  /** Whether the plan adds memory to the running domain. */
  static boolean addsLive(MemoryPlan plan) {
    if (!plan.changes() || !plan.scope().includesLive()) {
      return false;
    }
    if (plan.model() == MemoryModel.DIMM) {
      return plan.operation() == MemoryPlan.Operation.ADD;
    }
    return plan.liveMemoryAfter().orElseThrow().compareTo(plan.liveMemoryBefore().orElseThrow()) > 0;
  }

  private void requireOperation() {
    if (operation == null) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "no memory change given for domain "
          + SafeText.quote(domain.name()) + ": call add(MemorySize), remove(MemorySize) or requested(MemorySize)"
          + " first, e.g. memory().add(MemorySize.ofGiB(1))");
    }
  }

  static Duration progress(Duration d) {
    Objects.requireNonNull(d, "progressTimeout");
    if (d.isNegative() || d.isZero()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "progressTimeout must be positive, got " + d
          + ": give how long virtio-mem's <current> may stand still before the wait ends, e.g. Duration.ofSeconds(10)");
    }
    return d;
  }

  private static MemorySize positive(MemorySize s, String what, String method) {
    Objects.requireNonNull(s, what);
    if (s.bytes() <= 0) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "cannot " + method + "(" + s + "): the " + what
          + " must be more than zero, e.g. " + method + "(MemorySize.ofGiB(1))");
    }
    return s;
  }

  /** A one-line description of the request. */
  @Override
  public String toString() {
    return "MemoryChange[" + SafeText.quote(domain.name()) + ": "
        + (operation == null ? "no change" : operation + " " + size)
        + model.map(m -> " model " + m).orElse("")
        + node.stream().mapToObj(n -> " node " + n).findFirst().orElse("")
        + alias.map(a -> " alias " + SafeText.quote(a)).orElse("")
        + chunk.map(c -> " split " + c).orElse("") + firstDimm.map(f -> " first " + f).orElse("")
        + " scope " + effectiveScope() + " verify " + verification + (agent.isPresent() ? " online through agent" : "")
        + "]";
  }
}
