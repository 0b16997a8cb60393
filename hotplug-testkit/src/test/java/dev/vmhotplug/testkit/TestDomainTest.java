package dev.vmhotplug.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.core.VcpuCount;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What libvirt's test driver really does with each part of a {@link TestDomain} spec: every test
 * writes a node, opens a real test-driver connection and reads back through the SDK.
 */
class TestDomainTest {
  @TempDir Path dir;

  private HotplugClient connect(TestDomain... domains) {
    return TestDriverNode.write(dir, domains).connect();
  }

  @Test
  void defaults_runningPersistentOneVcpuOneGiBNotPrepared() {
    try (HotplugClient c = connect(TestDomain.named("d").build())) {
      DomainHandle d = c.domain("d");
      assertThat(d.isRunning()).isTrue();
      assertThat(d.isPersistent()).isTrue();
      VcpuCount v = d.vcpuCount();
      assertThat(v.currentLive()).hasValue(1);
      assertThat(v.maximumConfig()).hasValue(1);
      DomainXml live = DomainXml.parse(d.xml(false));
      assertThat(live.type()).isEqualTo("test");
      assertThat(live.memory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(1));
      assertThat(live.maxMemory()).isEmpty();
      assertThat(live.numaCells()).isEmpty();
      assertThat(live.memoryDevices()).isEmpty();
    }
  }

  @Test
  void vcpus_currentBelowMaximum_hotplugLiveAndConfigOnTheTestDriver() {
    try (HotplugClient c = connect(TestDomain.named("web").vcpus(2, 8).uuid("6f1b2d9e-3c4a-4b7e-9a51-0d2c8e7f1a01")
        .build())) {
      DomainHandle d = c.domain("6f1b2d9e-3c4a-4b7e-9a51-0d2c8e7f1a01");
      assertThat(d.name()).isEqualTo("web");
      d.vcpus().set(6).live().config().apply();
      VcpuCount v = d.vcpuCount();
      assertThat(v.currentLive()).hasValue(6);
      assertThat(v.currentConfig()).hasValue(6);
      assertThat(v.maximumLive()).hasValue(8);
    }
  }

