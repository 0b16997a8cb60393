package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A desired-state request: "make it 4 vCPUs and 8 GiB", computed from what the domain has now.
 *
 * <pre>{@code
 * EnsurePlan p = domain.ensure().vcpus(4).memory(MemorySize.ofGiB(8)).live().config().plan(); // dry run
 * EnsureResult r = domain.ensure().vcpus(4).memory(MemorySize.ofGiB(8)).live().config().apply(p);  // exactly p
 * EnsureResult r2 = domain.ensure().vcpus(4).memory(MemorySize.ofGiB(8)).live().config().apply();  // plan + apply
 * }</pre>
 *
 * <p>The memory target is the total ({@code <memory>}, what {@code virsh dominfo} calls max memory):
 * below it, DIMMs are added for the missing amount; above it, hot-plugged DIMMs are removed. Each
 * scope side (live, config) is compared on its own, so a step only touches the sides that differ;
 * when both differ by the same amount one call covers both. Applying a plan twice changes nothing
 * the second time. Without {@link #live()}/{@link #config()} the scope is live.
 *
 * <p>{@link #plan()} returns the exact steps; {@link #apply(EnsurePlan)} executes exactly those
 * steps (the same vCPU and memory operations that {@link VcpuChange} and {@link MemoryChange} run,
 * not their public fronts) and refuses with {@link Refusal#STALE_PLAN} when the domain changed since
 * the plan was made; {@link #apply()} is plan + apply under one hold of the domain's lock.
 *
 * <p>An immutable request value; every method returns a new request and checks its argument when
 * it is given ({@link InvalidArgumentException}).
 */
public final class DesiredState {
  private static final Logger LOG = LoggerFactory.getLogger(DesiredState.class);

  private final DomainHandle domain;
  private final OptionalInt vcpus;
  private final Optional<MemorySize> memory;
  private final OptionalInt node;
  private final Optional<MemorySize> blockSize;
  private final Scope scope;
  private final Duration timeout;
  private final Verification verification;

  DesiredState(DomainHandle domain) {
    this(domain, OptionalInt.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(), null, null,
        Verification.HOST);
  }

  private DesiredState(DomainHandle domain, OptionalInt vcpus, Optional<MemorySize> memory, OptionalInt node,
      Optional<MemorySize> blockSize, Scope scope, Duration timeout, Verification verification) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.vcpus = vcpus;
    this.memory = memory;
    this.node = node;
    this.blockSize = blockSize;
    this.scope = scope;
    this.timeout = timeout;
    this.verification = verification;
  }

  /**
   * The wanted vCPU count (total, as with {@code virsh setvcpus}).
   *
   * @param count the count, at least 1
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#COUNT_BELOW_ONE} when {@code count < 1}
   */
  public DesiredState vcpus(int count) {
    if (count < 1) {
      throw new InvalidArgumentException(Refusal.COUNT_BELOW_ONE, "cannot ensure " + count + " vCPUs for domain "
          + SafeText.quote(domain.name()) + ": a domain needs at least 1 vCPU; ask for vcpus(1) or more");
    }
    return new DesiredState(domain, OptionalInt.of(count), memory, node, blockSize, scope, timeout, verification);
  }

  /**
   * The wanted memory total.
   *
   * @param total the total ({@code <memory>}), more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for zero
   * @throws NullPointerException if total is null
   */
  public DesiredState memory(MemorySize total) {
    Objects.requireNonNull(total, "total");
    if (total.bytes() <= 0) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "cannot ensure a memory total of " + total
          + " for domain " + SafeText.quote(domain.name()) + ": give the total wanted, e.g. memory(MemorySize.ofGiB(8))");
    }
    return new DesiredState(domain, vcpus, Optional.of(total), node, blockSize, scope, timeout, verification);
  }

  /**
   * The wanted memory total as text with a unit ({@code "8GiB"}).
   *
   * @param total the total with its unit
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NO_UNIT} when the text has no unit or is not a size
   * @throws NullPointerException if total is null
   */
  public DesiredState memory(String total) {
    return memory(Requests.size(total, "memory size"));
  }

  /**
   * The NUMA node for added DIMMs (default 0); for removal, only DIMMs on this node.
   *
   * @param node the cell id, 0 or more
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#NODE_OUT_OF_RANGE} for a negative node
   */
  public DesiredState node(int node) {
    return new DesiredState(domain, vcpus, memory, OptionalInt.of(Requests.node(node)), blockSize, scope, timeout,
        verification);
  }

  /**
   * The guest memory block size (default: the client's).
   *
   * @param block the block size, more than zero and a whole number of KiB
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for zero or not whole KiB
   * @throws NullPointerException if block is null
   */
  public DesiredState blockSize(MemorySize block) {
    return new DesiredState(domain, vcpus, memory, node, Optional.of(Requests.blockSize(block)), scope, timeout,
        verification);
  }

  /** Compares and changes the running domain; combine with {@link #config()}. */
  public DesiredState live() {
    return scope(Scope.LIVE);
  }

  /** Compares and changes the persistent definition; combine with {@link #live()}. */
  public DesiredState config() {
    return scope(Scope.CONFIG);
  }

  /**
   * Adds a scope (scopes accumulate).
   *
   * @param scope the scope
   * @return the request
   * @throws NullPointerException if scope is null
   */
  public DesiredState scope(Scope scope) {
    Objects.requireNonNull(scope, "scope");
    return new DesiredState(domain, vcpus, memory, node, blockSize, scope.plus(this.scope), timeout, verification);
  }

  /**
   * The verification timeout per step (default: the client's).
   *
   * @param timeout the maximum wait, zero or positive
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if negative
   * @throws NullPointerException if timeout is null
   */
  public DesiredState timeout(Duration timeout) {
    return new DesiredState(domain, vcpus, memory, node, blockSize, scope, Requests.timeout(timeout), verification);
  }

  /**
   * The verification policy for every step (default host-side).
   *
   * @param verification the policy
   * @return the request
   * @throws NullPointerException if verification is null
   */
  public DesiredState verify(Verification verification) {
    return new DesiredState(domain, vcpus, memory, node, blockSize, scope, timeout,
        Objects.requireNonNull(verification, "verification"));
  }

  /** The effective scope (live when none was chosen). */
  public Scope effectiveScope() {
    return scope == null ? Scope.LIVE : scope;
  }

  /**
   * Computes the exact steps without changing anything.
   *
   * @return the plan; empty when the domain already is in the desired state
   * @throws PreconditionException when the target cannot be reached: INVALID_REQUEST (nothing
   *     asked), NOT_RUNNING, NOT_PERSISTENT, ABOVE_MAXIMUM, and every memory refusal of
   *     {@link MemoryChange#plan()}
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails while reading the domain
   * @throws HotplugException if the domain XML libvirt returned cannot be read
   */
  public EnsurePlan plan() {
    requireTarget();
    return OpContext.guard(domain.name(), () -> plan(inspect(effectiveScope())));
  }

  /**
   * Plans and runs the steps in order (vCPUs, then memory), each verified per the verification
   * policy, under one hold of the domain's lock. A second apply with the same target finds nothing
   * to do.
   *
   * @return the results; {@link EnsureResult#changed()} is false when nothing was to do
   * @throws PreconditionException when refused before any change (see {@link #plan()}), or
   *     {@link Refusal#READ_ONLY} for a read-only client
   * @throws PartialApplyException when a step failed after earlier steps changed the domain
   * @throws LibvirtException when libvirt refuses the first step (nothing changed)
   * @throws VerificationException when a step's change did not show in time or the guest refused it
   * @throws ConnectionLostException when the connection broke during the first call and nothing was changed
   * @throws OutcomeUnknownException when the connection broke during a call and its outcome cannot be told
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws HotplugException if the domain XML libvirt returned cannot be read
   */
  public EnsureResult apply() {
    return Listening.observe(domain, OperationInfo.ENSURE, effectiveScope(), this::run, EnsureResult::changed);
  }

  private EnsureResult run() {
    OpContext.refuseReadOnly(domain, "ensure the state of");
    requireTarget();
    return OpContext.guard(domain.name(), () -> domain.locked(() -> {
      long t0 = System.nanoTime();
      Inspection in = inspect(effectiveScope());
      return execute(plan(in), in, t0);
    }));
  }

  /**
   * Executes exactly the steps of a plan made earlier by {@link #plan()} (for instance shown to an
   * operator first). The domain is read again; when anything the plan read differs (its
   * {@link EnsurePlan#fingerprint()}), nothing is changed and the plan is refused. This request's
   * timeout and verification policy apply; its targets and scope, when given, must be the plan's.
   *
   * @param plan the plan
   * @return the results; {@link EnsureResult#steps()} equals {@link EnsurePlan#calls()}
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} when the plan is for another
   *     domain or other targets than this request's
   * @throws PreconditionException {@link Refusal#STALE_PLAN} when the domain changed since the plan
   *     was made; {@link Refusal#READ_ONLY} for a read-only client
   * @throws PartialApplyException when a step failed after earlier steps changed the domain
   * @throws LibvirtException when libvirt refuses the first step (nothing changed)
   * @throws VerificationException when a step's change did not show in time or the guest refused it
   * @throws ConnectionLostException when the connection broke during the first call and nothing was changed
   * @throws OutcomeUnknownException when the connection broke during a call and its outcome cannot be told
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws NullPointerException if plan is null
   */
  public EnsureResult apply(EnsurePlan plan) {
    Objects.requireNonNull(plan, "plan");
    return Listening.observe(domain, OperationInfo.ENSURE, plan.scope(), () -> run(plan), EnsureResult::changed);
  }

  private EnsureResult run(EnsurePlan plan) {
    OpContext.refuseReadOnly(domain, "ensure the state of");
    String q = SafeText.quote(domain.name());
    if (!plan.uuid().equals(domain.uuid())) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the plan is for domain "
          + SafeText.quote(plan.domain()) + " (" + plan.uuid() + "), not for domain " + q + " (" + domain.uuid()
          + "): apply it through that domain's handle, or plan this domain");
    }
    if (scope != null && scope != plan.scope()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the plan for domain " + q + " is for scope "
          + plan.scope().virshFlags() + " but this request asks for " + scope.virshFlags() + ": apply the plan"
          + " through domain.ensure() without a scope, or plan this request");
    }
    if (vcpus.isPresent() && !vcpus.equals(plan.wantedVcpus())
        || memory.isPresent() && !memory.equals(plan.wantedMemory())) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the plan for domain " + q + " reaches "
          + wanted(plan.wantedVcpus(), plan.wantedMemory()) + " but this request asks for " + wanted(vcpus, memory)
          + ": apply the plan through domain.ensure() without targets, or plan this request");
    }
    return OpContext.guard(domain.name(), () -> domain.locked(() -> {
      long t0 = System.nanoTime();
      Inspection in = inspect(plan.scope());
      String now = in.fingerprint();
      if (!now.equals(plan.fingerprint())) {
        throw new PreconditionException(Refusal.STALE_PLAN, "domain " + q + " changed since the plan was made (in"
            + " what the plan read: vCPUs, memory, memory devices, NUMA cells or its running state; fingerprint "
            + plan.fingerprint() + ", now " + now + "): nothing was changed. Plan again (ensure()…plan()), check"
            + " the new plan, and apply that");
      }
      return execute(plan, in, t0);
    }));
  }

  private static String wanted(OptionalInt v, Optional<MemorySize> m) {
    List<String> parts = new ArrayList<>();
    v.ifPresent(x -> parts.add(x + " vCPUs"));
    m.ifPresent(x -> parts.add(x + " memory"));
    return parts.isEmpty() ? "nothing" : String.join(" and ", parts);
  }

  private void requireTarget() {
    if (vcpus.isEmpty() && memory.isEmpty()) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "nothing to ensure for domain "
          + SafeText.quote(domain.name()) + ": give vcpus(N) and/or memory(SIZE), e.g."
          + " ensure().vcpus(4).memory(MemorySize.ofGiB(8))");
    }
  }

  /** The inspect step of plan and apply: the same reads, so that their fingerprints compare. */
  private Inspection inspect(Scope sc) {
    return Inspection.forScope(domain, sc, true);
  }

  // ---------------------------------------------------------------- plan (pure over the inspection)

  private EnsurePlan plan(Inspection in) {
    Scope sc = effectiveScope();
    in.checkScope(sc, "vCPUs and memory");
    List<EnsurePlan.Step> steps = new ArrayList<>();
    List<OperationStep> calls = new ArrayList<>();
    List<String> satisfied = new ArrayList<>();
    if (vcpus.isPresent()) {
      planVcpus(in, sc, vcpus.getAsInt(), steps, calls, satisfied);
    }
    if (memory.isPresent()) {
      planMemory(in, sc, memory.get(), steps, calls, satisfied);
    }
    return new EnsurePlan(domain.name(), domain.uuid(), sc, vcpus, memory, steps, calls, satisfied,
        in.fingerprint());
  }

  private void planVcpus(Inspection in, Scope sc, int target, List<EnsurePlan.Step> steps,
      List<OperationStep> calls, List<String> satisfied) {
    VcpuPlanner.Plan p = VcpuPlanner.plan(domain.name(), target, sc, true, true, in.liveVcpu(), in.configVcpu());
    for (Scope side : sides(sc)) {
      if ((side == Scope.LIVE ? p.liveBefore() : p.configBefore()) == target) {
        satisfied.add("vCPUs already " + target + " (" + label(side) + ")");
      }
    }
    if (!p.changes()) {
      return;
    }
    Scope call = p.call().get();
    steps.add(new EnsurePlan.Step(EnsurePlan.Kind.SET_VCPUS, call, OptionalInt.of(target), Optional.empty(),
        "vCPUs " + p.from() + " -> " + target + " (setvcpus " + call.virshFlags() + ")"));
    calls.add(new OperationStep("setVcpusFlags", call, p.detail()));
  }

  private void planMemory(Inspection in, Scope sc, MemorySize target, List<EnsurePlan.Step> steps,
      List<OperationStep> calls, List<String> satisfied) {
    // per side: the signed difference; sides with the same difference share one step
    List<Scope> sides = sides(sc);
    List<MemorySize> current = new ArrayList<>();
    for (Scope side : sides) {
      current.add(MemoryPlanner.totalMemory(side == Scope.LIVE ? in.live().orElseThrow() : in.config().orElseThrow()));
    }
    List<Scope> todo = new ArrayList<>();
    for (int i = 0; i < sides.size(); i++) {
      if (current.get(i).equals(target)) {
        satisfied.add("memory already " + target + " (" + label(sides.get(i)) + ")");
      } else {
        todo.add(sides.get(i));
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    List<List<Scope>> groups = new ArrayList<>();
    if (todo.size() == 2 && current.get(0).equals(current.get(1))) {
      groups.add(todo);
    } else {
      for (Scope s : todo) {
        groups.add(List.of(s));
      }
    }
    MemorySize block = blockSize.orElse(domain.client().memoryBlockSize());
    for (List<Scope> g : groups) {
      Scope stepScope = g.size() == 2 ? Scope.LIVE_AND_CONFIG : g.get(0);
      MemorySize now = current.get(sides.indexOf(g.get(0)));
      boolean add = now.compareTo(target) < 0;
      MemorySize amount = add ? target.minus(now) : now.minus(target);
      Optional<DomainXml> live = stepScope.includesLive() ? in.live() : Optional.empty();
      Optional<DomainXml> config = stepScope.includesConfig() ? in.config() : Optional.empty();
      MemoryPlan mp = add
          ? MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(amount, node, Optional.empty(), Optional.empty(), block,
              stepScope), live, config)
          : MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(amount, node, stepScope), live, config);
      steps.add(new EnsurePlan.Step(add ? EnsurePlan.Kind.ADD_MEMORY : EnsurePlan.Kind.REMOVE_MEMORY, stepScope,
          OptionalInt.empty(), Optional.of(mp),
          "memory " + now + " -> " + target + " (" + (add ? "attach " : "detach ") + amount + " "
              + stepScope.virshFlags() + ")"));
      for (MemoryPlan.Step s : mp.steps()) {
        calls.add(new OperationStep(s.action().libvirtCall(), stepScope, s.detail()));
      }
    }
  }

  // ---------------------------------------------------------------- execute exactly the plan

  private EnsureResult execute(EnsurePlan plan, Inspection in, long t0) {
    OpContext ctx = new OpContext(domain, timeout, verification);
    MemorySize block = blockSize.orElse(domain.client().memoryBlockSize());
    List<VcpuResult> vr = new ArrayList<>();
    List<MemoryResult> mr = new ArrayList<>();
    List<OperationStep> done = new ArrayList<>();
    for (EnsurePlan.Step s : plan.steps()) {
      LOG.debug("domain={} op=ensure step={}", SafeText.quote(domain.name()), s.kind());
      try {
        if (s.kind() == EnsurePlan.Kind.SET_VCPUS) {
          // the step's scope is the call's: the sides that differed when planned (the fingerprint
          // says they still do)
          VcpuPlanner.Plan vp = new VcpuPlanner.Plan(domain.name(), s.vcpus().getAsInt(), s.scope(),
              in.vcpuCount(s.scope()), Optional.of(s.scope()));
          VcpuResult r = VcpuOperation.execute(ctx, vp, System.nanoTime());
          vr.add(r);
          done.addAll(r.steps());
        } else {
          MemoryResult r = MemoryOperation.execute(ctx, in, s.memory().orElseThrow(), block);
          mr.add(r);
          done.addAll(r.steps());
        }
      } catch (PartialApplyException e) {
        if (done.isEmpty()) {
          throw e;
        }
        throw new PartialApplyException("ensure on domain " + SafeText.quote(domain.name()) + " stopped half way:"
            + " done " + done + ", then '" + s.description() + "' was partly applied: " + e.getMessage(),
            concat(done, e.applied()), e.failed(), e.observedState(), e.vcpuCount().orElse(null), e);
      } catch (HotplugException e) {
        if (done.isEmpty()) {
          throw e;
        }
        String observed;
        try {
          Inspection now = Inspection.whole(domain);
          observed = now.vcpuCount() + "\n" + now.memoryView();
        } catch (HotplugException ex) {
          observed = "could not read the state after the failure: " + ex.getMessage();
        }
        throw new PartialApplyException("ensure on domain " + SafeText.quote(domain.name()) + " stopped half way:"
            + " done " + done + ", then '" + s.description() + "' failed: " + e.getMessage()
            + ". The done steps were not rolled back; fix the cause and run ensure again (it continues from the"
            + " current state)", done, new OperationStep(s.kind().name(), s.scope(), s.description()), observed,
            null, e);
      }
    }
    return new EnsureResult(plan, vr, mr, Duration.ofNanos(System.nanoTime() - t0));
  }

  private static List<OperationStep> concat(List<OperationStep> a, List<OperationStep> b) {
    List<OperationStep> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static List<Scope> sides(Scope sc) {
    List<Scope> out = new ArrayList<>(2);
    if (sc.includesLive()) {
      out.add(Scope.LIVE);
    }
    if (sc.includesConfig()) {
      out.add(Scope.CONFIG);
    }
    return out;
  }

  private static String label(Scope side) {
    return side == Scope.LIVE ? "live" : "config";
  }

  @Override
  public String toString() {
    return "DesiredState[" + SafeText.quote(domain.name()) + vcpus.stream().mapToObj(v -> " vcpus " + v).findFirst()
        .orElse("") + memory.map(m -> " memory " + m).orElse("") + " scope " + effectiveScope() + "]";
  }
}
