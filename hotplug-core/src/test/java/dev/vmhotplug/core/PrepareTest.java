package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PreparationRefusedException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareTest {
  @TempDir Path dir;
  String uri;
  final List<String> ops = new CopyOnWriteArrayList<>();

  @BeforeEach
  void node() {
    uri = TestNode.write(dir);
  }

  private HotplugClient client() {
    return HotplugClient.builder().interceptor(new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        ops.add(op);
        return call.get();
      }
    }).connect(uri);
  }

  private static HotplugLimits limits(int vcpus) {
    return HotplugLimits.builder().maxVcpus(vcpus).maxMemory(MemorySize.ofGiB(16)).slots(16).build();
  }

  @Test
  void prepare_unpreparedKvmDomain_definesAndSaysColdBootIsNeeded() {
    try (HotplugClient client = client()) {
      DomainHandle k1 = client.domain("k1");
      String liveBefore = k1.xml(false);
      PrepareResult r = k1.prepare(limits(8));
      assertThat(r.changed()).isTrue();
      assertThat(r.coldBootNeeded()).isTrue();
      assertThat(r.changes()).isNotEmpty();
      assertThat(r.steps()).extracting(OperationStep::action).containsExactly("defineXML");
      assertThat(r.summary()).contains("next cold boot").contains("virsh shutdown k1; virsh start k1");
      assertThat(ops).contains("defineXML");

      DomainXml inactive = DomainXml.parse(k1.xml(true));
      assertThat(inactive.vcpu().orElseThrow().maximum()).isEqualTo(8);
      assertThat(inactive.vcpu().orElseThrow().effectiveCurrent()).isEqualTo(2);
      assertThat(inactive.maxMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(16));
      assertThat(inactive.maxMemory().orElseThrow().slots()).hasValue(16);
      assertThat(inactive.numaCells()).hasSize(1);
      // the running domain is untouched
      assertThat(k1.xml(false)).isEqualTo(liveBefore);
      assertThat(k1.vcpuCount()).isEqualTo(VcpuCount.builder().config(8, 2).live(2, 2).build());
    }
  }

  @Test
  void prepare_twice_secondTimeChangesNothingAndDefinesNothing() {
    try (HotplugClient client = client()) {
      DomainHandle k1 = client.domain("k1");
      k1.prepare(limits(8));
      String inactive = k1.xml(true);
      ops.clear();
      PrepareResult again = k1.prepare(limits(8));
      assertThat(again.changed()).isFalse();
      assertThat(again.coldBootNeeded()).isFalse();
      assertThat(again.steps()).isEmpty();
      assertThat(again.summary()).contains("already prepared").contains("nothing defined");
      assertThat(ops).doesNotContain("defineXML");
      assertThat(k1.xml(true)).isEqualTo(inactive);
    }
  }

  @Test
  void prepare_maximumBelowCurrent_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle k1 = client.domain("k1");
      String live = k1.xml(false);
      String inactive = k1.xml(true);
      assertThatThrownBy(() -> k1.prepare(limits(1)))
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.PREPARATION_REFUSED))
          .hasMessageContaining("cannot prepare domain 'k1'")
          .hasCauseInstanceOf(PreparationRefusedException.class);
      assertThat(((PreparationRefusedException) catchCause(() -> k1.prepare(limits(1)))).refusal())
          .isEqualTo(PreparationRefusedException.Refusal.MAX_VCPUS_BELOW_CURRENT);
      assertThat(k1.xml(false)).isEqualTo(live);
      assertThat(k1.xml(true)).isEqualTo(inactive);
      assertThat(ops).doesNotContain("defineXML");
    }
  }

  @Test
  void prepare_testTypeDomain_preparedAndDefinedByTheTestDriver() {
    // issue 12: libvirt's test driver is what users test against; hotplug-xml prepares type='test'
    // (with a note that the test driver hot-plugs no memory) instead of refusing it
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      web.prepare(limits(8));
      DomainXml inactive = DomainXml.parse(web.xml(true));
      assertThat(inactive.type()).isEqualTo("test");
      assertThat(inactive.vcpu().orElseThrow().maximum()).isEqualTo(8);
      assertThat(inactive.maxMemory().orElseThrow().slots()).hasValue(16);
      assertThat(inactive.numaCells()).hasSize(1);
    }
  }

  @Test
  void prepare_transientDomain_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle tr = client.domain("tr");
      String live = tr.xml(false);
      assertThatThrownBy(() -> tr.prepare(limits(8)))
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERSISTENT))
          .hasMessageContaining("is transient")
          .hasMessageContaining("virsh define tr.xml");
      assertThat(tr.xml(false)).isEqualTo(live);
    }
  }

  private static Throwable catchCause(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a refusal");
  }
}
