package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.testkit.LibvirtSeam;
import dev.vmhotplug.testkit.RecordedCall;
import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.NumaCell;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test kit's memory emulation against the real thing: the same DIMM hot-add on a lab guest
 * (recorded by a LibvirtSeam that only records) and on a test-driver domain with the lab domain's
 * memory layout (LibvirtSeam emulating) gives the same result type, the same steps, the same libvirt
 * change calls with the same device XML, the same memory after and a DIMM in the same slot with the
 * same alias. What this cannot show (the guest onlining the memory) is MemoryHotplugIT's.
 */
class EmulationMatchesLabIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  @TempDir Path dir;

  @Test
  void dimmAddLiveAndConfig_emulationAndLabAgree() {
    LabDomain vm = LAB.boot(DomainSpec.builder("emu").persistent(true).build());
    LibvirtSeam labSeam = LibvirtSeam.create();
    MemoryResult onLab;
    DomainXml labBefore;
    DomainXml labAfter;
    try (HotplugClient c = labSeam.installOn(HotplugClient.builder()).connect(LAB.lab().daemon().uri())) {
      labBefore = DomainXml.parse(c.domain(vm.name()).xml(false));
      onLab = c.domain(vm.name()).memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();
      labAfter = DomainXml.parse(c.domain(vm.name()).xml(false));
    }

    TestDomain mirror = mirrorOf(vm.name(), labBefore);
    LibvirtSeam emuSeam = LibvirtSeam.create().emulateMemoryDevices();
    MemoryResult emulated;
    DomainXml emuAfter;
    try (HotplugClient c = TestDriverNode.write(dir, mirror).connect(b -> emuSeam.installOn(b
        .defaultTimeout(Duration.ofSeconds(5))))) {
      emulated = c.domain(vm.name()).memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();
      emuAfter = DomainXml.parse(c.domain(vm.name()).xml(false));
    }

    assertThat(emulated.getClass()).isEqualTo(onLab.getClass());
    assertThat(emulated.steps()).extracting(OperationStep::toString)
        .containsExactlyElementsOf(onLab.steps().stream().map(OperationStep::toString).toList());
    assertThat(emulated.warnings()).isEqualTo(onLab.warnings());
    assertSameChanges(labSeam, emuSeam, RecordedCall.Outcome.EMULATED);
    assertThat(emulated.after().live().orElseThrow().memory()).isEqualTo(onLab.after().live().orElseThrow().memory());
    assertThat(emulated.after().config().orElseThrow().memory())
        .isEqualTo(onLab.after().config().orElseThrow().memory());
    MemoryDevice labDimm = labAfter.memoryDevices().get(0);
    MemoryDevice emuDimm = emuAfter.memoryDevices().get(0);
    assertThat(emuDimm.sameDevice(labDimm)).isTrue();
    assertThat(emuDimm.slot()).isEqualTo(labDimm.slot());
    assertThat(emuDimm.alias()).isEqualTo(labDimm.alias());
    assertThat(emuAfter.currentMemory().orElseThrow().size()).isEqualTo(labAfter.currentMemory().orElseThrow().size());
  }

  /**
   * The removal too: a guest that onlines DIMMs movable gives the DIMM back on the lab; the emulation
   * detaches it at once. Both must make the same calls with the same device XML (the SDK builds the
   * detach XML from the live device, so an emulated live DIMM that differs from QEMU's would show here)
   * and end with the same memory.
   */
  @Test
  void dimmAddThenRemove_liveAndConfig_emulationAndLabAgree() {
    LabDomain vm = LAB.boot(DomainSpec.builder("emu-rm").persistent(true).rules(GuestRules.MOVABLE).build());
    LibvirtSeam labSeam = LibvirtSeam.create();
    MemoryResult labRemove;
    DomainXml labBefore;
    DomainXml labAfter;
    try (HotplugClient c = labSeam.installOn(HotplugClient.builder()).connect(LAB.lab().daemon().uri())) {
      labBefore = DomainXml.parse(c.domain(vm.name()).xml(false));
      c.domain(vm.name()).memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();
      // the guest must have onlined the DIMM (movable) before it can give it back
      vm.probe().awaitReport("the DIMM's blocks online", r -> r.blocksOffline().isEmpty()
          && r.blocksTotal() > 4, Duration.ofSeconds(120));
      labRemove = c.domain(vm.name()).memory().remove(MemorySize.ofMiB(256)).live().config()
          .timeout(Duration.ofSeconds(120)).apply();
      labAfter = DomainXml.parse(c.domain(vm.name()).xml(false));
    }

    TestDomain mirror = mirrorOf(vm.name(), labBefore);
    LibvirtSeam emuSeam = LibvirtSeam.create().emulateMemoryDevices();
    MemoryResult emuRemove;
    DomainXml emuAfter;
    try (HotplugClient c = TestDriverNode.write(dir, mirror).connect(b -> emuSeam.installOn(b
        .defaultTimeout(Duration.ofSeconds(5))))) {
      c.domain(vm.name()).memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();
      emuRemove = c.domain(vm.name()).memory().remove(MemorySize.ofMiB(256)).live().config().apply();
      emuAfter = DomainXml.parse(c.domain(vm.name()).xml(false));
    }

    System.out.println("[EmulationMatchesLabIT] lab changes: " + labSeam.changes());
    System.out.println("[EmulationMatchesLabIT] emulated changes: " + emuSeam.changes());
    assertThat(emuRemove.getClass()).isEqualTo(labRemove.getClass());
    assertThat(emuRemove.steps()).extracting(OperationStep::toString)
        .containsExactlyElementsOf(labRemove.steps().stream().map(OperationStep::toString).toList());
    assertThat(emuRemove.warnings()).isEqualTo(labRemove.warnings());
    assertSameChanges(labSeam, emuSeam, RecordedCall.Outcome.EMULATED);
    assertThat(emuRemove.after().live().orElseThrow().memory())
        .isEqualTo(labRemove.after().live().orElseThrow().memory());
    assertThat(emuRemove.after().config().orElseThrow().memory())
        .isEqualTo(labRemove.after().config().orElseThrow().memory());
    assertThat(labAfter.memoryDevices()).isEmpty();
    assertThat(emuAfter.memoryDevices()).isEmpty();
    assertThat(emuAfter.currentMemory().orElseThrow().size()).isEqualTo(labAfter.currentMemory().orElseThrow().size());
  }

  /**
   * vCPUs need no emulation (libvirt's test driver implements {@code setVcpusFlags}): the same change on
   * a lab guest and on a test-driver domain with its vCPU layout makes the same calls and reports the
   * same counts, so a user's vCPU tests on the test kit exercise the path a real host takes.
   */
  @Test
  void vcpuSet_liveAndConfig_testDriverAndLabAgree() {
    LabDomain vm = LAB.boot(DomainSpec.builder("emu-cpu").persistent(true).build());
    LibvirtSeam labSeam = LibvirtSeam.create();
    VcpuResult onLab;
    DomainXml labBefore;
    try (HotplugClient c = labSeam.installOn(HotplugClient.builder()).connect(LAB.lab().daemon().uri())) {
      labBefore = DomainXml.parse(c.domain(vm.name()).xml(false));
      int target = labBefore.vcpu().orElseThrow().effectiveCurrent() + 1;
      onLab = c.domain(vm.name()).vcpus().set(target).live().config().apply();
    }

    TestDomain mirror = mirrorOf(vm.name(), labBefore);
    LibvirtSeam driverSeam = LibvirtSeam.create();
    VcpuResult onDriver;
    try (HotplugClient c = TestDriverNode.write(dir, mirror).connect(b -> driverSeam.installOn(b
        .defaultTimeout(Duration.ofSeconds(5))))) {
      onDriver = c.domain(vm.name()).vcpus().set(onLab.requested()).live().config().apply();
    }

    System.out.println("[EmulationMatchesLabIT] lab vCPU changes: " + labSeam.changes() + ", test driver: "
        + driverSeam.changes());
    assertThat(onLab.changed()).isTrue();
    assertThat(onDriver.steps()).extracting(OperationStep::toString)
        .containsExactlyElementsOf(onLab.steps().stream().map(OperationStep::toString).toList());
    assertThat(onDriver.warnings()).isEqualTo(onLab.warnings());
    assertSameChanges(labSeam, driverSeam, RecordedCall.Outcome.RETURNED);
    assertThat(onDriver.before()).isEqualTo(onLab.before());
    assertThat(onDriver.after()).isEqualTo(onLab.after());
  }

  /** A test-driver domain with the lab domain's layout: vCPUs, boot memory, maxMemory and slots, NUMA cells. */
  private static TestDomain mirrorOf(String name, DomainXml labBefore) {
    List<NumaCell> cells = labBefore.numaCells();
    MemorySize boot = cells.stream().map(NumaCell::memory).reduce(MemorySize.ZERO, MemorySize::plus);
    return TestDomain.named(name)
        .vcpus(labBefore.vcpu().orElseThrow().effectiveCurrent(), labBefore.vcpu().orElseThrow().maximum())
        .memory(boot).numaNodes(cells.size())
        .memoryHotplug(labBefore.maxMemory().orElseThrow().size(), labBefore.maxMemory().orElseThrow().slots().getAsInt())
        .build();
  }

  /**
   * The same change calls in the same order with the same arguments (device XML, vCPU count); the
   * lab's all returned, the other side's all ended as {@code outcome}.
   */
  private static void assertSameChanges(LibvirtSeam labSeam, LibvirtSeam other, RecordedCall.Outcome outcome) {
    assertThat(other.changes()).extracting(RecordedCall::operation)
        .containsExactlyElementsOf(labSeam.changes().stream().map(RecordedCall::operation).toList());
    assertThat(other.changes()).extracting(RecordedCall::argument)
        .containsExactlyElementsOf(labSeam.changes().stream().map(RecordedCall::argument).toList());
    assertThat(labSeam.changes()).extracting(RecordedCall::outcome).containsOnly(RecordedCall.Outcome.RETURNED);
    assertThat(other.changes()).extracting(RecordedCall::outcome).containsOnly(outcome);
  }
}
