package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.ColdBootResult;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.xml.CpuTopology;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
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
 * vCPU hotplug with a CPU topology, the whole flow through the SDK: a 1 socket × 2 cores guest booted
 * unprepared ({@code <vcpu>2</vcpu>}) is prepared by {@code domain.prepare(...)} (hotplug-xml's
 * HotplugPreparer raises the sockets to 2 to reach a maximum of 4), cold-booted with
 * {@code thenColdBoot()}, and hot-added to 4 vCPUs with {@code vcpus().set(4)}; the guest's own report
 * shows the new CPUs online, on socket 1 (docs/lab-topology.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain vm;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("topo").topology(1, 2, 1).vcpus(2).maxVcpus(4).prepared(false).persistent(true)
        .build());
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
  void unprepared_oneSocketOfTwoCores_guestBootsWithSocket0Full() {
    DomainXml live = DomainXml.parse(vm.xml(false));
    assertThat(live.topology().orElseThrow().sockets()).isEqualTo(1);
    assertThat(live.topology().orElseThrow().cores()).isEqualTo(2);
    assertThat(live.vcpu().orElseThrow().maximum()).isEqualTo(2);
    assertThat(topology()).containsExactly("HPTOPO cpu0 socket=0 die=0 core=0 threads=0",
        "HPTOPO cpu1 socket=0 die=0 core=1 threads=1");
  }

  @Test
  @Order(2)
  void prepare_raisesTheSockets_thenColdBoot_definitionInEffect() {
    DomainHandle d = client.domain(vm.name());

    PrepareResult p = d.prepare(HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofMiB(2048)).slots(4).build());

    assertThat(p.coldBootNeeded()).isTrue();
    CpuTopology prepared = DomainXml.parse(d.xml(true)).topology().orElseThrow();
    assertThat(prepared.sockets()).isEqualTo(2);
    assertThat(prepared.cores()).isEqualTo(2);
    assertThat(prepared.threads()).isEqualTo(1);
    assertThat(d.vcpuCount().maximumLive()).hasValue(2);

    ColdBootResult b = p.thenColdBoot().shutdownTimeout(Duration.ofSeconds(90)).apply();

    assertThat(b.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
    vm.probe().awaitReport("the second boot", r -> r.boot() == 2, LabDomain.BOOT_TIMEOUT);
    DomainXml live = DomainXml.parse(vm.xml(false));
    assertThat(live.topology().orElseThrow().sockets()).isEqualTo(2);
    assertThat(d.vcpuCount().maximumLive()).hasValue(4);
    assertThat(d.vcpuCount().currentLive()).hasValue(2);
  }

  @Test
  @Order(3)
  void hotAddToFour_bothNewCpusOnlineOnSocket1_libvirtMarksThemHotpluggable() {
    DomainHandle d = client.domain(vm.name());

    d.vcpus().set(4).live().apply();

    vm.probe().awaitReport("4 CPUs online", r -> r.boot() == 2 && r.cpusOnline().equals("0-3")
        && r.processorCount() == 4, GUEST);
    assertThat(topology()).containsExactly("HPTOPO cpu0 socket=0 die=0 core=0 threads=0",
        "HPTOPO cpu1 socket=0 die=0 core=1 threads=1", "HPTOPO cpu2 socket=1 die=1 core=0 threads=2",
        "HPTOPO cpu3 socket=1 die=1 core=1 threads=3");
    List<VcpuEntry> entries = DomainXml.parse(vm.xml(false)).vcpus();
    assertThat(entries).hasSize(4);
    assertThat(entries).extracting(VcpuEntry::enabled).containsOnly(true);
    assertThat(entries).extracting(e -> e.hotpluggable().orElseThrow()).containsExactly(false, false, true, true);
    assertThat(d.vcpuCount().currentLive()).hasValue(4);
  }

  /** The guest's {@code topology} command: one HPTOPO line per online CPU. */
  private static List<String> topology() {
    return vm.command("topology", Duration.ofSeconds(30)).stream().filter(l -> l.startsWith("HPTOPO ")).toList();
  }
}
