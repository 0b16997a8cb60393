package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.testkit.Fault;
import dev.vmhotplug.testkit.HotplugTestDriver;
import dev.vmhotplug.testkit.LibvirtSeam;
import dev.vmhotplug.testkit.RecordedCall;
import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// testkit:start
class ScalerTest {
  final LibvirtSeam seam = LibvirtSeam.create().emulateMemoryDevices();

  @RegisterExtension
  final HotplugTestDriver libvirt = HotplugTestDriver.with(
          TestDomain.named("web").vcpus(2, 8).memory(MemorySize.ofGiB(1))
              .memoryHotplug(MemorySize.ofGiB(16), 16).build(),
          TestDomain.named("db").memory(MemorySize.ofGiB(1))
              .memoryHotplug(MemorySize.ofGiB(16), 16).dimm(MemorySize.ofMiB(512), 0).build())
      .clientSetup(b -> b.defaultTimeout(Duration.ofSeconds(1)))
      .seam(seam);

  @Test
  void scaleVcpus_onTheRealTestDriver() {
    assertEquals(4, new Scaler(libvirt.client()).scaleVcpus("web", 4));
    assertEquals(4, libvirt.client().domain("web").vcpuCount().currentConfig().getAsInt());
  }

  @Test
  void grow_attachesOneDimm_emulated() {
    MemorySize now = new Scaler(libvirt.client()).grow("web", MemorySize.ofMiB(512));
    assertEquals(MemorySize.ofMiB(1536), now);
    RecordedCall attach = seam.changes().get(0);
    assertEquals("attachDevice(LIVE_AND_CONFIG)", attach.operation());
    assertTrue(attach.argument().orElseThrow().contains("<memory model='dimm'>"));
  }

  @Test
  void grow_whenLibvirtFails_theErrorReachesTheCaller() {
    seam.inject(Fault.on("attachDevice").libvirtError("VIR_ERR_INTERNAL_ERROR", "no free slot"));
    LibvirtException e = assertThrows(LibvirtException.class,
        () -> new Scaler(libvirt.client()).grow("web", MemorySize.ofMiB(512)));
    assertEquals("VIR_ERR_INTERNAL_ERROR", e.errorName());
  }

  @Test
  void shrink_whenTheGuestKeepsTheDimm_isFalse() {
    seam.emulateMemoryDevices(LibvirtSeam.MemoryGuest.KEEPS_DIMMS);
    assertFalse(new Scaler(libvirt.client()).shrink("db", MemorySize.ofMiB(512)));
  }
}
// testkit:end
