package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.DomainXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GuestAgent: the refusals before any change against libvirt's test driver (which has no agent), and
 * the onlining logic over scripted agent replies (the replies are the lab agent's, docs/lab-agent.md;
 * scripted only where a real agent cannot fail on demand: partial refusals, unreadable replies).
 * The real agent in a real guest is GuestAgentIT in hotplug-lab.
 */
class GuestAgentTest {
  @TempDir Path dir;

  static final String VCPUS_2_OFFLINE = "{\"return\":[{\"online\":true,\"can-offline\":true,\"logical-id\":1},"
      + "{\"online\":false,\"can-offline\":true,\"logical-id\":2},{\"online\":true,\"can-offline\":false,\"logical-id\":0}]}";
  static final String VCPUS_ALL_ONLINE = VCPUS_2_OFFLINE.replace("\"online\":false", "\"online\":true");
  static final String BLOCKS_32_33_OFFLINE = "{\"return\":[{\"online\":false,\"can-offline\":true,\"phys-index\":32},"
      + "{\"online\":true,\"can-offline\":true,\"phys-index\":3},{\"online\":false,\"can-offline\":true,\"phys-index\":33},"
      + "{\"online\":true,\"can-offline\":true,\"phys-index\":0}]}";
  static final String BLOCKS_ALL_ONLINE = BLOCKS_32_33_OFFLINE.replace("\"online\":false", "\"online\":true");

  /** A node file with a running domain that has the agent channel, and one without. */
  private String node() throws IOException {
    String dom = "  <domain type='test'>\n    <name>%s</name>\n    <memory unit='MiB'>1024</memory>\n"
        + "    <vcpu placement='static' current='1'>4</vcpu>\n    <os><type arch='x86_64'>hvm</type></os>\n"
        + "    <devices>%s</devices>\n  </domain>\n";
    Path f = dir.resolve("node.xml");
    Files.writeString(f, "<?xml version='1.0'?>\n<node>\n" + String.format(dom, "ga", GuestAgent.CHANNEL_XML)
        + String.format(dom, "plain", "") + "</node>\n");
    return "test://" + f.toAbsolutePath();
  }

