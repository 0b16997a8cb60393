package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemorySize;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class MemoryPlannerTest {

  static String domain(String maxMemory, String memoryKiB, String numa, String devices) {
    return "<domain type='kvm'>\n"
        + "  <name>web-1</name>\n"
        + (maxMemory == null ? "" : "  " + maxMemory + "\n")
        + "  <memory unit='KiB'>" + memoryKiB + "</memory>\n"
        + "  <currentMemory unit='KiB'>" + memoryKiB + "</currentMemory>\n"
        + "  <vcpu placement='static' current='2'>4</vcpu>\n"
        + "  <os><type arch='x86_64'>hvm</type></os>\n"
        + (numa == null ? "" : "  <cpu>\n    <numa>\n" + numa + "    </numa>\n  </cpu>\n")
        + "  <devices>\n" + devices + "  </devices>\n"
        + "</domain>\n";
  }

  static String dimm(long kib, int node, Integer slot) {
    return "    <memory model='dimm'>\n      <target>\n        <size unit='KiB'>" + kib + "</size>\n"
        + "        <node>" + node + "</node>\n      </target>\n"
        + (slot == null ? "" : "      <address type='dimm' slot='" + slot + "'/>\n")
        + "    </memory>\n";
  }

  static final String CELL0 = "      <cell id='0' cpus='0-3' memory='1048576' unit='KiB'/>\n";
  static final String CELL1 = "      <cell id='1' cpus='2-3' memory='1048576' unit='KiB'/>\n";

  /** 4 GiB max, 4 slots, 1 GiB base + one 256 MiB DIMM in slot 0. */
  static DomainXml prepared() {
    return DomainXml.parse(domain("<maxMemory slots='4' unit='KiB'>4194304</maxMemory>", "1310720", CELL0,
        dimm(262144, 0, 0)));
  }

  static MemoryPlanner.AddRequest add(MemorySize size, Scope scope) {
    return new MemoryPlanner.AddRequest(size, OptionalInt.empty(), Optional.empty(), Optional.empty(),
        MemoryPlanner.DEFAULT_BLOCK, scope);
  }

  static MemoryPlanner.AddRequest addOnNode(MemorySize size, int node) {
    return new MemoryPlanner.AddRequest(size, OptionalInt.of(node), Optional.empty(), Optional.empty(),
        MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
  }

  static MemoryPlan planLive(MemoryPlanner.AddRequest r, DomainXml xml) {
    return MemoryPlanner.planAdd(r, Optional.of(xml), Optional.empty());
  }

  static final String GUIDE_8G = "<memory model='dimm'>\n"
      + "  <target>\n"
      + "    <size unit='MiB'>8192</size>\n"
      + "    <node>0</node>\n"
      + "  </target>\n"
      + "</memory>";

  @Test
  void add_preparedDomain_plansOneDimmWithTheGuideXml() {
    DomainXml big = DomainXml.parse(domain("<maxMemory slots='16' unit='KiB'>16777216</maxMemory>", "1048576",
        CELL0, ""));
    MemoryPlan plan = planLive(add(MemorySize.ofGiB(8), Scope.LIVE), big);

    assertThat(plan.operation()).isEqualTo(MemoryPlan.Operation.ADD);
    assertThat(plan.steps()).hasSize(1);
    assertThat(plan.steps().get(0).xml().strip()).isEqualTo(GUIDE_8G);
    assertThat(plan.steps().get(0).node()).isZero();
    assertThat(plan.liveMemoryBefore()).contains(MemorySize.ofGiB(1));
    assertThat(plan.liveMemoryAfter()).contains(MemorySize.ofGiB(9));
    assertThat(plan.configMemoryBefore()).isEmpty();
    assertThat(plan.total()).isEqualTo(MemorySize.ofGiB(8));
    assertThat(plan.toString()).contains("attach 1 DIMM (8 GiB)", "<size unit='MiB'>8192</size>");
  }

  @Test
  void add_bothScopes_checksBothCopiesAndReportsBothTotals() {
    MemoryPlan plan = MemoryPlanner.planAdd(add(MemorySize.ofMiB(512), Scope.LIVE_AND_CONFIG),
        Optional.of(prepared()), Optional.of(prepared()));
    assertThat(plan.liveMemoryAfter()).contains(MemorySize.ofMiB(1280 + 512));
    assertThat(plan.configMemoryAfter()).contains(MemorySize.ofMiB(1280 + 512));
    assertThat(plan.scope()).isEqualTo(Scope.LIVE_AND_CONFIG);
  }

  @Test
  void add_exactlyUpToMaxMemory_isAccepted() {
    // 4 GiB - 1.25 GiB = 2.75 GiB room
    MemoryPlan plan = planLive(add(MemorySize.ofMiB(2816), Scope.LIVE), prepared());
    assertThat(plan.liveMemoryAfter()).contains(MemorySize.ofGiB(4));
  }

  @Test
  void add_aboveMaxMemory_refusesWithRoomAndFix() {
    assertThatThrownBy(() -> planLive(add(MemorySize.ofGiB(3), Scope.LIVE), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.ABOVE_MAX_MEMORY))
        .hasMessageContaining("above <maxMemory> 4 GiB")
        .hasMessageContaining("room for 2816 MiB")
        .hasMessageContaining("prepare-domain web-1 --max-memory");
  }

  @Test
  void add_configAboveMaxButLiveFine_refusesNamingTheConfigCopy() {
    DomainXml config = DomainXml.parse(domain("<maxMemory slots='4' unit='KiB'>2097152</maxMemory>", "1310720",
        CELL0, dimm(262144, 0, null)));
    assertThatThrownBy(() -> MemoryPlanner.planAdd(add(MemorySize.ofGiB(1), Scope.LIVE_AND_CONFIG),
            Optional.of(prepared()), Optional.of(config)))
        .isInstanceOf(PreconditionException.class)
        .hasMessageContaining("persistent (config) memory would be");
  }

  @Test
  void add_unpreparedDomain_refusesWithPrepareCallAndXml() {
    DomainXml plain = DomainXml.parse(domain(null, "1048576", null, ""));
    assertThatThrownBy(() -> planLive(add(MemorySize.ofGiB(1), Scope.LIVE), plain))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PREPARED))
        .hasMessageContaining("not prepared for memory hotplug")
        .hasMessageContaining("no <maxMemory> and no NUMA cell")
        .hasMessageContaining("domain.prepare(HotplugLimits")
        .hasMessageContaining("hotplug prepare-domain web-1")
        .hasMessageContaining("<maxMemory slots='16' unit='KiB'>16777216</maxMemory>")
        .hasMessageContaining("memory='1048576' unit='KiB'")
        .hasMessageContaining("cold boot");
  }

  @Test
  void add_maxMemoryWithoutSlots_refusesAsNotPrepared() {
    DomainXml noSlots = DomainXml.parse(domain("<maxMemory unit='KiB'>4194304</maxMemory>", "1048576", CELL0, ""));
    assertThatThrownBy(() -> planLive(add(MemorySize.ofGiB(1), Scope.LIVE), noSlots))
        .isInstanceOf(PreconditionException.class)
        .hasMessageContaining("<maxMemory> without slots");
  }

  @Test
  void add_slotsButNoNumaCell_refusesAsNotPrepared() {
    DomainXml noCell = DomainXml.parse(domain("<maxMemory slots='4' unit='KiB'>4194304</maxMemory>", "1048576",
        null, ""));
    assertThatThrownBy(() -> planLive(add(MemorySize.ofGiB(1), Scope.LIVE), noCell))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PREPARED))
        .hasMessageContaining("no NUMA cell");
  }

  @Test
  void add_allSlotsUsed_refusesWithSlotCount() {
    DomainXml full = DomainXml.parse(domain("<maxMemory slots='2' unit='KiB'>8388608</maxMemory>", "1572864", CELL0,
        dimm(262144, 0, 0) + dimm(262144, 0, 1)));
    assertThatThrownBy(() -> planLive(add(MemorySize.ofMiB(256), Scope.LIVE), full))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_FREE_SLOT))
        .hasMessageContaining("2 of 2 slots are used")
        .hasMessageContaining("fewer, larger DIMMs")
        .hasMessageContaining("--slots");
  }

  static final String VIRTIO_MEM = "    <memory model='virtio-mem'>\n      <target>\n        <size unit='KiB'>1048576</size>\n"
      + "        <node>0</node>\n        <block unit='KiB'>2048</block>\n      </target>\n    </memory>\n";

  // libvirt 9.0's QEMU driver (embedded, virsh define) refuses one virtio-mem device + one DIMM with
  // slots='1': "memory device count '2' exceeds slots count '1'": the virtio-mem device takes a slot
  @Test
  void add_virtioMemTakesASlot_lastSlotTakenByIt_refusesTheDimm() {
    DomainXml xml = DomainXml.parse(domain("<maxMemory slots='1' unit='KiB'>8388608</maxMemory>", "2097152", CELL0,
        VIRTIO_MEM));
    assertThat(MemoryPlanner.slotsUsed(xml)).isEqualTo(1);
    assertThatThrownBy(() -> planLive(add(MemorySize.ofMiB(256), Scope.LIVE), xml))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_FREE_SLOT))
        .hasMessageContaining("1 of 1 slots are used by memory devices");
  }

  @Test
  void add_virtioMemAndAFreeSlot_acceptsTheDimm() {
    DomainXml xml = DomainXml.parse(domain("<maxMemory slots='2' unit='KiB'>8388608</maxMemory>", "2097152", CELL0,
        VIRTIO_MEM));
    MemoryPlan plan = planLive(add(MemorySize.ofMiB(256), Scope.LIVE), xml);
    assertThat(plan.steps()).singleElement().satisfies(s -> assertThat(s.device().model()).isEqualTo("dimm"));
  }

  @Test
  void add_splitNeedsMoreSlotsThanFree_refuses() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofGiB(1), OptionalInt.empty(),
        Optional.of(MemorySize.ofMiB(256)), Optional.empty(), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    assertThatThrownBy(() -> planLive(r, prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_FREE_SLOT))
        .hasMessageContaining("for 4 DIMMs")
        .hasMessageContaining("3 free");
  }

  @Test
  void add_nodeOutOfRange_refusesListingCells() {
    assertThatThrownBy(() -> planLive(addOnNode(MemorySize.ofMiB(256), 1), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NODE_OUT_OF_RANGE))
        .hasMessageContaining("NUMA node 1 does not exist")
        .hasMessageContaining("cells: [0]")
        .hasMessageContaining("use node(0)");
  }

  @Test
  void add_negativeNode_refuses() {
    assertThatThrownBy(() -> planLive(addOnNode(MemorySize.ofMiB(256), -1), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NODE_OUT_OF_RANGE));
  }

  @Test
  void add_secondNode_usesIt() {
    DomainXml two = DomainXml.parse(domain("<maxMemory slots='4' unit='KiB'>8388608</maxMemory>", "2097152",
        CELL0 + CELL1, ""));
    MemoryPlan plan = planLive(addOnNode(MemorySize.ofMiB(512), 1), two);
    assertThat(plan.steps().get(0).node()).isEqualTo(1);
    assertThat(plan.steps().get(0).xml()).contains("<node>1</node>", "<size unit='MiB'>512</size>");
  }

  @Test
  void add_notBlockAligned_refusesSuggestingNeighbours() {
    assertThatThrownBy(() -> planLive(add(MemorySize.ofMiB(200), Scope.LIVE), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_BLOCK_ALIGNED))
        .hasMessageContaining("not a multiple of the guest memory block (128 MiB)")
        .hasMessageContaining("Use 128 MiB or 256 MiB");
  }

  @Test
  void add_belowOneBlock_suggestsOneBlock() {
    assertThatThrownBy(() -> planLive(add(MemorySize.ofMiB(64), Scope.LIVE), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_BLOCK_ALIGNED))
        .hasMessageContaining("Use 128 MiB");
  }

  @Test
  void add_customBlockSize_acceptsItsMultiples() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofMiB(64), OptionalInt.empty(),
        Optional.empty(), Optional.empty(), MemorySize.ofMiB(64), Scope.LIVE);
    assertThat(planLive(r, prepared()).steps().get(0).size()).isEqualTo(MemorySize.ofMiB(64));
  }

  @Test
  void add_zeroSize_refuses() {
    assertThatThrownBy(() -> planLive(add(MemorySize.ofBytes(0), Scope.LIVE), prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
        .hasMessageContaining("must be positive");
  }

  @Test
  void add_split_plansEqualChunksAndShowsIt() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofMiB(768), OptionalInt.empty(),
        Optional.of(MemorySize.ofMiB(256)), Optional.empty(), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    MemoryPlan plan = planLive(r, prepared());
    assertThat(plan.steps()).hasSize(3).allSatisfy(d -> assertThat(d.size()).isEqualTo(MemorySize.ofMiB(256)));
    assertThat(plan.total()).isEqualTo(MemorySize.ofMiB(768));
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("split into 3 DIMMs"));
    assertThat(plan.toString()).contains("DIMM 3: 256 MiB on node 0");
  }

  @Test
  void add_firstDimm_plansSmallFirstThenRest() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofGiB(1), OptionalInt.empty(),
        Optional.empty(), Optional.of(MemorySize.ofMiB(128)), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    MemoryPlan plan = planLive(r, prepared());
    assertThat(plan.steps()).extracting(MemoryPlan.Step::size)
        .containsExactly(MemorySize.ofMiB(128), MemorySize.ofMiB(896));
    assertThat(plan.steps().get(0).reason()).contains("small first DIMM");
  }

  @Test
  void add_splitNotDividing_refuses() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofMiB(640), OptionalInt.empty(),
        Optional.of(MemorySize.ofMiB(256)), Optional.empty(), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    assertThatThrownBy(() -> planLive(r, prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST))
        .hasMessageContaining("cannot split 640 MiB into DIMMs of 256 MiB");
  }

  @Test
  void add_misalignedChunk_refuses() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofMiB(600), OptionalInt.empty(),
        Optional.of(MemorySize.ofMiB(100)), Optional.empty(), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    assertThatThrownBy(() -> planLive(r, prepared()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_BLOCK_ALIGNED))
        .hasMessageContaining("split chunk");
  }

  @Test
  void add_firstDimmNotSmaller_refuses() {
    MemoryPlanner.AddRequest r = new MemoryPlanner.AddRequest(MemorySize.ofMiB(256), OptionalInt.empty(),
        Optional.empty(), Optional.of(MemorySize.ofMiB(256)), MemoryPlanner.DEFAULT_BLOCK, Scope.LIVE);
    assertThatThrownBy(() -> planLive(r, prepared()))
        .isInstanceOf(PreconditionException.class)
        .hasMessageContaining("must be smaller than the request");
  }

  @Test
  void add_doesNotChangeTheInputXml() {
    DomainXml xml = prepared();
    String before = xml.toXml();
    planLive(add(MemorySize.ofMiB(256), Scope.LIVE), xml);
    assertThatThrownBy(() -> planLive(add(MemorySize.ofGiB(64), Scope.LIVE), xml))
        .isInstanceOf(PreconditionException.class);
    assertThat(xml.toXml()).isEqualTo(before);
  }

  // ------------------------------------------------------------------ remove

  static MemoryPlanner.RemoveRequest remove(MemorySize size, Scope scope) {
    return new MemoryPlanner.RemoveRequest(size, OptionalInt.empty(), scope);
  }

  static DomainXml threeDimms() {
    return DomainXml.parse(domain("<maxMemory slots='8' unit='KiB'>8388608</maxMemory>", "2097152", CELL0,
        dimm(262144, 0, 0) + dimm(524288, 0, 1) + dimm(262144, 0, 2)));
  }

  @Test
  void remove_exactSize_reportsTheFirstMatchingDimmLibvirtDetaches() {
    // the minimal XML matches both 256 MiB DIMMs; libvirt removes the first one in the definition
    MemoryPlan plan = MemoryPlanner.planRemove(remove(MemorySize.ofMiB(256), Scope.LIVE),
        Optional.of(threeDimms()), Optional.empty());
    assertThat(plan.steps()).hasSize(1);
    assertThat(plan.steps().get(0).slot()).hasValue(0);
    assertThat(plan.steps().get(0).reason()).contains("exact size match", "first DIMM of 256 MiB on node 0 (slot 0)");
    assertThat(plan.steps().get(0).xml()).doesNotContain("address", "alias")
        .contains("<size unit='MiB'>256</size>", "<node>0</node>");
    assertThat(plan.liveMemoryAfter()).contains(MemorySize.ofMiB(2048 - 256));
  }

  @Test
  void remove_sumOfDimms_picksFewest() {
    MemoryPlan plan = MemoryPlanner.planRemove(remove(MemorySize.ofMiB(768), Scope.LIVE),
        Optional.of(threeDimms()), Optional.empty());
    assertThat(plan.steps()).hasSize(2);
    assertThat(plan.total()).isEqualTo(MemorySize.ofMiB(768));
    assertThat(plan.steps()).extracting(d -> d.slot().getAsInt()).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void remove_twoOfTheSameSize_reportsTheFirstTwoSlots() {
    MemoryPlan plan = MemoryPlanner.planRemove(remove(MemorySize.ofMiB(512), Scope.LIVE),
        Optional.of(DomainXml.parse(domain("<maxMemory slots='8' unit='KiB'>8388608</maxMemory>", "1835008", CELL0,
            dimm(262144, 0, 3) + dimm(262144, 0, 1) + dimm(262144, 0, 2)))), Optional.empty());
    assertThat(plan.steps()).extracting(d -> d.slot().getAsInt()).containsExactly(3, 1);
  }

  @Test
  void remove_everything_picksAll() {
    MemoryPlan plan = MemoryPlanner.planRemove(remove(MemorySize.ofGiB(1), Scope.LIVE),
        Optional.of(threeDimms()), Optional.empty());
    assertThat(plan.steps()).hasSize(3);
  }

  @Test
  void remove_noMatchingSum_refusesListingDimms() {
    assertThatThrownBy(() -> MemoryPlanner.planRemove(remove(MemorySize.ofMiB(384), Scope.LIVE),
            Optional.of(threeDimms()), Optional.empty()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOTHING_TO_REMOVE))
        .hasMessageContaining("no set of hot-plugged DIMMs adds up to exactly 384 MiB")
        .hasMessageContaining("256 MiB on node 0 (slot 2)")
        .hasMessageContaining("e.g. remove(256 MiB)");
  }

  @Test
  void remove_noDimms_refuses() {
    DomainXml none = DomainXml.parse(domain("<maxMemory slots='8' unit='KiB'>8388608</maxMemory>", "1048576", CELL0, ""));
    assertThatThrownBy(() -> MemoryPlanner.planRemove(remove(MemorySize.ofMiB(256), Scope.LIVE),
            Optional.of(none), Optional.empty()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.NOTHING_TO_REMOVE))
        .hasMessageContaining("there are no removable DIMMs");
  }

  @Test
  void remove_bothScopes_onlyDimmsPresentInBoth() {
    // config has only the 512 MiB DIMM (the two 256 MiB ones were added live only)
    DomainXml config = DomainXml.parse(domain("<maxMemory slots='8' unit='KiB'>8388608</maxMemory>", "1572864", CELL0,
        dimm(524288, 0, null)));
    assertThatThrownBy(() -> MemoryPlanner.planRemove(remove(MemorySize.ofMiB(256), Scope.LIVE_AND_CONFIG),
            Optional.of(threeDimms()), Optional.of(config)))
        .isInstanceOf(PreconditionException.class)
        .hasMessageContaining("2 DIMM(s) exist only in the live or only in the persistent definition");
    MemoryPlan plan = MemoryPlanner.planRemove(remove(MemorySize.ofMiB(512), Scope.LIVE_AND_CONFIG),
        Optional.of(threeDimms()), Optional.of(config));
    assertThat(plan.steps()).singleElement().satisfies(d -> assertThat(d.slot()).hasValue(1));
    assertThat(plan.configMemoryAfter()).contains(MemorySize.ofGiB(1));
  }

  @Test
  void remove_onNode_onlyThatNode() {
    DomainXml two = DomainXml.parse(domain("<maxMemory slots='8' unit='KiB'>8388608</maxMemory>", "2621440",
        CELL0 + CELL1, dimm(262144, 0, 0) + dimm(262144, 1, 1)));
    MemoryPlan plan = MemoryPlanner.planRemove(
        new MemoryPlanner.RemoveRequest(MemorySize.ofMiB(256), OptionalInt.of(0), Scope.LIVE),
        Optional.of(two), Optional.empty());
    assertThat(plan.steps()).singleElement().satisfies(d -> {
      assertThat(d.node()).isZero();
      assertThat(d.slot()).hasValue(0);
    });
  }

  @Test
  void remove_zero_refuses() {
    assertThatThrownBy(() -> MemoryPlanner.planRemove(remove(MemorySize.ofBytes(0), Scope.LIVE),
            Optional.of(threeDimms()), Optional.empty()))
        .isInstanceOfSatisfying(PreconditionException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_REQUEST));
  }

  @Test
  void inspectors_countSlotsAndTotals() {
    assertThat(MemoryPlanner.slotsUsed(threeDimms())).isEqualTo(3);
    assertThat(MemoryPlanner.isPrepared(threeDimms())).isTrue();
    assertThat(MemoryPlanner.isPrepared(DomainXml.parse(domain(null, "1048576", null, "")))).isFalse();
    assertThat(MemoryPlanner.totalMemory(threeDimms())).isEqualTo(MemorySize.ofGiB(2));
  }
}
