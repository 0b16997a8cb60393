package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One exception contract: a caller of hotplug-core catches {@link HotplugException}; bad arguments
 * are {@link InvalidArgumentException}s thrown when the argument is given; hotplug-xml's exceptions
 * are wrapped at the core's boundary.
 */
class ExceptionContractTest {
  @TempDir Path dir;

  @Test
  void vcpuCount_belowOne_isRefusedWhenGiven_withTheValueGiven() {
    try (HotplugClient c = HotplugClient.connect(TestNode.write(dir))) {
      VcpuChange v = c.domain("web").vcpus();
      for (int bad : new int[] {0, -3, Integer.MIN_VALUE}) {
        assertThatThrownBy(() -> v.set(bad))
            .isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.refusal()).isEqualTo(Refusal.COUNT_BELOW_ONE))
            .hasMessageContaining("asked for " + bad + " vCPUs")
            .hasMessageNotContaining("no vCPU count given");
      }
      assertThatThrownBy(() -> c.domain("web").ensure().vcpus(Integer.MIN_VALUE))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cannot ensure -2147483648 vCPUs");
      // only a count that was really not given says so
      assertThatThrownBy(() -> v.live().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
          .hasMessageContaining("no vCPU count given");
    }
  }

  @Test
  void negativeTimeoutsNodesAndBadSizes_areRefusedWhenGiven() {
    try (HotplugClient c = HotplugClient.connect(MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      Duration minus = Duration.ofSeconds(-1);
      assertThatThrownBy(() -> d.vcpus().timeout(minus)).isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("timeout must not be negative");
      assertThatThrownBy(() -> d.memory().timeout(minus)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> d.ensure().timeout(minus)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> d.memory().node(-1))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NODE_OUT_OF_RANGE));
      assertThatThrownBy(() -> d.ensure().node(-1)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofBytes(0))).isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("more than zero");
      assertThatThrownBy(() -> d.memory().split(MemorySize.ofBytes(0))).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> d.memory().blockSize(MemorySize.ofBytes(1000)))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("whole number of KiB");
      assertThatThrownBy(() -> d.memory().add("8192"))
          .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_UNIT))
          .hasCauseInstanceOf(DomainXmlException.class);
      assertThatThrownBy(() -> d.ensure().memory("2048")).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> d.ensure().memory(MemorySize.ofBytes(0))).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> AgentGuestProbe.withTimeout(Duration.ofMillis(1)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> VcpuCount.builder().live(0, 0)).isInstanceOf(InvalidArgumentException.class);
      // null stays a programming error
      assertThatThrownBy(() -> d.memory().add((MemorySize) null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void hugeAddition_isRefusedAsTooLargeNotAsNegative() {
    try (HotplugClient c = HotplugClient.connect(MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofBytes(Long.MAX_VALUE)).live().config().plan())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY))
          .hasMessageContaining("too large")
          .hasMessageNotContaining("negative");
      assertThatThrownBy(() -> d.ensure().memory(MemorySize.ofBytes(Long.MAX_VALUE)).plan())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY))
          .hasMessageNotContaining("negative");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void prepareWithBadLimits_isRefusedInsideTheCoreRootBeforeAnyCall() {
    Recorder rec = new Recorder();
    try (HotplugClient c = HotplugClient.builder().interceptor(rec).connect(TestNode.write(dir))) {
      DomainHandle k1 = c.domain("k1");
      rec.clear();
      assertThatThrownBy(() -> k1.prepare(0, MemorySize.ofGiB(16), 16))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
          .hasMessageContaining("maxVcpus is 0")
          .hasCauseInstanceOf(DomainXmlException.class);
      assertThatThrownBy(() -> k1.prepare(8, MemorySize.ofGiB(16), 0))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("slots is 0")
          .hasCauseInstanceOf(dev.vmhotplug.xml.PreparationRefusedException.class);
      assertThat(rec.ops).isEmpty();
      assertThat(k1.prepare(8, MemorySize.ofGiB(16), 16).changed()).isTrue();
    }
  }

  @Test
  void guestRefused_isASiblingOfTimedOut() {
    assertThat(VerificationException.class).isAssignableFrom(GuestRefusedException.class)
        .isAssignableFrom(VerificationTimeoutException.class);
    assertThat(VerificationTimeoutException.class.isAssignableFrom(GuestRefusedException.class)).isFalse();
    assertThat(GuestRefusedException.class.isAssignableFrom(VerificationTimeoutException.class)).isFalse();
  }

  /** Returns a document hotplug-xml cannot read instead of the live XML. */
  private static CallInterceptor garbledLiveXml() {
    return new CallInterceptor() {
      @Override
      @SuppressWarnings("unchecked")
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        T real = call.get();
        if (op.equals("xml(live)")) {
          return (T) ((String) real).replace("<memory unit='KiB'>1310720</memory>",
              "<memory unit='parsecs'>1310720</memory>");
        }
        return real;
      }
    };
  }

  @Test
  void xmlHotplugXmlCannotRead_isAHotplugExceptionCarryingTheXmlError() {
    try (HotplugClient c = HotplugClient.builder().interceptor(garbledLiveXml()).connect(MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      for (Runnable r : new Runnable[] {
          d::memoryView, d::drift, () -> d.memory().add(MemorySize.ofMiB(256)).plan(),
          () -> d.ensure().memory(MemorySize.ofGiB(2)).plan(), () -> d.ensure().memory(MemorySize.ofGiB(2)).apply()}) {
        assertThatThrownBy(r::run)
            .isInstanceOf(HotplugException.class)
            .hasMessageContaining("domain 'mem'")
            .hasMessageContaining("parsecs")
            .hasCauseInstanceOf(DomainXmlException.class);
      }
    }
  }

  @Test
  void viewsOfCallerDocuments_wrapHotplugXmlErrorsToo() {
    DomainXml bad = DomainXml.parse("<domain type='kvm'><name>d</name><memory unit='parsecs'>1</memory>"
        + "<vcpu>2</vcpu></domain>");
    assertThatThrownBy(() -> MemoryView.of("d", Optional.of(bad), Optional.empty()))
        .isInstanceOf(HotplugException.class).hasCauseInstanceOf(DomainXmlException.class);
    assertThatThrownBy(() -> Drift.compare(bad, bad.copy()))
        .isInstanceOf(HotplugException.class).hasCauseInstanceOf(DomainXmlException.class);
  }
}
