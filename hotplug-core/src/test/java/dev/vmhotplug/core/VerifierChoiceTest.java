package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which verifier the client uses, on libvirt's test driver: event-based by default, polling with
 * {@code deviceEvents(false)}; a vCPU change never opens a watch (no event callback is registered, no
 * call added: the exact call lists of {@link OperationCountsTest} run with the default); a memory
 * change does, and falls back to the poll when no event comes (the test driver emits none).
 */
class VerifierChoiceTest {
  @TempDir Path dir;

  private HotplugClient client(boolean events, CallInterceptor i, String uri) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(300))
        .deviceEvents(events).interceptor(i).connect(uri);
  }

  private static CallInterceptor swallowing(String prefix, List<String> seen) {
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        seen.add(op);
        return op.startsWith(prefix) ? null : call.get();
      }
    };
  }

  @Test
  void vcpuChange_withEvents_opensNoWatchAndRegistersNothing() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (HotplugClient c = client(true, swallowing("none", seen), TestNode.write(dir))) {
      assertThat(c.usesDeviceEvents()).isTrue();
      DomainHandle web = c.domain("web");
      seen.clear();
      web.vcpus().set(4).live().config().apply();
      assertThat(c.gateway().eventCallbacksRegistered()).as("Signal.NONE registered event callbacks").isFalse();
      assertThat(seen).containsExactly("xml(live)", "isPersistent", "xml(inactive)", "setVcpus(LIVE_AND_CONFIG)",
          "xml(live)", "xml(inactive)");
    }
  }

  @Test
  void memoryRemove_withEvents_watches_noEventComes_thePollDecides() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (HotplugClient c = client(true, swallowing("detachDevice", seen), MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOfSatisfying(GuestRefusedException.class, e -> assertThat(e.attempts()).isGreaterThan(1))
          .hasMessageContaining("did not release the DIMM(s) within");
      assertThat(c.gateway().eventCallbacksRegistered()).as("the memory change opened a watch").isTrue();
      assertThat(seen).containsOnlyOnce("detachDevice(LIVE)");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void memoryRemove_pollingOnly_registersNothing_sameOutcome() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (HotplugClient c = client(false, swallowing("detachDevice", seen), MemoryTestNode.write(dir))) {
      assertThat(c.usesDeviceEvents()).isFalse();
      DomainHandle d = c.domain("mem");
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("did not release the DIMM(s) within");
      assertThat(c.gateway().eventCallbacksRegistered()).isFalse();
    }
  }
}
