package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.CpuTopology;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow without leaving the SDK, on libvirt's test driver: prepare a domain with a CPU
 * topology (1 socket × 2 cores: the sockets are raised), {@code thenColdBoot()}, hot-add vCPUs.
 * On real QEMU: hotplug-lab's TopologyIT.
 */
class PrepareThenColdBootTest {
  @TempDir Path dir;

  private String node() throws Exception {
    Path f = dir.resolve("topo-node.xml");
    Files.writeString(f, "<?xml version='1.0'?>\n<node>\n"
        + "  <domain type='test'>\n    <name>topo</name>\n"
        + "    <memory unit='MiB'>1024</memory>\n    <currentMemory unit='MiB'>1024</currentMemory>\n"
        + "    <vcpu placement='static'>2</vcpu>\n"
        + "    <os><type arch='x86_64'>hvm</type></os>\n"
        + "    <cpu><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>\n"
        + "  </domain>\n</node>\n");
    return "test://" + f.toAbsolutePath();
  }

  @Test
  void prepareThenColdBoot_socketsRaised_bootsTheNewDefinition_thenHotAddToFour() throws Exception {
    try (HotplugClient c = HotplugClient.builder().pollInterval(Duration.ofMillis(10)).connect(node())) {
      DomainHandle d = c.domain("topo");
      PrepareResult p = d.prepare(HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofGiB(4)).slots(4).build());
      assertThat(p.coldBootNeeded()).isTrue();
      CpuTopology t = DomainXml.parse(d.xml(true)).topology().orElseThrow();
      assertThat(t.sockets()).isEqualTo(2);
      assertThat(t.cores()).isEqualTo(2);
      assertThat(d.vcpuCount().maximumLive()).hasValue(2);

      ColdBootResult r = p.thenColdBoot().shutdownTimeout(Duration.ofSeconds(30)).apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
      assertThat(d.vcpuCount().maximumLive()).hasValue(4);
      VcpuResult v = d.vcpus().set(4).live().apply();
      assertThat(v.after().currentLive()).hasValue(4);

      // prepared already: the fluent cold boot is skipped and touches nothing
      ColdBootResult again = d.prepare(HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofGiB(4)).slots(4)
          .build()).thenColdBoot().apply();
      assertThat(again.outcome()).isEqualTo(ColdBootResult.Outcome.SKIPPED);
      assertThat(d.vcpuCount().currentLive()).hasValue(4);
    }
  }
}