  @Test
  void vcpus_aboveTheMaximum_refusedByTheSdkBeforeAnyChange() {
    try (HotplugClient c = connect(TestDomain.named("web").vcpus(2, 4).build())) {
      DomainHandle d = c.domain("web");
      String live = d.xml(false);
      String config = d.xml(true);
      assertThatThrownBy(() -> d.vcpus().set(5).live().apply()).isInstanceOf(PreconditionException.class)
          .hasMessageContaining("4");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void shutOff_isNotRunning_andTakesOnlyPersistentChanges() {
    try (HotplugClient c = connect(TestDomain.named("off").vcpus(1, 4).shutOff().build())) {
      DomainHandle d = c.domain("off");
      assertThat(d.isRunning()).isFalse();
      assertThat(DomainXml.parse(d.xml(false)).id()).isEmpty();
      d.vcpus().set(3).config().apply();
      assertThat(d.vcpuCount().currentConfig()).hasValue(3);
      String config = d.xml(true);
      assertThatThrownBy(() -> d.vcpus().set(2).live().apply()).isInstanceOf(PreconditionException.class);
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void paused_isActive_andTakesLiveChanges() {
    try (HotplugClient c = connect(TestDomain.named("p").vcpus(1, 4).paused().build())) {
      DomainHandle d = c.domain("p");
      assertThat(DomainXml.parse(d.xml(false)).id()).isPresent();
      d.vcpus().set(2).live().apply();
      assertThat(d.vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void transientDomain_hasNoDefinition_configChangeRefused() {
    try (HotplugClient c = connect(TestDomain.named("tr").vcpus(1, 4).persistent(false).build())) {
      DomainHandle d = c.domain("tr");
      assertThat(d.isPersistent()).isFalse();
      assertThat(d.isRunning()).isTrue();
      String live = d.xml(false);
      assertThatThrownBy(() -> d.vcpus().set(2).config().apply()).isInstanceOf(PreconditionException.class);
      assertThat(d.xml(false)).isEqualTo(live);
      d.vcpus().set(2).live().apply();
      assertThat(d.vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void memoryHotplug_writesMaxMemorySlotsAndCells_andDevicesCountIntoMemory() {
    TestDomain spec = TestDomain.named("mem").vcpus(2, 4).memory(MemorySize.ofGiB(1)).numaNodes(2)
        .memoryHotplug(MemorySize.ofGiB(8), 4).dimm(MemorySize.ofMiB(256), 1)
        .virtioMem(MemorySize.ofGiB(1), 0, MemorySize.ZERO).build();
    try (HotplugClient c = connect(spec)) {
      DomainXml live = DomainXml.parse(c.domain("mem").xml(false));
      assertThat(live.maxMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(8));
      assertThat(live.maxMemory().orElseThrow().slots()).hasValue(4);
      assertThat(live.numaCells()).hasSize(2);
      assertThat(live.memoryDevices()).extracting(MemoryDevice::model).containsExactly("dimm", "virtio-mem");
      assertThat(live.memoryDevices().get(0).targetNode()).hasValue(1);
      assertThat(live.memoryDevices().get(0).slot()).hasValue(0);
      assertThat(live.memoryDevices().get(1).slot()).isEmpty();
      assertThat(live.memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(1024 + 256 + 1024));
      // the SDK's own view reads the same
      assertThat(c.domain("mem").memoryView().toString()).contains("dimm").contains("virtio-mem");
    }
  }

  @Test
  void typeTest_notPrepared_prepareAcceptsIt() {
    try (HotplugClient c = connect(TestDomain.named("raw").vcpus(2, 2).build())) {
      DomainHandle d = c.domain("raw");
      PrepareResult r = d.prepare(8, MemorySize.ofGiB(16), 16);
      assertThat(r.changed()).isTrue();
      assertThat(r.coldBootNeeded()).isTrue();
      DomainXml config = DomainXml.parse(d.xml(true));
      assertThat(config.type()).isEqualTo("test");
      assertThat(config.vcpu().orElseThrow().maximum()).isEqualTo(8);
      assertThat(config.maxMemory().orElseThrow().slots()).hasValue(16);
      assertThat(config.numaCells()).hasSize(1);
    }
  }

  @Test
  void typeKvm_prepared_likeTheSdkPreparesIt() {
    HotplugLimits limits = HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build();
    try (HotplugClient c = connect(TestDomain.named("k").type("kvm").vcpus(2, 2).prepared(limits).build())) {
      DomainHandle d = c.domain("k");
      DomainXml live = DomainXml.parse(d.xml(false));
      assertThat(live.type()).isEqualTo("kvm");
      assertThat(live.vcpu().orElseThrow().maximum()).isEqualTo(8);
      assertThat(d.vcpuCount().currentLive()).hasValue(2);
      assertThat(live.maxMemory().orElseThrow().slots()).hasValue(16);
      // prepared already: a second preparation changes nothing
      assertThat(d.prepare(limits).changed()).isFalse();
      d.vcpus().set(8).live().apply();
      assertThat(d.vcpuCount().currentLive()).hasValue(8);
    }
  }

  @Test
  void guestAgentChannel_isInTheDefinition_butNoAgentAnswers() {
    try (HotplugClient c = connect(TestDomain.named("ga").guestAgentChannel().build())) {
      DomainHandle d = c.domain("ga");
      assertThat(DomainXml.parse(d.xml(false)).guestAgentChannel()).isPresent();
      assertThatThrownBy(() -> d.guestAgent().online()).isInstanceOf(dev.vmhotplug.core.GuestAgentUnavailableException.class);
    }
  }

  @Test
  void eachConnectionStartsFromTheFile() {
    TestDriverNode node = TestDriverNode.write(dir, TestDomain.named("web").vcpus(2, 8).build());
    try (HotplugClient a = node.connect(); HotplugClient b = node.connect()) {
      a.domain("web").vcpus().set(4).live().apply();
      assertThat(a.domain("web").vcpuCount().currentLive()).hasValue(4);
      assertThat(b.domain("web").vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void badSpecs_areRefusedWithWhatToDo() {
    assertThatThrownBy(() -> TestDomain.named("bad name")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bad name'").hasMessageContaining("letters, digits");
    assertThatThrownBy(() -> TestDomain.named("d").vcpus(3, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vcpus(3, 2)").hasMessageContaining("current <= maximum");
    assertThatThrownBy(() -> TestDomain.named("d").persistent(false).shutOff().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transient domain cannot be shut off");
    assertThatThrownBy(() -> TestDomain.named("d").dimm(MemorySize.ofMiB(256), 0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryHotplug(max, slots)");
    assertThatThrownBy(() -> TestDomain.named("d").memoryHotplug(MemorySize.ofMiB(1200), 2)
        .dimm(MemorySize.ofMiB(256), 0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be above the memory");
    assertThatThrownBy(() -> TestDomain.named("d").vcpus(2, 2).memoryHotplug(MemorySize.ofGiB(4), 1)
        .dimm(MemorySize.ofMiB(256), 0).dimm(MemorySize.ofMiB(256), 0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit 1 slot(s)");
    assertThatThrownBy(() -> TestDomain.named("d").vcpus(2, 2).memoryHotplug(MemorySize.ofGiB(4), 2)
        .dimm(MemorySize.ofMiB(256), 1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUMA node 1");
    assertThatThrownBy(() -> TestDriverNode.write(dir, TestDomain.named("a").build(), TestDomain.named("a").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two TestDomains are named 'a'");
  }

  @Test
  void liveVcpuChangeOnShutOff_refusedBeforeAnyLibvirtChange() {
    LibvirtSeam seam = LibvirtSeam.create();
    TestDriverNode node = TestDriverNode.write(dir, TestDomain.named("off").vcpus(1, 4).shutOff().build());
    try (HotplugClient c = node.connect(seam::installOn)) {
      assertThatThrownBy(() -> c.domain("off").vcpus().set(2).live().apply())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isNotNull());
      assertThat(seam.changes()).isEmpty();
    }
  }
}
