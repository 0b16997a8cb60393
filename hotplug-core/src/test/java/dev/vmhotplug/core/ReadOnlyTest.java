package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A read-only client inspects and plans; every change is refused before any libvirt call. */
class ReadOnlyTest {

  @Test
  void everyChangeEntryPoint_refusesReadOnlyWithoutAnyLibvirtCall() {
    Recorder rec = new Recorder();
    try (HotplugClient c = HotplugClient.builder().readOnly(true).interceptor(rec).connect("test:///default")) {
      assertThat(c.isReadOnly()).isTrue();
      DomainHandle d = c.domain("test");
      EnsurePlan plan = d.ensure().vcpus(2).live().plan(); // planning only reads: allowed
      Map<String, Runnable> changes = new LinkedHashMap<>();
      changes.put("vcpus().set().apply()", () -> d.vcpus().set(2).live().config().apply());
      changes.put("memory().add().apply()", () -> d.memory().add(MemorySize.ofMiB(256)).apply());
      changes.put("memory().remove().apply()", () -> d.memory().remove(MemorySize.ofMiB(256)).apply());
      changes.put("ensure().apply()", () -> d.ensure().vcpus(2).apply());
      changes.put("ensure().apply(plan)", () -> d.ensure().apply(plan));
      changes.put("prepare(limits)", () -> d.prepare(HotplugLimits.builder().maxVcpus(4)
          .maxMemory(MemorySize.ofGiB(4)).slots(4).build()));
      changes.put("prepare(n, size, slots)", () -> d.prepare(4, MemorySize.ofGiB(4), 4));
      for (Map.Entry<String, Runnable> e : changes.entrySet()) {
        rec.clear();
        assertThatThrownBy(e.getValue()::run).as(e.getKey())
            .isInstanceOfSatisfying(PreconditionException.class,
                x -> assertThat(x.refusal()).isEqualTo(Refusal.READ_ONLY))
            .hasMessageContaining("read-only")
            .hasMessageContaining("Nothing was changed");
        assertThat(rec.ops).as(e.getKey() + ": libvirt calls").isEmpty();
      }
      // inspecting still works
      assertThat(d.vcpuCount().currentLive()).isPresent();
      assertThat(d.memoryView().live()).isPresent();
    }
  }
}
