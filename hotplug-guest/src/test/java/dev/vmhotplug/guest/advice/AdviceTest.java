package dev.vmhotplug.guest.advice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.Distro;
import dev.vmhotplug.guest.GuestRoot;
import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdviceTest {
  @TempDir Path root;

  @Test
  void ubuntuRoot_vmHotaddOnly_needsBothRulesWithEvidence() throws IOException {
    GuestRoots.ubuntu2204(root);
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(a.covered()).isFalse();
    assertThat(a.rules()).isEqualTo(RuleGenerator.generate(RuleOptions.defaults()));
    String report = a.report();
    assertThat(report).contains("CPU: NEEDS A RULE (detected)")
        .contains("40-vm-hotadd.rules:14: never reached")
        .contains("DMI sys_vendor is \"QEMU\"")
        .contains("systemd/udev version: 249.11-0ubuntu3.12 (from /var/lib/dpkg/status)")
        .contains("kernels in this image: 5.15.0-105-generic (at least one is >= 4.7")
        .contains("--- 80-cpu-hotplug.rules");
    assertThat(a.notes()).noneMatch(n -> n.contains("disagree"));
  }

  @Test
  void rhel9Root_covered_nothingToDoWithFileAndLine() {
    GuestRoots.rhel9(root);
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(a.covered()).isTrue();
    assertThat(a.rules()).isEmpty();
    assertThat(a.resources().get(0).evidence()).hasValueSatisfying(e -> assertThat(e.location()).isEqualTo("40-redhat.rules:11"));
    assertThat(a.resources().get(1).reason()).isEqualTo("memory: onlined (state=online) by 40-redhat.rules:23");
    assertThat(a.report()).contains("Nothing to do");
  }

  @Test
  void rhel8Root_memoryLeftToKernel_needsMemoryRuleOnly() {
    GuestRoots.rhel8(root);
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(a.resources().get(0).needsRule()).isFalse();
    assertThat(a.resources().get(1).needsRule()).isTrue();
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("81-mem-hotplug.rules");
  }

  @Test
  void rhel9Root_movableWanted_installsMovableRuleBeforeTheDistroRule() {
    GuestRoots.rhel9(root);
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults().withMovableMemory(true));
    assertThat(a.covered()).isFalse();
    assertThat(a.rules()).singleElement().satisfies(f -> {
      assertThat(f.fileName()).isEqualTo("39-mem-hotplug.rules");
      assertThat(f.content()).contains("ATTR{state}=\"online_movable\"");
    });
    assertThat(String.join("\n", a.notes())).contains("runs before it");
    assertThat(a.kernelAlternatives().get(1)).contains("memhp_default_state=online_movable")
        .contains("online_movable only from Linux 5.7");
  }

  @Test
  void rhel9Root_bareMetalMovableAlready_nothingToDo() {
    GuestRoots.rhel9(root);
    AdviceOptions o = new AdviceOptions(java.util.Optional.empty(), true,
        dev.vmhotplug.guest.udev.UdevEnvironment.kvmGuest().toBuilder().virt("none").build());
    Advice a = Advice.forRoot(GuestRoot.open(root), o);
    assertThat(a.covered()).isTrue();
    assertThat(a.notes()).anySatisfy(n -> assertThat(n).contains("already onlines memory as online_movable"));
  }

  @Test
  void forDistro_centos70_bothRulesAndKernelAlternative() {
    Advice a = Advice.forDistro(Distro.of("centos", "7.0"), AdviceOptions.defaults());
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    assertThat(a.kernelAlternatives().get(0)).contains("never onlines hot-added CPUs");
    assertThat(a.kernelAlternatives().get(1)).contains("memhp_default_state=online").contains("CentOS 7: 3.10");
  }

  @Test
  void forDistro_centos70WithGuideSystemd_nothingToDo() {
    Advice a = Advice.forDistro(Distro.of("centos", "7.0"), AdviceOptions.defaults().withSystemdVersion("219-19.el7_2.9"));
    assertThat(a.covered()).isTrue();
    assertThat(a.resources().get(0).reason()).contains("40-redhat.rules");
  }

  @Test
  void forDistro_unknown_installBoth() {
    Advice a = Advice.forDistro(Distro.of("plan9", "4"), AdviceOptions.defaults());
    assertThat(a.rules()).hasSize(2);
    assertThat(a.resources().get(0).reason()).isEqualTo("unknown: install both rules");
  }

  @Test
  void forDistro_suseMovable_namesRuleBefore80() {
    Advice a = Advice.forDistro(Distro.of("sles", "15.5"), AdviceOptions.defaults().withMovableMemory(true));
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("79-mem-hotplug.rules");
  }

  @Test
  void forDistro_centos70WithGuideSystemdMovable_namesTheRuleBefore40Redhat() {
    Advice a = Advice.forDistro(Distro.of("centos", "7.0"),
        AdviceOptions.defaults().withSystemdVersion("219-19.el7_2.9").withMovableMemory(true));
    // 40-redhat.rules (shipped from that systemd on) onlines memory as "online" first: an 81- rule would never match
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("39-mem-hotplug.rules");
    assertThat(String.join("\n", a.notes())).contains("40-redhat.rules onlines memory first");
  }

  @Test
  void forDistro_movableWhereTheShippedRuleDoesNotOnlineMemoryOnKvm_keepsTheDefaultNameAndClaimsNothing() {
    for (String[] d : new String[][] {{"rhel", "7.1"}, {"ubuntu", "14.04"}, {"ubuntu", "22.04"}}) {
      Advice a = Advice.forDistro(Distro.of(d[0], d[1]), AdviceOptions.defaults().withMovableMemory(true));
      assertThat(a.rules()).as("%s %s", d[0], d[1]).extracting(RuleFile::fileName).contains("81-mem-hotplug.rules");
      assertThat(a.notes()).as("%s %s", d[0], d[1]).noneMatch(n -> n.contains("onlines memory first"));
    }
  }

  @Test
  void ubuntuRoot_afterInstallingTheAdvisedRules_isCovered() throws IOException {
    GuestRoots.ubuntu2204(root);
    Advice before = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    for (RuleFile f : before.rules()) {
      GuestRoots.write(root, "/etc/udev/rules.d/" + f.fileName(), f.content());
    }
    Advice after = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(after.covered()).isTrue();
    assertThat(after.resources().get(0).evidence()).hasValueSatisfying(e ->
        assertThat(e.location()).startsWith("80-cpu-hotplug.rules:"));
    assertThat(after.resources().get(1).evidence()).hasValueSatisfying(e ->
        assertThat(e.location()).startsWith("81-mem-hotplug.rules:"));
  }

  @Test
  void rhel9Root_afterInstallingTheMovableRule_onlinesMovable() {
    GuestRoots.rhel9(root);
    AdviceOptions movable = AdviceOptions.defaults().withMovableMemory(true);
    for (RuleFile f : Advice.forRoot(GuestRoot.open(root), movable).rules()) {
      GuestRoots.write(root, "/etc/udev/rules.d/" + f.fileName(), f.content());
    }
    Advice after = Advice.forRoot(GuestRoot.open(root), movable);
    assertThat(after.covered()).isTrue();
    assertThat(after.detected().get(dev.vmhotplug.guest.udev.HotplugResource.MEMORY).onlineValue())
        .isEqualTo("online_movable");
  }

  @Test
  void rhel8Root_kernelConfigAutoOnlines_coveredByTheKernel() {
    GuestRoots.rhel8(root);
    GuestRoots.write(root, "/boot/config-4.18.0-553.el8_10.x86_64", "CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y\n");
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(a.covered()).isTrue();
    assertThat(a.resources().get(1).reason()).isEqualTo("memory: onlined (state=online) by kernel (auto_online_blocks=online)");
    assertThat(a.notes()).anySatisfy(n -> assertThat(n).isEqualTo(
        "kernel policy for hot-added memory: online (from /boot/config-4.18.0-553.el8_10.x86_64)"));
    // the caller's own setting wins when it says so
    AdviceOptions mine = AdviceOptions.defaults().withEnvironment(
        dev.vmhotplug.guest.udev.UdevEnvironment.kvmGuest(), false);
    assertThat(Advice.forRoot(GuestRoot.open(root), mine).covered()).isFalse();
  }

  @Test
  void centos65Root_withThePlatformsCpuRule_filesOverrideTheTable_memoryStillNeeded() {
    // the guide's platform image: CentOS 6.5 with a CPU online rule in /etc/udev/rules.d; stock CentOS 6 has none
    GuestRoots.write(root, "/etc/centos-release", "CentOS release 6.5 (Final)\n");
    GuestRoots.write(root, "/etc/redhat-release", "CentOS release 6.5 (Final)\n");
    GuestRoots.write(root, "/etc/udev/rules.d/99-cpu-online.rules",
        "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"\n");
    GuestRoots.write(root, "/lib/udev/rules.d/60-persistent-storage.rules", "# nothing about cpus\n");
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(a.distro().id()).isEqualTo("centos");
    assertThat(a.resources().get(0).needsRule()).isFalse();
    assertThat(a.resources().get(0).evidence()).hasValueSatisfying(e ->
        assertThat(e.location()).isEqualTo("99-cpu-online.rules:1"));
    assertThat(a.resources().get(1).needsRule()).isTrue();
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("81-mem-hotplug.rules");
    assertThat(a.notes()).anySatisfy(n -> assertThat(n)
        .contains("CPU: the image's files disagree with the knowledge table for CentOS 6.x").contains("the files decide"));
  }

  @Test
  void ubuntu1404Root_hypervRuleOnly_bothNeededOnKvm_coveredOnHyperV() {
    GuestRoots.write(root, "/etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\n");
    GuestRoots.fixture(root, "/lib/udev/rules.d", "ubuntu/40-vm-hotadd.rules");
    Advice kvm = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    assertThat(kvm.distro().versionId()).isEqualTo("14.04");
    assertThat(kvm.rules()).extracting(RuleFile::fileName).containsExactly("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    assertThat(kvm.report()).contains("40-vm-hotadd.rules:").contains("never reached");
    AdviceOptions hyperV = AdviceOptions.defaults().withEnvironment(dev.vmhotplug.guest.udev.UdevEnvironment.kvmGuest()
        .toBuilder().virt("microsoft").sysVendor("Microsoft Corporation").dmi("product_name", "Virtual Machine").build(), true);
    assertThat(Advice.forRoot(GuestRoot.open(root), hyperV).covered()).isTrue();
  }

  @Test
  void ourOwnOnlineRuleAlreadyInstalled_movableWanted_replacesItUnderTheSameName() {
    GuestRoots.write(root, "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    for (RuleFile f : RuleGenerator.generate(RuleOptions.defaults())) {
      GuestRoots.write(root, "/etc/udev/rules.d/" + f.fileName(), f.content());
    }
    Advice a = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults().withMovableMemory(true));
    assertThat(a.rules()).extracting(RuleFile::fileName).containsExactly("81-mem-hotplug.rules");
    assertThat(String.join("\n", a.notes())).contains("replaces 81-mem-hotplug.rules");
    for (RuleFile f : a.rules()) {
      GuestRoots.write(root, "/etc/udev/rules.d/" + f.fileName(), f.content());
    }
    Advice after = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults().withMovableMemory(true));
    assertThat(after.covered()).isTrue();
  }
}
