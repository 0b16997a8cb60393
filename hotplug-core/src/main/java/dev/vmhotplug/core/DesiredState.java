package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.core.internal.VirtioMemPlanner;
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
 * below it, DIMMs are added for the missing amount; above it, hot-plugged DIMMs are removed. On a
 * domain with virtio-mem devices the target is the memory given to the guest (boot memory + DIMMs +
 * each virtio-mem device's {@code <requested>} size: {@code <memory>} counts a virtio-mem device's
 * whole size whatever is plugged) and the virtio-mem device's requested size is grown or shrunk by the
 * difference ({@link #model(MemoryModel)} chooses explicitly; {@link EnsurePlan.Kind#RESIZE_MEMORY};
 * the plan's notes say which model and why). Each
 * scope side (live, config) is compared on its own, so a step only touches the sides that differ;
 * when both differ by the same amount one call covers both. Applying a plan twice changes nothing
 * the second time. Without {@link #live()}/{@link #config()} the scope is live.
 *
 * <p>{@link #plan()} returns the exact steps; {@link #apply(EnsurePlan)} executes exactly those
 * steps (the same vCPU and memory operations that {@link VcpuChange} and {@link MemoryChange} run,
 * not their public fronts) and refuses with {@link Refusal#STALE_PLAN} when the domain changed since
 * the plan was made; {@link #apply()} is plan + apply under one hold of the domain's lock.
 *
 * <p>{@link #onlineThroughAgent()} onlines what the steps add to the running domain through the QEMU
 * guest agent (checked with {@code guest-ping} before the first step), for guests without udev rules.
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
  private Optional<MemoryModel> model = Optional.empty();
  private Duration progressTimeout = VirtioMemOperation.DEFAULT_PROGRESS_TIMEOUT;
  private boolean agent;

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

  /** A copy of this request with the fields that every constructor call above does not pass. */
  private DesiredState keep(DesiredState next) {
    next.model = model;
    next.progressTimeout = progressTimeout;
    next.agent = agent;
    return next;
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
    return keep(new DesiredState(domain, OptionalInt.of(count), memory, node, blockSize, scope, timeout,
        verification));
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
    return keep(new DesiredState(domain, vcpus, Optional.of(total), node, blockSize, scope, timeout,
        verification));
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
    return keep(new DesiredState(domain, vcpus, memory, OptionalInt.of(Requests.node(node)), blockSize, scope, timeout,
        verification));
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
    return keep(new DesiredState(domain, vcpus, memory, node, Optional.of(Requests.blockSize(block)), scope, timeout,
        verification));
  }

  /**
   * Compares and changes the running domain; combine with {@link #config()}.
   *
   * @return the request
   */
  public DesiredState live() {
    return scope(Scope.LIVE);
  }

  /**
   * Compares and changes the persistent definition; combine with {@link #live()}.
   *
   * @return the request
   */
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
    return keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope.plus(this.scope), timeout,
        verification));
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
    return keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope, Requests.timeout(timeout),
        verification));
  }

  /**
   * The verification policy for every step (default host-side).
   *
   * @param verification the policy
   * @return the request
   * @throws NullPointerException if verification is null
   */
  public DesiredState verify(Verification verification) {
    return keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope, timeout,
        Objects.requireNonNull(verification, "verification")));
  }

  /**
   * How memory is changed: DIMMs or virtio-mem (default: virtio-mem when the definitions in scope
   * have a virtio-mem device, DIMMs otherwise).
   *
   * @param model the model
   * @return the request
   * @throws NullPointerException if model is null
   */
  public DesiredState model(MemoryModel model) {
    DesiredState d = keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope, timeout, verification));
    d.model = Optional.of(Objects.requireNonNull(model, "model"));
    return d;
  }

  /**
   * virtio-mem: how long the device's {@code <current>} may stand still before the wait ends with a
   * diagnosis (default 10 s; see {@link MemoryChange#progressTimeout(Duration)}).
   *
   * @param stillFor more than zero
   * @return the request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if zero or negative
   * @throws NullPointerException if stillFor is null
   */
  public DesiredState progressTimeout(Duration stillFor) {
    DesiredState d = keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope, timeout, verification));
    d.progressTimeout = MemoryChange.progress(stillFor);
    return d;
  }

  /**
   * Onlines what the steps add to the running domain (vCPUs, memory) through the QEMU guest agent once
   * the host shows it, for guests whose udev rules do not (see {@link VcpuChange#onlineThroughAgent()}
   * and {@link MemoryChange#onlineThroughAgent()}). Checked before the first step: no agent channel is
   * {@link Refusal#NO_GUEST_AGENT}, an agent that does not answer {@code guest-ping} a
   * {@link GuestAgentUnavailableException}. Not part of the plan: a plan made without it can be
   * applied with it.
   *
   * @return the request
   */
  public DesiredState onlineThroughAgent() {
    DesiredState d = keep(new DesiredState(domain, vcpus, memory, node, blockSize, scope, timeout, verification));
    d.agent = true;
    return d;
  }

  /** {@return the effective scope (live when none was chosen)} */
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
    Optional<DomainXml> liveIn = sc.includesLive() ? in.live() : Optional.empty();
    Optional<DomainXml> configIn = sc.includesConfig() ? in.config() : Optional.empty();
    MemoryModel m = VirtioMemPlanner.choose(model, liveIn, configIn);
    boolean virtio = m == MemoryModel.VIRTIO_MEM;
    String note = VirtioMemPlanner.modelNote(m, model.isPresent(), liveIn, configIn);
    List<MemorySize> current = new ArrayList<>();
    for (Scope side : sides) {
      DomainXml x = side == Scope.LIVE ? in.live().orElseThrow() : in.config().orElseThrow();
      current.add(virtio ? VirtioMemPlanner.pluggedMemory(x) : MemoryPlanner.totalMemory(x));
    }
    List<Scope> todo = new ArrayList<>();
    for (int i = 0; i < sides.size(); i++) {
      if (current.get(i).equals(target)) {
        satisfied.add("memory already " + target + " (" + label(sides.get(i)) + (virtio ? ", virtio-mem requested"
            + pluggedNote(sides.get(i) == Scope.LIVE ? in.live() : Optional.empty()) : "") + ")");
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
      MemoryPlan mp;
      EnsurePlan.Kind kind;
      String how;
      if (virtio) {
        mp = VirtioMemPlanner.plan(new VirtioMemPlanner.Request(add ? MemoryPlan.Operation.ADD
            : MemoryPlan.Operation.REMOVE, amount, node, Optional.empty(), stepScope), live, config).withFirstNote(note);
        kind = EnsurePlan.Kind.RESIZE_MEMORY;
        how = "virtio-mem requested " + (add ? "+" : "-") + amount;
      } else {
        mp = add
            ? MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(amount, node, Optional.empty(), Optional.empty(),
                block, stepScope), live, config)
            : MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(amount, node, stepScope), live, config);
        if (model.isPresent() || liveIn.map(VirtioMemPlanner::hasVirtioMem).orElse(false)
            || configIn.map(VirtioMemPlanner::hasVirtioMem).orElse(false)) {
          mp = mp.withFirstNote(note);
        }
        kind = add ? EnsurePlan.Kind.ADD_MEMORY : EnsurePlan.Kind.REMOVE_MEMORY;
        how = (add ? "attach " : "detach ") + amount;
      }
      steps.add(new EnsurePlan.Step(kind, stepScope, OptionalInt.empty(), Optional.of(mp),
          "memory " + now + " -> " + target + " (" + how + " " + stepScope.virshFlags() + ")"));
      for (MemoryPlan.Step s : mp.steps()) {
        calls.add(new OperationStep(s.action().libvirtCall(), s.scopeIn(stepScope), s.detail()));
      }
    }
  }

  /** ", the guest has plugged C" when the live virtio-mem devices' current differs from their requested. */
  private static String pluggedNote(Optional<DomainXml> live) {
    if (live.isEmpty()) {
      return "";
    }
    MemorySize req = MemorySize.ZERO;
    MemorySize cur = MemorySize.ZERO;
    for (dev.vmhotplug.xml.MemoryDevice d : VirtioMemPlanner.devices(live.get())) {
      req = req.plus(d.requestedSize().orElse(MemorySize.ZERO));
      cur = cur.plus(d.currentSize().orElse(MemorySize.ZERO));
    }
    return cur.equals(req) ? "" : "; the guest has plugged " + cur + " of the " + req + " requested (see memoryView())";
  }

  // ---------------------------------------------------------------- execute exactly the plan

  private EnsureResult execute(EnsurePlan plan, Inspection in, long t0) {
    OpContext ctx = new OpContext(domain, timeout, verification);
    MemorySize block = blockSize.orElse(domain.client().memoryBlockSize());
    AgentOnlining memoryOnlining = null;
    if (agent && addsLive(plan, in)) {
      // before the first step: no agent (or one that does not answer) changes nothing; the memory
      // onlining's check also counts the guest's blocks, to wait for the new ones later
      long blocks = 0;
      for (EnsurePlan.Step s : plan.steps()) {
        if (s.memory().isPresent() && s.memory().get().model() == MemoryModel.DIMM
            && MemoryChange.addsLive(s.memory().get())) {
          blocks += s.memory().get().total().bytes() / block.bytes();
        }
      }
      memoryOnlining = new AgentOnlining(false, true, GuestAgent.DEFAULT_TIMEOUT, 0, blocks);
      memoryOnlining.precheck(domain);
    }
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
          VcpuResult r = VcpuOperation.execute(agent && vp.target() > vp.liveBefore() && s.scope().includesLive()
              ? agentContext(new AgentOnlining(true, false, GuestAgent.DEFAULT_TIMEOUT, vp.target(), 0)) : ctx, vp,
              System.nanoTime());
          vr.add(r);
          done.addAll(r.steps());
        } else {
          MemoryPlan mp = s.memory().orElseThrow();
          MemoryResult r = MemoryOperation.execute(agent && MemoryChange.addsLive(mp)
              ? agentContext(memoryOnlining) : ctx, in, mp, block, progressTimeout);
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

  /** Whether a step of the plan adds vCPUs or memory to the running domain. */
  private static boolean addsLive(EnsurePlan plan, Inspection in) {
    for (EnsurePlan.Step s : plan.steps()) {
      if (s.kind() == EnsurePlan.Kind.SET_VCPUS) {
        if (s.scope().includesLive() && s.vcpus().getAsInt() > in.vcpuCount(Scope.LIVE).currentLive().orElse(0)) {
          return true;
        }
      } else if (MemoryChange.addsLive(s.memory().orElseThrow())) {
        return true;
      }
    }
    return false;
  }

  /** The context of a step that adds to the running domain with the agent option (checked before). */
  private OpContext agentContext(AgentOnlining online) {
    Verification v = verification.kind() == Verification.Kind.HOST
        ? Verification.guest(AgentGuestProbe.withTimeout(GuestAgent.DEFAULT_TIMEOUT)) : verification;
    return new OpContext(domain, timeout, v, List.of(online));
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
        .orElse("") + memory.map(m -> " memory " + m).orElse("") + model.map(m -> " model " + m).orElse("")
        + " scope " + effectiveScope() + (agent ? " online through agent" : "") + "]";
  }
}
