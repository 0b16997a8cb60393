package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A memory hot-add or hot-remove request for one domain, built fluently:
 *
 * <pre>{@code
 * MemoryResult r = domain.memory().add(MemorySize.ofGiB(8)).node(0).live().config().apply();
 * MemoryPlan p = domain.memory().add(MemorySize.ofGiB(8)).split(MemorySize.ofGiB(2)).plan(); // dry run
 * domain.memory().remove(MemorySize.ofGiB(2)).live().config().apply();
 * }</pre>
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
 * <p>{@code plan()} and {@code apply()} run the same inspect and plan steps (the XML of the sides
 * in scope, each read and parsed once; a pure planner); {@code apply()} then executes exactly the
 * plan's steps and verifies them. Changes on the same domain through one client are serialized (a
 * per-domain lock is held from inspection to verification); different domains proceed in parallel.
 */
public final class MemoryChange {
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
   * @param size the amount to add, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if size is null
   */
  public MemoryChange add(MemorySize size) {
    return with(MemoryPlan.Operation.ADD, positive(size, "size", "add"), node, chunk, firstDimm, blockSize, scope,
        timeout, verification);
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
   * Removes memory: hot-plugged DIMMs whose sizes add up to exactly this amount.
   *
   * @param size the amount to remove, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if size is null
   */
  public MemoryChange remove(MemorySize size) {
    return with(MemoryPlan.Operation.REMOVE, positive(size, "size", "remove"), node, chunk, firstDimm, blockSize,
        scope, timeout, verification);
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
   * The guest NUMA node (a {@code <cell id>}). For add the default is node 0; for remove the
   * default is any node.
   *
   * @param node the cell id, 0 or more
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NODE_OUT_OF_RANGE} for a negative node
   */
  public MemoryChange node(int node) {
    return with(operation, size, OptionalInt.of(Requests.node(node)), chunk, firstDimm, blockSize, scope, timeout,
        verification);
  }

  /**
   * Splits an addition into DIMMs of this size (each takes a slot; smaller DIMMs can later be
   * removed one by one). The plan lists every DIMM.
   *
   * @param chunk the size of each DIMM, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if chunk is null
   */
  public MemoryChange split(MemorySize chunk) {
    return with(operation, size, node, Optional.of(positive(chunk, "chunk", "split")), firstDimm, blockSize, scope,
        timeout, verification);
  }

  /**
   * oVirt-style: a small first DIMM of this size, the rest in one DIMM (or in {@link #split} chunks).
   *
   * @param first the size of the first DIMM, more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a size of zero
   * @throws NullPointerException if first is null
   */
  public MemoryChange firstDimm(MemorySize first) {
    return with(operation, size, node, chunk, Optional.of(positive(first, "first", "firstDimm")), blockSize, scope,
        timeout, verification);
  }

  /**
   * The guest memory block size for this request (default: the client's, 128 MiB unless configured).
   *
   * @param block the block size ({@code /sys/devices/system/memory/block_size_bytes} in the guest):
   *     more than zero and a whole number of KiB
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for zero or not whole KiB
   * @throws NullPointerException if block is null
   */
  public MemoryChange blockSize(MemorySize block) {
    return with(operation, size, node, chunk, firstDimm, Optional.of(Requests.blockSize(block)), scope, timeout,
        verification);
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
   * @throws NullPointerException if scope is null
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
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if the timeout is negative
   * @throws NullPointerException if timeout is null
   */
  public MemoryChange timeout(Duration timeout) {
    return with(operation, size, node, chunk, firstDimm, blockSize, scope, Requests.timeout(timeout), verification);
  }

  /**
   * The verification policy (default {@link Verification#HOST}).
   *
   * @param verification none, host, or guest through a probe
   * @return the request
   * @throws NullPointerException if verification is null
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
   * Computes the plan without changing anything (dry run): the inspect and plan steps of
   * {@link #apply()}.
   *
   * @return the steps that {@link #apply()} would make, with their device XML and reasons
   * @throws PreconditionException when the request cannot succeed: NOT_RUNNING (live on a shut-off
   *     domain), NOT_PERSISTENT (config on a transient domain), NOT_PREPARED, ABOVE_MAX_MEMORY (also
   *     for a size too large to add at all), NO_FREE_SLOT, NODE_OUT_OF_RANGE, NOT_BLOCK_ALIGNED,
   *     NOTHING_TO_REMOVE, INVALID_REQUEST (no add or remove given)
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
    if (operation == MemoryPlan.Operation.ADD) {
      return MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(size, node, chunk, firstDimm, block(), sc),
          in.live(), in.config());
    }
    return MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(size, node, sc), in.live(), in.config());
  }

  private MemorySize block() {
    return blockSize.orElse(domain.client().memoryBlockSize());
  }

  /**
   * Inspects, plans, applies and verifies the change.
   *
   * <p>Add: one {@code attachDeviceFlags} call per planned DIMM with exactly the plan's XML and the
   * scope's flags (live and config in the same call, as virsh does); then the live XML is re-read
   * until the DIMM shows and {@code <memory>} grew, and the persistent XML is read once. Remove: one
   * {@code detachDeviceFlags} per DIMM with the minimal DIMM XML, then the live XML is re-read until
   * the DIMM is gone (QEMU completes unplug asynchronously). A verified DIMM attach with both scopes
   * makes 6 libvirt calls and 4 whole-document parses.
   *
   * @return what was done and observed
   * @throws PreconditionException when refused before any change (see {@link #plan()}), or
   *     {@link Refusal#READ_ONLY} for a read-only client
   * @throws GuestRefusedException when the guest refused to release a DIMM (not onlined movable) or
   *     did not release it within the timeout
   * @throws PartialApplyException when some DIMMs were attached/detached and a later one failed
   * @throws VerificationTimeoutException when the change did not show within the timeout (host XML,
   *     or — with guest verification — the guest did not online the memory; the message carries
   *     hotplug-guest's diagnosis)
   * @throws GuestAgentUnavailableException when guest verification through the agent cannot reach it
   *     (checked before any change)
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
        : "add memory to");
    requireOperation();
    return OpContext.guard(domain.name(), () -> domain.locked(() -> {
      Inspection in = Inspection.forScope(domain, effectiveScope(), true);
      MemoryPlan plan = plan(in);
      return MemoryOperation.execute(new OpContext(domain, timeout, verification), in, plan, block());
    }));
  }

  private void requireOperation() {
    if (operation == null) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "no memory change given for domain "
          + SafeText.quote(domain.name()) + ": call add(MemorySize) or remove(MemorySize) first, e.g."
          + " memory().add(MemorySize.ofGiB(1))");
    }
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
        + node.stream().mapToObj(n -> " node " + n).findFirst().orElse("")
        + chunk.map(c -> " split " + c).orElse("") + firstDimm.map(f -> " first " + f).orElse("")
        + " scope " + effectiveScope() + " verify " + verification + "]";
  }
}
