package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.rules.RuleFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the harness: cpio writer, domain XML, specs, rules, init script. */
class HarnessPartsTest {
  @TempDir Path dir;

  @Test
  void cpio_writesNewcEntriesWithParentsFirstAndATrailer() throws IOException {
    Path f = dir.resolve("a.cpio.gz");
    try (CpioWriter w = new CpioWriter(f)) {
      w.file("etc/udev/rules.d/80-x.rules", 0644, "abc\n".getBytes(StandardCharsets.UTF_8));
      w.symlink("bin/sh", "busybox");
      w.charDevice("dev/console", 0600, 5, 1);
    }
    List<String> names = new ArrayList<>();
    List<Integer> modes = new ArrayList<>();
    byte[] all;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
      all = in.readAllBytes();
    }
    int pos = 0;
    String content = null;
    while (true) {
      String h = new String(all, pos, 110, StandardCharsets.US_ASCII);
      assertThat(h).startsWith("070701");
      int mode = Integer.parseInt(h.substring(14, 22), 16);
      int size = Integer.parseInt(h.substring(54, 62), 16);
      int nameSize = Integer.parseInt(h.substring(94, 102), 16);
      String name = new String(all, pos + 110, nameSize - 1, StandardCharsets.US_ASCII);
      pos = align(pos + 110 + nameSize);
      if (name.equals("TRAILER!!!")) {
        break;
      }
      if (name.endsWith("80-x.rules")) {
        content = new String(all, pos, size, StandardCharsets.UTF_8);
      }
      names.add(name);
      modes.add(mode);
      pos = align(pos + size);
    }
    assertThat(names).containsExactly("etc", "etc/udev", "etc/udev/rules.d", "etc/udev/rules.d/80-x.rules", "bin",
        "bin/sh", "dev", "dev/console");
    assertThat(modes.get(3)).isEqualTo(0100644);
    assertThat(modes.get(5)).isEqualTo(0120777);
    assertThat(content).isEqualTo("abc\n");
  }

  private static int align(int p) {
    return (p + 3) & ~3;
  }

  @Test
  void rules_comeFromTheGenerator_noneIsEmpty_movableOnlinesMovable() {
    assertThat(GuestRuleFiles.forRules(GuestRules.NONE)).isEmpty();
    List<RuleFile> std = GuestRuleFiles.forRules(GuestRules.STANDARD);
    assertThat(std).extracting(RuleFile::fileName).containsExactly("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    assertThat(std.get(1).content()).contains("ATTR{state}=\"online\"");
    assertThat(GuestRuleFiles.forRules(GuestRules.MOVABLE).get(1).content()).contains("ATTR{state}=\"online_movable\"");
  }

  @Test
  void domainXml_preparedByHotplugPreparer_hasTheGuidesParts_andEscapesPaths() {
    DomainSpec spec = DomainSpec.builder("x").agent(true).build();
    String base = LabDomainXml.base(spec, "hp-r-x", Path.of("/k"), Path.of("/a&b/initrd"), Path.of("/l/s.log"),
        Path.of("/l/c"));
    assertThat(base).contains("<domain type='qemu'>").contains("<vcpu placement='static'>2</vcpu>")
        .contains("/a&amp;b/initrd").contains("hp.ga=1").contains("org.qemu.guest_agent.0")
        .doesNotContain("maxMemory");
    String prepared = LabDomainXml.prepare(base, spec);
    assertThat(prepared).contains("current='2'>4</vcpu>").contains("<maxMemory slots='16' unit='KiB'>2097152</maxMemory>")
        .contains("cpus='0-3'").contains("memory='524288'");
  }

  @Test
  void domainXml_topology_bootSocketsPlain_raisedSocketsPrepared() {
    DomainSpec spec = DomainSpec.builder("t").topology(1, 2, 1).vcpus(2).maxVcpus(4).build();
    String plain = LabDomainXml.base(spec, "hp-r-t", Path.of("/k"), Path.of("/i"), Path.of("/s"), Path.of("/c"));
    assertThat(plain).contains("<topology sockets='1' dies='1' cores='2' threads='1'/>")
        .contains("<vcpu placement='static'>2</vcpu>");
    String prepared = LabDomainXml.definition(spec, "hp-r-t", Path.of("/k"), Path.of("/i"), Path.of("/s"),
        Path.of("/c"));
    assertThat(spec.preparedSockets()).isEqualTo(2);
    assertThat(prepared).contains("<topology sockets='2' dies='1' cores='2' threads='1'/>")
        .contains("current='2'>4</vcpu>").contains("cpus='0-3'").doesNotContain("sockets='1'");
  }

  @Test
  void domainXml_virtioMem_oneDevicePerNode_cellsSplit_totalCountsTheDevices() {
    DomainSpec spec = DomainSpec.builder("v").numaNodes(2).virtioMem(1024).virtioMemRequestedMiB(256)
        .maxMemoryMiB(4096).build();
    String xml = LabDomainXml.definition(spec, "hp-r-v", Path.of("/k"), Path.of("/i"), Path.of("/s"), Path.of("/c"));
    assertThat(xml).contains("<maxMemory slots='16' unit='KiB'>4194304</maxMemory>")
        .contains("<memory unit='KiB'>" + (512 + 2 * 1024) * 1024 + "</memory>")
        .contains("<currentMemory unit='KiB'>524288</currentMemory>")
        .contains("<vcpu placement='static' current='2'>4</vcpu>")
        .contains("<cell id='0' cpus='0-1' memory='262144' unit='KiB'/>")
        .contains("<cell id='1' cpus='2-3' memory='262144' unit='KiB'/>")
        .contains("hp.vmem=1 memhp_default_state=online_movable");
    assertThat(xml.split("<memory model='virtio-mem'>", -1)).hasSize(3);
    assertThat(xml).contains("<node>0</node>").contains("<node>1</node>").contains("<block unit='KiB'>2048</block>")
        .contains("<requested unit='MiB'>256</requested>").contains("<size unit='MiB'>1024</size>");
    dev.vmhotplug.xml.DomainXml parsed = dev.vmhotplug.xml.DomainXml.parse(xml);
    assertThat(parsed.memoryDevices()).extracting(dev.vmhotplug.xml.MemoryDevice::model)
        .containsExactly("virtio-mem", "virtio-mem");
    assertThat(parsed.numaCells()).hasSize(2);

    String noDriver = LabDomainXml.definition(spec.toBuilder().virtioMemDriver(false)
        .extraCmdline("memhp_default_state=online").build(), "hp-r-v", Path.of("/k"), Path.of("/i"), Path.of("/s"),
        Path.of("/c"));
    assertThat(noDriver).doesNotContain("hp.vmem=1").doesNotContain("online_movable").contains("memhp_default_state=online");
  }

  @Test
  void domainSpec_topologyAndVirtioMem_badValuesRefusedWithTheField() {
    assertThatThrownBy(() -> DomainSpec.builder("x").topology(1, 2, 1).vcpus(3).build())
        .hasMessageContaining("topology 1x2x1 has 2 vCPUs but vcpus is 3");
    assertThatThrownBy(() -> DomainSpec.builder("x").topology(1, 2, 1).maxVcpus(5).build())
        .hasMessageContaining("maxVcpus 5 is not a multiple of cores x threads 2");
    assertThatThrownBy(() -> DomainSpec.builder("x").topology(0, 2, 1).build()).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> DomainSpec.builder("x").virtioMem(100).build()).hasMessageContaining("virtioMem 100");
    assertThatThrownBy(() -> DomainSpec.builder("x").virtioMem(2048).build())
        .hasMessageContaining("exceeds maxMemoryMiB 2048");
    assertThatThrownBy(() -> DomainSpec.builder("x").virtioMem(1024).virtioMemRequestedMiB(3).build())
        .hasMessageContaining("virtioMemRequestedMiB 3");
    assertThatThrownBy(() -> DomainSpec.builder("x").virtioMemRequestedMiB(2).build())
        .hasMessageContaining("without virtioMem");
    assertThatThrownBy(() -> DomainSpec.builder("x").numaNodes(2).build()).hasMessageContaining("needs virtioMem");
    assertThatThrownBy(() -> DomainSpec.builder("x").numaNodes(3).virtioMem(128).build())
        .hasMessageContaining("numaNodes 3");
    assertThatThrownBy(() -> DomainSpec.builder("x").virtioMem(128).prepared(false).build())
        .hasMessageContaining("needs a prepared domain");
  }

  @Test
  void domainSpec_badValues_refusedWithTheField() {
    assertThatThrownBy(() -> DomainSpec.builder("Bad_Name").build()).hasMessageContaining("suffix 'Bad_Name'");
    assertThatThrownBy(() -> DomainSpec.builder("x").vcpus(5).build()).hasMessageContaining("vcpus 5");
    assertThatThrownBy(() -> DomainSpec.builder("x").memoryMiB(100).build()).hasMessageContaining("memoryMiB 100");
    assertThatThrownBy(() -> DomainSpec.builder("x").extraCmdline("a;rm").build()).hasMessageContaining("extraCmdline");
    DomainSpec ok = DomainSpec.builder("x").build();
    assertThat(ok.toBuilder().build().vcpus()).isEqualTo(2);
  }

  @Test
  void initScript_reportsWithBuiltinsAndTheAgreedFields() {
    String init = GuestImage.initScript();
    assertThat(init).startsWith("#!/bin/sh").contains("node0/meminfo").contains("echo \"HP seq=$seq t=$UP $cur\"")
        .contains("< /dev/ttyS1").contains("udevadm trigger");
    // virtio-mem: the driver is loaded before udevd, after the virtio stack; the report carries it
    assertThat(init.indexOf("load_virtio virtio_mem")).isPositive().isLessThan(init.indexOf("systemd-udevd --daemon"));
    assertThat(init).contains("for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci; do")
        .contains("System RAM (virtio_mem)").contains("vmem_kb=$vm").contains("nodes_kb=$nodes");
    // ACPI power button: evdev + button, then acpid, whose action is the power-off script
    assertThat(init.indexOf("insmod /lib/modules/evdev.ko")).isLessThan(init.indexOf("insmod /lib/modules/button.ko"));
    assertThat(init).contains("acpid -f -c /etc/acpi");
    assertThat(GuestImage.resource(GuestImage.POWEROFF_RESOURCE)).startsWith("#!/bin/sh").contains("poweroff -f");
    assertThat(GuestImage.MODULES.keySet()).containsExactly("virtio_ring", "virtio", "virtio_pci_modern_dev",
        "virtio_pci_legacy_dev", "virtio_pci", "virtio_console", "virtio_mem", "evdev", "button");
  }

  @Test
  void vmlabTable_matchesTheGuide() {
    assertThat(LabIt.table(4, 4, 2, 3)).isEqualTo(
        "maximum      config         4\nmaximum      live           4\ncurrent      config         2\ncurrent      live           3"
            .replace("\n", System.lineSeparator()));
  }
}
