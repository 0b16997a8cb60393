package dev.vmhotplug.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryModel;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.PartialApplyException;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.VerificationException;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated memory path end to end: the SDK plans, applies (the seam takes the attach, detach
 * and update calls), verifies on the XML the seam shows, and returns the result types the VM lab's
 * MemoryHotplugIT, UnplugIT and VirtioMemIT get from real QEMU guests.
 */
class MemoryEmulationTest {
  static final MemorySize DIMM = MemorySize.ofMiB(256);

  @TempDir Path dir;

  static TestDomain mem() {
    return TestDomain.named("mem").vcpus(2, 4).memory(MemorySize.ofMiB(512))
        .memoryHotplug(MemorySize.ofGiB(4), 4).build();
  }

  private HotplugClient client(LibvirtSeam seam, TestDomain... domains) {
    return TestDriverNode.write(dir, domains).connect(b -> seam.installOn(b.pollInterval(Duration.ofMillis(5))
        .defaultTimeout(Duration.ofMillis(400))));
  }

  private static int dimms(String xml) {
    return (int) DomainXml.parse(xml).memoryDevices().stream().filter(d -> d.model().equals("dimm")).count();
  }

  @Test
  void addDimm_liveAndConfig_verifiedResultLikeTheLab() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      MemoryResult r = d.memory().add(DIMM).live().config().apply();
      // what MemoryHotplugIT asserts on a real guest
      assertThat(r.steps()).hasSize(1);
      assertThat(dimms(d.xml(false))).isEqualTo(1);
      assertThat(dimms(d.xml(true))).isEqualTo(1);
      assertThat(r.plan().model()).isEqualTo(MemoryModel.DIMM);
      assertThat(r.attempts()).isGreaterThanOrEqualTo(1);
      assertThat(r.warnings()).isEmpty();
      DomainXml live = DomainXml.parse(d.xml(false));
      assertThat(live.memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(768));
      MemoryDevice dimm = live.memoryDevices().get(0);
      assertThat(dimm.slot()).hasValue(0);
      assertThat(dimm.alias()).hasValue("dimm0");
      assertThat(r.after().toString()).contains("768 MiB");
      assertThat(r.before().toString()).contains("512 MiB");
      // what was sent: the SDK's device XML, taken by the emulation
      assertThat(seam.changes()).singleElement().satisfies(call -> {
        assertThat(call.operation()).isEqualTo("attachDevice(LIVE_AND_CONFIG)");
        assertThat(call.outcome()).isEqualTo(RecordedCall.Outcome.EMULATED);
        assertThat(call.argument().orElseThrow()).contains("<memory model='dimm'>").contains("<size unit='MiB'>256");
      });
    }
  }

  @Test
  void addThenRemove_liveOnly_warnsThePersistentDefinitionDiffers_andDriftShowsIt() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      MemoryResult add = d.memory().add(DIMM).live().apply();
      assertThat(add.warnings()).anySatisfy(w -> assertThat(w).contains("live only"));
      assertThat(dimms(d.xml(false))).isEqualTo(1);
      assertThat(dimms(d.xml(true))).isEqualTo(0);
      assertThat(d.drift().toString()).contains("256 MiB");
      MemoryResult rm = d.memory().remove(DIMM).live().apply();
      assertThat(rm.steps()).hasSize(1);
      assertThat(dimms(d.xml(false))).isEqualTo(0);
      assertThat(DomainXml.parse(d.xml(false)).memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(512));
    }
  }

  @Test
  void removeDimm_guestKeepsIt_throwsGuestRefusedLikeUnplugIT_definitionLostItAsLibvirtDoes() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices(LibvirtSeam.MemoryGuest.KEEPS_DIMMS);
    TestDomain spec = mem().toBuilder().dimm(DIMM, 0).build();
    try (HotplugClient c = client(seam, spec)) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().remove(DIMM).live().config().apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("online_movable")
          .hasMessageContaining("already removed the DIMM(s) from the persistent definition");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(dimms(d.xml(true))).isEqualTo(0);
    }
  }

  @Test
  void splitAdd_secondAttachFails_partialApplyWithTheFirstDimmInPlace() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    seam.inject(Fault.on("attachDevice").nth(2).libvirtError("VIR_ERR_INTERNAL_ERROR", "injected: QEMU said no"));
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(512)).split(DIMM).live().apply())
          .isInstanceOfSatisfying(PartialApplyException.class, e -> {
            assertThat(e.applied()).hasSize(1);
            assertThat(e.observedState()).contains("768 MiB");
          })
          .hasMessageContaining("stopped half way: 1 of 2 DIMM(s) done")
          .hasMessageContaining("injected: QEMU said no");
      assertThat(dimms(d.xml(false))).isEqualTo(1);
      assertThat(seam.calls("attachDevice")).extracting(RecordedCall::outcome)
          .containsExactly(RecordedCall.Outcome.EMULATED, RecordedCall.Outcome.INJECTED);
    }
  }

  @Test
  void connectionLostAfterTheAttach_sdkReconcilesAndReportsItApplied() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    seam.inject(Fault.on("attachDevice").connectionLost(Fault.Timing.AFTER_CALL));
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      MemoryResult r = d.memory().add(DIMM).live().apply();
      assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("lost"));
      assertThat(dimms(d.xml(false))).isEqualTo(1);
    }
  }

  @Test
  void connectionLostBeforeTheAttach_sdkReadsBackAndReportsNotApplied_nothingChanged() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    seam.inject(Fault.on("attachDevice").connectionLost(Fault.Timing.BEFORE_CALL));
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      String config = d.xml(true);
      assertThatThrownBy(() -> d.memory().add(DIMM).live().config().apply())
          .isInstanceOf(dev.vmhotplug.core.ConnectionLostException.class)
          .hasMessageContaining("the change was not applied");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.xml(true)).isEqualTo(config);
      assertThat(seam.calls("attachDevice")).singleElement()
          .satisfies(r -> assertThat(r.outcome()).isEqualTo(RecordedCall.Outcome.INJECTED));
    }
  }

  @Test
  void faultOnAnotherDomain_doesNotFire() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    Fault other = Fault.on("attachDevice").domain("db").libvirtError("VIR_ERR_INTERNAL_ERROR", "not for mem");
    seam.inject(other);
    try (HotplugClient c = client(seam, mem())) {
      c.domain("mem").memory().add(DIMM).live().apply();
      assertThat(seam.fired(other)).isFalse();
      assertThat(dimms(c.domain("mem").xml(false))).isEqualTo(1);
    }
  }

  @Test
  void noFreeSlot_whenThePlannerIsPassed_theEmulationRefusesAsLibvirt() {
    // the SDK refuses a full domain before any call: the emulation's own check is seen when a second
    // client (which planned on stale state) attaches; here, the plain path: the SDK's refusal
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    TestDomain full = TestDomain.named("full").vcpus(2, 4).memory(MemorySize.ofMiB(512))
        .memoryHotplug(MemorySize.ofGiB(4), 1).dimm(DIMM, 0).build();
    try (HotplugClient c = client(seam, full)) {
      DomainHandle d = c.domain("full");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().add(DIMM).live().apply()).isInstanceOf(PreconditionException.class)
          .hasMessageContaining("slot");
      assertThat(seam.changes()).isEmpty();
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void emulationChecks_liveAttachOnAShutOffDomain_refusedWithLibvirtsError() {
    MemoryEmulator emu = new MemoryEmulator(LibvirtSeam.MemoryGuest.COOPERATIVE);
    String xml = mem().domainXml();
    emu.read("xml(live)", "mem", xml); // no id: shut off
    assertThatThrownBy(() -> emu.change("attachDevice(LIVE)", "mem", MemoryDevice.dimm(DIMM, 0).toXml()))
        .isInstanceOfSatisfying(MemoryEmulator.Refused.class,
            r -> assertThat(r.errorName).isEqualTo("VIR_ERR_OPERATION_INVALID"))
        .hasMessageContaining("domain is not running");
    emu.change("attachDevice(CONFIG)", "mem", MemoryDevice.dimm(DIMM, 0).toXml());
    assertThat(dimms(emu.read("xml(inactive)", "mem", xml))).isEqualTo(1);
    // a detach of a device that is not there
    assertThatThrownBy(() -> emu.change("detachDevice(CONFIG)", "mem", MemoryDevice.dimm(MemorySize.ofGiB(1), 0).toXml()))
        .isInstanceOf(MemoryEmulator.Refused.class).hasMessageContaining("matching memory device was not found");
    // no slot left after four
    for (int i = 0; i < 3; i++) {
      emu.change("attachDevice(CONFIG)", "mem", MemoryDevice.dimm(DIMM, 0).toXml());
      emu.read("xml(inactive)", "mem", xml);
    }
    assertThatThrownBy(() -> emu.change("attachDevice(CONFIG)", "mem", MemoryDevice.dimm(DIMM, 0).toXml()))
        .isInstanceOf(MemoryEmulator.Refused.class).hasMessageContaining("no free memory device slot");
    DomainXml four = DomainXml.parse(emu.read("xml(inactive)", "mem", xml));
    assertThat(four.memoryDevices()).extracting(m -> m.slot().getAsInt()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void transientDomain_liveAddEmulated_configAddRefusedBySdkBeforeAnyCall() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    TestDomain tr = mem().toBuilder().persistent(false).build();
    try (HotplugClient c = client(seam, tr)) {
      DomainHandle d = c.domain("mem");
      assertThat(d.isPersistent()).isFalse();
      MemoryResult r = d.memory().add(DIMM).live().apply();
      assertThat(r.steps()).hasSize(1);
      assertThatThrownBy(() -> d.memory().add(DIMM).config().apply()).isInstanceOf(PreconditionException.class);
      assertThat(seam.changes()).hasSize(1);
    }
  }

  @Test
  void virtioMem_resize_verifiedOnCurrent_likeVirtioMemIT() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    TestDomain vm = TestDomain.named("vmem").vcpus(2, 4).memory(MemorySize.ofMiB(512))
        .memoryHotplug(MemorySize.ofGiB(4), 4).virtioMem(MemorySize.ofGiB(1), 0, MemorySize.ZERO).build();
    try (HotplugClient c = client(seam, vm)) {
      DomainHandle d = c.domain("vmem");
      MemoryResult r = d.memory().requested(MemorySize.ofMiB(768)).live().apply();
      assertThat(r.plan().model()).isEqualTo(MemoryModel.VIRTIO_MEM);
      MemoryDevice dev = DomainXml.parse(d.xml(false)).memoryDevices().get(0);
      assertThat(dev.requestedSize()).hasValue(MemorySize.ofMiB(768));
      assertThat(dev.currentSize()).hasValue(MemorySize.ofMiB(768));
      assertThat(seam.changes()).extracting(RecordedCall::operation).containsExactly("updateDevice(LIVE)");
      assertThat(seam.changes().get(0).argument().orElseThrow()).contains("<requested");
    }
  }

  @Test
  void virtioMem_guestWithoutDriver_sdkEndsWithItsDiagnosis() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices(LibvirtSeam.MemoryGuest.NO_VIRTIO_MEM_DRIVER);
    TestDomain vm = TestDomain.named("vmem").vcpus(2, 4).memory(MemorySize.ofMiB(512))
        .memoryHotplug(MemorySize.ofGiB(4), 4).virtioMem(MemorySize.ofGiB(1), 0, MemorySize.ZERO).build();
    try (HotplugClient c = client(seam, vm)) {
      DomainHandle d = c.domain("vmem");
      assertThatThrownBy(() -> d.memory().requested(MemorySize.ofMiB(256)).live().progressTimeout(Duration.ofMillis(100))
          .apply()).isInstanceOf(VerificationException.class).hasMessageContaining("virtio");
      MemoryDevice dev = DomainXml.parse(d.xml(false)).memoryDevices().get(0);
      assertThat(dev.requestedSize()).hasValue(MemorySize.ofMiB(256));
    }
  }

  @Test
  void lifecycle_coldBootBringsTheDefinitionsDevicesLive() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      d.memory().add(DIMM).config().apply();
      assertThat(dimms(d.xml(false))).isEqualTo(0);
      d.coldBoot().shutdownTimeout(Duration.ofSeconds(5)).startTimeout(Duration.ofSeconds(5)).apply();
      assertThat(dimms(d.xml(false))).isEqualTo(1);
    }
  }

  @Test
  void onlyMemoryDevicesAreEmulated() {
    assertThat(MemoryEmulator.isMemoryDevice("<disk type='file'/>")).isFalse();
    assertThat(MemoryEmulator.isMemoryDevice("  <memory model='dimm'/>")).isTrue();
    assertThat(MemoryEmulator.isMemoryDevice(null)).isFalse();
  }

  @Test
  void fillingEverySlot_emulatedXmlKeepsThePlannerRight_theFifthIsRefusedBeforeAnyCall() {
    LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();
    try (HotplugClient c = client(seam, mem())) {
      DomainHandle d = c.domain("mem");
      for (int i = 0; i < 4; i++) {
        d.memory().add(DIMM).live().apply();
      }
      assertThatThrownBy(() -> d.memory().add(DIMM).live().apply()).isInstanceOf(PreconditionException.class);
      assertThat(seam.calls("attachDevice")).hasSize(4);
      assertThat(DomainXml.parse(d.xml(false)).memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(1536));
    }
  }
}
