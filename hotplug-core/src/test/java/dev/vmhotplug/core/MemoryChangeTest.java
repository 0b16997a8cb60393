package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory inspection, planning and refusals on libvirt's test driver (a real libvirt in-process). */
class MemoryChangeTest {
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

  /** Runs the action, expects a refusal, and checks that neither XML changed. */
  void refused(String domain, Runnable action, Refusal refusal, String... fragments) {
    DomainHandle d = client.domain(domain);
    String live = d.isRunning() ? d.xml(false) : null;
    String config = d.isPersistent() ? d.xml(true) : null;
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(refusal))
        .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    if (live != null) {
      assertThat(d.xml(false)).isEqualTo(live);
    }
    if (config != null) {
      assertThat(d.xml(true)).isEqualTo(config);
    }
  }

  // ------------------------------------------------------------------ inspection

  @Test
  void memoryView_preparedDomain_showsMaxSlotsDimmsAndCells() {
    MemoryView v = client.domain("mem").memoryView();
    MemoryView.Definition live = v.live().orElseThrow();
    assertThat(live.maxMemory()).contains(MemorySize.ofGiB(4));
    assertThat(live.slots()).hasValue(4);
    assertThat(live.slotsUsed()).isEqualTo(1);
    assertThat(live.slotsFree()).hasValue(3);
    assertThat(live.memory()).isEqualTo(MemorySize.ofMiB(1280));
    assertThat(live.room()).contains(MemorySize.ofMiB(4096 - 1280));
    assertThat(live.prepared()).isTrue();
    assertThat(live.dimms()).singleElement().satisfies(dimm -> {
      assertThat(dimm.targetSize()).contains(MemorySize.ofMiB(256));
      assertThat(dimm.targetNode()).hasValue(0);
      assertThat(dimm.slot()).hasValue(0);
    });
    assertThat(live.numaCells()).hasSize(1);
    assertThat(v.config()).isPresent();
    assertThat(v.toString()).contains("max memory", "4 GiB", "slots free", "dimm 256 MiB node 0 slot 0",
        "NUMA cell 0: 1 GiB");
  }

  @Test
  void memoryView_shutOffDomain_hasNoLiveColumn() {
    MemoryView v = client.domain("memoff").memoryView();
    assertThat(v.live()).isEmpty();
    assertThat(v.config().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(1280));
    assertThat(v.effective()).isEqualTo(v.config().get());
  }

  @Test
  void memoryView_transientDomain_hasNoConfigColumn() {
    MemoryView v = client.domain("memtr").memoryView();
    assertThat(v.config()).isEmpty();
    assertThat(v.live()).isPresent();
  }

  @Test
  void memoryView_unpreparedDomain_saysNotPrepared() {
    MemoryView.Definition live = client.domain("plain").memoryView().live().orElseThrow();
    assertThat(live.prepared()).isFalse();
    assertThat(live.maxMemory()).isEmpty();
    assertThat(live.slotsFree()).isEmpty();
  }

  @Test
  void memoryStats_testDefault_hasVirshTagsInVirshLayout() {
    try (HotplugClient c = HotplugClient.connect("test:///default")) {
      MemoryStats s = c.domain("test").memoryStats();
      assertThat(s.asMap()).containsKeys("actual", "rss", "swap_in", "available");
      assertThat(s.actualKiB()).hasValue(2097152);
      assertThat(s.toString()).startsWith("actual 2097152\n").contains("\nrss ");
      assertThat(s.toJson()).startsWith("{\"actual\":2097152,");
    }
  }

  @Test
  void memoryStats_shutOffDomain_refusesNotRunning() {
    refused("memoff", () -> client.domain("memoff").memoryStats(), Refusal.NOT_RUNNING, "shut off", "virsh start memoff");
  }

  @Test
  void drift_freshDomain_isEmpty() {
    Drift d = client.domain("mem").drift();
    assertThat(d.applicable()).isTrue();
    assertThat(d.isEmpty()).isTrue();
    assertThat(d.toString()).contains("none");
  }

  @Test
  void drift_afterLiveOnlyVcpuChange_reportsVcpuCurrent() {
    DomainHandle d = client.domain("mem");
    d.vcpus().set(3).live().apply();
    Drift drift = d.drift();
    assertThat(drift.items()).singleElement().satisfies(i -> {
      assertThat(i.kind()).isEqualTo(Drift.Kind.VCPU_CURRENT);
      assertThat(i.live()).isEqualTo("3");
      assertThat(i.config()).isEqualTo("2");
    });
  }

  @Test
  void drift_shutOffOrTransient_isNotApplicable() {
    assertThat(client.domain("memoff").drift().applicable()).isFalse();
    assertThat(client.domain("memtr").drift().reason()).hasValueSatisfying(r -> assertThat(r).contains("transient"));
  }

  // ------------------------------------------------------------------ add: plan and refusals

  @Test
  void plan_validAdd_changesNothingAndHoldsTheGuideXml() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    MemoryPlan p = d.memory().add(MemorySize.ofMiB(512)).node(0).live().config().plan();
    assertThat(p.scope()).isEqualTo(Scope.LIVE_AND_CONFIG);
    assertThat(p.steps()).singleElement().satisfies(x -> assertThat(x.xml()).contains("<size unit='MiB'>512</size>"));
    assertThat(p.liveMemoryAfter()).contains(MemorySize.ofMiB(1792));
    assertThat(p.configMemoryAfter()).contains(MemorySize.ofMiB(1792));
    assertThat(d.xml(false)).isEqualTo(live);
  }

  @Test
  void plan_noScope_isLive() {
    MemoryPlan p = client.domain("mem").memory().add(MemorySize.ofMiB(128)).plan();
    assertThat(p.scope()).isEqualTo(Scope.LIVE);
    assertThat(p.configMemoryBefore()).isEmpty();
  }

  @Test
  void apply_onTestDriver_libvirtHasNoDeviceAttachAndNothingChanges() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    String config = d.xml(true);
    assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).live().config().apply())
        .isInstanceOf(LibvirtException.class)
        .hasMessageContaining("not supported");
    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(d.xml(true)).isEqualTo(config);
  }

  @Test
  void add_unprepared_refusesWithPrepareHint() {
    refused("plain", () -> client.domain("plain").memory().add(MemorySize.ofGiB(1)).apply(), Refusal.NOT_PREPARED,
        "not prepared for memory hotplug", "hotplug prepare-domain plain", "<maxMemory slots='16' unit='KiB'>");
  }

  @Test
  void add_aboveMaxMemory_refuses() {
    refused("mem", () -> client.domain("mem").memory().add(MemorySize.ofGiB(3)).live().config().apply(),
        Refusal.ABOVE_MAX_MEMORY, "above <maxMemory> 4 GiB", "Add at most 2816 MiB");
  }

  @Test
  void add_noFreeSlot_refuses() {
    refused("full", () -> client.domain("full").memory().add(MemorySize.ofMiB(256)).apply(), Refusal.NO_FREE_SLOT,
        "2 of 2 slots are used", "--slots");
  }

  @Test
  void add_nodeOutOfRange_refuses() {
    refused("mem", () -> client.domain("mem").memory().add(MemorySize.ofMiB(256)).node(3).apply(),
        Refusal.NODE_OUT_OF_RANGE, "NUMA node 3 does not exist", "use node(0)");
  }

  @Test
  void add_misalignedSize_refuses() {
    refused("mem", () -> client.domain("mem").memory().add(MemorySize.ofMiB(100)).apply(), Refusal.NOT_BLOCK_ALIGNED,
        "not a multiple of the guest memory block (128 MiB)", "Use 128 MiB");
  }

  @Test
  void add_clientBlockSize_isUsed() {
    try (HotplugClient c = HotplugClient.builder().memoryBlockSize(MemorySize.ofMiB(256)).connect(MemoryTestNode.write(dir))) {
      assertThatThrownBy(() -> c.domain("mem").memory().add(MemorySize.ofMiB(128)).plan())
          .isInstanceOf(PreconditionException.class)
          .hasMessageContaining("(256 MiB)");
    }
  }

  @Test
  void request_zeroBlockSizeOrNegativeTimeout_isRefusedWhenBuilt() {
    MemoryChange c = client.domain("mem").memory().add(MemorySize.ofMiB(256));
    assertThatThrownBy(() -> c.blockSize(MemorySize.ofBytes(0)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("blockSize must be positive")
        .hasMessageContaining("block_size_bytes");
    assertThatThrownBy(() -> c.timeout(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("timeout must not be negative");
  }

  @Test
  void add_sizeWithoutUnit_refusesSuggestingAUnit() {
    refused("mem", () -> client.domain("mem").memory().add("8192").apply(), Refusal.NO_UNIT, "8192", "MiB");
  }

  @Test
  void add_shutOffDomainLive_refusesNotRunning() {
    refused("memoff", () -> client.domain("memoff").memory().add(MemorySize.ofMiB(256)).live().apply(),
        Refusal.NOT_RUNNING, "it is shut off", "virsh start memoff", "config()");
  }

  @Test
  void add_shutOffDomainConfig_plansForTheDefinition() {
    MemoryPlan p = client.domain("memoff").memory().add(MemorySize.ofMiB(256)).config().plan();
    assertThat(p.configMemoryAfter()).contains(MemorySize.ofMiB(1536));
    assertThat(p.liveMemoryBefore()).isEmpty();
  }

  @Test
  void add_transientDomainConfig_refusesNotPersistent() {
    refused("memtr", () -> client.domain("memtr").memory().add(MemorySize.ofMiB(256)).live().config().apply(),
        Refusal.NOT_PERSISTENT, "transient", "live()");
  }

  @Test
  void apply_withoutOperation_refusesInvalidRequest() {
    refused("mem", () -> client.domain("mem").memory().live().apply(), Refusal.INVALID_REQUEST, "add(MemorySize)");
  }

  // ------------------------------------------------------------------ remove

  @Test
  void remove_existingDimm_plansMinimalXmlForSlot0() {
    MemoryPlan p = client.domain("mem").memory().remove(MemorySize.ofMiB(256)).live().config().plan();
    assertThat(p.operation()).isEqualTo(MemoryPlan.Operation.REMOVE);
    assertThat(p.steps()).singleElement().satisfies(x -> {
      assertThat(x.slot()).hasValue(0);
      assertThat(x.xml()).doesNotContain("address").contains("<node>0</node>");
    });
    assertThat(p.liveMemoryAfter()).contains(MemorySize.ofGiB(1));
  }

  @Test
  void remove_nothingMatches_refuses() {
    refused("mem", () -> client.domain("mem").memory().remove(MemorySize.ofMiB(512)).apply(), Refusal.NOTHING_TO_REMOVE,
        "no set of hot-plugged DIMMs adds up to exactly 512 MiB", "remove(256 MiB)");
  }

  @Test
  void remove_unpreparedWithoutDimms_refuses() {
    refused("plain", () -> client.domain("plain").memory().remove(MemorySize.ofMiB(256)).apply(),
        Refusal.NOTHING_TO_REMOVE, "there are no removable DIMMs", "virsh setmem");
  }

  @Test
  void remove_onTestDriver_libvirtHasNoDetachAndNothingChanges() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    assertThatThrownBy(() -> d.memory().remove(MemorySize.ofMiB(256)).apply())
        .isInstanceOf(LibvirtException.class);
    assertThat(d.xml(false)).isEqualTo(live);
  }

  // ------------------------------------------------------------------ agent probe

  @Test
  void agentProbe_testDriverHasNoAgent_throwsWithChannelFix() {
    DomainHandle d = client.domain("mem");
    assertThatThrownBy(() -> AgentGuestProbe.create().facts(d))
        .isInstanceOf(GuestAgentUnavailableException.class)
        .hasMessageContaining("did not answer guest-get-vcpus")
        .hasMessageContaining("org.qemu.guest_agent.0")
        .hasMessageContaining("qemu-guest-agent");
  }

  @Test
  void guestVerification_probeFailsBeforeAnyChange_nothingChanges() {
    DomainHandle d = client.domain("mem");
    String live = d.xml(false);
    assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256))
            .verify(Verification.guest(AgentGuestProbe.create())).apply())
        .isInstanceOf(GuestAgentUnavailableException.class);
    assertThat(d.xml(false)).isEqualTo(live);
  }
}
