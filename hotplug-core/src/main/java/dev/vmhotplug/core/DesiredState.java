package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.Vcpu;
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
 * EnsureResult r = domain.ensure().vcpus(4).memory(MemorySize.ofGiB(8)).live().config().apply();
 * }</pre>
 *
 * <p>The memory target is the total ({@code <memory>}, what {@code virsh dominfo} calls max memory):
 * below it, DIMMs are added for the missing amount; above it, hot-plugged DIMMs are removed. Each
 * scope side (live, config) is compared on its own, so a step only touches the sides that differ;
 * when both differ by the same amount one call covers both. Applying a plan twice changes nothing
 * the second time. Without {@link #live()}/{@link #config()} the scope is live.
 *
 * <p>Immutable; every method returns a new request. {@link #apply()} holds the domain's lock for the
 * whole run.
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
   * @param count the count
   * @return the request
   */
  public DesiredState vcpus(int count) {
    return new DesiredState(domain, OptionalInt.of(count), memory, node, blockSize, scope, timeout, verification);
  }

  /**
   * The wanted memory total.
   *
   * @param total the total ({@code <memory>})
   * @return the request
   */
  public DesiredState memory(MemorySize total) {
    return new DesiredState(domain, vcpus, Optional.of(Objects.requireNonNull(total, "total")), node, blockSize, scope,
        timeout, verification);
  }

  /**
   * The wanted memory total as text with a unit ({@code "8GiB"}).
   *
   * @param total the total with its unit
   * @return the request
   * @throws PreconditionException NO_UNIT when the text has no unit or is not a size
   */
  public DesiredState memory(String total) {
    Objects.requireNonNull(total, "total");
    try {
      return memory(MemorySize.parse(total));
    } catch (DomainXmlException e) {
      throw new PreconditionException(Refusal.NO_UNIT, "cannot use the memory size '" + total + "': "
          + e.getMessage() + ". Give a unit, e.g. \"8GiB\" or \"8192MiB\"", e);
    }
  }

  /**
   * The NUMA node for added DIMMs (default 0); for removal, only DIMMs on this node.
   *
   * @param node the cell id
   * @return the request
   */
  public DesiredState node(int node) {
    return new DesiredState(domain, vcpus, memory, OptionalInt.of(node), blockSize, scope, timeout, verification);
  }

  /**
   * The guest memory block size (default: the client's).
   *
   * @param block the block size
   * @return the request
   */
  public DesiredState blockSize(MemorySize block) {
    return new DesiredState(domain, vcpus, memory, node, Optional.of(Objects.requireNonNull(block, "block")), scope,
        timeout, verification);
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
   */
  public DesiredState scope(Scope scope) {
    Objects.requireNonNull(scope, "scope");
    return new DesiredState(domain, vcpus, memory, node, blockSize, scope.plus(this.scope), timeout, verification);
  }

  /**
   * The verification timeout per step (default: the client's).
   *
   * @param timeout the maximum wait
   * @return the request
   */
  public DesiredState timeout(Duration timeout) {
    return new DesiredState(domain, vcpus, memory, node, blockSize, scope, Objects.requireNonNull(timeout, "timeout"),
        verification);
  }

  /**
   * The verification policy for every step (default host-side).
   *
   * @param verification the policy
   * @return the request
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
   * Computes the steps without changing anything.
   *
   * @return the plan; empty when the domain already is in the desired state
   * @throws PreconditionException when the target cannot be reached: INVALID_REQUEST (nothing
   *     asked), NOT_RUNNING, NOT_PERSISTENT, COUNT_BELOW_ONE, ABOVE_MAXIMUM, and every memory refusal
   *     of {@link MemoryChange#plan()}
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails while reading the domain
   */
  public EnsurePlan plan() {
    return plan(MemoryInspector.read(domain));
  }

  private EnsurePlan plan(MemoryInspector.State state) {
    if (vcpus.isEmpty() && memory.isEmpty()) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "nothing to ensure for domain '" + domain.name()
          + "': give vcpus(N) and/or memory(SIZE), e.g. ensure().vcpus(4).memory(MemorySize.ofGiB(8))");
    }
    Scope sc = effectiveScope();
    MemoryInspector.checkScope(state, sc, "ensure the state of");
    List<EnsurePlan.Step> steps = new ArrayList<>();
    List<String> satisfied = new ArrayList<>();
    if (vcpus.isPresent()) {
      planVcpus(state, sc, vcpus.getAsInt(), steps, satisfied);
    }
    if (memory.isPresent()) {
      planMemory(state, sc, memory.get(), steps, satisfied);
    }
    return new EnsurePlan(domain.name(), sc, vcpus, memory, steps, satisfied);
  }

  private void planVcpus(MemoryInspector.State state, Scope sc, int target, List<EnsurePlan.Step> steps,
      List<String> satisfied) {
    if (target < 1) {
      throw new PreconditionException(Refusal.COUNT_BELOW_ONE, "cannot ensure " + target + " vCPUs for domain '"
          + domain.name() + "': a domain needs at least 1 vCPU; ask for vcpus(1) or more");
    }
    List<Scope> differ = new ArrayList<>();
    List<Integer> from = new ArrayList<>();
    for (Scope side : sides(sc)) {
      DomainXml xml = side == Scope.LIVE ? state.live().orElseThrow() : state.config().orElseThrow();
      Vcpu v = xml.vcpu().orElseThrow(() -> new PreconditionException(Refusal.NOT_SUPPORTED,
          "domain '" + domain.name() + "' has no <vcpu> element in its " + label(side) + " definition"));
      if (target > v.maximum()) {
        throw new PreconditionException(Refusal.ABOVE_MAXIMUM, "cannot ensure " + target + " vCPUs for domain '"
            + domain.name() + "': the " + label(side) + " maximum is " + v.maximum() + ". Ask for at most "
            + v.maximum() + ", or raise the maximum: domain.prepare(HotplugLimits.builder().maxVcpus(" + target
            + ")…) / `hotplug prepare-domain " + domain.name() + " --max-vcpus " + target
            + "` (effective after the next cold boot)");
      }
      int current = v.effectiveCurrent();
      if (current == target) {
        satisfied.add("vCPUs already " + target + " (" + label(side) + ")");
      } else {
        differ.add(side);
        from.add(current);
      }
    }
    if (differ.isEmpty()) {
      return;
    }
    Scope stepScope = differ.size() == 2 ? Scope.LIVE_AND_CONFIG : differ.get(0);
    String fromText = differ.size() == 2 && !from.get(0).equals(from.get(1))
        ? "live " + from.get(0) + ", config " + from.get(1) : String.valueOf(from.get(0));
    steps.add(new EnsurePlan.Step(EnsurePlan.Kind.SET_VCPUS, stepScope, OptionalInt.of(target), Optional.empty(),
        "vCPUs " + fromText + " -> " + target + " (setvcpus " + stepScope.virshFlags() + ")"));
  }

  private void planMemory(MemoryInspector.State state, Scope sc, MemorySize target, List<EnsurePlan.Step> steps,
      List<String> satisfied) {
    // per side: the signed difference; sides with the same difference share one step
    List<Scope> sides = sides(sc);
    List<MemorySize> current = new ArrayList<>();
    for (Scope side : sides) {
      current.add(MemoryPlanner.totalMemory(side == Scope.LIVE ? state.live().orElseThrow() : state.config().orElseThrow()));
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
    for (List<Scope> g : groups) {
      Scope stepScope = g.size() == 2 ? Scope.LIVE_AND_CONFIG : g.get(0);
      MemorySize now = current.get(sides.indexOf(g.get(0)));
      boolean add = now.compareTo(target) < 0;
      MemorySize amount = add ? target.minus(now) : now.minus(target);
      Optional<DomainXml> live = stepScope.includesLive() ? state.live() : Optional.empty();
      Optional<DomainXml> config = stepScope.includesConfig() ? state.config() : Optional.empty();
      MemoryPlan mp;
      if (add) {
        MemorySize block = blockSize.orElse(domain.client().memoryBlockSize());
        mp = MemoryPlanner.planAdd(new MemoryPlanner.AddRequest(amount, node, Optional.empty(), Optional.empty(), block,
            stepScope), live, config);
      } else {
        mp = MemoryPlanner.planRemove(new MemoryPlanner.RemoveRequest(amount, node, stepScope), live, config);
      }
      steps.add(new EnsurePlan.Step(add ? EnsurePlan.Kind.ADD_MEMORY : EnsurePlan.Kind.REMOVE_MEMORY, stepScope,
          OptionalInt.empty(), Optional.of(mp),
          "memory " + now + " -> " + target + " (" + (add ? "attach " : "detach ") + amount + " "
              + stepScope.virshFlags() + ")"));
    }
  }

  /**
   * Computes the plan and runs its steps in order (vCPUs, then memory), each verified per the
   * verification policy. A second apply with the same target finds nothing to do.
   *
   * @return the results; {@link EnsureResult#changed()} is false when nothing was to do
   * @throws PreconditionException when refused before any change (see {@link #plan()})
   * @throws PartialApplyException when a step failed after earlier steps changed the domain
   * @throws LibvirtException when libvirt refuses the first step (nothing changed)
   * @throws VerificationTimeoutException when a step's change did not show in time
   * @throws DomainNotFoundException if the domain no longer exists
   */
  public EnsureResult apply() {
    return domain.locked(() -> {
      long start = System.nanoTime();
      EnsurePlan plan = plan(MemoryInspector.read(domain));
      List<VcpuResult> vr = new ArrayList<>();
      List<MemoryResult> mr = new ArrayList<>();
      List<OperationStep> done = new ArrayList<>();
      for (EnsurePlan.Step s : plan.steps()) {
        LOG.debug("domain={} op=ensure step={}", domain.name(), s.kind());
        try {
          switch (s.kind()) {
            case SET_VCPUS:
              VcpuChange c = domain.vcpus().set(s.vcpus().getAsInt());
              c = s.scope().includesLive() ? c.live() : c;
              c = s.scope().includesConfig() ? c.config() : c;
              if (timeout != null) {
                c = c.timeout(timeout);
              }
              vr.add(c.verify(verification).apply());
              break;
            default:
              MemoryPlan mp = s.memory().orElseThrow();
              MemoryChange m = domain.memory().scope(s.scope()).verify(verification);
              m = s.kind() == EnsurePlan.Kind.ADD_MEMORY ? m.add(mp.total()) : m.remove(mp.total());
              if (node.isPresent()) {
                m = m.node(node.getAsInt());
              }
              if (blockSize.isPresent()) {
                m = m.blockSize(blockSize.get());
              }
              if (timeout != null) {
                m = m.timeout(timeout);
              }
              mr.add(m.apply());
              break;
          }
        } catch (PartialApplyException e) {
          throw e;
        } catch (HotplugException e) {
          if (done.isEmpty()) {
            throw e;
          }
          String observed;
          try {
            observed = domain.vcpuCount() + MemoryInspector.view(domain).toString();
          } catch (HotplugException | DomainXmlException ex) {
            observed = "could not read the state after the failure: " + ex.getMessage();
          }
          throw new PartialApplyException("ensure on domain '" + domain.name() + "' stopped half way: done "
              + done + ", then '" + s.description() + "' failed: " + e.getMessage()
              + ". The done steps were not rolled back; fix the cause and run ensure again (it continues from the"
              + " current state)", done, new OperationStep(s.kind().name(), s.scope(), s.description()), observed,
              null, e);
        }
        done.add(new OperationStep(s.kind().name(), s.scope(), s.description()));
      }
      return new EnsureResult(plan, vr, mr, Duration.ofNanos(System.nanoTime() - start));
    });
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
    return "DesiredState[" + domain.name() + vcpus.stream().mapToObj(v -> " vcpus " + v).findFirst().orElse("")
        + memory.map(m -> " memory " + m).orElse("") + " scope " + effectiveScope() + "]";
  }
}
