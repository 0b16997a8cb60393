package dev.vmhotplug.guest.udev;

import static dev.vmhotplug.guest.udev.HotplugResource.CPU;
import static dev.vmhotplug.guest.udev.HotplugResource.MEMORY;
import static dev.vmhotplug.guest.udev.RuleFixtures.eval;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import dev.vmhotplug.guest.udev.UdevVerdict.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdevEvaluatorTest {

  private static final UdevEnvironment KVM = UdevEnvironment.kvmGuest();

  @Test
  void rhel72_kvm_onlinesBothWithFileAndLine() {
    UdevVerdict cpu = eval(CPU, "rhel7.2/40-redhat.rules");
    UdevVerdict mem = eval(MEMORY, "rhel7.2/40-redhat.rules");
    assertThat(cpu.status()).isEqualTo(Status.ONLINES);
    assertThat(cpu.onlineValue()).isEqualTo("1");
    assertThat(cpu.evidence().get(0).location()).isEqualTo("40-redhat.rules:6");
    assertThat(mem.status()).isEqualTo(Status.ONLINES);
    assertThat(mem.onlineValue()).isEqualTo("online");
    assertThat(mem.summary()).isEqualTo("memory: onlined (state=online) by 40-redhat.rules:9");
  }

  @Test
  void rhel72_s390x_memoryRuleDoesNotApply() {
    UdevEnvironment s390 = KVM.toBuilder().arch("s390x").build();
    UdevVerdict mem = eval(s390, MEMORY, "rhel7.2/40-redhat.rules");
    assertThat(mem.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(mem.explanations()).anySatisfy(e -> assertThat(e.message())
        .contains("RESULT!=\"s390*\" is false: the PROGRAM printed \"s390x\""));
  }

  @Test
  void rhel74_cpuRuleInItsOwnFile_isFound() {
    UdevVerdict cpu = eval(CPU, "rhel7.4/40-redhat.rules", "rhel7.4/40-redhat-cpu-hotplug.rules");
    assertThat(cpu.evidence().get(0).location()).isEqualTo("40-redhat-cpu-hotplug.rules:6");
  }

  @Test
  void rhel77_kvm_memoryOnlineThroughEnvAndGotoLogic() {
    UdevVerdict mem = eval(MEMORY, "rhel7.7/40-redhat.rules", "rhel7.7/40-redhat-cpu-hotplug.rules");
    assertThat(mem.status()).isEqualTo(Status.ONLINES);
    assertThat(mem.onlineValue()).isEqualTo("online");
    assertThat(mem.evidence().get(0).location()).isEqualTo("40-redhat.rules:14");
    assertThat(mem.explanations()).anySatisfy(e -> assertThat(e.toString())
        .startsWith("40-redhat.rules:9: does not jump: RESULT==\"s390*\" is false"));
  }

  @Test
  void rhel77_bareMetal_detectVirtFailsSoMemoryStaysPlainOnline() {
    // systemd-detect-virt exits non-zero when it finds no virtualization, so PROGRAM fails and
    // ENV{.state} keeps "online" (the SUSE bug bsc#1076696 is the same effect).
    UdevVerdict mem = eval(KVM.toBuilder().virt("none").build(), MEMORY, "rhel7.7/40-redhat.rules");
    assertThat(mem.onlineValue()).isEqualTo("online");
    assertThat(mem.explanations()).anySatisfy(e -> assertThat(e.message()).contains("exits with failure"));
  }

  @Test
  void rhel76_oneLineGuard_cpuEventFallsThroughButOnlinesNothing_memoryOnlined() {
    UdevVerdict mem = eval(MEMORY, "rhel7.6/40-redhat.rules");
    assertThat(mem.status()).isEqualTo(Status.ONLINES);
    assertThat(mem.evidence().get(0).location()).isEqualTo("40-redhat.rules:10");
    UdevVerdict cpu = eval(CPU, "rhel7.6/40-redhat.rules");
    assertThat(cpu.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    // a memory "online" event is not jumped over either (SUBSYSTEM!="memory" is false)
    UdevVerdict memAgain = eval(KVM.toBuilder().virt("none").build(), MEMORY, "rhel7.6/40-redhat.rules");
    assertThat(memAgain.explanations()).anySatisfy(e -> assertThat(e.toString()).startsWith(
        "40-redhat.rules:5: does not jump: SUBSYSTEM!=\"memory\" is false"));
  }

  @Test
  void rhel8_kernelDoesNotAutoOnline_memoryLeftToKernelSoNotOnlined() {
    UdevVerdict mem = eval(MEMORY, "rhel8/40-redhat.rules");
    assertThat(mem.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(mem.explanations()).anySatisfy(e -> assertThat(e.toString()).isEqualTo(
        "40-redhat.rules:13: applies: jumps to LABEL=\"memory_hotplug_end\" at line 19 (because"
            + " ATTRS{auto_online_blocks}==\"offline\" holds: the parent's auto_online_blocks is \"offline\")"));
    assertThat(mem.explanations()).anySatisfy(e -> assertThat(e.toString()).isEqualTo(
        "40-redhat.rules:17: never reached: 40-redhat.rules:13 GOTO=\"memory_hotplug_end\" jumps over it"));
    assertThat(mem.reasons()).anySatisfy(r -> assertThat(r).contains("memhp_default_state=online"));
    assertThat(eval(CPU, "rhel8/40-redhat.rules").status()).isEqualTo(Status.ONLINES);
  }

  @Test
  void rhel8_autoOnlineBlocksUnknown_cannotTellAndNamesTheLine() {
    UdevVerdict mem = eval(KVM.toBuilder().autoOnlineBlocks(null).build(), MEMORY, "rhel8/40-redhat.rules");
    assertThat(mem.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(String.join("\n", mem.reasons())).contains("40-redhat.rules:13").contains("auto_online_blocks");
  }

  @Test
  void kernelAutoOnlines_memoryOnlineBeforeUdev_evidenceIsTheKernel() {
    UdevEnvironment auto = KVM.toBuilder().autoOnlineBlocks("online").build();
    for (String f : List.of("rhel8/40-redhat.rules", "ubuntu/40-vm-hotadd.rules")) {
      UdevVerdict mem = eval(auto, MEMORY, f);
      assertThat(mem.status()).as(f).isEqualTo(Status.ONLINES);
      assertThat(mem.summary()).as(f).isEqualTo("memory: onlined (state=online) by kernel (auto_online_blocks=online)");
    }
    // with no rules at all the kernel policy alone decides
    assertThat(UdevEvaluator.evaluate(List.of(), auto, MEMORY).status()).isEqualTo(Status.ONLINES);
    assertThat(UdevEvaluator.evaluate(List.of(), auto, CPU).status()).isEqualTo(Status.DOES_NOT_ONLINE);
  }

  @Test
  void rhel9AndRhel10_kvm_onlineBoth_bareMetalMovable() {
    for (String f : List.of("rhel9/40-redhat.rules", "rhel10/40-redhat-hotplug.rules")) {
      assertThat(eval(CPU, f).status()).as(f).isEqualTo(Status.ONLINES);
      assertThat(eval(MEMORY, f).onlineValue()).as(f).isEqualTo("online");
      assertThat(eval(KVM.toBuilder().virt("none").build(), MEMORY, f).onlineValue()).as(f).isEqualTo("online_movable");
    }
    assertThat(eval(CPU, "rhel10/40-redhat-hotplug.rules").evidence().get(0).location())
        .isEqualTo("40-redhat-hotplug.rules:11");
  }

  @Test
  void rhel9_ppc64le_cpuRuleJumpedOver() {
    UdevVerdict cpu = eval(KVM.toBuilder().arch("ppc64le").build(), CPU, "rhel9/40-redhat.rules");
    assertThat(cpu.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(cpu.explanations()).anySatisfy(e -> assertThat(e.toString())
        .startsWith("40-redhat.rules:11: never reached: 40-redhat.rules:8 GOTO=\"cpu_online_end\""));
  }

  @Test
  void ubuntuVmHotadd_kvm_neverReachedBecauseOfDmiVendor() {
    UdevVerdict cpu = eval(CPU, "ubuntu/40-vm-hotadd.rules");
    UdevVerdict mem = eval(MEMORY, "ubuntu/40-vm-hotadd.rules");
    assertThat(cpu.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(mem.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(cpu.explanations()).singleElement().satisfies(e -> {
      assertThat(e.location()).isEqualTo("40-vm-hotadd.rules:14");
      assertThat(e.message()).isEqualTo("never reached: 40-vm-hotadd.rules:6 GOTO=\"vm_hotadd_end\" jumps over it;"
          + " the way in needs line 4: ATTR{[dmi/id]sys_vendor}==\"Microsoft Corporation\" is false:"
          + " DMI sys_vendor is \"QEMU\" or line 5: ATTR{[dmi/id]sys_vendor}==\"Xen\" is false: DMI sys_vendor is \"QEMU\"");
    });
  }

  @Test
  void ubuntuVmHotadd_hyperVAndXen_onlineBoth() {
    UdevEnvironment hyperv = KVM.toBuilder().virt("microsoft").sysVendor("Microsoft Corporation")
        .dmi("product_name", "Virtual Machine").build();
    assertThat(eval(hyperv, CPU, "ubuntu/40-vm-hotadd.rules").evidence().get(0).location())
        .isEqualTo("40-vm-hotadd.rules:14");
    assertThat(eval(hyperv, MEMORY, "ubuntu/40-vm-hotadd.rules").evidence().get(0).location())
        .isEqualTo("40-vm-hotadd.rules:11");
    UdevEnvironment xen = KVM.toBuilder().virt("xen").sysVendor("Xen").build();
    assertThat(eval(xen, CPU, "ubuntu/40-vm-hotadd.rules").status()).isEqualTo(Status.ONLINES);
  }

  @Test
  void ubuntuVmHotadd_dmiVendorUnknown_cannotTell() {
    UdevVerdict cpu = eval(KVM.toBuilder().sysVendor(null).build(), CPU, "ubuntu/40-vm-hotadd.rules");
    assertThat(cpu.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(String.join(" ", cpu.reasons())).contains("DMI sys_vendor is not known");
  }

  @Test
  void suse_kvm_onlinesBoth_zvmMemoryNot() {
    assertThat(eval(CPU, "suse/80-hotplug-cpu-mem.rules").evidence().get(0).location())
        .isEqualTo("80-hotplug-cpu-mem.rules:8");
    UdevVerdict mem = eval(MEMORY, "suse/80-hotplug-cpu-mem.rules");
    assertThat(mem.status()).isEqualTo(Status.ONLINES);
    assertThat(mem.evidence().get(0).location()).isEqualTo("80-hotplug-cpu-mem.rules:19");
    UdevVerdict zvm = eval(KVM.toBuilder().arch("s390x").virt("zvm").build(), MEMORY, "suse/80-hotplug-cpu-mem.rules");
    assertThat(zvm.status()).isEqualTo(Status.DOES_NOT_ONLINE);
  }

  @Test
  void kexec_cpuAdd_runsProgramButOnlinesNothing() {
    UdevVerdict cpu = eval(CPU, "kexec/98-kexec.rules");
    assertThat(cpu.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(cpu.explanations()).extracting(RuleExplanation::toString).containsExactly(
        "98-kexec.rules:3: matches the add event and runs PROGRAM=\"/bin/systemctl try-restart kdump.service\" but onlines nothing",
        "98-kexec.rules:4: does not apply: ACTION==\"remove\" is false: the event is \"add\"");
  }

  @Test
  void kexecPlusRedhat_cpuStillOnlinedByRedhat() {
    UdevVerdict cpu = eval(CPU, "kexec/98-kexec.rules", "rhel7.2/40-redhat.rules");
    assertThat(cpu.evidence().get(0).location()).isEqualTo("40-redhat.rules:6");
  }

  @Test
  void customRunEcho_probablyOnlines() {
    UdevVerdict cpu = eval(CPU, "custom/85-run-online.rules");
    UdevVerdict mem = eval(MEMORY, "custom/85-run-online.rules");
    assertThat(cpu.status()).isEqualTo(Status.PROBABLY_ONLINES);
    assertThat(cpu.covered()).isTrue();
    assertThat(mem.status()).isEqualTo(Status.PROBABLY_ONLINES);
    assertThat(mem.onlineValue()).isEqualTo("online");
    assertThat(mem.summary()).contains("probably").contains("85-run-online.rules:3");
  }

  @Test
  void customRunScript_cannotTellAndSaysWhy() {
    UdevVerdict mem = eval(MEMORY, "custom/86-run-script.rules");
    assertThat(mem.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(mem.summary()).contains("86-run-script.rules:2").contains("/usr/local/sbin/online-memory.sh");
  }

  @Test
  void guideRules_asciiForm_onlineBoth() {
    assertThat(eval(CPU, "guide/80-cpu-hotplug.rules", "guide/81-mem-hotplug.rules").status()).isEqualTo(Status.ONLINES);
    assertThat(eval(MEMORY, "guide/80-cpu-hotplug.rules", "guide/81-mem-hotplug.rules").evidence().get(0).location())
        .isEqualTo("81-mem-hotplug.rules:1");
  }

  @Test
  void guideRule_asPrintedWithTypographicQuotes_isNotARuleAndSaysSo() {
    UdevVerdict cpu = eval(CPU, "guide/80-cpu-hotplug-as-printed.rules");
    assertThat(cpu.covered()).isFalse();
    assertThat(cpu.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(cpu.reasons().get(0)).contains("80-cpu-hotplug-as-printed.rules:1").contains("typographic quote");
  }

  @Test
  void generatedRules_fromRuleGenerator_onlineBoth() {
    for (boolean movable : new boolean[] {false, true}) {
      List<UdevRuleFile> files = new ArrayList<>();
      for (RuleFile f : RuleGenerator.generate(RuleOptions.builder().movableMemory(movable).build())) {
        UdevRuleFile parsed = UdevRulesParser.parse(f.fileName(), f.fileName(), f.content());
        assertThat(parsed.problems()).isEmpty();
        files.add(parsed);
      }
      UdevVerdict cpu = UdevEvaluator.evaluate(files, KVM, CPU);
      UdevVerdict mem = UdevEvaluator.evaluate(files, KVM, MEMORY);
      assertThat(cpu.status()).isEqualTo(Status.ONLINES);
      assertThat(cpu.evidence().get(0).location()).startsWith("80-cpu-hotplug.rules:");
      assertThat(mem.status()).isEqualTo(Status.ONLINES);
      assertThat(mem.onlineValue()).isEqualTo(movable ? "online_movable" : "online");
    }
  }

  @Test
  void unknownProgramGuardingTheRule_cannotTellAndNamesTheLine() {
    UdevRuleFile f = UdevRulesParser.parse("70-x.rules", "70-x.rules",
        "PROGRAM=\"/usr/bin/is-special\", GOTO=\"x_end\"\n"
            + "SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1\"\n"
            + "LABEL=\"x_end\"\n");
    UdevVerdict cpu = UdevEvaluator.evaluate(List.of(f), KVM, CPU);
    assertThat(cpu.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(String.join(" ", cpu.reasons())).contains("70-x.rules:1").contains("/usr/bin/is-special");
  }

  @Test
  void unknownConditionThatDoesNotChangeTheAnswer_stillDefinite() {
    UdevRuleFile f = UdevRulesParser.parse("70-x.rules", "70-x.rules",
        "PROGRAM=\"/usr/bin/is-special\", GOTO=\"x_end\"\n"
            + "LABEL=\"x_end\"\n"
            + "SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1\"\n");
    UdevVerdict cpu = UdevEvaluator.evaluate(List.of(f), KVM, CPU);
    assertThat(cpu.status()).isEqualTo(Status.ONLINES);
    assertThat(cpu.reasons()).anySatisfy(r -> assertThat(r).contains("whatever the unknown conditions are"));
  }

  @Test
  void laterRuleWritesOffline_cpuEndsOffline() {
    UdevRuleFile a = UdevRulesParser.parse("40-a.rules", "40-a.rules",
        "SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1\"\n");
    UdevRuleFile b = UdevRulesParser.parse("99-b.rules", "99-b.rules",
        "SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}==\"1\", ATTR{online}=\"0\"\n");
    assertThat(UdevEvaluator.evaluate(List.of(a, b), KVM, CPU).status()).isEqualTo(Status.DOES_NOT_ONLINE);
  }

  @Test
  void valueFromUnknownAttribute_cannotTell() {
    UdevRuleFile f = UdevRulesParser.parse("70-x.rules", "70-x.rules",
        "SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}=\"$attr{valid_zones}\"\n");
    UdevVerdict mem = UdevEvaluator.evaluate(List.of(f), KVM, MEMORY);
    assertThat(mem.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(mem.summary()).contains("cannot compute");
  }

  @Test
  void manyUnknownGotos_cappedAndCannotTell() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append("PROGRAM=\"/usr/bin/p").append(i).append("\", GOTO=\"l").append(i).append("\"\n");
      sb.append("SUBSYSTEM==\"cpu\", ATTR{online}=\"").append(i % 2).append("\"\n");
      sb.append("LABEL=\"l").append(i).append("\"\n");
    }
    UdevVerdict cpu = UdevEvaluator.evaluate(List.of(UdevRulesParser.parse("50-m.rules", "50-m.rules", sb.toString())), KVM, CPU);
    assertThat(cpu.status()).isEqualTo(Status.CANNOT_TELL);
    assertThat(cpu.reasons().get(0)).contains("more than " + UdevEvaluator.MAX_PATHS);
  }

  @Test
  void noRulesAtAll_doesNotOnline() {
    UdevVerdict cpu = UdevEvaluator.evaluate(List.of(), KVM, CPU);
    assertThat(cpu.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(cpu.summary()).isEqualTo("CPU: NOT onlined: no rule writes online on a hot-add event on this machine");
  }

  @Test
  void kernelDriverTestModeAndGlobAlternatives_evaluated() {
    UdevRuleFile f = UdevRulesParser.parse("60-g.rules", "60-g.rules",
        "KERNEL==\"memory*|cpu[1-9]*\", DRIVER==\"processor\", TEST{0200}==\"online\", SUBSYSTEMS==\"cpu\","
            + " KERNELS==\"cpu\", ATTR{online}=\"1\"\n"
            + "KERNEL==\"memory[!a-z]*\", DRIVER==\"\", ENV{SUBSYSTEM}==\"memory\", ATTR{state}=\"online_kernel\"\n");
    UdevVerdict cpu = UdevEvaluator.evaluate(List.of(f), KVM, CPU);
    assertThat(cpu.status()).isEqualTo(Status.ONLINES);
    assertThat(cpu.evidence().get(0).location()).isEqualTo("60-g.rules:1");
    UdevVerdict mem = UdevEvaluator.evaluate(List.of(f), KVM, MEMORY);
    assertThat(mem.onlineValue()).isEqualTo("online_kernel");
    UdevVerdict cpu0 = UdevEvaluator.evaluate(List.of(f), KVM.toBuilder().cpuNumber(10).build(), CPU);
    assertThat(cpu0.status()).isEqualTo(Status.ONLINES);
    UdevRuleFile g = UdevRulesParser.parse("61-g.rules", "61-g.rules",
        "KERNEL==\"cpu[3-9]\", ATTR{online}=\"1\"\n");
    UdevVerdict cpu2 = UdevEvaluator.evaluate(List.of(g), KVM, CPU);
    assertThat(cpu2.status()).isEqualTo(Status.DOES_NOT_ONLINE);
    assertThat(cpu2.explanations().get(0).message()).isEqualTo(
        "does not apply: KERNEL==\"cpu[3-9]\" is false: the device is \"cpu2\"");
  }
}
