package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live + config DIMM removal that the guest does not complete: libvirt 9.0 drops the DIMM from
 * the persistent definition as soon as it accepts the live detach (seen on the VM lab, domain paused
 * during the call), so the refusal says what the definition now holds. The test driver cannot
 * detach; the interceptor stands in for libvirt (accepts the call and, in the second test, removes
 * the DIMM from the definition as libvirt does).
 */
class RefusedDetachDefinitionTest {
  @TempDir Path dir;

  private HotplugClient client(CallInterceptor i) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(200))
        .interceptor(i).connect(MemoryTestNode.write(dir));
  }

  @Test
  void definitionUntouched_saysItStillHasTheDimm() {
    CallInterceptor accept = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        return op.startsWith("detachDevice") ? null : call.get();
      }
    };
    try (HotplugClient c = client(accept)) {
      DomainHandle d = c.domain("mem");
      String config = d.xml(true);
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).live().config().apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("did not release the DIMM(s)")
          .hasMessageContaining("The persistent definition still has the DIMM(s).");
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void definitionLostTheDimm_saysSoAndHowToKeepTheMemory() {
    HotplugClient[] self = new HotplugClient[1];
    CallInterceptor libvirt = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("detachDevice(LIVE_AND_CONFIG)")) {
          DomainXml x = DomainXml.parse(self[0].domain(domain).xml(true));
          MemorySize total = x.memory().orElseThrow().size().minus(MemorySize.ofMiB(256));
          x.removeMemoryDevice(0);
          x.setMemory(total);
          self[0].gateway().defineXml(x.toXml());
          return null;
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(libvirt)) {
      self[0] = c;
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).live().config().apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("libvirt already removed the DIMM(s) from the persistent definition")
          .hasMessageContaining("0 DIMM(s) of 256 MiB on node 0")
          .hasMessageContaining("drift()");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }
}
