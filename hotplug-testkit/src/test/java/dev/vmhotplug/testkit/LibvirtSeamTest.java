package dev.vmhotplug.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.DomainNotFoundException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.core.VcpuResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam's recording and faults on the real test driver: each fault reaches the caller as the
 * SDK exception the SDK documents for that failure, and the domain is unchanged when it should be.
 */
class LibvirtSeamTest {
  final LibvirtSeam seam = LibvirtSeam.create();
  @TempDir java.nio.file.Path dir;

  @RegisterExtension
  final HotplugTestDriver libvirt = HotplugTestDriver.with(
          TestDomain.named("web").vcpus(2, 8).build(),
          TestDomain.named("db").vcpus(1, 4).build())
      .clientSetup(b -> b.pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(300)))
      .seam(seam);

  @Test
  void records_everyCallWithOperationDomainChangeFlagAndArgument() {
    libvirt.client().domain("web").vcpus().set(4).live().config().apply();
    assertThat(seam.calls()).isNotEmpty();
    assertThat(seam.calls()).extracting(RecordedCall::index)
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, seam.calls().size()).boxed().toList());
    assertThat(seam.calls().get(0).operation()).isEqualTo("lookup");
    assertThat(seam.changes()).singleElement().satisfies(c -> {
      assertThat(c.operation()).isEqualTo("setVcpus(LIVE_AND_CONFIG)");
      assertThat(c.domain()).isEqualTo("web");
      assertThat(c.argument()).hasValue("4");
      assertThat(c.outcome()).isEqualTo(RecordedCall.Outcome.RETURNED);
      assertThat(c.uri()).isEqualTo(libvirt.uri());
    });
    assertThat(seam.calls("xml(")).isNotEmpty().allSatisfy(c -> assertThat(c.change()).isFalse());
  }

  @Test
  void libvirtError_onTheChange_reachesTheCallerAsLibvirtExceptionWithCodeAndName_domainUnchanged() {
    DomainHandle d = libvirt.client().domain("web");
    String live = d.xml(false);
    String config = d.xml(true);
    Fault f = Fault.on("setVcpus").libvirtError("VIR_ERR_OPERATION_FAILED", "injected: the hypervisor said no");
    seam.inject(f);
    assertThatThrownBy(() -> d.vcpus().set(4).live().apply())
        .isInstanceOfSatisfying(LibvirtException.class, e -> {
          assertThat(e.errorName()).isEqualTo("VIR_ERR_OPERATION_FAILED");
          assertThat(e.errorCode()).isEqualTo(9);
          assertThat(e.libvirtMessage()).isEqualTo("injected: the hypervisor said no");
        })
        .hasMessageContaining("setVcpus(LIVE)").hasMessageContaining("'web'");
    assertThat(seam.fired(f)).isTrue();
    assertThat(seam.calls("setVcpus")).singleElement()
        .satisfies(c -> assertThat(c.outcome()).isEqualTo(RecordedCall.Outcome.INJECTED));
    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(d.xml(true)).isEqualTo(config);
    // it fired once: the next change goes through
    d.vcpus().set(4).live().apply();
    assertThat(d.vcpuCount().currentLive()).hasValue(4);
  }

  @Test
  void noDomain_onLookup_reachesTheCallerAsDomainNotFound() {
    seam.inject(Fault.on("lookup").domain("db").libvirtError("VIR_ERR_NO_DOMAIN", "Domain not found"));
    assertThatThrownBy(() -> libvirt.client().domain("db").vcpuCount()).isInstanceOf(DomainNotFoundException.class)
        .hasMessageContaining("db");
    assertThat(libvirt.client().domain("web").vcpuCount().currentLive()).hasValue(2);
  }

  @Test
  void connectionLostBeforeTheChange_reachesTheCallerAsConnectionLost_nothingApplied() {
    DomainHandle d = libvirt.client().domain("web");
    seam.inject(Fault.on("setVcpus").connectionLost(Fault.Timing.BEFORE_CALL));
    assertThatThrownBy(() -> d.vcpus().set(4).live().apply()).isInstanceOf(ConnectionLostException.class)
        .hasMessageContaining("the change was not applied");
    assertThat(d.vcpuCount().currentLive()).hasValue(2);
  }

  @Test
  void connectionLostAfterTheChange_sdkReadsBackAndReportsItApplied() {
    DomainHandle d = libvirt.client().domain("web");
    seam.inject(Fault.on("setVcpus").connectionLost(Fault.Timing.AFTER_CALL));
    VcpuResult r = d.vcpus().set(4).live().apply();
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("the change was applied"));
    assertThat(d.vcpuCount().currentLive()).hasValue(4);
  }

  @Test
  void connectionLostOnARead_isRetriedOnceBySdk() {
    Fault f = Fault.on("xml(live)").connectionLost(Fault.Timing.BEFORE_CALL);
    seam.inject(f);
    assertThat(libvirt.client().domain("web").xml(false)).contains("<name>web</name>");
    assertThat(seam.fired(f)).isTrue();
    assertThat(seam.calls("xml(live)")).extracting(RecordedCall::outcome)
        .containsExactly(RecordedCall.Outcome.INJECTED, RecordedCall.Outcome.RETURNED);
  }

  @Test
  void nth_selectsTheNthMatchingCall_notTheFirst() {
    DomainHandle d = libvirt.client().domain("web");
    Fault f = Fault.on("setVcpus").nth(2).libvirtError("VIR_ERR_INTERNAL_ERROR", "injected second call");
    seam.inject(f);
    d.vcpus().set(3).live().apply();
    assertThat(seam.fired(f)).isFalse();
    assertThatThrownBy(() -> d.vcpus().set(4).live().apply()).isInstanceOf(LibvirtException.class)
        .hasMessageContaining("injected second call");
    assertThat(d.vcpuCount().currentLive()).hasValue(3);
  }

  @Test
  void onCall_selectsTheNthCallOfAnyKind() {
    DomainHandle d = libvirt.client().domain("web");
    d.vcpuCount();
    int next = seam.calls().size() + 1;
    seam.inject(Fault.onCall(next).libvirtError("VIR_ERR_INTERNAL_ERROR", "injected call " + next));
    assertThatThrownBy(d::vcpuCount).isInstanceOf(LibvirtException.class).hasMessageContaining("injected call " + next);
    assertThat(seam.calls().get(next - 1).outcome()).isEqualTo(RecordedCall.Outcome.INJECTED);
  }

  @Test
  void everyTime_failsEveryMatchingCall() {
    DomainHandle d = libvirt.client().domain("web");
    seam.inject(Fault.on("setVcpus").everyTime().libvirtError("VIR_ERR_OPERATION_INVALID", "injected"));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> d.vcpus().set(4).live().apply()).isInstanceOf(LibvirtException.class);
    }
    assertThat(seam.calls("setVcpus")).hasSize(3);
  }

  @Test
  void unknownErrorName_isRefusedWithWhereNamesComeFrom() {
    assertThatThrownBy(() -> Fault.on("setVcpus").libvirtError("VIR_ERR_NOPE", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'VIR_ERR_NOPE'")
        .hasMessageContaining("virterror.h").hasMessageContaining("VIR_ERR_OPERATION_FAILED");
    assertThatThrownBy(() -> Fault.onCall(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.on(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutEmulation_aMemoryAttachReachesTheTestDriver_whichCannotDoIt() {
    HotplugClient c = TestDriverNode.write(dir, TestDomain.named("m").vcpus(2, 2)
        .memoryHotplug(dev.vmhotplug.xml.MemorySize.ofGiB(4), 4).build()).connect(seam::installOn);
    try (c) {
      assertThatThrownBy(() -> c.domain("m").memory().add(dev.vmhotplug.xml.MemorySize.ofMiB(256)).live().apply())
          .isInstanceOf(LibvirtException.class);
      assertThat(seam.calls("attachDevice")).singleElement()
          .satisfies(r -> assertThat(r.outcome()).isEqualTo(RecordedCall.Outcome.FAILED));
    }
  }
}
