package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code onlineThroughAgent()} on vCPU, memory and desired-state changes, on libvirt's test driver
 * (which has no guest agent: {@code virDomainQemuAgentCommand} is not supported there, as with a
 * channel nobody answers): a domain without the agent channel is refused with NO_GUEST_AGENT and an
 * agent that does not answer guest-ping with GuestAgentUnavailableException, both before any change
 * (no change call, XML unchanged). The onlining itself is proven on a real guest by hotplug-lab's
 * GuestAgentIT; its logic by GuestAgentTest.
 */
class OnlineThroughAgentTest {
  @TempDir Path dir;

  private HotplugClient client(VirtioMemSim sim) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(2))
        .interceptor(sim).connect(VirtioMemSim.write(dir));
  }

  @Test
  void vcpus_noAgentChannel_refusedBeforeAnyChange() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.vcpus().set(3).onlineThroughAgent().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT))
          .hasMessageContaining("has no QEMU guest agent channel")
          .hasMessageContaining("org.qemu.guest_agent.0")
          .hasMessageContaining("nothing was changed");
      assertThat(sim.changes()).isEmpty();
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void vcpus_agentNotAnswering_unavailableBeforeAnyChange() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmemga");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.vcpus().set(3).live().onlineThroughAgent().apply())
          .isInstanceOf(GuestAgentUnavailableException.class)
          .hasMessageContaining("did not answer guest-ping")
          .hasMessageContaining("Nothing was changed");
      assertThat(sim.changes()).containsExactly("qemuAgentCommand");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void vcpus_unplugOrConfigOnly_theOptionOnlinesNothing_noAgentCall() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      VcpuResult r = d.vcpus().set(3).config().onlineThroughAgent().apply();
      assertThat(r.after().currentConfig()).hasValue(3);
      assertThat(sim.changes()).containsExactly("setVcpus(CONFIG)");
    }
  }

  @Test
  void memory_noAgentChannel_refusedBeforeAnyChange() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).onlineThroughAgent().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT));
      assertThat(sim.changes()).isEmpty();
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void memory_agentNotAnswering_unavailableBeforeAnyChange() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmemga");
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).onlineThroughAgent().apply())
          .isInstanceOf(GuestAgentUnavailableException.class)
          .hasMessageContaining("did not answer guest-ping");
      assertThat(sim.changes()).containsExactly("qemuAgentCommand");
    }
  }

  @Test
  void ensure_noAgentChannel_refusedBeforeAnyChange() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.ensure().vcpus(3).memory(MemorySize.ofMiB(768)).onlineThroughAgent().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT));
      assertThat(sim.changes()).isEmpty();
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }
}