  @Test
  void domainWithoutChannel_refusedNoGuestAgent_withTheChannelXml_nothingChanged() throws IOException {
    try (HotplugClient client = HotplugClient.connect(node())) {
      DomainHandle d = client.domain("plain");
      String live = d.xml(false);
      String config = d.xml(true);
      assertThatThrownBy(() -> d.guestAgent().online())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT))
          .hasMessageContaining("domain 'plain' has no QEMU guest agent channel")
          .hasMessageContaining("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>")
          .hasMessageContaining("udev");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void driverWithoutAgentSupport_guestAgentUnavailable_beforeAnyChange() throws IOException {
    try (HotplugClient client = HotplugClient.connect(node())) {
      DomainHandle d = client.domain("ga");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.guestAgent().onlineCpus())
          .isInstanceOf(GuestAgentUnavailableException.class)
          .hasMessageContaining("did not answer guest-ping")
          .hasMessageContaining("not supported")
          .hasMessageContaining("nothing was changed");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void shutOffDomain_refusedNotRunning() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      DomainHandle off = client.domain("off");
      String xml = off.xml(true);
      assertThatThrownBy(() -> off.guestAgent().online())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_RUNNING))
          .hasMessageContaining("virsh start off");
      assertThat(off.xml(true)).isEqualTo(xml);
    }
  }

  @Test
  void readOnlyClient_refusedReadOnly() throws IOException {
    try (HotplugClient client = HotplugClient.builder().readOnly(true).connect(node())) {
      assertThatThrownBy(() -> client.domain("ga").guestAgent().online())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.READ_ONLY));
    }
  }

  @Test
  void timeout_wholeSecondsFrom1To300_elseInvalidArgument() throws IOException {
    try (HotplugClient client = HotplugClient.connect(node())) {
      GuestAgent a = client.domain("ga").guestAgent();
      assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(a.timeout(Duration.ofSeconds(30)).timeout()).isEqualTo(Duration.ofSeconds(30));
      for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(1500), Duration.ofSeconds(301), Duration.ofSeconds(-1))) {
        assertThatThrownBy(() -> a.timeout(bad)).isInstanceOf(InvalidArgumentException.class)
            .hasMessageContaining("whole seconds from 1 to 300");
      }
      assertThatThrownBy(() -> a.verifyTimeout(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
    }
  }

  @Test
  void channelState_fromTheLiveXml() {
    String withState = "<domain><devices><channel type='unix'><source mode='bind' path='/x'/>"
        + "<target type='virtio' name='org.qemu.guest_agent.0' state='%s'/></channel></devices></domain>";
    assertThat(state(String.format(withState, "connected"))).isEqualTo(GuestAgent.ChannelState.CONNECTED);
    assertThat(state(String.format(withState, "disconnected"))).isEqualTo(GuestAgent.ChannelState.DISCONNECTED);
    assertThat(state("<domain><devices>" + GuestAgent.CHANNEL_XML + "</devices></domain>"))
        .isEqualTo(GuestAgent.ChannelState.UNKNOWN);
    assertThat(state("<domain><devices><channel type='spicevmc'><target type='virtio'"
        + " name='com.redhat.spice.0'/></channel></devices></domain>")).isEqualTo(GuestAgent.ChannelState.ABSENT);
    assertThat(state("<domain><devices><channel type='unix'><target type='xen' name='org.qemu.guest_agent.0'/>"
        + "</channel></devices></domain>")).isEqualTo(GuestAgent.ChannelState.ABSENT);
    assertThat(state("<domain/>")).isEqualTo(GuestAgent.ChannelState.ABSENT);
  }

  private static GuestAgent.ChannelState state(String liveXml) {
    return GuestAgent.channelState(DomainXml.parse(liveXml));
  }

  // ---------------------------------------------------------------- the logic over scripted replies

  /** Replies by command name, in order; records the commands sent. */
  static final class Script implements UnaryOperator<String> {
    final List<String> sent = new ArrayList<>();
    final java.util.Map<String, Deque<Object>> replies = new java.util.HashMap<>();

    Script on(String command, Object... answers) {
      replies.computeIfAbsent(command, k -> new ArrayDeque<>()).addAll(List.of(answers));
      return this;
    }

    @Override
    public String apply(String json) {
      sent.add(json);
      String cmd = json.replaceAll(".*\"execute\":\"([a-z-]+)\".*", "$1");
      Deque<Object> q = replies.get(cmd);
      Object a = q == null || q.isEmpty() ? null : (q.size() == 1 ? q.peek() : q.poll());
      if (a == null) {
        throw new AssertionError("unexpected agent command " + json);
      }
      if (a instanceof RuntimeException) {
        throw (RuntimeException) a;
      }
      return (String) a;
    }
  }

  static Poller poller(Duration timeout) {
    AtomicLong now = new AtomicLong();
    return new Poller(timeout, Duration.ofMillis(100), Duration.ofSeconds(1), d -> now.addAndGet(d.toNanos()), now::get);
  }

  static LibvirtException agentError(String msg) {
    return new LibvirtException("libvirt qemuAgentCommand failed: " + msg, 1, "VIR_ERR_INTERNAL_ERROR", msg, null);
  }

  @Test
  void online_offlineCpuAndBlocks_setsThemVerifiesAndReports() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}")
        .on("guest-get-vcpus", VCPUS_2_OFFLINE, VCPUS_ALL_ONLINE)
        .on("guest-set-vcpus", "{\"return\":1}")
        .on("guest-get-memory-blocks", BLOCKS_32_33_OFFLINE, BLOCKS_ALL_ONLINE)
        .on("guest-set-memory-blocks", "{\"return\":[{\"response\":\"success\",\"phys-index\":32},"
            + "{\"response\":\"success\",\"phys-index\":33}]}");

    AgentOnlineResult r = GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(10)));

    assertThat(r.cpusOnlined()).containsExactly(2);
    assertThat(r.blocksOnlined()).containsExactly(32L, 33L);
    assertThat(r.cpusAlreadyOnline()).isEqualTo(2);
    assertThat(r.blocksAlreadyOnline()).isEqualTo(2);
    assertThat(r.changed()).isTrue();
    assertThat(r.commands()).containsExactly("guest-ping", "guest-get-vcpus", "guest-set-vcpus [2]",
        "guest-get-memory-blocks", "guest-set-memory-blocks [32, 33]");
    assertThat(r.verifyReads()).isEqualTo(1);
    assertThat(s.sent).contains("{\"execute\":\"guest-set-vcpus\",\"arguments\":{\"vcpus\":[{\"logical-id\":2,\"online\":true}]}}",
        "{\"execute\":\"guest-set-memory-blocks\",\"arguments\":{\"mem-blks\":[{\"phys-index\":32,\"online\":true},"
            + "{\"phys-index\":33,\"online\":true}]}}");
    assertThat(r.summary()).isEqualTo("domain 'web': onlined through the guest agent vCPU 2 and memory blocks 32, 33,"
        + " verified with the agent (1 read, " + r.elapsed().toMillis() + " ms)");
  }

  @Test
  void online_nothingOffline_sendsNoSetCommand() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", VCPUS_ALL_ONLINE)
        .on("guest-get-memory-blocks", BLOCKS_ALL_ONLINE);

    AgentOnlineResult r = GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(10)));

    assertThat(r.changed()).isFalse();
    assertThat(r.commands()).containsExactly("guest-ping", "guest-get-vcpus", "guest-get-memory-blocks");
    assertThat(r.verifyReads()).isZero();
    assertThat(r.summary()).isEqualTo("domain 'web': nothing to online through the guest agent (3 vCPUs and 4 memory"
        + " blocks already online)");
  }

  @Test
  void onlineCpus_only_doesNotTouchMemory() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", VCPUS_2_OFFLINE, VCPUS_ALL_ONLINE)
        .on("guest-set-vcpus", "{\"return\":1}");

    AgentOnlineResult r = GuestAgent.online("web", s, true, false, poller(Duration.ofSeconds(10)));

    assertThat(r.cpusOnlined()).containsExactly(2);
    assertThat(s.sent).noneMatch(j -> j.contains("memory"));
  }

  @Test
  void pingFails_unavailable_nothingChanged() {
    Script s = new Script().on("guest-ping", agentError("Guest agent is not responding: Guest agent not available for now"));

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(10))))
        .isInstanceOf(GuestAgentUnavailableException.class)
        .hasMessageContaining("did not answer guest-ping: Guest agent is not responding")
        .hasMessageContaining("nothing was changed");
    assertThat(s.sent).hasSize(1);
  }

  @Test
  void setVcpusStopsShort_guestRefused_namesTheCpu() {
    String two = VCPUS_2_OFFLINE.replace("\"online\":true,\"can-offline\":true,\"logical-id\":1", "\"online\":false,\"logical-id\":1");
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", two)
        .on("guest-set-vcpus", "{\"return\":1}");

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(10))))
        .isInstanceOfSatisfying(GuestRefusedException.class, e -> {
          assertThat(e.expected()).isEqualTo("vCPUs [1, 2] online");
          assertThat(e.observed()).isEqualTo("vCPUs [1] onlined");
        })
        .hasMessageContaining("onlined 1 of the 2 offline vCPUs [1, 2] and stopped at vCPU 2")
        .hasMessageContaining("already onlined: vCPUs [1]");
    assertThat(s.sent).noneMatch(j -> j.contains("memory"));
  }

  @Test
  void setVcpusErrorReply_guestRefused_nothingChanged() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", VCPUS_2_OFFLINE)
        .on("guest-set-vcpus", agentError("internal error: unable to execute QEMU agent command 'guest-set-vcpus':"
            + " open(\"/sys/devices/system/cpu/cpu2/\"): No such file or directory"));

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, false, poller(Duration.ofSeconds(10))))
        .isInstanceOf(GuestRefusedException.class)
        .hasMessageContaining("refused guest-set-vcpus [2]")
        .hasMessageContaining("No such file or directory")
        .hasMessageContaining("nothing was changed");
  }

  @Test
  void oneBlockFails_guestRefused_listsWhatWasOnlined() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}")
        .on("guest-get-vcpus", VCPUS_2_OFFLINE).on("guest-set-vcpus", "{\"return\":1}")
        .on("guest-get-memory-blocks", BLOCKS_32_33_OFFLINE)
        .on("guest-set-memory-blocks", "{\"return\":[{\"response\":\"success\",\"phys-index\":32},"
            + "{\"response\":\"operation-failed\",\"error-code\":12,\"phys-index\":33}]}");

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(10))))
        .isInstanceOf(GuestRefusedException.class)
        .hasMessageContaining("could not online memory block {33=operation-failed (errno 12)}")
        .hasMessageContaining("already onlined: vCPUs [2], memory blocks [32]");
  }

  @Test
  void agentKeepsReportingOffline_verificationTimeout_afterTheVerifyTimeout() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", VCPUS_2_OFFLINE)
        .on("guest-set-vcpus", "{\"return\":1}");

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, false, poller(Duration.ofSeconds(5))))
        .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
          assertThat(e.observed()).isEqualTo("vCPU 2 offline");
          assertThat(e.attempts()).isGreaterThan(1);
          assertThat(e.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        })
        .hasMessageContaining("accepted onlining vCPUs [2] but still reports vCPU 2 offline after");
  }

  @Test
  void unreadableReply_unavailable_saysWhichCommand() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}").on("guest-get-vcpus", "{\"return\":{\"x\":1}}");

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, false, poller(Duration.ofSeconds(5))))
        .isInstanceOf(GuestAgentUnavailableException.class)
        .hasMessageContaining("gave a guest-get-vcpus reply the SDK cannot read")
        .hasMessageContaining("nothing was changed");
  }

  @Test
  void agentStopsAnsweringHalfWay_unavailable_saysWhatWasDone() {
    Script s = new Script().on("guest-ping", "{\"return\":{}}")
        .on("guest-get-vcpus", VCPUS_2_OFFLINE, VCPUS_ALL_ONLINE).on("guest-set-vcpus", "{\"return\":1}")
        .on("guest-get-memory-blocks", agentError("Guest agent is not responding: Guest agent not available for now"));

    assertThatThrownBy(() -> GuestAgent.online("web", s, true, true, poller(Duration.ofSeconds(5))))
        .isInstanceOf(GuestAgentUnavailableException.class)
        .hasMessageContaining("did not answer guest-get-memory-blocks")
        .hasMessageContaining("already onlined: vCPUs [2]");
  }
}
