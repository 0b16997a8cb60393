package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ensure(): the plan is the executed plan. The test driver cannot attach devices; for the shut-off
 * domain {@code memoff} the interceptor stands in for the hypervisor and puts the DIMM into the
 * definition, so both a vCPU and a memory step run for real through the operation path.
 */
class EnsurePlanApplyTest {
  @TempDir Path dir;

  /** Records the calls; does libvirt's part of a DIMM attach to a definition (unrecorded). */
  static final class Hypervisor extends Recorder {
    HotplugClient client;

    @Override
    public <T> T intercept(String op, String domain, Supplier<T> call) {
      if (op.equals("attachDevice(CONFIG)")) {
        super.intercept(op, domain, () -> null);
        unrecorded(() -> MemoryApplyTest.attachToDefinition(client, domain, MemorySize.ofMiB(256)));
        return null;
      }
      return super.intercept(op, domain, call);
    }
  }

  private HotplugClient client(Hypervisor h) {
    HotplugClient c = HotplugClient.builder().interceptor(h).connect(MemoryTestNode.write(dir));
    h.client = c;
    return c;
  }

  /** The interceptor's names of the libvirt calls a plan says it makes. */
  private static List<String> gatewayOps(List<OperationStep> calls) {
    List<String> out = new ArrayList<>();
    for (OperationStep s : calls) {
      String op = s.action().equals("setVcpusFlags") ? "setVcpus"
          : s.action().equals("attachDeviceFlags") ? "attachDevice" : "detachDevice";
      out.add(op + "(" + s.scope() + ")");
    }
    return out;
  }

  @Test
  void applyPlan_executesExactlyTheStepsPlanned() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      DomainHandle off = c.domain("memoff");
      EnsurePlan plan = off.ensure().vcpus(3).memory(MemorySize.ofMiB(1536)).config().plan();
      assertThat(plan.steps()).extracting(EnsurePlan.Step::kind)
          .containsExactly(EnsurePlan.Kind.SET_VCPUS, EnsurePlan.Kind.ADD_MEMORY);
      assertThat(plan.calls()).containsExactly(
          new OperationStep("setVcpusFlags", Scope.CONFIG, "vCPUs 2 -> 3"),
          new OperationStep("attachDeviceFlags", Scope.CONFIG, "attach DIMM 256 MiB node 0"));
      assertThat(h.changes()).as("planning changes nothing").isEmpty();

      EnsureResult r = off.ensure().apply(plan);

      assertThat(r.plan()).isSameAs(plan);
      assertThat(r.steps()).as("steps applied = steps planned").isEqualTo(plan.calls());
      assertThat(h.changes()).as("libvirt calls made = calls planned").isEqualTo(gatewayOps(plan.calls()));
      assertThat(off.vcpuCount().currentConfig()).hasValue(3);
      assertThat(off.memoryView().config().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(1536));
    }
  }

  @Test
  void apply_isPlanThenApply_andItsResultHoldsThePlanItRan() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      EnsureResult r = c.domain("mem").ensure().vcpus(4).live().config().apply();
      assertThat(r.steps()).isEqualTo(r.plan().calls()).hasSize(1);
      assertThat(h.changes()).isEqualTo(gatewayOps(r.plan().calls()));
    }
  }

  @Test
  void applyPlan_domainChangedSincePlanning_isRefusedAndChangesNothing() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      DomainHandle mem = c.domain("mem");
      EnsurePlan plan = mem.ensure().vcpus(4).live().config().plan();
      mem.vcpus().set(3).live().apply(); // someone changed the domain after the plan was shown
      String live = mem.xml(false);
      String config = mem.xml(true);
      h.clear();
      assertThatThrownBy(() -> mem.ensure().apply(plan))
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.STALE_PLAN))
          .hasMessageContaining("changed since the plan was made")
          .hasMessageContaining("nothing was changed")
          .hasMessageContaining("Plan again");
      assertThat(h.changes()).isEmpty();
      assertThat(mem.xml(false)).isEqualTo(live);
      assertThat(mem.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void applyPlan_twice_theSecondIsStale() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      DomainHandle mem = c.domain("mem");
      EnsurePlan plan = mem.ensure().vcpus(4).live().plan();
      mem.ensure().apply(plan);
      assertThatThrownBy(() -> mem.ensure().apply(plan))
          .isInstanceOfSatisfying(PreconditionException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.STALE_PLAN));
      assertThat(mem.ensure().vcpus(4).live().plan().isEmpty()).isTrue();
    }
  }

  @Test
  void applyPlan_ofAnotherDomainOrOtherTargets_isRefusedBeforeAnyCall() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      EnsurePlan plan = c.domain("mem").ensure().vcpus(4).live().plan();
      DomainHandle full = c.domain("full");
      DomainHandle mem = c.domain("mem");
      h.clear();
      assertThatThrownBy(() -> full.ensure().apply(plan))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
          .hasMessageContaining("the plan is for domain 'mem'");
      assertThatThrownBy(() -> mem.ensure().vcpus(3).apply(plan))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("reaches 4 vCPUs but this request asks for 3 vCPUs");
      assertThatThrownBy(() -> mem.ensure().config().apply(plan))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("is for scope --live but this request asks for --config");
      assertThat(h.ops).isEmpty();
    }
  }

  @Test
  void applyEmptyPlan_changesNothing() {
    Hypervisor h = new Hypervisor();
    try (HotplugClient c = client(h)) {
      DomainHandle mem = c.domain("mem");
      EnsurePlan plan = mem.ensure().vcpus(2).memory(MemorySize.ofMiB(1280)).live().config().plan();
      assertThat(plan.isEmpty()).isTrue();
      assertThat(plan.calls()).isEmpty();
      EnsureResult r = mem.ensure().apply(plan);
      assertThat(r.changed()).isFalse();
      assertThat(h.changes()).isEmpty();
    }
  }
}
