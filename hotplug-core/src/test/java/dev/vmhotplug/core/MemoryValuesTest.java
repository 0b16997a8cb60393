package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.xml.DomainXml;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure tests of the memory value types and the agent probe logic. */
class MemoryValuesTest {

  @Test
  void memoryView_liveDumpxmlWithAliasBalloonAndTwoCells_showsEveryField() {
    String live = "<domain type='kvm' id='7'><name>web</name>"
        + "<maxMemory slots='8' unit='KiB'>16777216</maxMemory><memory unit='KiB'>2621440</memory>"
        + "<currentMemory unit='KiB'>2097152</currentMemory><vcpu placement='static' current='2'>8</vcpu>"
        + "<cpu><numa><cell id='0' cpus='0-3' memory='1048576' unit='KiB'/>"
        + "<cell id='1' cpus='4-7' memory='1048576' unit='KiB'/></numa></cpu><devices>"
        + "<memory model='dimm'><target><size unit='KiB'>524288</size><node>1</node></target>"
        + "<alias name='dimm0'/><address type='dimm' slot='0' base='0x100000000'/></memory>"
        + "</devices></domain>";
    String config = live.replace(" id='7'", "").replace("<alias name='dimm0'/>", "")
        .replace("<address type='dimm' slot='0' base='0x100000000'/>", "");
    MemoryView v = MemoryView.of("web", java.util.Optional.of(DomainXml.parse(live)),
        java.util.Optional.of(DomainXml.parse(config)));
    MemoryView.Definition l = v.live().orElseThrow();
    assertThat(l.maxMemory()).contains(dev.vmhotplug.xml.MemorySize.ofGiB(16));
    assertThat(l.slots()).hasValue(8);
    assertThat(l.slotsUsed()).isEqualTo(1);
    assertThat(l.slotsFree()).hasValue(7);
    assertThat(l.memory()).isEqualTo(dev.vmhotplug.xml.MemorySize.ofMiB(2560));
    assertThat(l.currentMemory()).contains(dev.vmhotplug.xml.MemorySize.ofGiB(2));
    assertThat(l.numaCells()).hasSize(2);
    assertThat(l.dimms()).singleElement().satisfies(d -> {
      assertThat(d.targetSize()).contains(dev.vmhotplug.xml.MemorySize.ofMiB(512));
      assertThat(d.targetNode()).hasValue(1);
      assertThat(d.slot()).hasValue(0);
      assertThat(d.alias()).contains("dimm0");
    });
    assertThat(v.config().orElseThrow().dimms()).singleElement()
        .satisfies(d -> assertThat(d.alias()).isEmpty());
    assertThat(v.toString()).contains("current memory   2 GiB          2 GiB", "slots free       7              7",
        "NUMA cell 1: 1 GiB, cpus 4-7", "dimm0");
  }

  @Test
  void memoryStats_fromLibvirtTags_namesThemAsVirshAndKeepsOrder() {
    Map<Integer, Long> tags = new LinkedHashMap<>();
    tags.put(6, 786432L);
    tags.put(0, 0L);
    tags.put(7, 300000L);
    tags.put(42, 1L);
    MemoryStats s = MemoryStats.fromTags(tags);
    assertThat(s.asMap().keySet()).containsExactly("actual", "swap_in", "rss", "tag_42");
    assertThat(s.toString()).isEqualTo("actual 786432\nswap_in 0\nrss 300000\ntag_42 1\n");
    assertThat(s.get("usable")).isEmpty();
    assertThat(s.rssKiB()).hasValue(300000);
  }

  @Test
  void memoryStats_empty_printsNothing() {
    MemoryStats s = MemoryStats.of(Map.of());
    assertThat(s.isEmpty()).isTrue();
    assertThat(s.toString()).isEmpty();
    assertThat(s.toJson()).isEqualTo("{}");
  }

  static String dom(String vcpu, String mem, String devices) {
    return "<domain type='kvm'><name>d</name>"
        + "<maxMemory slots='4' unit='KiB'>4194304</maxMemory>"
        + "<memory unit='KiB'>" + mem + "</memory>" + vcpu
        + "<cpu><numa><cell id='0' cpus='0-3' memory='1048576' unit='KiB'/></numa></cpu>"
        + "<devices>" + devices + "</devices></domain>";
  }

