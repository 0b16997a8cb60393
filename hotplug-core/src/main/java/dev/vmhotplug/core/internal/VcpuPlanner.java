package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.core.VcpuCount;
import dev.vmhotplug.xml.Vcpu;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure planning of a vCPU change: the counts read from the live and the inactive XML + the total
 * wanted → the one {@code setVcpusFlags} call to make (on the sides that differ, both in one call
 * as {@code virsh setvcpus --live --config} does) or a refusal before any change. No libvirt in here.
 */
public final class VcpuPlanner {

  private VcpuPlanner() {}

  /**
   * A planned vCPU change.
   *
   * @param domain the domain name
   * @param target the total number of vCPUs wanted
   * @param scope the scope asked
   * @param before the counts read, for the sides in scope
   * @param call the scope of the one {@code setVcpusFlags} call: the sides in scope whose count
   *     differs; empty when nothing differs (a no-op)
   */
  public record Plan(String domain, int target, Scope scope, VcpuCount before, Optional<Scope> call) {
    /**
     * Validates that no component is null.
     *
     * @param domain the domain name
     * @param target the total number of vCPUs wanted
     * @param scope the scope asked
     * @param before the counts read, for the sides in scope
     * @param call the scope of the one {@code setVcpusFlags} call: the sides in scope whose count
     *     differs; empty when nothing differs (a no-op)
     */
    public Plan {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(call, "call");
    }

    /** {@return whether a call is to be made} */
    public boolean changes() {
      return call.isPresent();
    }

    /** {@return the live count before (0 when the live side is not in scope)} */
    public int liveBefore() {
      return before.currentLive().orElse(0);
    }

    /** {@return the config count before (0 when the config side is not in scope)} */
    public int configBefore() {
      return before.currentConfig().orElse(0);
    }

    /** {@return whether the call removes vCPUs from the running domain (asynchronous in the guest)} */
    public boolean hotUnplug() {
      return call.isPresent() && call.get().includesLive() && target < liveBefore();
    }

    /** {@return the counts the call starts from: {@code 2}, or {@code live 3, config 2} when the sides differ} */
    public String from() {
      Scope c = call.orElse(scope);
      if (c == Scope.LIVE_AND_CONFIG && liveBefore() != configBefore()) {
        return "live " + liveBefore() + ", config " + configBefore();
      }
      return String.valueOf(c.includesLive() ? liveBefore() : configBefore());
    }

    /** {@return the step in words: {@code vCPUs 2 -> 4 (hot-plug)}, {@code vCPUs live 3, config 2 -> 4 (hot-plug)}} */
    public String detail() {
      Scope c = call.orElse(scope);
      String kind = !c.includesLive() ? "" : target < liveBefore() ? " (hot-unplug)" : " (hot-plug)";
      return "vCPUs " + from() + " -> " + target + kind;
    }
  }

  /**
   * Plans a vCPU change.
   *
   * @param domain the domain name
   * @param target the total wanted, at least 1 (checked when the request was built)
   * @param scope the sides to change
   * @param running whether the domain runs
   * @param persistent whether it has a persistent definition
   * @param live {@code <vcpu>} of the live XML (read when the scope includes live and it runs;
   *     empty: libvirt's default of 1 vCPU)
   * @param config {@code <vcpu>} of the inactive XML (read when the scope includes config)
   * @return the plan
   * @throws PreconditionException NOT_RUNNING, NOT_PERSISTENT, ABOVE_MAXIMUM, COUNT_BELOW_ONE
   */
  public static Plan plan(String domain, int target, Scope scope, boolean running, boolean persistent,
      Optional<Vcpu> live, Optional<Vcpu> config) {
    ScopeCheck.check(domain, scope, running, persistent, "vCPUs");
    if (target < 1) {
      String q = SafeText.quote(domain);
      throw new PreconditionException(Refusal.COUNT_BELOW_ONE, "asked for " + target + " vCPUs for domain " + q
          + ": a domain needs at least 1 vCPU. Ask for the total number wanted, e.g. set(1) / vcpus(1); to remove"
          + " vCPUs ask for a smaller total");
    }
    VcpuCount.Builder read = VcpuCount.builder();
    int liveMax = 0;
    int liveCur = 0;
    int configMax = 0;
    int configCur = 0;
    if (scope.includesConfig()) {
      configMax = config.map(Vcpu::maximum).orElse(1);
      configCur = config.map(Vcpu::effectiveCurrent).orElse(1);
      read.config(configMax, configCur);
    }
    if (scope.includesLive()) {
      liveMax = live.map(Vcpu::maximum).orElse(1);
      liveCur = live.map(Vcpu::effectiveCurrent).orElse(1);
      read.live(liveMax, liveCur);
    }
    if (scope.includesLive() && target > liveMax) {
      String q = SafeText.quote(domain);
      String d = ScopeCheck.shell(domain);
      throw new PreconditionException(Refusal.ABOVE_MAXIMUM, "asked for " + target + " vCPUs live but domain " + q
          + " runs with a maximum of " + liveMax + " (<vcpu>" + liveMax + "</vcpu>): the live maximum is " + liveMax
          + " and cannot change while it runs. Ask for at most " + liveMax + ", or raise the maximum with"
          + " domain.prepare(HotplugLimits.builder().maxVcpus(" + target + ")…) / `hotplug prepare-domain " + d
          + " --max-vcpus " + target + "` (or virsh setvcpus " + d + " " + target + " --maximum --config), then"
          + " shut the domain down and start it");
    }
    if (scope.includesConfig() && target > configMax) {
      String q = SafeText.quote(domain);
      String d = ScopeCheck.shell(domain);
      throw new PreconditionException(Refusal.ABOVE_MAXIMUM, "asked for " + target + " vCPUs in the config but the"
          + " persistent definition of domain " + q + " allows at most " + configMax + " (<vcpu>" + configMax
          + "</vcpu>): the config maximum is " + configMax + ". Ask for at most " + configMax + ", or raise the"
          + " maximum with domain.prepare(HotplugLimits.builder().maxVcpus(" + target + ")…) / `hotplug"
          + " prepare-domain " + d + " --max-vcpus " + target + "` (or virsh setvcpus " + d + " " + target
          + " --maximum --config), effective after the next cold boot");
    }
    boolean liveDiffers = scope.includesLive() && liveCur != target;
    boolean configDiffers = scope.includesConfig() && configCur != target;
    Optional<Scope> call = liveDiffers && configDiffers ? Optional.of(Scope.LIVE_AND_CONFIG)
        : liveDiffers ? Optional.of(Scope.LIVE) : configDiffers ? Optional.of(Scope.CONFIG) : Optional.empty();
    return new Plan(domain, target, scope, read.build(), call);
  }
}
