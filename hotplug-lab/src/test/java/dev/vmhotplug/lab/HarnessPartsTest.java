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
