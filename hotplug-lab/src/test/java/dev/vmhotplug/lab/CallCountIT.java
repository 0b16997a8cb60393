package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.dimms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.Instrumentation;
import dev.vmhotplug.xml.MemorySize;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The libvirt calls and whole-document parses of the main operations on a real QEMU guest (the
 * test driver cannot attach devices): a verified DIMM attach with both scopes makes at most 7 calls
 * and 4 parses, a verified vCPU set with both scopes at most 6 calls. Counted through hotplug-core's
 * internal hooks ({@link Instrumentation}: the call interceptor and the core's parse counter).
 */
class CallCountIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static final List<String> OPS = new CopyOnWriteArrayList<>();
  static HotplugClient client;
  static LabDomain vm;

  @BeforeAll
  static void boot() {
    vm = LAB.boot(DomainSpec.builder("count").persistent(true).build());
    CallInterceptor record = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        OPS.add(op);
        return call.get();
      }
    };
    client = Instrumentation.interceptor(HotplugClient.builder(), record).connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void verifiedDimmAttachWithBothScopes_isAtMostSevenCallsAndFourParses() {
    DomainHandle d = client.domain(vm.name());
    OPS.clear();
    long parses = Instrumentation.documentParsesOnThisThread();

    MemoryResult r = d.memory().add(MemorySize.ofMiB(256)).node(0).live().config().apply();

    long parsed = Instrumentation.documentParsesOnThisThread() - parses;
    System.out.println("[CallCountIT] DIMM attach --live --config: " + OPS.size() + " calls " + OPS + ", " + parsed
        + " whole-document parses, " + r.attempts() + " verification read(s)");
    assertThat(OPS).hasSizeLessThanOrEqualTo(7)
        .startsWith("xml(live)", "isPersistent", "xml(inactive)", "attachDevice(LIVE_AND_CONFIG)")
        .endsWith("xml(inactive)")
        .containsOnlyOnce("attachDevice(LIVE_AND_CONFIG)");
    assertThat(parsed).isLessThanOrEqualTo(4);
    assertThat(r.steps()).hasSize(1);
    assertThat(r.after().live().orElseThrow().dimms()).hasSize(1);
    assertThat(r.after().config().orElseThrow().dimms()).hasSize(1);
    assertThat(dimms(vm.xml(false))).isEqualTo(1);
    assertThat(dimms(vm.xml(true))).isEqualTo(1);
    GuestReport g = vm.probe().awaitReport("the 256 MiB DIMM's 2 blocks online",
        x -> x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
    assertThat(g.blocksOnline()).hasSize(6);
  }

  @Test
  void verifiedVcpuSetWithBothScopes_isAtMostSixCalls() {
    DomainHandle d = client.domain(vm.name());
    OPS.clear();
    long parses = Instrumentation.documentParsesOnThisThread();

    VcpuResult r = d.vcpus().set(3).live().config().apply();

    long parsed = Instrumentation.documentParsesOnThisThread() - parses;
    System.out.println("[CallCountIT] setvcpus 3 --live --config: " + OPS.size() + " calls " + OPS + ", " + parsed
        + " whole-document parses, " + r.attempts() + " verification read(s)");
    assertThat(OPS).hasSizeLessThanOrEqualTo(6)
        .startsWith("xml(live)", "isPersistent", "xml(inactive)", "setVcpus(LIVE_AND_CONFIG)")
        .containsOnlyOnce("setVcpus(LIVE_AND_CONFIG)");
    assertThat(parsed).isLessThanOrEqualTo(4);
    assertThat(r.after().currentLive()).hasValue(3);
    assertThat(r.after().currentConfig()).hasValue(3);
  }
}
