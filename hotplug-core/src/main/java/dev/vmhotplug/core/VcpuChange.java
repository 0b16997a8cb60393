package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.VcpuPlanner;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A vCPU change request for one domain, built fluently and run by {@link #apply()}:
 * <pre>{@code
 * domain.vcpus().set(4).live().config().apply();   // hot-add (or remove) and persist
 * domain.vcpus().set(2).apply();                   // live only, like virsh setvcpus
 * }</pre>
 *
 * <p>An immutable request value: every method returns a new request, and each argument is checked
 * when it is given ({@link InvalidArgumentException}). The count is the total wanted (as in
 * {@code virsh setvcpus}), not a delta; below the current count it is a hot-unplug, which the guest
 * completes asynchronously: {@code apply()} waits for it (see {@link #timeout(Duration)}).
 *
 * <p>{@code apply()} runs the operation path: inspect (the live XML when the scope includes live,
 * {@code isPersistent} and the inactive XML when it includes config; each read and parsed once),
 * plan (checks before any change: a live change needs a running domain and a count within the live
 * maximum, a config change a persistent domain and a count within the config maximum; a refusal
 * changes nothing), apply (one {@code setVcpusFlags} call on the sides whose count differs — live
 * and config in the same call, as {@code virsh setvcpus --live --config} does), verify (the live
 * XML until the count shows, the inactive XML once) and the result. If libvirt applies the live
 * part and fails the config part, a {@link PartialApplyException} carries both states.
 *
 * <p>Only the sides in scope are read: a live change costs what a careful hand-written one does
 * (three libvirt calls); its result's tables hold the live rows only.
 *
 * <p>For a guest without udev rules, {@link #onlineThroughAgent()} onlines the added vCPUs through the
 * QEMU guest agent once the host shows them ({@code guest-set-vcpus}, checked with {@code guest-ping}
 * before any change).
 */
public final class VcpuChange {
  private final DomainHandle domain;
  private final int target;
  private final boolean targetGiven;
  private final Scope scope;
  private final Duration timeout;
  private final Verification verification;
  private final boolean agent;

  VcpuChange(DomainHandle domain) {
    this(domain, 0, false, null, null, Verification.HOST, false);
  }

  private VcpuChange(DomainHandle domain, int target, boolean targetGiven, Scope scope, Duration timeout,
      Verification verification, boolean agent) {
    this.domain = domain;
    this.target = target;
    this.targetGiven = targetGiven;
    this.scope = scope;
    this.timeout = timeout;
    this.verification = verification;
    this.agent = agent;
  }

  /**
   * The total number of vCPUs wanted (at most the maximum: checked by {@link #apply()} against the
   * domain).
   *
   * @param count total vCPUs, at least 1
   * @return a new request
   * @throws InvalidArgumentException {@link Refusal#COUNT_BELOW_ONE} when {@code count < 1}
   */
  public VcpuChange set(int count) {
    if (count < 1) {
      throw new InvalidArgumentException(Refusal.COUNT_BELOW_ONE, "asked for " + count + " vCPUs for domain "
          + SafeText.quote(domain.name()) + ": a domain needs at least 1 vCPU. Ask for"
          + " the total number wanted, e.g. set(1); to remove vCPUs ask for a smaller total");
    }
    return new VcpuChange(domain, count, true, scope, timeout, verification, agent);
  }

  /**
   * Adds the running domain to the scope ({@code --live}).
   *
   * @return the request
   */
  public VcpuChange live() {
    return new VcpuChange(domain, target, targetGiven, Scope.LIVE.plus(scope), timeout, verification, agent);
  }

  /**
   * Adds the persistent definition to the scope ({@code --config}).
   *
   * @return the request
   */
  public VcpuChange config() {
    return new VcpuChange(domain, target, targetGiven, Scope.CONFIG.plus(scope), timeout, verification, agent);
  }

  /**
   * Adds a scope to the request; scopes accumulate ({@code live().scope(Scope.CONFIG)} is both), as
   * in {@link MemoryChange#scope(Scope)} and {@link DesiredState#scope(Scope)}.
   *
   * @param scope the scope to add
   * @return a new request
   * @throws NullPointerException if scope is null
   */
  public VcpuChange scope(Scope scope) {
    return new VcpuChange(domain, target, targetGiven, Objects.requireNonNull(scope, "scope").plus(this.scope),
        timeout, verification, agent);
  }

  /**
   * How long to wait for the change to show (default: the client's {@code defaultTimeout}).
   *
   * @param timeout zero or positive
   * @return a new request
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} if negative
   * @throws NullPointerException if timeout is null
   */
  public VcpuChange timeout(Duration timeout) {
    return new VcpuChange(domain, target, targetGiven, scope, Requests.timeout(timeout), verification, agent);
  }

  /**
   * How to prove the change (default {@link Verification#HOST}).
   *
   * @param verification the policy
   * @return a new request
   * @throws NullPointerException if verification is null
   */
  public VcpuChange verify(Verification verification) {
    return new VcpuChange(domain, target, targetGiven, scope, timeout,
        Objects.requireNonNull(verification, "verification"), agent);
  }

  /**
   * Onlines the added vCPUs through the QEMU guest agent ({@code guest-set-vcpus}) once the host
   * shows them, for guests whose udev rules do not ({@code virsh setvcpus --guest} after the
   * hot-add). Before any change the agent must be there ({@link Refusal#NO_GUEST_AGENT} otherwise)
   * and answer {@code guest-ping} ({@link GuestAgentUnavailableException} otherwise; 5 s per agent
   * command). With the default host verification the guest is then verified through the agent
   * ({@link AgentGuestProbe}: the online count must be the target). Only a hot-add to the running
   * domain onlines anything.
   *
   * @return a new request
   */
  public VcpuChange onlineThroughAgent() {
    return new VcpuChange(domain, target, targetGiven, scope, timeout, verification, true);
  }

  /** {@return the scope that {@link #apply()} will use: the one asked, else {@link Scope#LIVE}} */
  public Scope effectiveScope() {
    return scope == null ? Scope.LIVE : scope;
  }

  /**
   * Inspects, plans, applies and verifies the change.
   *
   * @return what was done; a no-op result when the domain already has the count
   * @throws PreconditionException refused before any change: no count given ({@link Refusal#INVALID_REQUEST}),
   *     a read-only client ({@link Refusal#READ_ONLY}), domain not running for live ({@link Refusal#NOT_RUNNING}),
   *     transient domain for config ({@link Refusal#NOT_PERSISTENT}), above the maximum ({@link Refusal#ABOVE_MAXIMUM}),
   *     {@link #onlineThroughAgent()} on a domain without the agent channel ({@link Refusal#NO_GUEST_AGENT})
   * @throws GuestAgentUnavailableException with {@link #onlineThroughAgent()}: the agent does not answer
   *     (checked with {@code guest-ping} before any change), or stopped answering after the hot-add
   * @throws GuestRefusedException a hot-unplug the guest did not complete within the timeout
   * @throws VerificationTimeoutException the new count did not show within the timeout, or the guest
   *     (with {@link Verification#guest(GuestProbe)}) did not bring the CPUs online
   * @throws PartialApplyException the live change was applied and the config change failed
   * @throws ConnectionLostException the connection broke during the call and the change was not
   *     applied (the message says so; nothing was retried)
   * @throws OutcomeUnknownException the connection broke during the call and what was read after
   *     does not tell whether it was applied
   * @throws DomainNotFoundException the domain no longer exists
   * @throws LibvirtException libvirt refused or failed (nothing was applied)
   * @throws HotplugException the domain XML libvirt returned cannot be read
   */
  public VcpuResult apply() {
    return Listening.observe(domain, OperationInfo.VCPUS_SET, effectiveScope(), this::run, VcpuResult::changed);
  }

  private VcpuResult run() {
    OpContext.refuseReadOnly(domain, "set the vCPUs of");
    if (!targetGiven) {
      throw new PreconditionException(Refusal.INVALID_REQUEST, "no vCPU count given for domain "
          + SafeText.quote(domain.name()) + ": call vcpus().set(n) with the total"
          + " number of vCPUs wanted, then apply()");
    }
    Scope s = effectiveScope();
    return OpContext.guard(domain.name(), () -> domain.locked(() -> {
      long t0 = System.nanoTime();
      Inspection in = Inspection.forScope(domain, s, false);
      VcpuPlanner.Plan plan = VcpuPlanner.plan(domain.name(), target, s, !in.knowsRunning() || in.running(),
          !in.knowsPersistent() || in.persistent(), in.liveVcpu(), in.configVcpu());
      return VcpuOperation.execute(context(domain, timeout, verification, agent, plan), plan, t0);
    }));
  }

  /**
   * The context of a vCPU plan's execution: with the agent option and a hot-add to the running
   * domain, the agent is checked now (before any change), onlines after the host verification, and
   * (with host verification) the guest is verified through it.
   */
  static OpContext context(DomainHandle domain, Duration timeout, Verification verification, boolean agent,
      VcpuPlanner.Plan plan) {
    boolean hotAdd = plan.changes() && plan.call().get().includesLive() && plan.target() > plan.liveBefore();
    if (!agent || !hotAdd) {
      return new OpContext(domain, timeout, verification);
    }
    AgentOnlining online = new AgentOnlining(true, false, GuestAgent.DEFAULT_TIMEOUT, plan.target(), 0);
    online.precheck(domain);
    Verification v = verification.kind() == Verification.Kind.HOST
        ? Verification.guest(AgentGuestProbe.withTimeout(GuestAgent.DEFAULT_TIMEOUT)) : verification;
    return new OpContext(domain, timeout, v, List.of(online));
  }

  @Override
  public String toString() {
    return "vcpus().set(" + (targetGiven ? String.valueOf(target) : "?") + ") " + effectiveScope().virshFlags()
        + " verify=" + verification + (agent ? " online through agent" : "");
  }
}
