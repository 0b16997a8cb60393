package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryDeviceTest {

    @Test
    void dimm_256MiB_writesGuideFormExactly() {
        assertThat(MemoryDevice.dimm(MemorySize.ofMiB(256), 0).toXml()).isEqualTo(
                "<memory model='dimm'>\n"
                        + "  <target>\n"
                        + "    <size unit='MiB'>256</size>\n"
                        + "    <node>0</node>\n"
                        + "  </target>\n"
                        + "</memory>\n");
    }

    @Test
    void dimm_8GiB_writtenInMiBLikeTheGuide() {
        assertThat(MemoryDevice.dimm(MemorySize.ofGiB(8), 1).toXml()).isEqualTo(
                "<memory model='dimm'>\n"
                        + "  <target>\n"
                        + "    <size unit='MiB'>8192</size>\n"
                        + "    <node>1</node>\n"
                        + "  </target>\n"
                        + "</memory>\n");
    }

    @Test
    void dimm_notWholeMiB_writtenInKiB() {
        assertThat(MemoryDevice.dimm(MemorySize.ofKiB(1536), 0).toXml()).isEqualTo(
                "<memory model='dimm'>\n"
                        + "  <target>\n"
                        + "    <size unit='KiB'>1536</size>\n"
                        + "    <node>0</node>\n"
                        + "  </target>\n"
                        + "</memory>\n");
        assertThat(MemoryDevice.dimm(MemorySize.parse("1024000 KB"), 0).toXml())
                .contains("<size unit='KiB'>1000000</size>");
    }

    @Test
    void dimm_getters_andSameDevice() {
        MemoryDevice d = MemoryDevice.dimm(MemorySize.ofGiB(1), 0);
        assertThat(d.model()).isEqualTo("dimm");
        assertThat(d.targetSize()).contains(MemorySize.ofMiB(1024));
        assertThat(d.targetNode()).hasValue(0);
        assertThat(d.alias()).isEmpty();
        assertThat(d.slot()).isEmpty();
        assertThat(d.sameDevice(MemoryDevice.dimm(MemorySize.ofMiB(1024), 0))).isTrue();
        assertThat(d.sameDevice(MemoryDevice.dimm(MemorySize.ofMiB(1024), 1))).isFalse();
        assertThat(d.sameDevice(MemoryDevice.dimm(MemorySize.ofMiB(512), 0))).isFalse();
    }

    @Test
    void dimm_badArguments_refused() {
        assertThatThrownBy(() -> MemoryDevice.dimm(MemorySize.ZERO, 0)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("0 B");
        assertThatThrownBy(() -> MemoryDevice.dimm(MemorySize.ofBytes(1000), 0)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("not a whole number of KiB");
        assertThatThrownBy(() -> MemoryDevice.dimm(MemorySize.ofMiB(128), -1)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("negative");
    }
}
