package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apply path of memory changes (verification after attach/detach, a guest that refuses, a
 * half-done split) on libvirt's test driver. The test driver has no device attach/detach, so the
 * interceptor stands in for the hypervisor: it swallows the call (libvirt "accepted" it but nothing
 * happens, as with a guest that never acts), fails it, or makes the change itself by redefining the
 * domain through the same connection. Real attach/detach is proven by hotplug-lab's
 * MemoryHotplugIT and UnplugIT.
 */
class MemoryApplyTest {
  @TempDir Path dir;

  /**
   * Does what libvirt does for a DIMM attach to the definition of a shut-off domain: adds the DIMM on
   * node 0 and grows {@code <memory>} (through the same connection: test-driver state is per connection).
   */
  static void attachToDefinition(HotplugClient client, String domain, MemorySize size) {
    DomainXml x = DomainXml.parse(client.domain(domain).xml(true));
    MemorySize total = x.memory().orElseThrow().size().plus(size);
    x.addMemoryDevice(MemoryDevice.dimm(size, 0));
    x.setMemory(total);
    x.setCurrentMemory(total);
    client.gateway().defineXml(x.toXml());
  }

  private HotplugClient client(CallInterceptor interceptor) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(200))
        .interceptor(interceptor).connect(MemoryTestNode.write(dir));
  }

  /** Records every operation name; swallows the ones starting with {@code swallow}. */
  private static CallInterceptor swallowing(String swallow, List<String> seen) {
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        seen.add(op);
        return op.startsWith(swallow) ? null : call.get();
      }
    };
  }

  @Test
  void add_libvirtAcceptsButTheDimmNeverShows_throwsVerificationTimeoutAndKeepsPolling() {
    List<String> seen = new ArrayList<>();
    try (HotplugClient c = client(swallowing("attachDevice", seen))) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
            assertThat(e).isNotInstanceOf(GuestRefusedException.class);
            assertThat(e.expected()).isEqualTo("live memory 1536 MiB");
            assertThat(e.observed()).startsWith("memory 1280 MiB");
            assertThat(e.attempts()).isGreaterThan(1);
          })
          .hasMessageContaining("libvirt accepted the DIMM(s) but the live XML shows")
          .hasMessageContaining("Read memoryView()");
      assertThat(seen).containsOnlyOnce("attachDevice(LIVE)");
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void remove_guestNeverReleasesTheDimm_throwsGuestRefusedWithTheMovableAdvice() {
    List<String> seen = new ArrayList<>();
    try (HotplugClient c = client(swallowing("detachDevice", seen))) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      String config = d.xml(true);
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOfSatisfying(GuestRefusedException.class, e -> {
            assertThat(e.expected()).isEqualTo("live memory 1 GiB");
            assertThat(e.observed()).startsWith("memory 1280 MiB");
          })
          .hasMessageContaining("the guest did not release the DIMM(s)")
          .hasMessageContaining("Nothing was released")
          .hasMessageContaining("online_movable");
      assertThat(seen).containsOnlyOnce("detachDevice(LIVE)");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void remove_libvirtSaysTheGuestRejectedIt_throwsGuestRefusedNamingTheDimmAndTheFix() {
    // what QEMU's driver reports when the guest answers the unplug with an error (DEVICE_UNPLUG_GUEST_ERROR)
    String m = "operation failed: unplug of device was rejected by the guest";
    CallInterceptor reject = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.startsWith("detachDevice")) {
          throw new LibvirtException("libvirt " + op + " failed: " + m, 9, "VIR_ERR_OPERATION_FAILED", m, null);
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(reject)) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("refused to release the DIMM 256 MiB on node 0")
          .hasMessageContaining("online_movable")
          .hasCauseInstanceOf(LibvirtException.class);
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void add_splitSecondAttachFails_throwsPartialApplyCarryingDoneAndFailedSteps() {
    int[] attaches = {0};
    CallInterceptor firstOk = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.startsWith("attachDevice")) {
          if (attaches[0]++ == 0) {
            return null; // accepted
          }
          throw new LibvirtException("libvirt " + op + " failed: no free slot", 1, "VIR_ERR_INTERNAL_ERROR",
              "internal error: no free memory device slot available", null);
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(firstOk)) {
      DomainHandle d = c.domain("mem");
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(512)).split(MemorySize.ofMiB(256)).live().apply())
          .isInstanceOfSatisfying(PartialApplyException.class, e -> {
            assertThat(e.applied()).singleElement()
                .satisfies(s -> assertThat(s.detail()).startsWith("attach DIMM 256 MiB node 0"));
            assertThat(e.failed().detail()).startsWith("attach DIMM 256 MiB node 0");
            assertThat(e.observedState()).contains("1280 MiB");
          })
          .hasMessageContaining("stopped half way: 1 of 2 DIMM(s) done")
          .hasMessageContaining("failed: no free slot")
          .hasMessageContaining("to reconcile");
      assertThat(attaches[0]).isEqualTo(2);
    }
  }

  @Test
  void add_configOfShutOffDomain_attachMadeByTheHypervisor_isVerifiedInTheDefinition() {
    // the interceptor does what libvirt would: put the DIMM into the definition and grow <memory>
    HotplugClient[] self = new HotplugClient[1];
    CallInterceptor define = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("attachDevice(CONFIG)")) {
          attachToDefinition(self[0], domain, MemorySize.ofMiB(256));
          return null;
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(define)) {
      self[0] = c;
      MemoryResult r = c.domain("memoff").memory().add(MemorySize.ofMiB(256)).config().apply();
      assertThat(r.steps()).singleElement().satisfies(s -> {
        assertThat(s.action()).isEqualTo("attachDeviceFlags");
        assertThat(s.scope()).isEqualTo(Scope.CONFIG);
      });
      assertThat(r.before().config().orElseThrow().dimms()).hasSize(1);
      assertThat(r.after().config().orElseThrow().dimms()).hasSize(2);
      assertThat(r.after().config().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(1536));
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.warnings()).isEmpty();
    }
  }

  @Test
  void add_configOfShutOffDomain_definitionDoesNotGrow_throwsVerificationTimeout() {
    List<String> seen = new ArrayList<>();
    try (HotplugClient c = client(swallowing("attachDevice", seen))) {
      DomainHandle d = c.domain("memoff");
      String config = d.xml(true);
      assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).config().apply())
          .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
            assertThat(e.expected()).isEqualTo("config memory 1536 MiB");
            assertThat(e.observed()).isEqualTo("config memory 1280 MiB");
          })
          .hasMessageContaining("Read memoryView() and drift()");
      assertThat(seen).containsOnlyOnce("attachDevice(CONFIG)");
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void removeWithoutVerification_returnsAtOnceAndWarnsThatNothingWasReadBack() {
    List<String> seen = new ArrayList<>();
    try (HotplugClient c = client(swallowing("detachDevice", seen))) {
      MemoryResult r = c.domain("mem").memory().remove(MemorySize.ofMiB(256)).live().verify(Verification.NONE).apply();
      assertThat(r.attempts()).isZero();
      assertThat(r.steps()).hasSize(1);
      assertThat(r.after()).isSameAs(r.before());
      assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("not verified (verification NONE)",
          "'after' is the view from before", "hot-remove completes asynchronously", "Read memoryView()"));
      assertThat(seen).containsOnlyOnce("detachDevice(LIVE)");
    }
  }
}
