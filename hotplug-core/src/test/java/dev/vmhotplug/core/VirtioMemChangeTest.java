package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-mem through {@code domain.memory()} on libvirt's test driver: planning, refusals (nothing
 * changed: XML before == after) and the apply/verify path, with {@link VirtioMemSim} standing in for
 * QEMU and the guest driver (the test driver has no device update). The real resize is hotplug-lab's
 * VirtioMemIT.
 */
class VirtioMemChangeTest {
  static final Duration STILL = Duration.ofMillis(300);

  @TempDir Path dir;

  private HotplugClient client(VirtioMemSim sim) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(20))
        .interceptor(sim).connect(VirtioMemSim.write(dir));
  }

  private static MemoryDevice liveDevice(DomainHandle d) {
    return DomainXml.parse(d.xml(false)).memoryDevices().get(0);
  }

  // ---------------------------------------------------------------- model choice and plans

  @Test
  void add_onADomainWithVirtioMem_plansAVirtioMemResize_andSaysWhy() {
    try (HotplugClient c = client(new VirtioMemSim())) {
      MemoryPlan p = c.domain("vmem").memory().add(MemorySize.ofMiB(512)).plan();
      assertThat(p.model()).isEqualTo(MemoryModel.VIRTIO_MEM);
      assertThat(p.notes().get(0)).startsWith("model virtio-mem: the domain has 1 virtio-mem device(s)");
      assertThat(p.steps()).singleElement().satisfies(s -> {
        assertThat(s.action()).isEqualTo(MemoryPlan.Action.UPDATE);
        assertThat(s.requestedAfter()).hasValue(MemorySize.ofMiB(512));
      });
      assertThat(p.toString()).contains("resize virtio-mem (grow by 512 MiB, 1 call)",
          "call 1: updateDeviceFlags --live: update virtio-mem node 0 requested 0 B -> 512 MiB");
    }
  }

  @Test
  void modelDimm_onADomainWithVirtioMem_plansADimm_andTheNoteSaysSo() {
    try (HotplugClient c = client(new VirtioMemSim())) {
      MemoryPlan p = c.domain("vmem").memory().model(MemoryModel.DIMM).add(MemorySize.ofMiB(256)).plan();
      assertThat(p.model()).isEqualTo(MemoryModel.DIMM);
      assertThat(p.steps()).singleElement().satisfies(s -> assertThat(s.device().model()).isEqualTo("dimm"));
      assertThat(p.notes().get(0)).startsWith("model DIMM (as asked): DIMMs although the domain has 1 virtio-mem");
    }
  }

  @Test
  void liveAndConfig_twoUpdatesLiveFirst_neverOneCallWithBothFlags_verifiedUntilCurrentReachesIt() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      MemoryChange change = d.memory().requested(MemorySize.ofMiB(768)).live().config().progressTimeout(STILL);
      sim.expect(change.plan());
      sim.calls.clear();

      MemoryResult r = change.apply();

      assertThat(sim.changes()).containsExactly("updateDevice(LIVE)", "updateDevice(CONFIG)");
      // the libvirt calls: 3 reads to inspect, one update per scope, the live XML until <current> shows
      // the request (one read per 128 MiB step of the simulated guest here), the persistent XML once
      assertThat(sim.calls.subList(0, 5)).containsExactly("xml(live)", "isPersistent", "xml(inactive)",
          "updateDevice(LIVE)", "updateDevice(CONFIG)");
      assertThat(sim.calls.subList(5, sim.calls.size() - 1)).hasSize(r.attempts() - 1).containsOnly("xml(live)");
      assertThat(sim.calls.get(sim.calls.size() - 1)).isEqualTo("xml(inactive)");
      assertThat(r.steps()).extracting(OperationStep::action, OperationStep::scope).containsExactly(
          org.assertj.core.groups.Tuple.tuple("updateDeviceFlags", Scope.LIVE),
          org.assertj.core.groups.Tuple.tuple("updateDeviceFlags", Scope.CONFIG));
      MemoryDevice live = r.after().live().orElseThrow().devices().get(0);
      assertThat(live.requestedSize()).hasValue(MemorySize.ofMiB(768));
      assertThat(live.currentSize()).hasValue(MemorySize.ofMiB(768));
      assertThat(r.after().config().orElseThrow().devices().get(0).requestedSize()).hasValue(MemorySize.ofMiB(768));
      // current moved 128 MiB per read: several reads until it reached the request, plus the config read
      assertThat(r.attempts()).isGreaterThanOrEqualTo(7);
      assertThat(r.warnings()).isEmpty();
      assertThat(liveDevice(d).currentSize()).hasValue(MemorySize.ofMiB(768));
    }
  }

  @Test
  void guestWithoutDriver_currentStaysZero_diagnosedAfterTheProgressTimeout_notTheWholeTimeout() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.noDriver = true;
    try (HotplugClient c = client(sim)) {
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(256)).progressTimeout(STILL);
      sim.expect(change.plan());
      long t0 = System.nanoTime();
      assertThatThrownBy(change::apply)
          .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
            assertThat(e).isNotInstanceOf(GuestRefusedException.class);
            assertThat(e.expected()).isEqualTo("live virtio-mem current 256 MiB");
            assertThat(e.observed()).isEqualTo("live virtio-mem current 0 B (requested 256 MiB)");
          })
          .hasMessageContaining("the guest plugged nothing: <current> stayed 0 B")
          .hasMessageContaining("without a loaded virtio-mem driver")
          .hasMessageContaining("modprobe virtio_mem")
          .hasMessageContaining("requested(0 B)");
      // ended by the progress timeout (0.3 s), far below the 20 s verification timeout: it does not hang
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(sim.changes()).containsExactly("updateDevice(LIVE)");
    }
  }

  @Test
  void shrinkEndingShort_reportedWithTheNumbersAndTheMovableFix() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.startAt(MemorySize.ofMiB(512));
    sim.floor = MemorySize.ofMiB(4);
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      // the test driver's device says requested 0: resize it in the sim's view first
      MemoryChange change = d.memory().requested(MemorySize.ZERO).progressTimeout(STILL);
      MemoryPlan p = change.plan();
      assertThat(p.steps()).singleElement().satisfies(s -> assertThat(s.from()).hasValue(MemorySize.ofMiB(512)));
      sim.expect(p);
      assertThatThrownBy(change::apply)
          .isInstanceOfSatisfying(GuestRefusedException.class, e -> {
            assertThat(e.expected()).isEqualTo("live virtio-mem current 0 B");
            assertThat(e.observed()).isEqualTo("live virtio-mem current 4 MiB (requested 0 B)");
          })
          .hasMessageContaining("ended short: requested 0 B, the guest unplugged from 512 MiB down to 4 MiB")
          .hasMessageContaining("4 MiB above the request")
          .hasMessageContaining("ZONE_NORMAL")
          .hasMessageContaining("memhp_default_state=online_movable")
          .hasMessageContaining("requested(4 MiB)");
    }
  }

  @Test
  void firstCallRefusedByLibvirt_nothingChanged() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.failUpdate = Scope.LIVE;
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain("vmem");
      String live = d.xml(false);
      String config = d.xml(true);
      MemoryChange change = d.memory().add(MemorySize.ofMiB(256)).live().config();
      sim.expect(change.plan());
      assertThatThrownBy(change::apply).isInstanceOf(LibvirtException.class).isNotInstanceOf(PartialApplyException.class);
      assertThat(sim.changes()).containsExactly("updateDevice(LIVE)");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void liveDoneConfigFailed_partialApplyNamesBoth() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.failUpdate = Scope.CONFIG;
    try (HotplugClient c = client(sim)) {
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(256)).live().config();
      sim.expect(change.plan());
      assertThatThrownBy(change::apply)
          .isInstanceOfSatisfying(PartialApplyException.class, e -> {
            assertThat(e.applied()).singleElement().satisfies(s -> assertThat(s.scope()).isEqualTo(Scope.LIVE));
            assertThat(e.failed().scope()).isEqualTo(Scope.CONFIG);
          })
          .hasMessageContaining("The live device was resized and the persistent definition was not");
    }
  }

  @Test
  void connectionLostDuringTheUpdate_butApplied_aWarningNoRetry() {
    VirtioMemSim sim = new VirtioMemSim();
    sim.loseAfterUpdate = Scope.LIVE;
    try (HotplugClient c = client(sim)) {
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(256)).progressTimeout(STILL);
      sim.expect(change.plan());
      MemoryResult r = change.apply();
      assertThat(sim.changes()).containsExactly("updateDevice(LIVE)");
      assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("was lost during", "requested 256 MiB",
          "the call was applied", "Nothing was retried"));
    }
  }

  @Test
  void guestProbe_memTotalMovesByExactlyThePluggedAmount_verdictOk() {
    VirtioMemSim sim = new VirtioMemSim();
    AtomicLong memTotal = new AtomicLong(500_000);
    GuestProbe probe = d -> {
      long cur = DomainXml.parse(d.xml(false)).memoryDevices().get(0).currentSize().orElseThrow().toKiB();
      return GuestFacts.builder().memTotalKiB(memTotal.get() + cur).memoryBlockStates(java.util.Map.of(0, "online"))
          .build();
    };
    try (HotplugClient c = client(sim)) {
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(256)).verify(Verification.guest(probe))
          .progressTimeout(STILL);
      sim.expect(change.plan());
      MemoryResult r = change.apply();
      assertThat(r.guest()).hasValueSatisfying(v -> {
        assertThat(v.status()).isEqualTo(GuestVerdict.Status.OK);
        assertThat(v.findings()).anySatisfy(f -> assertThat(f).contains("MemTotal 500000 -> 762144 kB (+262144 kB"));
      });
    }
  }

  @Test
  void guestProbe_earlierResizeStillSettling_measuresFromTheSettledDevice_verdictOk() {
    // an earlier request of 256 MiB: the guest has it all, libvirt's <current> shows 0 and catches up
    // by 64 MiB per read (QEMU's size events are rate-limited); the guest's MemTotal follows the request
    VirtioMemSim sim = new VirtioMemSim();
    sim.startAt(MemorySize.ofMiB(256), MemorySize.ZERO);
    sim.step = MemorySize.ofMiB(64);
    GuestProbe probe = d -> GuestFacts.builder().memTotalKiB(500_000 + sim.liveRequestedKiB())
        .memoryBlockStates(java.util.Map.of(0, "online")).build();
    try (HotplugClient c = client(sim)) {
      String configBefore = c.domain("vmem").xml(true);
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(128)).live()
          .verify(Verification.guest(probe)).progressTimeout(STILL);
      sim.expect(change.plan());
      MemoryResult r = change.apply();
      assertThat(r.guest()).hasValueSatisfying(v -> {
        assertThat(v.status()).isEqualTo(GuestVerdict.Status.OK);
        assertThat(v.findings()).anySatisfy(f -> assertThat(f).contains("MemTotal 762144 -> 893216 kB (+131072 kB"));
      });
      assertThat(sim.sent).singleElement().satisfies(x -> assertThat(x).startsWith("LIVE ")
          .contains("<requested unit='KiB'>393216</requested>"));
      assertThat(liveDevice(c.domain("vmem")).currentSize()).hasValue(MemorySize.ofMiB(384));
      assertThat(c.domain("vmem").xml(true)).isEqualTo(configBefore);
    }
  }

  @Test
  void guestProbe_memoryPluggedButNotOnlined_failsWithTheOnliningFix() {
    VirtioMemSim sim = new VirtioMemSim();
    GuestProbe probe = d -> GuestFacts.builder().memTotalKiB(500_000)
        .memoryBlockStates(java.util.Map.of(0, "online", 32, "offline")).build();
    try (HotplugClient c = HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofSeconds(2))
        .interceptor(sim).connect(VirtioMemSim.write(dir))) {
      MemoryChange change = c.domain("vmem").memory().add(MemorySize.ofMiB(256)).verify(Verification.guest(probe))
          .progressTimeout(STILL);
      sim.expect(change.plan());
      assertThatThrownBy(change::apply)
          .isInstanceOf(VerificationTimeoutException.class)
          .hasMessageContaining("offline blocks [32]")
          .hasMessageContaining("did not online it")
          .hasMessageContaining("onlineThroughAgent()");
    }
  }

  // ---------------------------------------------------------------- bad input: refused, nothing changed

  private void refused(String domain, java.util.function.UnaryOperator<MemoryChange> request, Refusal refusal,
      String... fragments) {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      DomainHandle d = c.domain(domain);
      String live = d.isRunning() ? d.xml(false) : null;
      String config = d.xml(true);
      MemoryChange change = request.apply(d.memory());
      for (ThrowingRunnable call : new ThrowingRunnable[] {change::plan, change::apply}) {
        assertThatThrownBy(call::run)
            .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(refusal))
            .hasMessageContainingAll(fragments);
      }
      assertThat(sim.changes()).isEmpty();
      if (live != null) {
        assertThat(d.xml(false)).isEqualTo(live);
      }
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run();
  }

  @Test
  void notAMultipleOfTheBlock_refused() {
    refused("vmem", m -> m.requested(MemorySize.ofKiB(3072)).live().config(), Refusal.NOT_BLOCK_ALIGNED,
        "not a multiple of the device's block size 2 MiB", "Use 2 MiB or 4 MiB");
  }

  @Test
  void aboveTheDeviceSize_refused() {
    refused("vmem", m -> m.add(MemorySize.ofGiB(2)), Refusal.ABOVE_MAX_MEMORY, "above", "room for 1 GiB");
  }

  @Test
  void nodeWithoutADevice_refused() {
    refused("vmem", m -> m.add(MemorySize.ofMiB(128)).node(3), Refusal.NODE_OUT_OF_RANGE,
        "no virtio-mem device on NUMA node 3", "use node(0)");
  }

  @Test
  void shrinkBelowZero_refused() {
    refused("vmem", m -> m.remove(MemorySize.ofMiB(128)), Refusal.NOTHING_TO_REMOVE, "it has only 0 B requested",
        "cannot shrink below 0");
  }

  @Test
  void twoDevicesWithoutANode_refusedAsVirshDoes() {
    refused("vmem2", m -> m.add(MemorySize.ofMiB(128)), Refusal.INVALID_REQUEST, "has 2 virtio-mem devices",
        "node(N) or alias(A)");
  }

  @Test
  void virtioMemAskedOnADomainWithout_refusedWithThePreparation() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = HotplugClient.builder().interceptor(sim).connect(MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      String live = d.xml(false);
      for (MemoryChange change : new MemoryChange[] {d.memory().requested(MemorySize.ofMiB(256)),
          d.memory().model(MemoryModel.VIRTIO_MEM).add(MemorySize.ofMiB(256))}) {
        assertThatThrownBy(change::apply)
            .isInstanceOfSatisfying(PreconditionException.class,
                e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PREPARED))
            .hasMessageContaining("has no virtio-mem device in its live definition")
            .hasMessageContaining("virtioMem(true)");
      }
      assertThat(sim.changes()).isEmpty();
      assertThat(d.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void dimmOptionsOnAVirtioMemChange_andAliasOnADimmChange_refused() {
    refused("vmem", m -> m.add(MemorySize.ofMiB(256)).split(MemorySize.ofMiB(128)), Refusal.INVALID_REQUEST,
        "split(…) and firstDimm(…) choose DIMM sizes");
    refused("vmem", m -> m.requested(MemorySize.ofMiB(256)).model(MemoryModel.DIMM), Refusal.INVALID_REQUEST,
        "requested(256 MiB) sets a virtio-mem device's requested size");
    refused("vmem", m -> m.model(MemoryModel.DIMM).add(MemorySize.ofMiB(256)).alias("virtiomem0"),
        Refusal.INVALID_REQUEST, "selects a virtio-mem device");
  }

  @Test
  void configOfAShutOffDomain_planned_liveRefused() {
    try (HotplugClient c = client(new VirtioMemSim())) {
      MemoryPlan p = c.domain("vmemoff").memory().requested(MemorySize.ofMiB(256)).config().plan();
      assertThat(p.steps()).singleElement().satisfies(s -> assertThat(s.scopeIn(p.scope())).isEqualTo(Scope.CONFIG));
      assertThatThrownBy(() -> c.domain("vmemoff").memory().requested(MemorySize.ofMiB(256)).live().plan())
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_RUNNING));
    }
  }

  @Test
  void badArguments_refusedWhenGiven() {
    try (HotplugClient c = client(new VirtioMemSim())) {
      MemoryChange m = c.domain("vmem").memory();
      assertThatThrownBy(() -> m.progressTimeout(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("progressTimeout must be positive");
      assertThatThrownBy(() -> m.alias(" ")).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> m.requested("256")).isInstanceOfSatisfying(InvalidArgumentException.class,
          e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_UNIT));
    }
  }

  @Test
  void resizeToWhatItHas_appliesNothing() {
    VirtioMemSim sim = new VirtioMemSim();
    try (HotplugClient c = client(sim)) {
      MemoryResult r = c.domain("vmem").memory().requested(MemorySize.ZERO).live().config().apply();
      assertThat(r.steps()).isEmpty();
      assertThat(r.plan().changes()).isFalse();
      assertThat(sim.changes()).isEmpty();
    }
  }
}
