package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.DIMM_KIB;
import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.SHUTDOWN;
import static dev.vmhotplug.lab.LabIt.dimms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.xml.MemorySize;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The guide's memory steps on a real guest: DIMM attach --live [--config], dommemstat, node0 meminfo. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryHotplugIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain vm;
  static long bootMemTotal;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("mem").persistent(true).build());
    client = HotplugClient.connect(LAB.lab().daemon().uri());
    bootMemTotal = vm.probe().latest().orElseThrow().node0MemTotalKiB();
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  @Order(1)
  void dimmLiveAndConfig_liveXmlAndDommemstatShowIt_guestOnlinesAllNewBlocks() {
    DomainHandle d = client.domain(vm.name());

    MemoryResult r = d.memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();

    assertThat(r.steps()).hasSize(1);
    assertThat(dimms(vm.xml(false))).isEqualTo(1);
    assertThat(dimms(vm.xml(true))).isEqualTo(1);
    assertThat(d.memoryStats().actualKiB()).hasValue(512 * 1024 + DIMM_KIB);
    assertThat(vm.virsh().call("dommemstat", vm.name())).contains("actual " + (512 * 1024 + DIMM_KIB));
    GuestReport g = vm.probe().awaitReport("node0 MemTotal +256 MiB with 6 blocks all online",
        x -> x.node0MemTotalKiB() == bootMemTotal + DIMM_KIB && x.blocksTotal() == 6 && x.blocksOffline().isEmpty(),
        GUEST);
    assertThat(g.blocksOnline()).hasSize(6);
  }

  @Test
  @Order(2)
  void dimmLiveOnly_inLiveXmlNotInConfig_guestOnlinesIt() {
    DomainHandle d = client.domain(vm.name());

    d.memory().add(MemorySize.ofMiB(256)).node(0).live().apply();

    assertThat(dimms(vm.xml(false))).isEqualTo(2);
    assertThat(dimms(vm.xml(true))).isEqualTo(1);
    assertThat(d.memoryStats().actualKiB()).hasValue(512 * 1024 + 2 * DIMM_KIB);
    vm.probe().awaitReport("node0 MemTotal +512 MiB with 8 blocks all online",
        x -> x.node0MemTotalKiB() == bootMemTotal + 2 * DIMM_KIB && x.blocksTotal() == 8
            && x.blocksOffline().isEmpty(), GUEST);
  }

  @Test
  @Order(3)
  void shutdownAndStart_keepsOnlyTheConfigDimm_guestHasItOnline() {
    vm.shutdown(SHUTDOWN);
    vm.start();

    assertThat(dimms(vm.xml(false))).isEqualTo(1);
    assertThat(client.domain(vm.name()).memoryStats().actualKiB()).hasValue(512 * 1024 + DIMM_KIB);
    GuestReport g = vm.probe().awaitReport("the restarted guest with the config DIMM online",
        x -> x.boot() == 2 && x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
    assertThat(g.node0MemTotalKiB()).isEqualTo(bootMemTotal + DIMM_KIB);
  }
}
