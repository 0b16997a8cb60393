package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: the daemon answers, a guest boots and reports what it sees. */
class LabSmokeIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static LabDomain vm;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("smoke").build());
  }

  @Test
  void firstReport_showsTwoCpusAndUdevRunning() {
    GuestReport r = vm.probe().latest().orElseThrow();
    assertThat(r.cpusOnline()).isEqualTo("0-1");
    assertThat(r.processorCount()).isEqualTo(2);
    assertThat(r.udevdRunning()).isTrue();
    assertThat(r.blocksOffline()).isEmpty();
    assertThat(r.node0MemTotalKiB()).isBetween(300_000L, 524_288L);
  }

  @Test
  void info_namesTheGeneratedRulesAndTheBlockSize() {
    String info = vm.probe().info().orElseThrow();
    assertThat(info).contains("rules=80-cpu-hotplug.rules,81-mem-hotplug.rules")
        .contains("block_size_bytes=0x8000000").contains("auto_online_blocks=offline");
  }

  @Test
  void commandChannel_answersZones() {
    List<String> out = vm.command("zones", Duration.ofSeconds(30));
    assertThat(out).anyMatch(l -> l.startsWith("HPZONE memory0 online"));
  }

  @Test
  void daemon_listensOnLoopbackTlsWithTheRunsCertificate_andOnNoPlainTcp() throws Exception {
    Virsh tls = new Virsh(LAB.lab().daemon().tlsUri(), Duration.ofSeconds(60));
    assertThat(tls.call("list", "--name")).contains(vm.name());
    String conf = java.nio.file.Files.readString(LabPaths.stateDir().resolve("libvirtd.conf"));
    assertThat(conf).contains("listen_tcp = 0").contains("auth_tls = \"none\"").contains("ca_file")
        .doesNotContain("auth_tcp");
    Virsh wrongCa = new Virsh(LAB.lab().daemon().tlsUri().replaceFirst("pkipath=.*$",
        "pkipath=" + LAB.lab().daemon().pki().wrongCaClientDir()), Duration.ofSeconds(60));
    assertThat(wrongCa.run("list", "--name").ok()).isFalse();
  }

  @Test
  void preparedXml_hasTheGuidesVcpuMaxMemoryAndNumaCell() {
    String live = vm.xml(false);
    assertThat(live).contains("<vcpu placement='static' current='2'>4</vcpu>")
        .contains("<maxMemory slots='16' unit='KiB'>2097152</maxMemory>")
        .contains("<cell id='0' cpus='0-3' memory='524288' unit='KiB'/>")
        .contains("<domain type='qemu'");
  }
}
