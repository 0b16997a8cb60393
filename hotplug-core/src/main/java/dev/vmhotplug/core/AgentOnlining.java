package dev.vmhotplug.core;

import dev.vmhotplug.guest.truth.AgentReplies;
import dev.vmhotplug.guest.truth.GuestDataException;
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
  private final int expectCpus;
  private final long expectBlocksAdded;
  private int baselineBlocks = -1;

  /**
   * @param cpus online vCPUs
   * @param memory online memory blocks
   * @param perCommand the bound of each agent command (whole seconds, at least 1)
   * @param expectCpus the vCPUs the guest will have after the change (0: do not wait for them)
   * @param expectBlocksAdded the memory blocks the change adds (0: do not wait for them)
   */
  AgentOnlining(boolean cpus, boolean memory, Duration perCommand, int expectCpus, long expectBlocksAdded) {
    this.cpus = cpus;
    this.memory = memory;
    this.perCommand = Objects.requireNonNull(perCommand, "perCommand");
    this.expectCpus = expectCpus;
    this.expectBlocksAdded = expectBlocksAdded;
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
    GuestAgent.ChannelState state = GuestAgent.channelState(Inspection.parse(domain, domain.xml(false), true));
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
      if (memory && expectBlocksAdded > 0) {
        baselineBlocks = AgentReplies.parseMemoryBlocks(domain.agentCommand(AgentGuestProbe.GET_MEMORY_BLOCKS,
            seconds())).size();
      }
    } catch (LibvirtException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(name) + " did not"
          + " answer guest-ping within " + seconds() + " s: " + e.libvirtMessage() + ". onlineThroughAgent() needs"
          + " it; check that qemu-guest-agent runs in the guest and is not hung. Nothing was changed", e);
    } catch (GuestDataException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(name) + " gave a"
          + " guest-get-memory-blocks reply the SDK cannot read: " + e.getMessage() + ". Check the qemu-ga version;"
          + " nothing was changed", e);
    }
  }

  /**
   * Waits until the guest has registered what the host added (the host XML shows a hot-added vCPU or
   * DIMM a moment before the guest's kernel lists it): the agent lists the expected vCPUs and memory
   * blocks. Bounded by the request's timeout; the onlining then goes on with what is there.
   */
  private void awaitPresent(OpContext ctx) {
    boolean waitCpus = cpus && expectCpus > 0;
    boolean waitBlocks = memory && expectBlocksAdded > 0 && baselineBlocks >= 0;
    if (!waitCpus && !waitBlocks) {
      return;
    }
    DomainHandle domain = ctx.domain;
    ctx.poller().await(() -> {
      try {
        boolean ok = true;
        if (waitCpus) {
          ok = AgentReplies.parseVcpus(domain.agentCommand(AgentGuestProbe.GET_VCPUS, seconds())).size() >= expectCpus;
        }
        if (ok && waitBlocks) {
          ok = AgentReplies.parseMemoryBlocks(domain.agentCommand(AgentGuestProbe.GET_MEMORY_BLOCKS, seconds())).size()
              >= baselineBlocks + expectBlocksAdded;
        }
        return ok;
      } catch (LibvirtException | GuestDataException e) {
        return false; // GuestAgent.online below reports an agent that stopped answering
      }
    }, present -> present, "the guest of " + SafeText.quote(domain.name()) + " to list what was added");
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
    awaitPresent(ctx);
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
