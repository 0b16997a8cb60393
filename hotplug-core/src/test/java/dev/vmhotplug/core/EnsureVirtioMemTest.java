package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ensure().memory(X)} on a domain with virtio-mem: the target is the memory given to the
 * guest (boot + the device's requested size), the plan resizes the device (one update per scope)
 * and says so; DIMMs when asked or when the domain has no virtio-mem. Test driver + {@link VirtioMemSim}.
 */
class EnsureVirtioMemTest {
  @TempDir Path dir;

  private HotplugClient client(VirtioMemSim sim) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(20))
        .interceptor(sim).connect(VirtioMemSim.write(dir));
  }

  @Test
  void ensureMemory_onVirtioMem_resizesTheDevice_oneCallPerScope_planSaysVirtioMem() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      DesiredState want = d.ensure().memory(MemorySize.ofGiB(1)).live().config().progressTimeout(Duration.ofMillis(300));
      EnsurePlan p = want.plan();

      assertThat(p.steps()).singleElement().satisfies(s -> {
        assertThat(s.kind()).isEqualTo(EnsurePlan.Kind.RESIZE_MEMORY);
        assertThat(s.description()).isEqualTo("memory 512 MiB -> 1 GiB (virtio-mem requested +512 MiB --live --config)");
        assertThat(s.memory().orElseThrow().model()).isEqualTo(MemoryModel.VIRTIO_MEM);
        assertThat(s.memory().orElseThrow().notes().get(0)).startsWith("model virtio-mem");
      });
      assertThat(p.calls()).extracting(OperationStep::action, OperationStep::scope).containsExactly(
          org.assertj.core.groups.Tuple.tuple("updateDeviceFlags", Scope.LIVE),
          org.assertj.core.groups.Tuple.tuple("updateDeviceFlags", Scope.CONFIG));
      assertThat(sim.changes()).isEmpty();

      sim.expect(p.steps().get(0).memory().orElseThrow());
      EnsureResult r = want.apply(p);

      assertThat(r.steps()).isEqualTo(p.calls());
      assertThat(sim.changes()).containsExactly("updateDevice(LIVE)", "updateDevice(CONFIG)");
      assertThat(r.memoryResults()).singleElement().satisfies(m -> assertThat(
          m.after().live().orElseThrow().devices().get(0).currentSize()).hasValue(MemorySize.ofMiB(512)));
      // the sim keeps the new requested sizes: the same target is now satisfied
      EnsurePlan again = want.plan();
      assertThat(again.isEmpty()).isTrue();
      assertThat(again.satisfied()).contains("memory already 1 GiB (live, virtio-mem requested)",
          "memory already 1 GiB (config, virtio-mem requested)");
    }
  }

  @Test
  void ensureMemory_shrink_onVirtioMem_removesFromTheRequest() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.startAt(MemorySize.ofMiB(256));
    try (HotplugClient c = client(sim)) {
      EnsurePlan p = c.domain("vmem").ensure().memory(MemorySize.ofMiB(640)).plan();
      assertThat(p.steps()).singleElement().satisfies(s -> {
        assertThat(s.description()).isEqualTo("memory 768 MiB -> 640 MiB (virtio-mem requested -128 MiB --live)");
        assertThat(s.memory().orElseThrow().steps().get(0).requestedAfter()).hasValue(MemorySize.ofMiB(128));
      });
    }
  }

  @Test
  void ensureMemory_modelDimm_onVirtioMem_attachesADimm() {
    try (HotplugClient c = client(new VirtioMemSim())) {
      // DIMMs count by <memory>, which includes the 1 GiB device: 1.5 GiB -> 1.75 GiB
      EnsurePlan p = c.domain("vmem").ensure().model(MemoryModel.DIMM).memory(MemorySize.ofMiB(1792)).plan();
      assertThat(p.steps()).singleElement().satisfies(s -> {
        assertThat(s.kind()).isEqualTo(EnsurePlan.Kind.ADD_MEMORY);
        assertThat(s.memory().orElseThrow().notes().get(0)).startsWith("model DIMM (as asked)");
      });
    }
  }

  @Test
  void ensureMemory_withoutVirtioMem_staysDimms() {
    try (HotplugClient c = HotplugClient.connect(MemoryTestNode.write(dir))) {
      EnsurePlan p = c.domain("mem").ensure().memory(MemorySize.ofMiB(1536)).plan();
      assertThat(p.steps()).singleElement().satisfies(s -> {
        assertThat(s.kind()).isEqualTo(EnsurePlan.Kind.ADD_MEMORY);
        assertThat(s.memory().orElseThrow().model()).isEqualTo(MemoryModel.DIMM);
      });
    }
  }
}
