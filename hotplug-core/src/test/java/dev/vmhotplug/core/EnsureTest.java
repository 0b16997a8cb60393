package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Desired state on libvirt's test driver: vCPU steps run for real; memory steps are planned and refused there. */
class EnsureTest {
  @TempDir Path dir;
  HotplugClient client;

  @BeforeEach
  void open() {
    client = HotplugClient.connect(MemoryTestNode.write(dir));
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void plan_vcpusAndMemory_listsBothStepsAndChangesNothing() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    String config = d.xml(true);
    EnsurePlan p = d.ensure().vcpus(4).memory(MemorySize.ofGiB(2)).live().config().plan();
    assertThat(p.steps()).extracting(EnsurePlan.Step::kind)
        .containsExactly(EnsurePlan.Kind.SET_VCPUS, EnsurePlan.Kind.ADD_MEMORY);
    assertThat(p.steps().get(0).scope()).isEqualTo(Scope.LIVE_AND_CONFIG);
    assertThat(p.steps().get(0).description()).contains("vCPUs 2 -> 4");
    MemoryPlan mp = p.steps().get(1).memory().orElseThrow();
    assertThat(mp.total()).isEqualTo(MemorySize.ofMiB(768));
    assertThat(p.toString()).contains("memory 1280 MiB -> 2 GiB", "<size unit='MiB'>768</size>");
    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(d.xml(true)).isEqualTo(config);
  }

  @Test
  void apply_vcpusOnly_changesOnceThenNothing() {
    DomainHandle d = client.domain("mem");
    EnsureResult first = d.ensure().vcpus(4).live().config().apply();
    assertThat(first.changed()).isTrue();
    assertThat(first.vcpuResults()).hasSize(1);
    assertThat(d.vcpuCount().currentLive()).hasValue(4);
    assertThat(d.vcpuCount().currentConfig()).hasValue(4);

    EnsureResult second = d.ensure().vcpus(4).live().config().apply();
    assertThat(second.changed()).isFalse();
    assertThat(second.vcpuResults()).isEmpty();
    assertThat(second.plan().satisfied()).contains("vCPUs already 4 (live)", "vCPUs already 4 (config)");
  }

  @Test
  void result_carriesWhatWasAskedStepsAttemptsAndWarnings() {
    DomainHandle d = client.domain("mem");
    EnsurePlan plan = d.ensure().vcpus(3).memory(MemorySize.ofMiB(1280)).live().plan();
    assertThat(plan.wantedVcpus()).hasValue(3);
    assertThat(plan.wantedMemory()).contains(MemorySize.ofMiB(1280));
    assertThat(d.ensure().vcpus(2).plan().wantedMemory()).isEmpty();

    EnsureResult r = d.ensure().vcpus(3).live().apply();
    assertThat(r.plan().wantedVcpus()).hasValue(3);
    assertThat(r.steps()).singleElement().satisfies(s -> {
      assertThat(s.action()).isEqualTo("setVcpusFlags");
      assertThat(s.scope()).isEqualTo(Scope.LIVE);
    });
    assertThat(r.attempts()).isEqualTo(r.vcpuResults().get(0).attempts()).isPositive();
    assertThat(r.warnings()).isEqualTo(r.vcpuResults().get(0).warnings());
    assertThat(r.toString()).contains("applied in");

    EnsureResult again = d.ensure().vcpus(3).live().apply();
    assertThat(again.steps()).isEmpty();
    assertThat(again.attempts()).isZero();
    assertThat(again.warnings()).isEmpty();
  }

  @Test
  void resultToString_listsTheWarningsOfItsSteps() {
    VcpuCount before = VcpuCount.builder().live(4, 2).build();
    VcpuCount after = VcpuCount.builder().live(4, 1).build();
    OperationStep step = new OperationStep("setVcpusFlags", Scope.LIVE, "vCPUs 2 -> 1 (hot-unplug)");
    VcpuResult vr = new VcpuResult("web", 1, Scope.LIVE, Verification.HOST, before, after, List.of(step), 3,
        Duration.ofMillis(12), List.of("libvirt reported 'vcpu unplug request timed out' but the guest released it"));
    EnsurePlan plan = new EnsurePlan("web", TestNode.WEB_UUID, Scope.LIVE, OptionalInt.of(1), Optional.empty(),
        List.of(new EnsurePlan.Step(EnsurePlan.Kind.SET_VCPUS, Scope.LIVE, OptionalInt.of(1), Optional.empty(),
            "vCPUs 2 -> 1 (--live)")), List.of(step), List.of(), "fp");
    EnsureResult r = new EnsureResult(plan, List.of(vr), List.of(), Duration.ofMillis(15));
    assertThat(r.warnings()).hasSize(1);
    assertThat(r.toString()).contains("1. vCPUs 2 -> 1 (--live)", "applied in 15 ms",
        "warning: libvirt reported 'vcpu unplug request timed out' but the guest released it");
  }

  @Test
  void plan_liveDrifted_touchesOnlyTheSideThatDiffers() {
    DomainHandle d = client.domain("mem");
    d.vcpus().set(3).live().apply();
    EnsurePlan p = d.ensure().vcpus(3).live().config().plan();
    assertThat(p.steps()).singleElement().satisfies(s -> {
      assertThat(s.scope()).isEqualTo(Scope.CONFIG);
      assertThat(s.description()).contains("vCPUs 2 -> 3");
    });
  }

