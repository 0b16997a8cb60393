package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.internal.Instrumentation;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libvirt calls and whole-document parses of the main operations, counted through the call
 * interceptor and the core's one parse entry point (libvirt's test driver; the DIMM attach with both
 * scopes, which the test driver cannot do, is counted on the VM lab by hotplug-lab's CallCountIT).
 */
class OperationCountsTest {
  @TempDir Path dir;
  final Recorder rec = new Recorder();

  private HotplugClient client(String uri) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(5))
        .interceptor(rec).connect(uri);
  }

  private static long parses() {
    return Instrumentation.documentParsesOnThisThread();
  }

  @Test
  void vcpuSetLive_isThreeCallsAndTwoParses_likeTheCarefulHandWrittenSequence() {
    try (HotplugClient c = client(TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      rec.clear();
      long p0 = parses();
      VcpuResult r = web.vcpus().set(4).live().apply();
      assertThat(r.after().currentLive()).hasValue(4);
      assertThat(rec.ops).containsExactly("xml(live)", "setVcpus(LIVE)", "xml(live)");
      assertThat(parses() - p0).isEqualTo(2);
    }
  }

  @Test
  void verifiedVcpuSetWithBothScopes_isAtMostSixCallsAndFourParses() {
    try (HotplugClient c = client(TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      rec.clear();
      long p0 = parses();
      VcpuResult r = web.vcpus().set(5).live().config().apply();
      assertThat(r.after()).isEqualTo(VcpuCount.builder().config(8, 5).live(8, 5).build());
      assertThat(rec.ops).hasSizeLessThanOrEqualTo(6)
          .containsExactly("xml(live)", "isPersistent", "xml(inactive)", "setVcpus(LIVE_AND_CONFIG)", "xml(live)",
              "xml(inactive)");
      assertThat(parses() - p0).isLessThanOrEqualTo(4).isEqualTo(4);
    }
  }

  @Test
  void vcpuNoOp_readsOnceAndChangesNothing() {
    try (HotplugClient c = client(TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      rec.clear();
      long p0 = parses();
      assertThat(web.vcpus().set(2).live().config().apply().changed()).isFalse();
      assertThat(rec.ops).containsExactly("xml(live)", "isPersistent", "xml(inactive)");
      assertThat(parses() - p0).isEqualTo(2);
    }
  }

  @Test
  void vcpuCountAndMemoryView_readEachDocumentOnce() {
    try (HotplugClient c = client(MemoryTestNode.write(dir))) {
      DomainHandle mem = c.domain("mem");
      rec.clear();
      long p0 = parses();
      mem.vcpuCount();
      assertThat(rec.ops).containsExactly("xml(live)", "isPersistent", "xml(inactive)");
      rec.clear();
      mem.memoryView();
      assertThat(rec.ops).containsExactly("xml(live)", "isPersistent", "xml(inactive)");
      assertThat(parses() - p0).isEqualTo(4);
      DomainHandle off = c.domain("memoff");
      rec.clear();
      off.memoryView(); // shut off: its live XML is its definition, read once
      assertThat(rec.ops).containsExactly("xml(live)", "isPersistent");
    }
  }

  @Test
  void dimmPlanWithBothScopes_isThreeReadsAndTwoParses() {
    try (HotplugClient c = client(MemoryTestNode.write(dir))) {
      DomainHandle mem = c.domain("mem");
      rec.clear();
      long p0 = parses();
      MemoryPlan p = mem.memory().add(MemorySize.ofMiB(256)).live().config().plan();
      assertThat(p.steps()).hasSize(1);
      assertThat(rec.ops).containsExactly("xml(live)", "isPersistent", "xml(inactive)");
      assertThat(parses() - p0).isEqualTo(2);
    }
  }

  @Test
  void verifiedDimmAttachToTheDefinition_isFiveCallsAndTwoParses() {
    // the test driver has no device attach: the interceptor's hypervisor stand-in redefines the
    // domain (unrecorded, and parsing outside the core's counter)
    HotplugClient[] self = new HotplugClient[1];
    Recorder r = new Recorder() {
      @Override
      public <T> T intercept(String op, String domain, java.util.function.Supplier<T> call) {
        if (op.equals("attachDevice(CONFIG)")) {
          super.intercept(op, domain, () -> null);
          unrecorded(() -> MemoryApplyTest.attachToDefinition(self[0], domain, MemorySize.ofMiB(256)));
          return null;
        }
        return super.intercept(op, domain, call);
      }
    };
    try (HotplugClient c = HotplugClient.builder().interceptor(r).connect(MemoryTestNode.write(dir))) {
      self[0] = c;
      DomainHandle off = c.domain("memoff");
      r.clear();
      long p0 = parses();
      MemoryResult res = off.memory().add(MemorySize.ofMiB(256)).config().apply();
      assertThat(res.after().config().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(1536));
      assertThat(r.ops).containsExactly("isPersistent", "isActive", "xml(inactive)", "attachDevice(CONFIG)",
          "xml(inactive)");
      assertThat(parses() - p0).isEqualTo(2);
    }
  }
}
