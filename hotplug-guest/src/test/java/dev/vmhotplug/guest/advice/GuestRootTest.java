package dev.vmhotplug.guest.advice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.GuestRoot;
import dev.vmhotplug.guest.UdevRulesReader;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestRootTest {
  @TempDir Path root;

  @Test
  void ubuntuRoot_absoluteLinksResolvedInsideRoot_andNothingWritten() throws IOException {
    GuestRoots.ubuntu2204(root);
    Map<String, String> before = GuestRoots.snapshot(root);
    GuestRoot g = GuestRoot.open(root);
    assertThat(g.distro().id()).isEqualTo("ubuntu");
    assertThat(g.distro().versionId()).isEqualTo("22.04");
    assertThat(g.resolve("/lib/udev/rules.d")).contains(root.toRealPath().resolve("usr/lib/udev/rules.d"));
    List<UdevRuleFile> rules = g.udevRules();
    assertThat(rules).extracting(UdevRuleFile::name).containsExactly("40-vm-hotadd.rules");
    assertThat(g.dpkgVersion("systemd")).contains("249.11-0ubuntu3.12");
    assertThat(g.kernelVersions()).containsExactly("5.15.0-105-generic");
    assertThat(GuestRoots.snapshot(root)).isEqualTo(before);
  }

  @Test
  void linkPointingOutOfTheRoot_staysInsideTheRoot() throws IOException {
    GuestRoots.rhel9(root);
    Files.createDirectories(root.resolve("etc/udev/rules.d"));
    // an absolute link to the HOST's /etc/hostname must resolve to ROOT/etc/hostname (absent)
    Files.createSymbolicLink(root.resolve("etc/udev/rules.d/50-host.rules"), Path.of("/etc/hostname"));
    GuestRoot g = GuestRoot.open(root);
    List<UdevRuleFile> rules = g.udevRules();
    assertThat(rules).extracting(UdevRuleFile::name).containsExactly("40-redhat.rules", "50-host.rules");
    assertThat(rules.get(1).rules()).isEmpty();
    assertThat(rules.get(1).problems().get(0).message()).contains("cannot read /etc/udev/rules.d/50-host.rules");
  }

  @Test
  void etcOverridesAndMasksSameName() throws IOException {
    GuestRoots.rhel9(root);
    GuestRoots.write(root, "/etc/udev/rules.d/40-redhat.rules", "# emptied by the admin\n");
    GuestRoot g = GuestRoot.open(root);
    List<UdevRuleFile> rules = g.udevRules();
    assertThat(rules).singleElement().satisfies(f -> assertThat(f.path()).isEqualTo("/etc/udev/rules.d/40-redhat.rules"));
    Map<HotplugResource, UdevVerdict> v = UdevRulesReader.evaluate(rules, UdevEnvironment.kvmGuest());
    assertThat(v.get(HotplugResource.CPU).status()).isEqualTo(UdevVerdict.Status.DOES_NOT_ONLINE);

    Files.delete(root.resolve("etc/udev/rules.d/40-redhat.rules"));
    Files.createSymbolicLink(root.resolve("etc/udev/rules.d/40-redhat.rules"), Path.of("/dev/null"));
    GuestRoot g2 = GuestRoot.open(root);
    assertThat(g2.udevRules()).isEmpty();
    assertThat(g2.notes()).anySatisfy(n -> assertThat(n).contains("masked by /etc/udev/rules.d/40-redhat.rules -> /dev/null"));
  }

  @Test
  void filesSortedByNameAcrossDirectories() {
    GuestRoots.fixture(root, "/usr/lib/udev/rules.d", "kexec/98-kexec.rules");
    GuestRoots.fixture(root, "/etc/udev/rules.d", "guide/81-mem-hotplug.rules");
    GuestRoots.fixture(root, "/lib/udev/rules.d", "rhel7.2/40-redhat.rules");
    GuestRoots.write(root, "/run/udev/rules.d/60-x.rules", "KERNEL==\"x\", MODE=\"0600\"\n");
    assertThat(GuestRoot.open(root).udevRules()).extracting(UdevRuleFile::name)
        .containsExactly("40-redhat.rules", "60-x.rules", "81-mem-hotplug.rules", "98-kexec.rules");
  }

  @Test
  void rulesDirThatIsAFile_cannotTellNotSilentlyMissing() {
    GuestRoots.write(root, "/etc/udev/rules.d", "not a dir");
    GuestRoot g = GuestRoot.open(root);
    Map<HotplugResource, UdevVerdict> v = UdevRulesReader.evaluate(g.udevRules(), UdevEnvironment.kvmGuest());
    assertThat(v.get(HotplugResource.CPU).status()).isEqualTo(UdevVerdict.Status.CANNOT_TELL);
    assertThat(v.get(HotplugResource.CPU).reasons().get(0)).contains("cannot read /etc/udev/rules.d: it is not a directory");
  }

  @Test
  void hugeRulesFile_readCappedAndSaysSo() throws IOException {
    Path f = root.resolve("usr/lib/udev/rules.d/10-huge.rules");
    Files.createDirectories(f.getParent());
    Files.write(f, new byte[GuestRoot.MAX_BYTES * 2]);
    GuestRoot g = GuestRoot.open(root);
    List<UdevRuleFile> rules = g.udevRules();
    assertThat(rules.get(0).truncated()).isTrue();
    assertThat(g.notes()).anySatisfy(n -> assertThat(n).contains("larger than 1 MiB"));
  }

  @Test
  void open_missingOrFile_refusedWithWhatToDo() throws IOException {
    assertThatThrownBy(() -> GuestRoot.open(root.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist").hasMessageContaining("guestmount");
    Path file = Files.writeString(root.resolve("disk.img"), "x");
    assertThatThrownBy(() -> GuestRoot.open(file))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory");
  }

  @Test
  void linkLoop_isANoteNotAHang() throws IOException {
    Files.createDirectories(root.resolve("etc"));
    Files.createSymbolicLink(root.resolve("etc/os-release"), Path.of("/etc/os-release"));
    GuestRoot g = GuestRoot.open(root);
    assertThat(g.distro().id()).isEqualTo("unknown");
    assertThat(g.notes()).anySatisfy(n -> assertThat(n).contains("symbolic links (a loop?)"));
  }

  @Test
  void kernelMemoryPolicy_fromConfigCmdlineOrDisagreement() throws IOException {
    GuestRoot empty = GuestRoot.open(root);
    assertThat(empty.kernelMemoryPolicy()).isEmpty();
    GuestRoots.write(root, "/boot/config-4.18.0-553.el8_10.x86_64", "CONFIG_MEMORY_HOTPLUG=y\nCONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y\n");
    assertThat(GuestRoot.open(root).kernelMemoryPolicy()).hasValueSatisfying(p -> {
      assertThat(p.value()).isEqualTo("online");
      assertThat(p.source()).isEqualTo("/boot/config-4.18.0-553.el8_10.x86_64");
    });
    GuestRoots.write(root, "/boot/config-3.10.0-1160.el7.x86_64", "# CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE is not set\n");
    GuestRoot both = GuestRoot.open(root);
    assertThat(both.kernelMemoryPolicy()).isEmpty();
    assertThat(both.notes()).anySatisfy(n -> assertThat(n).contains("kernels disagree"));
    GuestRoots.write(root, "/etc/default/grub", "# GRUB_CMDLINE_LINUX=\"memhp_default_state=offline\"\n"
        + "GRUB_CMDLINE_LINUX=\"crashkernel=auto memhp_default_state=online_movable rhgb\"\n");
    assertThat(GuestRoot.open(root).kernelMemoryPolicy()).hasValueSatisfying(p ->
        assertThat(p.value()).isEqualTo("online_movable"));
  }
}
