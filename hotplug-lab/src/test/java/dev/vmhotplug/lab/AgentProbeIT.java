package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.AgentGuestProbe;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.guest.truth.GuestFacts;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** hotplug-core's AgentGuestProbe against qemu-guest-agent in the lab guest: it sees what the serial log sees. */
class AgentProbeIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain vm;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("agent").agent(true).build());
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void agentFacts_matchTheSerialReport_beforeAndAfterAHotAdd() {
    DomainHandle d = client.domain(vm.name());
    AgentGuestProbe agent = AgentGuestProbe.withTimeout(Duration.ofSeconds(10));
    GuestFacts first = vm.awaitAgent(d, Duration.ofSeconds(60));
    assertThat(first.cpusOnline().orElseThrow().format()).isEqualTo("0-1");

    d.vcpus().set(3).live().apply();
    GuestReport r = vm.probe().awaitReport("3 CPUs online", x -> x.cpusOnline().equals("0-2"), GUEST);

    GuestFacts after = agent.facts(d);
    assertThat(after.cpusOnline().orElseThrow().format()).isEqualTo(r.cpusOnline());
  }
}
