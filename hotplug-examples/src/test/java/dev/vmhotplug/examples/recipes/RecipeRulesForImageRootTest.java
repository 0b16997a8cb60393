package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.Advice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe RulesForImageRoot on guest roots built in temp directories. */
class RecipeRulesForImageRootTest {
  /** Ubuntu's /lib/udev/rules.d/40-vm-hotadd.rules: onlines only on Hyper-V and Xen, not on KVM. */
  static final String UBUNTU_VM_HOTADD = """
      ATTR{[dmi/id]sys_vendor}=="Microsoft Corporation", ATTR{[dmi/id]product_name}=="Virtual Machine", GOTO="vm_hotadd_apply"
      ATTR{[dmi/id]sys_vendor}=="Xen", GOTO="vm_hotadd_apply"
      GOTO="vm_hotadd_end"
      LABEL="vm_hotadd_apply"
      SUBSYSTEM=="memory", ACTION=="add", DEVPATH=="/devices/system/memory/memory[0-9]*", TEST=="state", ATTR{state}!="online", ATTR{state}="online"
      SUBSYSTEM=="cpu", ACTION=="add", DEVPATH=="/devices/system/cpu/cpu[0-9]*", TEST=="online", ATTR{online}!="1", ATTR{online}="1"
      LABEL="vm_hotadd_end"
      """;

  @TempDir Path root;
  @TempDir Path outside;

  static void write(Path root, String guestPath, String content) throws IOException {
    Path p = root.resolve(guestPath.substring(1));
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  static void debian12(Path root) throws IOException {
    write(root, "/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
        + "VERSION_ID=\"12\"\nID=debian\n");
    write(root, "/etc/debian_version", "12.8\n");
    write(root, "/var/lib/dpkg/status", "Package: udev\nStatus: install ok installed\nVersion: 252.31-1~deb12u1\n\n");
    write(root, "/usr/lib/udev/rules.d/99-systemd.rules", "SUBSYSTEM==\"net\", KERNEL!=\"lo\", TAG+=\"systemd\"\n");
  }

  @Test
  void debian12WithoutRules_write_installsBothRules_nowCovered() throws IOException {
    debian12(root);
    RecipeNodes.Out out = new RecipeNodes.Out();

    Advice after = RulesForImageRoot.run(root, true, out.stream);

    assertThat(after.covered()).isTrue();
    assertThat(root.resolve("etc/udev/rules.d/80-cpu-hotplug.rules")).content()
        .contains("SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"");
    assertThat(root.resolve("etc/udev/rules.d/81-mem-hotplug.rules")).content()
        .contains("ATTR{state}=\"online\"");
    assertThat(out.text())
        .contains("debian")
        .contains("NEEDS A RULE  CPU: NOT onlined").contains("NEEDS A RULE  memory: NOT onlined")
        .contains("wrote /etc/udev/rules.d/80-cpu-hotplug.rules")
        .contains("now: ").contains("80-cpu-hotplug.rules:");
  }

  @Test
  void debian12WithoutWrite_onlyReports_nothingWritten() throws IOException {
    debian12(root);
    RecipeNodes.Out out = new RecipeNodes.Out();

    Advice advice = RulesForImageRoot.run(root, false, out.stream);

    assertThat(advice.covered()).isFalse();
    assertThat(root.resolve("etc/udev/rules.d")).doesNotExist();
    assertThat(out.text()).contains("run with --write to install 2 rule file(s)");
  }

  @Test
  void ubuntuWithHyperVOnlyRules_needsBoth_thenCoveredAfterWrite_secondRunInstallsNothing() throws Exception {
    write(root, "/etc/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n");
    write(root, "/usr/lib/udev/rules.d/40-vm-hotadd.rules", UBUNTU_VM_HOTADD);

    String first = RecipeNodes.captureMain(() -> RulesForImageRoot.main(new String[] {root.toString(), "--write"}));
    String second = RecipeNodes.captureMain(() -> RulesForImageRoot.main(new String[] {root.toString(), "--write"}));

    assertThat(first).contains("ubuntu").contains("NEEDS A RULE  CPU:").contains("wrote /etc/udev/rules.d/");
    assertThat(second).contains("covered       CPU: onlined").contains("covered       memory: onlined").contains("nothing to install")
        .doesNotContain("wrote");
  }

  @Test
  void rulesDirLinkedOutOfTheRoot_refused_nothingWrittenOutside() throws IOException {
    debian12(root);
    Files.createDirectories(root.resolve("etc"));
    Files.createSymbolicLink(root.resolve("etc/udev"), outside);

    assertThatThrownBy(() -> RulesForImageRoot.run(root, true, new RecipeNodes.Out().stream))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("leads outside the guest root");
    try (var files = Files.walk(outside)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void missingRoot_refusedWithThePath() {
    Path missing = root.resolve("not-mounted");

    assertThatThrownBy(() -> RulesForImageRoot.run(missing, true, new RecipeNodes.Out().stream))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not-mounted");
  }
}