  @Test
  void plan_memoryAlreadyThere_isEmpty() {
    EnsurePlan p = client.domain("mem").ensure().memory(MemorySize.ofMiB(1280)).live().config().plan();
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.toString()).contains("nothing to do", "memory already 1280 MiB (live)");
  }

  @Test
  void plan_memoryBelowCurrent_removesTheDimm() {
    EnsurePlan p = client.domain("mem").ensure().memory(MemorySize.ofGiB(1)).plan();
    assertThat(p.steps()).singleElement().satisfies(s -> {
      assertThat(s.kind()).isEqualTo(EnsurePlan.Kind.REMOVE_MEMORY);
      assertThat(s.memory().orElseThrow().steps()).singleElement()
          .satisfies(x -> assertThat(x.slot()).hasValue(0));
    });
  }

  @Test
  void apply_memoryStep_onTestDriverFailsWithoutChange() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    assertThatThrownBy(() -> d.ensure().memory(MemorySize.ofMiB(1536)).apply())
        .isInstanceOf(LibvirtException.class);
    assertThat(d.xml(false)).isEqualTo(live);
  }

  @Test
  void apply_vcpusDoneThenMemoryFails_raisesPartialApplyWithBothStates() {
    DomainHandle d = client.domain("mem");
    assertThatThrownBy(() -> d.ensure().vcpus(3).memory(MemorySize.ofMiB(1536)).apply())
        .isInstanceOfSatisfying(PartialApplyException.class, e -> {
          assertThat(e.applied()).hasSize(1);
          assertThat(e.failed().detail()).contains("memory");
          assertThat(e.observedState()).contains("current      live           3");
        })
        .hasMessageContaining("stopped half way");
  }

  @Test
  void plan_memoryAboveMax_refusesBeforeAnyStep() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    assertThatThrownBy(() -> d.ensure().vcpus(4).memory(MemorySize.ofGiB(8)).apply())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY));
    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(d.vcpuCount().currentLive()).hasValue(2);
  }

  @Test
  void plan_vcpusAboveMaximum_refuses() {
    assertThatThrownBy(() -> client.domain("mem").ensure().vcpus(9).plan())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAXIMUM))
        .hasMessageContaining("maximum is 4")
        .hasMessageContaining("--max-vcpus 9");
  }

  @Test
  void plan_zeroVcpus_refuses() {
    assertThatThrownBy(() -> client.domain("mem").ensure().vcpus(0).plan())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.COUNT_BELOW_ONE));
  }

  @Test
  void plan_nothingAsked_refuses() {
    assertThatThrownBy(() -> client.domain("mem").ensure().plan())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
        .hasMessageContaining("vcpus(N)");
  }

  @Test
  void plan_shutOffLive_refusesNotRunning() {
    assertThatThrownBy(() -> client.domain("memoff").ensure().vcpus(3).live().plan())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_RUNNING));
  }

  @Test
  void plan_transientConfig_refusesNotPersistent() {
    assertThatThrownBy(() -> client.domain("memtr").ensure().vcpus(3).config().plan())
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERSISTENT));
  }

  @Test
  void memory_withoutUnit_refusesNoUnit() {
    assertThatThrownBy(() -> client.domain("mem").ensure().memory("2048"))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_UNIT))
        .hasMessageContaining("8192MiB");
  }

  // ---------------------------------------------------------------- apply refusals: fix stated, neither XML changed

  private void refusedOnApply(String domain, java.util.function.Function<DesiredState, DesiredState> request,
      Refusal refusal, String... fragments) {
    DomainHandle d = client.domain(domain);
    String live = d.xml(false);
    String config = d.isPersistent() ? d.xml(true) : null;
    assertThatThrownBy(() -> request.apply(d.ensure()).apply())
        .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(refusal))
        .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    assertThat(d.xml(false)).isEqualTo(live);
    if (config != null) {
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void apply_zeroOrNegativeVcpus_refusesWithFixAndChangesNothing() {
    refusedOnApply("mem", e -> e.vcpus(0).live().config(), Refusal.COUNT_BELOW_ONE, "at least 1 vCPU", "vcpus(1)");
    refusedOnApply("mem", e -> e.vcpus(-2), Refusal.COUNT_BELOW_ONE, "at least 1 vCPU", "vcpus(1)");
  }

  @Test
  void apply_shutOffDomainLive_refusesWithFixAndChangesNothing() {
    refusedOnApply("memoff", e -> e.vcpus(3).live(), Refusal.NOT_RUNNING, "virsh start memoff", "config()");
  }

  @Test
  void apply_transientDomainConfig_refusesWithFixAndChangesNothing() {
    refusedOnApply("memtr", e -> e.vcpus(3).live().config(), Refusal.NOT_PERSISTENT, "live()", "virsh define");
  }

  @Test
  void apply_vcpusAboveMaximum_refusesWithFixAndChangesNothing() {
    refusedOnApply("mem", e -> e.vcpus(9).live().config(), Refusal.ABOVE_MAXIMUM, "Ask for at most 4",
        "--max-vcpus 9");
  }

  @Test
  void apply_memoryNotBlockAligned_refusesWithFixAndChangesNothing() {
    refusedOnApply("mem", e -> e.vcpus(3).memory(MemorySize.ofMiB(1380)), Refusal.NOT_BLOCK_ALIGNED, "128 MiB");
  }

  @Test
  void apply_memoryWithoutFreeSlot_refusesWithFixAndChangesNothing() {
    refusedOnApply("full", e -> e.memory(MemorySize.ofMiB(2816)), Refusal.NO_FREE_SLOT, "--slots");
  }
}
