package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.guest.truth.CpuList;
import dev.vmhotplug.guest.truth.GuestFacts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VcpuChangeTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() {
    uri = TestNode.write(dir);
  }

  private HotplugClient client() {
    return HotplugClient.connect(uri);
  }

  /** A client whose every libvirt call goes through the interceptor; short timeouts. */
  private HotplugClient client(CallInterceptor interceptor) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(200))
        .interceptor(interceptor).connect(uri);
  }

  /** Runs a refused action and asserts that neither the live nor the inactive XML changed. */
  private static AbstractThrowableAssert<?, ? extends Throwable> refusedWithoutChange(DomainHandle d,
      Runnable action) {
    String live = d.xml(false);
    String inactive = d.xml(true);
    AbstractThrowableAssert<?, ? extends Throwable> a = assertThatThrownBy(action::run);
    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(d.xml(true)).isEqualTo(inactive);
    return a;
  }

  // ---------------------------------------------------------------- changes

  @Test
  void setLive_up_changesLiveOnlyAndReportsStep() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      VcpuResult r = web.vcpus().set(4).live().apply();
      assertThat(r.changed()).isTrue();
      assertThat(r.before().currentLive()).hasValue(2);
      assertThat(r.after().currentLive()).hasValue(4);
      assertThat(r.after().currentConfig()).as("config is outside the scope: not read").isEmpty();
      assertThat(r.steps()).containsExactly(new OperationStep("setVcpusFlags", Scope.LIVE, "vCPUs 2 -> 4 (hot-plug)"));
      assertThat(r.attempts()).isGreaterThanOrEqualTo(1);
      assertThat(r.summary()).contains("vCPUs 2 -> 4").contains("--live");
      assertThat(web.vcpuCount().currentLive()).hasValue(4);
      assertThat(web.vcpuCount().currentConfig()).hasValue(2);
    }
  }

  @Test
  void setLive_makesTheCarefulHandWrittenCallsAndNoMore() {
    List<String> ops = new java.util.concurrent.CopyOnWriteArrayList<>();
    CallInterceptor record = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        ops.add(op);
        return call.get();
      }
    };
    try (HotplugClient client = client(record)) {
      DomainHandle web = client.domain("web");
      ops.clear();
      web.vcpus().set(4).live().apply();
      assertThat(ops).containsExactly("xml(live)", "setVcpus(LIVE)", "xml(live)");
      ops.clear();
      web.vcpus().set(5).live().config().apply();
      // virsh setvcpus --live --config: one call with both flags, then each side read back once
      assertThat(ops).containsExactly("xml(live)", "isPersistent", "xml(inactive)", "setVcpus(LIVE_AND_CONFIG)",
          "xml(live)", "xml(inactive)");
      assertThat(ops).hasSizeLessThanOrEqualTo(6);
    }
  }

  @Test
  void set_noScope_isLiveLikeVirsh() {
    try (HotplugClient client = client()) {
      VcpuResult r = client.domain("web").vcpus().set(3).apply();
      assertThat(r.scope()).isEqualTo(Scope.LIVE);
      assertThat(r.after().currentLive()).hasValue(3);
      assertThat(client.domain("web").vcpuCount().currentConfig()).hasValue(2);
    }
  }

  @Test
  void setLiveAndConfig_changesBothInOneCallLikeVirsh() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      VcpuResult r = web.vcpus().set(6).live().config().apply();
      assertThat(r.scope()).isEqualTo(Scope.LIVE_AND_CONFIG);
      assertThat(r.steps()).containsExactly(
          new OperationStep("setVcpusFlags", Scope.LIVE_AND_CONFIG, "vCPUs 2 -> 6 (hot-plug)"));
      assertThat(r.summary()).isEqualTo("domain 'web': vCPUs 2 -> 6 (hot-plug) --live --config (verified: host)");
      assertThat(web.vcpuCount()).isEqualTo(VcpuCount.builder().config(8, 6).live(8, 6).build());
      assertThat(web.xml(true)).contains("<vcpu placement='static' current='6'>8</vcpu>");
    }
  }

  @Test
  void setConfig_shutOffDomain_changesTheDefinition() {
    try (HotplugClient client = client()) {
      DomainHandle off = client.domain("off");
      VcpuResult r = off.vcpus().set(3).config().apply();
      assertThat(r.after().currentConfig()).hasValue(3);
      assertThat(off.vcpuCount().currentConfig()).hasValue(3);
    }
  }

  @Test
  void setLive_transientDomain_works() {
    try (HotplugClient client = client()) {
      VcpuResult r = client.domain("tr").vcpus().set(2).live().apply();
      assertThat(r.after().currentLive()).hasValue(2);
      assertThat(r.after().currentConfig()).isEmpty();
    }
  }

  @Test
  void set_currentValue_isNoOpThatSaysSo() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      String live = web.xml(false);
      VcpuResult r = web.vcpus().set(2).live().config().apply();
      assertThat(r.changed()).isFalse();
      assertThat(r.steps()).isEmpty();
      assertThat(r.attempts()).isZero();
      assertThat(r.summary()).isEqualTo("domain 'web' already has 2 vCPU(s) (--live --config): nothing changed");
      assertThat(web.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void set_liveAlreadyThereConfigNot_changesOnlyConfig() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      web.vcpus().set(5).live().apply();
      VcpuResult r = web.vcpus().set(5).live().config().apply();
      assertThat(r.steps()).extracting(OperationStep::scope).containsExactly(Scope.CONFIG);
      assertThat(web.vcpuCount().drifts()).isFalse();
    }
  }

  @Test
  void setLive_down_isHotUnplugVerifiedOnTheHost() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      web.vcpus().set(6).apply();
      VcpuResult r = web.vcpus().set(1).live().apply();
      assertThat(r.steps().get(0).detail()).isEqualTo("vCPUs 6 -> 1 (hot-unplug)");
      assertThat(r.after().currentLive()).hasValue(1);
    }
  }

  @Test
  void verifyNone_readsNothingBackAndReportsTheExpectedCounts() {
    try (HotplugClient client = client()) {
      VcpuResult r = client.domain("web").vcpus().set(4).verify(Verification.NONE).apply();
      assertThat(r.attempts()).isZero();
      assertThat(r.after().currentLive()).hasValue(4);
      assertThat(r.verification()).isSameAs(Verification.NONE);
    }
  }

  @Test
  void verifyNone_hotUnplug_warnsThatItWasNotWaitedFor() {
    try (HotplugClient client = client()) {
      VcpuResult r = client.domain("web").vcpus().set(1).verify(Verification.NONE).apply();
      assertThat(r.attempts()).isZero();
      assertThat(r.warnings()).singleElement().asString()
          .contains("hot-unplug not waited for (verification NONE)", "read vcpuCount()");
      VcpuResult up = client.domain("web").vcpus().set(3).verify(Verification.NONE).apply();
      assertThat(up.warnings()).isEmpty();
    }
  }

  @Test
  void byUuid_handleChangesTheSameDomain() {
    try (HotplugClient client = client()) {
      client.domain(TestNode.WEB_UUID).vcpus().set(7).apply();
      assertThat(client.domain("web").vcpuCount().currentLive()).hasValue(7);
    }
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void set_zero_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      refusedWithoutChange(web, () -> web.vcpus().set(0).live().config().apply())
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.COUNT_BELOW_ONE))
          .hasMessageContaining("asked for 0 vCPUs")
          .hasMessageContaining("at least 1 vCPU");
    }
  }

  @Test
  void set_negative_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      refusedWithoutChange(web, () -> web.vcpus().set(-3).apply())
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.COUNT_BELOW_ONE))
          .hasMessageContaining("Ask for the total number wanted");
    }
  }

  @Test
  void apply_withoutCount_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      refusedWithoutChange(web, () -> web.vcpus().live().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
          .hasMessageContaining("call vcpus().set(n)");
    }
  }

  @Test
  void setLive_aboveLiveMaximum_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      refusedWithoutChange(web, () -> web.vcpus().set(9).live().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAXIMUM))
          .hasMessageContaining("maximum of 8")
          .hasMessageContaining("maxVcpus(9)")
          .hasMessageContaining("virsh setvcpus web 9 --maximum --config");
    }
  }

  @Test
  void setConfig_aboveConfigMaximum_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle off = client.domain("off");
      refusedWithoutChange(off, () -> off.vcpus().set(5).config().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAXIMUM))
          .hasMessageContaining("allows at most 4")
          .hasMessageContaining("maxVcpus(5)");
    }
  }

  @Test
  void setLive_shutOffDomain_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle off = client.domain("off");
      refusedWithoutChange(off, () -> off.vcpus().set(3).live().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_RUNNING))
          .hasMessageContaining("is not running")
          .hasMessageContaining("virsh start off")
          .hasMessageContaining(".config()");
    }
  }

  @Test
  void setConfig_transientDomain_refusedWithoutChange() {
    try (HotplugClient client = client()) {
      DomainHandle tr = client.domain("tr");
      refusedWithoutChange(tr, () -> tr.vcpus().set(2).live().config().apply())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERSISTENT))
          .hasMessageContaining("is transient")
          .hasMessageContaining("Use .live() only");
    }
  }

  // ---------------------------------------------------------------- faults a real test driver cannot produce

  /** Swallows every setVcpus call touching the live side: libvirt "accepted" it but nothing happened. */
  private static CallInterceptor swallowLiveSet() {
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        return op.startsWith("setVcpus(LIVE") ? null : call.get();
      }
    };
  }

  private static LibvirtException unplugTimedOut() {
    // what libvirt's QEMU driver reports (qemuDomainHotplugDelVcpu)
    String m = "Timed out during operation: vcpu unplug request timed out. Unplug result must be manually"
        + " inspected in the domain";
    return new LibvirtException("libvirt setVcpus(LIVE) failed: " + m, 68, "VIR_ERR_OPERATION_TIMEOUT", m, null);
  }

  @Test
  void unplug_guestKeepsTheCpu_throwsGuestRefusedWithExpectedAndObserved() {
    try (HotplugClient client = client(swallowLiveSet())) {
      DomainHandle web = client.domain("web");
      assertThatThrownBy(() -> web.vcpus().set(1).live().config().apply())
          .isInstanceOfSatisfying(GuestRefusedException.class, e -> {
            assertThat(e.expected()).isEqualTo("live vCPUs = 1");
            assertThat(e.observed()).isEqualTo("live vCPUs = 2");
            assertThat(e.attempts()).isGreaterThan(1);
          })
          .hasMessageContaining("did not release its vCPUs")
          .hasMessageContaining("The persistent definition was not changed");
      assertThat(web.vcpuCount().currentConfig()).hasValue(2);
    }
  }

  @Test
  void hotplug_countNeverShows_throwsVerificationTimeout() {
    try (HotplugClient client = client(swallowLiveSet())) {
      assertThatThrownBy(() -> client.domain("web").vcpus().set(4).apply())
          .isExactlyInstanceOf(VerificationTimeoutException.class)
          .hasMessageContaining("the live XML still shows 2")
          .hasMessageContaining("longer timeout");
    }
  }

  @Test
  void unplug_libvirtTimesOutAndGuestNeverReleases_throwsGuestRefusedWithLibvirtCause() {
    CallInterceptor i = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE)")) {
          throw unplugTimedOut();
        }
        return call.get();
      }
    };
    try (HotplugClient client = client(i)) {
      assertThatThrownBy(() -> client.domain("web").vcpus().set(1).apply())
          .isInstanceOf(GuestRefusedException.class)
          .hasMessageContaining("vcpu unplug request timed out")
          .hasMessageContaining("was not confirmed")
          .hasMessageContaining("QEMU never confirmed the removal")
          .hasMessageContaining("restart the domain")
          .hasCauseInstanceOf(LibvirtException.class);
    }
  }

  @Test
  void unplug_libvirtTimesOutButGuestReleasesLater_succeedsWithWarning() {
    CallInterceptor i = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE)")) {
          call.get();
          throw unplugTimedOut();
        }
        return call.get();
      }
    };
    try (HotplugClient client = client(i)) {
      VcpuResult r = client.domain("web").vcpus().set(1).apply();
      assertThat(r.after().currentLive()).hasValue(1);
      assertThat(r.warnings()).singleElement().asString().contains("vcpu unplug request timed out");
    }
  }

  @Test
  void unplugBothScopes_libvirtTimesOutInTheLivePart_configIsSetByASecondCallOnceTheGuestReleased() {
    // libvirt's QEMU driver stops a combined call at the live part when the unplug is not confirmed in
    // time; here the guest releases the vCPU right after (the live part is done, the error comes back)
    HotplugClient[] self = new HotplugClient[1];
    Recorder rec = new Recorder() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE_AND_CONFIG)")) {
          super.intercept(op, domain, () -> null);
          unrecorded(() -> self[0].domain(domain).vcpus().set(1).live().verify(Verification.NONE).apply());
          throw unplugTimedOut();
        }
        return super.intercept(op, domain, call);
      }
    };
    try (HotplugClient client = client(rec)) {
      self[0] = client;
      DomainHandle web = client.domain("web");
      VcpuResult r = web.vcpus().set(1).live().config().apply();
      assertThat(r.steps()).containsExactly(
          new OperationStep("setVcpusFlags", Scope.LIVE, "vCPUs 2 -> 1 (hot-unplug)"),
          new OperationStep("setVcpusFlags", Scope.CONFIG, "vCPUs 2 -> 1"));
      assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("vcpu unplug request timed out"))
          .anySatisfy(w -> assertThat(w).contains("by a second call"));
      assertThat(rec.changes()).containsExactly("setVcpus(LIVE_AND_CONFIG)", "setVcpus(CONFIG)");
      assertThat(web.vcpuCount()).isEqualTo(VcpuCount.builder().config(8, 1).live(8, 1).build());
    }
  }

  @Test
  void hotplug_libvirtRefusesOtherwise_throwsLibvirtExceptionNothingApplied() {
    CallInterceptor i = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE_AND_CONFIG)")) {
          throw new LibvirtException("libvirt refused", 55, "VIR_ERR_OPERATION_INVALID", "no", null);
        }
        return call.get();
      }
    };
    try (HotplugClient client = client(i)) {
      DomainHandle web = client.domain("web");
      assertThatThrownBy(() -> web.vcpus().set(4).live().config().apply())
          .isExactlyInstanceOf(LibvirtException.class);
      assertThat(web.vcpuCount()).isEqualTo(VcpuCount.builder().config(8, 2).live(8, 2).build());
    }
  }

  @Test
  void liveDoneConfigFails_throwsPartialApplyCarryingBothStates() {
    // what libvirt does when saving the definition fails: the live part of the combined call is made
    // (it comes first), then the call fails
    HotplugClient[] self = new HotplugClient[1];
    CallInterceptor i = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE_AND_CONFIG)")) {
          self[0].domain(domain).vcpus().set(4).live().verify(Verification.NONE).apply();
          throw new LibvirtException("libvirt setVcpus(LIVE_AND_CONFIG) failed: cannot save config", 38,
              "VIR_ERR_SYSTEM_ERROR", "cannot save config", null);
        }
        return call.get();
      }
    };
    try (HotplugClient client = client(i)) {
      self[0] = client;
      DomainHandle web = client.domain("web");
      assertThatThrownBy(() -> web.vcpus().set(4).live().config().apply())
          .isInstanceOfSatisfying(PartialApplyException.class, e -> {
            assertThat(e.applied()).extracting(OperationStep::scope).containsExactly(Scope.LIVE);
            assertThat(e.failed().scope()).isEqualTo(Scope.CONFIG);
            assertThat(e.vcpuCount()).hasValue(VcpuCount.builder().config(8, 2).live(8, 4).build());
            assertThat(e.observedState()).contains("current      live           4");
          })
          .hasMessageContaining("the live change was applied (vCPUs 2 -> 4 (hot-plug))")
          .hasMessageContaining("cannot save config")
          .hasMessageContaining("vcpus().set(4).config()")
          .hasCauseInstanceOf(LibvirtException.class);
    }
  }

  // ---------------------------------------------------------------- guest verification

  @Test
  void verifyGuest_guestOnlinesAfterAWhile_succeedsAfterSeveralReads() {
    AtomicInteger reads = new AtomicInteger();
    GuestProbe probe = d -> GuestFacts.builder()
        .cpusOnline(reads.incrementAndGet() < 3 ? CpuList.parse("0-1") : CpuList.parse("0-3")).build();
    try (HotplugClient client = client(CallInterceptor.NONE)) {
      VcpuResult r = client.domain("web").vcpus().set(4).verify(Verification.guest(probe)).apply();
      assertThat(reads).hasValue(3);
      assertThat(r.attempts()).isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void verifyGuest_cpusPresentButOffline_throwsWithDiagnosis() {
    GuestProbe probe = d -> GuestFacts.builder()
        .cpusPresent(CpuList.parse("0-3")).cpusOnline(CpuList.parse("0-1")).build();
    try (HotplugClient client = client(CallInterceptor.NONE)) {
      assertThatThrownBy(() -> client.domain("web").vcpus().set(4).verify(Verification.guest(probe)).apply())
          .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
            assertThat(e.expected()).isEqualTo("guest CPUs online = 4");
            assertThat(e.observed()).isEqualTo("guest CPUs online = 2");
          })
          .hasMessageContaining("the guest sees 2 online")
          .hasMessageContaining("udev rule");
    }
  }

  @Test
  void verifyGuest_probeKnowsNothing_succeedsWithCannotTellWarning() {
    GuestProbe probe = d -> GuestFacts.builder().build();
    try (HotplugClient client = client(CallInterceptor.NONE)) {
      VcpuResult r = client.domain("web").vcpus().set(4).verify(Verification.guest(probe)).apply();
      assertThat(r.warnings()).singleElement().asString().contains("could not tell");
    }
  }

  @Test
  void scope_accumulatesLikeLiveAndConfigAndLikeMemoryAndEnsure() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      assertThat(web.vcpus().set(4).effectiveScope()).isEqualTo(Scope.LIVE);
      assertThat(web.vcpus().set(4).scope(Scope.CONFIG).effectiveScope()).isEqualTo(Scope.CONFIG);
      assertThat(web.vcpus().set(4).live().scope(Scope.CONFIG).effectiveScope()).isEqualTo(Scope.LIVE_AND_CONFIG);
      assertThat(web.memory().live().scope(Scope.CONFIG).effectiveScope()).isEqualTo(Scope.LIVE_AND_CONFIG);
      assertThat(web.ensure().live().scope(Scope.CONFIG).effectiveScope()).isEqualTo(Scope.LIVE_AND_CONFIG);
    }
  }

  @Test
  void toString_describesTheRequest() {
    try (HotplugClient client = client()) {
      assertThat(client.domain("web").vcpus().set(4).config().live().toString())
          .isEqualTo("vcpus().set(4) --live --config verify=HOST");
      assertThat(List.of(Scope.values())).hasSize(3);
    }
  }
}
