package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemorySize;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** memoryView() and drift() show a virtio-mem device's requested size against what the guest plugged. */
class VirtioMemViewTest {

  static DomainXml xml(long requestedKiB, Long currentKiB, boolean live) {
    return DomainXml.parse("<domain type='qemu'" + (live ? " id='3'" : "") + ">\n"
        + "  <name>vm-1</name>\n"
        + "  <maxMemory slots='16' unit='KiB'>4194304</maxMemory>\n"
        + "  <memory unit='KiB'>1572864</memory>\n"
        + "  <currentMemory unit='KiB'>524288</currentMemory>\n"
        + "  <vcpu placement='static' current='2'>4</vcpu>\n"
        + "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        + "  <cpu><numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa></cpu>\n"
        + "  <devices>\n"
        + "    <memory model='virtio-mem'>\n      <target>\n        <size unit='KiB'>1048576</size>\n"
        + "        <node>0</node>\n        <block unit='KiB'>2048</block>\n"
        + "        <requested unit='KiB'>" + requestedKiB + "</requested>\n"
        + (currentKiB == null ? "" : "        <current unit='KiB'>" + currentKiB + "</current>\n")
        + "      </target>\n"
        + (live ? "      <alias name='virtiomem0'/>\n" : "")
        + "      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>\n"
        + "    </memory>\n  </devices>\n</domain>\n");
  }

  @Test
  void memoryView_showsRequestedPerSide_pluggedAndTheShortfall() {
    MemoryView v = MemoryView.of("vm-1", Optional.of(xml(524288, 393216L, true)), Optional.of(xml(262144, null, false)));
    MemoryView.Definition live = v.live().orElseThrow();
    assertThat(live.virtioMem()).singleElement().satisfies(d -> {
      assertThat(d.requestedSize()).hasValue(MemorySize.ofMiB(512));
      assertThat(d.currentSize()).hasValue(MemorySize.ofMiB(384));
    });
    assertThat(live.memory()).isEqualTo(MemorySize.ofMiB(1536));
    assertThat(live.given()).isEqualTo(MemorySize.ofGiB(1));
    assertThat(v.config().orElseThrow().given()).isEqualTo(MemorySize.ofMiB(768));
    assertThat(live.slotsUsed()).isEqualTo(1);
    assertThat(v.toString())
        .contains("memory given     768 MiB        1 GiB")
        .contains("virtio-mem node 0 (virtiomem0, size 1 GiB): requested config 256 MiB, live 512 MiB, plugged 384 MiB"
            + " (128 MiB short of the request)");
  }

  @Test
  void drift_requestedDiffers_andCurrentShortOfRequested_bothReported() {
    Drift d = Drift.compare(xml(524288, 393216L, true), xml(262144, null, false));
    assertThat(d.items()).extracting(Drift.Item::kind)
        .containsExactly(Drift.Kind.VIRTIO_MEM_REQUESTED, Drift.Kind.VIRTIO_MEM_CURRENT);
    assertThat(d.items().get(0).live()).isEqualTo("virtio-mem node 0 (virtiomem0) requested 512 MiB");
    assertThat(d.items().get(0).config()).isEqualTo("virtio-mem node 0 requested 256 MiB");
    assertThat(d.items().get(0).consequence()).contains("next boot starts with 256 MiB plugged");
    assertThat(d.items().get(1).live()).isEqualTo("virtio-mem node 0 (virtiomem0) plugged 384 MiB of requested 512 MiB");
    assertThat(d.items().get(1).consequence()).contains("128 MiB less than requested", "online_movable");
  }

  @Test
  void drift_sameRequestedAndFullyPlugged_none() {
    assertThat(Drift.compare(xml(262144, 262144L, true), xml(262144, null, false)).isEmpty()).isTrue();
  }
}
