package dev.vmhotplug.core;

import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The option {@code onlineThroughAgent()} of vCPU, memory and desired-state changes
 * (package-private): before any change it checks that the guest agent is there and answers
 * ({@link #precheck(DomainHandle)}); once the host shows the change it onlines, through
 * {@link GuestAgent}'s logic ({@code guest-set-vcpus}, {@code guest-set-memory-blocks}, verified with
 * agent reads), what the guest left offline. It is an {@link OpContext.GuestAction}, so it runs after
 * the host verification and before the guest verification.
 */
final class AgentOnlining implements OpContext.GuestAction {
  private final boolean cpus;
  private final boolean memory;
  private final Duration perCommand;

  /**
   * @param cpus online vCPUs
   * @param memory online memory blocks
   * @param perCommand the bound of each agent command (whole seconds, at least 1)
   */
  AgentOnlining(boolean cpus, boolean memory, Duration perCommand) {
    this.cpus = cpus;
    this.memory = memory;
    this.perCommand = Objects.requireNonNull(perCommand, "perCommand");
  }

  /**
   * Checks, before any change, that the domain has the agent channel, that libvirt sees qemu-ga
   * connected and that it answers {@code guest-ping}.
   *
   * @param domain the domain (its lock is held)
   * @throws PreconditionException {@link Refusal#NO_GUEST_AGENT} without the channel
   * @throws GuestAgentUnavailableException when the agent is not connected or does not answer
   *     within the per-command bound
   */
  void precheck(DomainHandle domain) {
    String name = domain.name();
    GuestAgent.ChannelState state = GuestAgent.channelState(domain.xml(false));
    if (state == GuestAgent.ChannelState.ABSENT) {
      throw new PreconditionException(Refusal.NO_GUEST_AGENT, "domain " + SafeText.quote(name) + " has no QEMU"
          + " guest agent channel, so onlineThroughAgent() cannot online what is added; nothing was changed. Add "
          + GuestAgent.CHANNEL_XML + " to <devices> (next cold boot) and run qemu-guest-agent in the guest, or drop"
          + " onlineThroughAgent() and install the udev rules (hotplug udev-rules)");
    }
    if (state == GuestAgent.ChannelState.DISCONNECTED) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(name) + " is not"
          + " connected (libvirt shows the channel " + GuestAgent.CHANNEL_NAME + " disconnected): qemu-guest-agent"
          + " does not run in the guest, so onlineThroughAgent() could not online what is added. Start it there and"
          + " retry; nothing was changed", null);
    }
    try {
      domain.agentCommand(GuestAgent.PING, seconds());
    } catch (LibvirtException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(name) + " did not"
          + " answer guest-ping within " + seconds() + " s: " + e.libvirtMessage() + ". onlineThroughAgent() needs"
          + " it; check that qemu-guest-agent runs in the guest and is not hung. Nothing was changed", e);
    }
  }

  private int seconds() {
    return (int) Math.max(1, Math.min(300, perCommand.getSeconds()));
  }

  @Override
  public void afterHostVerified(OpContext ctx, List<OperationStep> applied, List<String> warnings) {
    if (applied.isEmpty()) {
      return;
    }
    DomainHandle domain = ctx.domain;
    String name = domain.name();
    String done = "domain " + SafeText.quote(name) + ": the change was applied on the host (" + applied + ") but"
        + " onlining it through the guest agent failed: ";
    AgentOnlineResult r;
    try {
      r = GuestAgent.online(name, json -> domain.agentCommand(json, seconds()), cpus, memory, ctx.poller());
    } catch (GuestAgentUnavailableException e) {
      throw new GuestAgentUnavailableException(done + e.getMessage(), e);
    } catch (GuestRefusedException e) {
      throw new GuestRefusedException(done + e.getMessage(), e.expected(), e.observed(), e.attempts(), e.elapsed(), e);
    } catch (VerificationTimeoutException e) {
      throw new VerificationTimeoutException(done + e.getMessage(), e.expected(), e.observed(), e.attempts(),
          e.elapsed(), e);
    }
    warnings.add(r.summary() + (r.blocksOnlined().isEmpty() ? "" : "; the agent onlines memory as 'online'"
        + " (ZONE_NORMAL): the kernel may place unmovable pages there, so it may not be removable later"));
  }
}