  static final String DIMM = "<memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target></memory>";

  @Test
  void drift_liveOnlyDimmAndVcpus_reportsEachWithConsequence() {
    DomainXml live = DomainXml.parse(dom("<vcpu current='3'>4</vcpu>", "1310720", DIMM));
    DomainXml config = DomainXml.parse(dom("<vcpu current='2'>4</vcpu>", "1048576", ""));
    Drift d = Drift.compare(live, config);
    assertThat(d.items()).extracting(Drift.Item::kind)
        .containsExactly(Drift.Kind.VCPU_CURRENT, Drift.Kind.MEMORY, Drift.Kind.MEMORY_DEVICE);
    assertThat(d.items().get(2).consequence()).contains("lost at the next shutdown");
    assertThat(d.toString()).contains("3 difference(s)");
  }

  @Test
  void drift_configOnlyDimm_appearsAtNextBoot() {
    DomainXml live = DomainXml.parse(dom("<vcpu>4</vcpu>", "1048576", ""));
    DomainXml config = DomainXml.parse(dom("<vcpu>4</vcpu>", "1310720", DIMM));
    Drift d = Drift.compare(live, config);
    assertThat(d.items()).filteredOn(i -> i.kind() == Drift.Kind.MEMORY_DEVICE).singleElement()
        .satisfies(i -> assertThat(i.consequence()).contains("appears at the next boot"));
  }

  @Test
  void drift_sameDefinitions_isEmpty() {
    DomainXml x = DomainXml.parse(dom("<vcpu current='2'>4</vcpu>", "1310720", DIMM));
    assertThat(Drift.compare(x, x.copy()).isEmpty()).isTrue();
  }

  static final String VCPUS = "{\"return\":[{\"logical-id\":0,\"online\":true,\"can-offline\":false},"
      + "{\"logical-id\":1,\"online\":false,\"can-offline\":true}]}";
  static final String BLOCKS = "{\"return\":[{\"phys-index\":0,\"online\":true},{\"phys-index\":8,\"online\":false}]}";

  @Test
  void agentProbe_replies_becomeGuestFacts() {
    GuestFacts f = AgentGuestProbe.facts("d", json -> {
      if (json.equals(AgentGuestProbe.GET_VCPUS)) {
        return VCPUS;
      }
      if (json.equals(AgentGuestProbe.GET_MEMORY_BLOCKS)) {
        return BLOCKS;
      }
      return "{\"return\":{\"size\":134217728}}";
    });
    assertThat(f.cpusPresent().orElseThrow().size()).isEqualTo(2);
    assertThat(f.cpusOnline().orElseThrow().size()).isEqualTo(1);
    assertThat(f.memoryBlockStates().orElseThrow()).containsEntry(0, "online").containsEntry(8, "offline");
    assertThat(f.blockSizeBytes()).hasValue(134217728L);
  }

  @Test
  void agentProbe_noBlockInfoCommand_recordsItUnavailable() {
    GuestFacts f = AgentGuestProbe.facts("d", json -> {
      if (json.equals(AgentGuestProbe.GET_VCPUS)) {
        return VCPUS;
      }
      if (json.equals(AgentGuestProbe.GET_MEMORY_BLOCKS)) {
        return BLOCKS;
      }
      throw new LibvirtException("x", 1, "VIR_ERR_INTERNAL_ERROR", "unknown command", null);
    });
    assertThat(f.blockSizeBytes()).isEmpty();
    assertThat(f.unavailable()).containsKey("memory block size");
  }

  @Test
  void agentProbe_garbageReply_throwsNamingTheReply() {
    assertThatThrownBy(() -> AgentGuestProbe.facts("d", json -> "not json"))
        .isInstanceOf(GuestAgentUnavailableException.class)
        .hasMessageContaining("reply the SDK cannot read");
  }

  @Test
  void agentProbe_timeoutBelowOneSecond_isRefused() {
    assertThatThrownBy(() -> AgentGuestProbe.withTimeout(java.time.Duration.ofMillis(10)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("at least 1 second");
  }
}
