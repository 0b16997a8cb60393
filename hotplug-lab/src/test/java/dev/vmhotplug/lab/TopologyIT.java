package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.VcpuEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vCPU hotplug with a CPU topology: a 1 socket × 2 cores guest prepared to 2 sockets (maximum 4)
 * grows one vCPU at a time through the SDK; the guest's own report shows each new CPU online, on
 * socket 1 (docs/lab-topology.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain vm;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("topo").topology(1, 2, 1).vcpus(2).maxVcpus(4).build());
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  @Order(1)
  void prepared_twoSocketsOfTwoCores_guestBootsWithSocket0Full() {
    DomainXml live = DomainXml.parse(vm.xml(false));
    assertThat(live.topology().orElseThrow().sockets()).isEqualTo(2);
    assertThat(live.topology().orElseThrow().cores()).isEqualTo(2);
    assertThat(live.topology().orElseThrow().threads()).isEqualTo(1);
    assertThat(topology()).containsExactly("HPTOPO cpu0 socket=0 die=0 core=0 threads=0",
        "HPTOPO cpu1 socket=0 die=0 core=1 threads=1");
  }

  @Test
  @Order(2)
  void addOneVcpu_thirdCpuComesOnlineOnSocket1() {
    DomainHandle d = client.domain(vm.name());

    d.vcpus().set(3).live().apply();

    vm.probe().awaitReport("3 CPUs online", r -> r.cpusOnline().equals("0-2") && r.processorCount() == 3, GUEST);
    assertThat(topology()).contains("HPTOPO cpu2 socket=1 die=1 core=0 threads=2");
  }

  @Test
  @Order(3)
  void addTheFourth_socket1Full_libvirtMarksTheAddedVcpusHotpluggable() {
    DomainHandle d = client.domain(vm.name());

    d.vcpus().set(4).live().apply();

    vm.probe().awaitReport("4 CPUs online", r -> r.cpusOnline().equals("0-3") && r.processorCount() == 4, GUEST);
    assertThat(topology()).containsExactly("HPTOPO cpu0 socket=0 die=0 core=0 threads=0",
        "HPTOPO cpu1 socket=0 die=0 core=1 threads=1", "HPTOPO cpu2 socket=1 die=1 core=0 threads=2",
        "HPTOPO cpu3 socket=1 die=1 core=1 threads=3");
    List<VcpuEntry> entries = DomainXml.parse(vm.xml(false)).vcpus();
    assertThat(entries).hasSize(4);
    assertThat(entries).extracting(VcpuEntry::enabled).containsOnly(true);
    assertThat(entries).extracting(e -> e.hotpluggable().orElseThrow()).containsExactly(false, false, true, true);
    assertThat(entries).extracting(e -> e.order().orElseThrow()).containsExactly(1, 2, 3, 4);
    assertThat(d.vcpuCount().currentLive()).hasValue(4);
  }

  /** The guest's {@code topology} command: one HPTOPO line per online CPU. */
  private static List<String> topology() {
    return vm.command("topology", Duration.ofSeconds(30)).stream().filter(l -> l.startsWith("HPTOPO ")).toList();
  }
}
