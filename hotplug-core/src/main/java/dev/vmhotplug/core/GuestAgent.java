package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.guest.truth.AgentReplies;
import dev.vmhotplug.guest.truth.AgentReplies.AgentMemoryBlock;
import dev.vmhotplug.guest.truth.AgentReplies.AgentMemoryBlockResponse;
import dev.vmhotplug.guest.truth.AgentReplies.AgentVcpu;
import dev.vmhotplug.guest.truth.GuestDataException;
import dev.vmhotplug.xml.Channel;
import dev.vmhotplug.xml.DomainXml;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QEMU guest agent of one domain, used to bring hot-added vCPUs and memory blocks online inside
 * the guest when nothing in the guest does it (no udev rules): taken from
 * {@link DomainHandle#guestAgent()}.
 * <pre>{@code
 * domain.vcpus().set(4).live().apply();            // the new vCPUs are present but offline
 * AgentOnlineResult r = domain.guestAgent().online(); // guest-set-vcpus / guest-set-memory-blocks
 * r.cpusOnlined();                                  // [2, 3], verified with guest-get-vcpus
 * }</pre>
 *
 * <p>Before anything is changed in the guest, {@code online…()} checks that the client may change
 * things, that the domain is running and has the agent channel
 * ({@code <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>}),
 * that libvirt sees the agent connected and that it answers {@code guest-ping}; each refusal says
 * what was found and how to fix it. It then asks the agent for the vCPUs and memory blocks, onlines
 * every one that is offline ({@code guest-set-vcpus}, {@code guest-set-memory-blocks}) and reads
 * them back until the agent reports them online. Every agent command is bounded by
 * {@link #timeout()}, so an agent that stops answering fails within about that time with a
 * {@link GuestAgentUnavailableException}, never a hang.
 *
 * <p>The agent onlines memory as {@code online} (ZONE_NORMAL): blocks onlined this way usually
 * cannot be hot-unplugged later. Guests that need to unplug DIMMs should online them
 * {@code online_movable} (udev rule or {@code memhp_default_state=online_movable}).
 *
 * <p>Immutable and thread-safe; onlining holds the domain's lock like the SDK's other changes.
 */
public final class GuestAgent {
  private static final Logger LOG = LoggerFactory.getLogger(GuestAgent.class);

  /** The virtio-serial port name of the QEMU guest agent. */
  public static final String CHANNEL_NAME = Channel.GUEST_AGENT_NAME;
  /** The default bound of each agent command. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  static final String PING = "{\"execute\":\"guest-ping\"}";
  static final String CHANNEL_XML = "<channel type='unix'><target type='virtio' name='" + CHANNEL_NAME
      + "'/></channel>";

  /** What libvirt says about the agent channel of a running domain (live XML). */
  enum ChannelState {
    /** No agent channel in the domain. */
    ABSENT,
    /** The channel exists and qemu-ga is connected to it. */
    CONNECTED,
    /** The channel exists, nothing listens in the guest. */
    DISCONNECTED,
    /** The channel exists, libvirt gives no state (older libvirt, other drivers). */
    UNKNOWN
  }

  private final DomainHandle domain;
  private final Duration timeout;
  private final Duration verifyTimeout;

  GuestAgent(DomainHandle domain) {
    this(domain, DEFAULT_TIMEOUT, null);
  }

  private GuestAgent(DomainHandle domain, Duration timeout, Duration verifyTimeout) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.timeout = timeout;
    this.verifyTimeout = verifyTimeout;
  }

  /**
   * How long each agent command may take (default 5 s): an agent that does
   * not answer fails the call after about this long.
   *
   * @param perCommand whole seconds, 1 to 300
   * @return a new agent view with that bound
   * @throws InvalidArgumentException when the timeout is below one second, above 300 s or not whole
   *     seconds (libvirt takes seconds)
   */
  public GuestAgent timeout(Duration perCommand) {
    Objects.requireNonNull(perCommand, "perCommand");
    if (perCommand.getSeconds() < 1 || perCommand.getSeconds() > 300 || perCommand.getNano() != 0) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "guest agent timeout " + perCommand
          + " is refused: give whole seconds from 1 to 300 (libvirt's agent timeout is in seconds), e.g."
          + " Duration.ofSeconds(10)");
    }
    return new GuestAgent(domain, perCommand, verifyTimeout);
  }

  /**
   * How long to wait, after the onlining commands, for the agent to report everything online
   * (default: the client's {@code defaultTimeout}).
   *
   * @param wait zero or positive
   * @return a new agent view
   * @throws InvalidArgumentException when negative
   */
  public GuestAgent verifyTimeout(Duration wait) {
    Objects.requireNonNull(wait, "wait");
    if (wait.isNegative()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "verify timeout " + wait
          + " is negative: give zero or a positive duration");
    }
    return new GuestAgent(domain, timeout, wait);
  }

  /** {@return the bound of each agent command} */
  public Duration timeout() {
    return timeout;
  }

  /** {@return the domain} */
  public DomainHandle domain() {
    return domain;
  }

  /**
   * Onlines every vCPU and memory block that the agent reports offline, and verifies it.
   *
   * @return what was onlined
   * @throws PreconditionException before any change: {@link Refusal#READ_ONLY} (read-only client),
   *     {@link Refusal#NOT_RUNNING} (domain shut off), {@link Refusal#NO_GUEST_AGENT} (no agent
   *     channel in the domain)
   * @throws GuestAgentUnavailableException before any change, when the agent is not connected or does
   *     not answer guest-ping within {@link #timeout()}; or after some changes, when it stops
   *     answering or gives a reply the SDK cannot read (the message says what was done)
   * @throws GuestRefusedException when the guest refuses to online a vCPU or a block (the message
   *     lists what was onlined before)
   * @throws VerificationTimeoutException when the agent still reports something offline after the
   *     verify timeout
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails otherwise
   */
  public AgentOnlineResult online() {
    return run(true, true);
  }

  /**
   * Onlines every vCPU that the agent reports offline ({@code guest-set-vcpus}), and verifies it.
   * Exceptions as {@link #online()}.
   *
   * @return what was onlined
   */
  public AgentOnlineResult onlineCpus() {
    return run(true, false);
  }

  /**
   * Onlines every memory block that the agent reports offline ({@code guest-set-memory-blocks}), and
   * verifies it. Exceptions as {@link #online()}.
   *
   * @return what was onlined
   */
  public AgentOnlineResult onlineMemory() {
    return run(false, true);
  }

  private AgentOnlineResult run(boolean cpus, boolean memory) {
    return Listening.observe(domain, OperationInfo.GUEST_AGENT_ONLINE, null, () -> online(cpus, memory),
        AgentOnlineResult::changed);
  }

  private AgentOnlineResult online(boolean cpus, boolean memory) {
    String name = domain.name();
    HotplugClient client = domain.client();
    if (client.isReadOnly()) {
      throw new PreconditionException(Refusal.READ_ONLY, "the client for " + client.uri() + " is read-only:"
          + " onlining through the guest agent of domain '" + name + "' changes the guest. Connect without"
          + " readOnly(true)");
    }
    return domain.locked(() -> {
      if (!domain.isRunning()) {
        throw new PreconditionException(Refusal.NOT_RUNNING, "domain '" + name + "' is not running: there is"
            + " no guest whose vCPUs or memory could be onlined. Start it (virsh start " + name + ")");
      }
      ChannelState state = channelState(Inspection.parse(domain, domain.xml(false), true));
      if (state == ChannelState.ABSENT) {
        throw new PreconditionException(Refusal.NO_GUEST_AGENT, "domain '" + name + "' has no QEMU guest agent"
            + " channel, so the SDK cannot online vCPUs or memory through the agent. Add " + CHANNEL_XML
            + " to <devices> (takes effect at the next cold boot) and run qemu-guest-agent in the guest, or"
            + " online them in the guest (udev rules: hotplug udev-rules)");
      }
      if (state == ChannelState.DISCONNECTED) {
        throw new GuestAgentUnavailableException("the QEMU guest agent of domain '" + name + "' is not"
            + " connected (libvirt shows the channel " + CHANNEL_NAME + " disconnected): qemu-guest-agent is not"
            + " running in the guest. Start it there (systemctl start qemu-guest-agent) and retry; nothing was"
            + " changed", null);
      }
      int seconds = (int) timeout.getSeconds();
      Duration wait = verifyTimeout == null ? client.defaultTimeout() : verifyTimeout;
      return online(name, json -> domain.agentCommand(json, seconds), cpus, memory, client.poller(wait));
    });
  }

  /**
   * The onlining logic over any agent channel (command JSON to reply JSON, throwing
   * {@link LibvirtException} when the agent does not answer), for the handle and for tests.
   */
  static AgentOnlineResult online(String name, UnaryOperator<String> agent, boolean cpus, boolean memory,
      Poller poller) {
    long t0 = System.nanoTime();
    List<String> commands = new ArrayList<>();
    List<Integer> cpusOnlined = new ArrayList<>();
    List<Long> blocksOnlined = new ArrayList<>();
    try {
      agent.apply(PING);
      commands.add("guest-ping");
    } catch (LibvirtException e) {
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain '" + name + "' did not answer"
          + " guest-ping: " + e.libvirtMessage() + ". Check that qemu-guest-agent runs in the guest (and is not"
          + " hung); nothing was changed", e);
    }
    int cpusAlready = 0;
    if (cpus) {
      List<AgentVcpu> vcpus = read(name, agent, AgentGuestProbe.GET_VCPUS, "guest-get-vcpus", commands,
          cpusOnlined, blocksOnlined, AgentReplies::parseVcpus);
      List<Integer> offline = new ArrayList<>();
      for (AgentVcpu v : vcpus) {
        if (v.online()) {
          cpusAlready++;
        } else {
          offline.add(v.logicalId());
        }
      }
      offline.sort(null);
      if (!offline.isEmpty()) {
        StringJoiner j = new StringJoiner(",", "{\"execute\":\"guest-set-vcpus\",\"arguments\":{\"vcpus\":[", "]}}");
        for (int id : offline) {
          j.add("{\"logical-id\":" + id + ",\"online\":true}");
        }
        String reply = send(name, agent, j.toString(), "guest-set-vcpus", offline.toString(), commands,
            cpusOnlined, blocksOnlined);
        int done;
        try {
          done = AgentReplies.parseSetVcpus(reply);
        } catch (GuestDataException e) {
          throw unreadable(name, "guest-set-vcpus", e, cpusOnlined, blocksOnlined);
        }
        cpusOnlined.addAll(offline.subList(0, Math.min(done, offline.size())));
        if (done < offline.size()) {
          throw new GuestRefusedException("the guest agent of domain '" + name + "' onlined " + done + " of the "
              + offline.size() + " offline vCPUs " + offline + " and stopped at vCPU " + offline.get(done)
              + done(cpusOnlined, blocksOnlined) + ". Check the guest's kernel log (dmesg) for why the CPU cannot"
              + " come online", "vCPUs " + offline + " online", "vCPUs " + cpusOnlined + " onlined", 1,
              Duration.ofNanos(System.nanoTime() - t0), null);
        }
      }
    }
    int blocksAlready = 0;
    if (memory) {
      List<AgentMemoryBlock> blocks = read(name, agent, AgentGuestProbe.GET_MEMORY_BLOCKS,
          "guest-get-memory-blocks", commands, cpusOnlined, blocksOnlined, AgentReplies::parseMemoryBlocks);
      List<Long> offline = new ArrayList<>();
      for (AgentMemoryBlock b : blocks) {
        if (b.online()) {
          blocksAlready++;
        } else {
          offline.add(b.physIndex());
        }
      }
      offline.sort(null);
      if (!offline.isEmpty()) {
        StringJoiner j = new StringJoiner(",", "{\"execute\":\"guest-set-memory-blocks\",\"arguments\":{\"mem-blks\":[",
            "]}}");
        for (long idx : offline) {
          j.add("{\"phys-index\":" + idx + ",\"online\":true}");
        }
        String reply = send(name, agent, j.toString(), "guest-set-memory-blocks", offline.toString(), commands,
            cpusOnlined, blocksOnlined);
        List<AgentMemoryBlockResponse> responses;
        try {
          responses = AgentReplies.parseSetMemoryBlocks(reply);
        } catch (GuestDataException e) {
          throw unreadable(name, "guest-set-memory-blocks", e, cpusOnlined, blocksOnlined);
        }
        TreeMap<Long, String> failed = new TreeMap<>();
        for (AgentMemoryBlockResponse r : responses) {
          if (r.success()) {
            blocksOnlined.add(r.physIndex());
          } else {
            failed.put(r.physIndex(), r.response() + r.errorCode().map(c -> " (errno " + c + ")").orElse(""));
          }
        }
        for (long idx : offline) {
          if (!blocksOnlined.contains(idx) && !failed.containsKey(idx)) {
            failed.put(idx, "no response");
          }
        }
        if (!failed.isEmpty()) {
          throw new GuestRefusedException("the guest agent of domain '" + name + "' could not online memory "
              + (failed.size() == 1 ? "block " : "blocks ") + failed + done(cpusOnlined, blocksOnlined)
              + ". A block that fails with operation-failed usually lacks memory for its struct pages or was"
              + " removed meanwhile; check the guest's dmesg", "memory blocks " + offline + " online",
              "blocks " + blocksOnlined + " onlined, " + failed.keySet() + " failed", 1,
              Duration.ofNanos(System.nanoTime() - t0), null);
        }
      }
    }
    // verify: the agent reports what was onlined as online
    List<Integer> wantCpus = List.copyOf(cpusOnlined);
    List<Long> wantBlocks = List.copyOf(blocksOnlined);
    int attempts = 0;
    if (!wantCpus.isEmpty() || !wantBlocks.isEmpty()) {
      List<String> verifyCommands = new ArrayList<>();
      Poller.Outcome<String> o = poller.await(() -> stillOffline(name, agent, wantCpus, wantBlocks, verifyCommands,
          cpusOnlined, blocksOnlined), String::isEmpty, "the guest agent of " + name + " to report them online");
      attempts = o.attempts();
      if (!o.satisfied()) {
        throw new VerificationTimeoutException("the guest agent of domain '" + name + "' accepted onlining "
            + what(cpusOnlined, blocksOnlined) + " but still reports " + o.last() + " offline after "
            + o.elapsed().toMillis() + " ms (" + o.attempts() + " reads). The guest may be slow (retry with a"
            + " longer verifyTimeout) or something in it offlines them again", "vCPUs " + wantCpus
            + " and memory blocks " + wantBlocks + " online", o.last() + " offline", o.attempts(), o.elapsed(), null);
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    LOG.debug("domain={} op=agentOnline cpus={} blocks={} elapsedMs={}", name, cpusOnlined, blocksOnlined,
        elapsed.toMillis());
    return new AgentOnlineResult(name, cpus, memory, cpusOnlined, blocksOnlined, cpusAlready, blocksAlready,
        commands, attempts, elapsed);
  }

  /** What is still offline of what was onlined ("" when nothing), from a fresh agent read. */
  private static String stillOffline(String name, UnaryOperator<String> agent, List<Integer> cpus, List<Long> blocks,
      List<String> commands, List<Integer> cpusOnlined, List<Long> blocksOnlined) {
    List<String> off = new ArrayList<>();
    if (!cpus.isEmpty()) {
      List<AgentVcpu> now = read(name, agent, AgentGuestProbe.GET_VCPUS, "guest-get-vcpus", commands, cpusOnlined,
          blocksOnlined, AgentReplies::parseVcpus);
      for (int id : cpus) {
        if (now.stream().noneMatch(v -> v.logicalId() == id && v.online())) {
          off.add("vCPU " + id);
        }
      }
    }
    if (!blocks.isEmpty()) {
      List<AgentMemoryBlock> now = read(name, agent, AgentGuestProbe.GET_MEMORY_BLOCKS, "guest-get-memory-blocks",
          commands, cpusOnlined, blocksOnlined, AgentReplies::parseMemoryBlocks);
      for (long idx : blocks) {
        if (now.stream().noneMatch(b -> b.physIndex() == idx && b.online())) {
          off.add("memory block " + idx);
        }
      }
    }
    return String.join(", ", off);
  }

  @FunctionalInterface
  private interface Parser<T> {
    T parse(String json);
  }

  private static <T> T read(String name, UnaryOperator<String> agent, String json, String command,
      List<String> commands, List<Integer> cpusOnlined, List<Long> blocksOnlined, Parser<T> parser) {
    String reply = send(name, agent, json, command, null, commands, cpusOnlined, blocksOnlined);
    try {
      return parser.parse(reply);
    } catch (GuestDataException e) {
      throw unreadable(name, command, e, cpusOnlined, blocksOnlined);
    }
  }

  private static String send(String name, UnaryOperator<String> agent, String json, String command, String args,
      List<String> commands, List<Integer> cpusOnlined, List<Long> blocksOnlined) {
    try {
      String reply = agent.apply(json);
      commands.add(args == null ? command : command + " " + args);
      return reply;
    } catch (LibvirtException e) {
      String m = e.libvirtMessage() == null ? e.getMessage() : e.libvirtMessage();
      if (args != null && m != null && m.contains("unable to execute QEMU agent command")) {
        // the agent answered a change with an error: the guest refused it
        throw new GuestRefusedException("the guest agent of domain '" + name + "' refused " + command
            + (args == null ? "" : " " + args) + ": " + m + done(cpusOnlined, blocksOnlined), command + " succeeds",
            m, 1, Duration.ZERO, e);
      }
      throw new GuestAgentUnavailableException("the QEMU guest agent of domain '" + name + "' did not answer "
          + command + ": " + m + done(cpusOnlined, blocksOnlined)
          + ". Check that qemu-guest-agent runs in the guest and is not hung", e);
    }
  }

  private static GuestAgentUnavailableException unreadable(String name, String command, GuestDataException e,
      List<Integer> cpusOnlined, List<Long> blocksOnlined) {
    return new GuestAgentUnavailableException("the QEMU guest agent of domain '" + name + "' gave a " + command
        + " reply the SDK cannot read: " + e.getMessage() + done(cpusOnlined, blocksOnlined)
        + ". Check the qemu-ga version in the guest", e);
  }

  /** "; already onlined: …" or "; nothing was changed". */
  private static String done(List<Integer> cpus, List<Long> blocks) {
    return cpus.isEmpty() && blocks.isEmpty() ? "; nothing was changed" : "; already onlined: " + what(cpus, blocks);
  }

  private static String what(List<Integer> cpus, List<Long> blocks) {
    return (cpus.isEmpty() ? "" : "vCPUs " + cpus) + (cpus.isEmpty() || blocks.isEmpty() ? "" : ", ")
        + (blocks.isEmpty() ? "" : "memory blocks " + blocks);
  }

  /** The agent channel's presence and state in a live domain XML (through hotplug-xml's typed accessor). */
  static ChannelState channelState(DomainXml liveXml) {
    Optional<Channel> ch = liveXml.guestAgentChannel();
    if (ch.isEmpty()) {
      return ChannelState.ABSENT;
    }
    String st = ch.get().state().orElse(null);
    if ("connected".equals(st)) {
      return ChannelState.CONNECTED;
    }
    return "disconnected".equals(st) ? ChannelState.DISCONNECTED : ChannelState.UNKNOWN;
  }

  @Override
  public String toString() {
    return "GuestAgent[" + domain.name() + ", timeout " + timeout.getSeconds() + " s]";
  }
}
