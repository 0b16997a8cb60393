package dev.vmhotplug.core;

import dev.vmhotplug.guest.truth.AgentReplies;
import dev.vmhotplug.guest.truth.GuestDataException;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GuestProbe} over the QEMU guest agent ({@code virDomainQemuAgentCommand}): asks
 * {@code guest-get-vcpus} (CPUs present and online), {@code guest-get-memory-blocks} (memory block
 * states) and {@code guest-get-memory-block-info} (block size, optional: older agents lack it).
 *
 * <p>Needs the agent channel in the domain
 * ({@code <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>})
 * and {@code qemu-ga} running in the guest. Immutable and thread-safe.
 */
public final class AgentGuestProbe implements GuestProbe {
  private static final Logger LOG = LoggerFactory.getLogger(AgentGuestProbe.class);

  static final String GET_VCPUS = "{\"execute\":\"guest-get-vcpus\"}";
  static final String GET_MEMORY_BLOCKS = "{\"execute\":\"guest-get-memory-blocks\"}";
  static final String GET_BLOCK_INFO = "{\"execute\":\"guest-get-memory-block-info\"}";

  private final Duration timeout;

  private AgentGuestProbe(Duration timeout) {
    this.timeout = timeout;
  }

  /** {@return a probe with a 5-second agent timeout per command} */
  public static AgentGuestProbe create() {
    return new AgentGuestProbe(Duration.ofSeconds(5));
  }

  /**
   * A probe with the given agent timeout per command.
   *
   * @param timeout how long each agent command may take (at least one second)
   * @return the probe
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} when the timeout is below one second
   * @throws NullPointerException when the timeout is null
   */
  public static AgentGuestProbe withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.getSeconds() < 1) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "agent timeout must be at least 1 second, got "
          + timeout + " (libvirt counts the agent timeout in whole seconds): e.g. Duration.ofSeconds(5)");
    }
    return new AgentGuestProbe(timeout);
  }

  /** {@return the per-command agent timeout} */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Asks the guest agent.
   *
   * @param domain the domain
   * @return CPUs present/online, memory block states, block size when the agent knows it
   * @throws GuestAgentUnavailableException when the agent does not answer (no channel, not running,
   *     driver without agent support) or answers with something that is not a valid reply
   */
  @Override
  public GuestFacts facts(DomainHandle domain) {
    Objects.requireNonNull(domain, "domain");
    int seconds = (int) Math.min(Integer.MAX_VALUE, timeout.getSeconds());
    return facts(domain.name(), json -> domain.agentCommand(json, seconds));
  }

  /** The probe logic over any agent channel (command JSON → reply JSON). */
  static GuestFacts facts(String domainName, UnaryOperator<String> agent) {
    GuestFacts.Builder b = GuestFacts.builder();
    String vcpus = ask(domainName, agent, GET_VCPUS, "guest-get-vcpus");
    String blocks = ask(domainName, agent, GET_MEMORY_BLOCKS, "guest-get-memory-blocks");
    try {
      b.agentVcpus(AgentReplies.parseVcpus(vcpus));
      b.agentMemoryBlocks(AgentReplies.parseMemoryBlocks(blocks));
    } catch (GuestDataException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(domainName)
          + " gave a reply the SDK cannot read: " + e.getMessage()
          + ". Check the qemu-ga version in the guest, or supply your own GuestProbe", e);
    }
    try {
      String info = agent.apply(GET_BLOCK_INFO);
      b.blockSizeBytes(AgentReplies.parseMemoryBlockSize(info));
    } catch (HotplugException | GuestDataException | IllegalArgumentException e) {
      LOG.debug("domain={} op=agent guest-get-memory-block-info unavailable: {}", SafeText.quote(domainName),
          SafeText.escape(String.valueOf(e.getMessage()), 200));
      b.unavailable("memory block size", "guest-get-memory-block-info: " + e.getMessage());
    }
    return b.build();
  }

  private static String ask(String domainName, UnaryOperator<String> agent, String json, String command) {
    try {
      return agent.apply(json);
    } catch (LibvirtException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain " + SafeText.quote(domainName)
          + " did not answer " + command + ": " + e.libvirtMessage()
          + ". Add <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel> to the"
          + " domain, install and start qemu-guest-agent in the guest, or verify with your own GuestProbe"
          + " (e.g. over SSH)", e);
    }
  }
}
