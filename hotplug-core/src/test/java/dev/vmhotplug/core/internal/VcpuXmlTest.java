package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugException;
import org.junit.jupiter.api.Test;

class VcpuXmlTest {
  @Test
  void read_withCurrent_returnsMaximumAndCurrent() {
    assertThat(VcpuXml.read("<domain><name>a</name><vcpu placement='static' current='2'>8</vcpu></domain>"))
        .containsExactly(8, 2);
  }

  @Test
  void read_withoutCurrent_currentIsMaximum() {
    assertThat(VcpuXml.read("<domain><vcpu>4</vcpu></domain>")).containsExactly(4, 4);
  }

  @Test
  void read_nestedVcpuElsewhere_isIgnored() {
    assertThat(VcpuXml.read("<domain><cputune><vcpu>9</vcpu></cputune><vcpu current='1'>3</vcpu></domain>"))
        .containsExactly(3, 1);
  }

  @Test
  void read_vcpusListAndMetadataAndComments_onlyTheRootChildCounts() {
    String xml = "<?xml version='1.0'?>\n<!-- <vcpu>99</vcpu> -->\n<domain type='kvm'>\n"
        + "  <metadata><app xmlns='urn:x'><vcpu>42</vcpu><![CDATA[<vcpu>43</vcpu>]]></app></metadata>\n"
        + "  <description a=\"x>y\">t</description>\n  <empty/>\n"
        + "  <vcpu placement=\"static\" current = \"3\" cpuset='0-3'>16</vcpu>\n"
        + "  <vcpus><vcpu id='0' enabled='yes'/></vcpus>\n</domain>\n";
    assertThat(VcpuXml.read(xml)).containsExactly(16, 3);
  }

  @Test
  void read_libvirtTestDriverXml_readsIt() {
    String xml = "<domain type='test' id='1'>\n  <name>test</name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        + "  <memory unit='KiB'>8388608</memory>\n  <vcpu placement='static'>2</vcpu>\n  <os>\n"
        + "    <type arch='i686'>hvm</type>\n  </os>\n</domain>\n";
    assertThat(VcpuXml.read(xml)).containsExactly(2, 2);
  }

  @Test
  void hasDomainId_runningAndShutOff_tellsThemApart() {
    assertThat(VcpuXml.hasDomainId("<?xml version='1.0'?><!-- c --><domain type='kvm' id='7'><vcpu>1</vcpu></domain>"))
        .isTrue();
    assertThat(VcpuXml.hasDomainId("<domain type='kvm'><name>id</name><uuid>x</uuid></domain>")).isFalse();
    assertThat(VcpuXml.hasDomainId("<domain type=\"kvm\" xmlns:q='id'>\n</domain>")).isFalse();
  }

  @Test
  void read_truncated_saysSo() {
    assertThatThrownBy(() -> VcpuXml.read("<domain><vcpu current='2")).isInstanceOf(HotplugException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void read_notANumber_saysWhere() {
    assertThatThrownBy(() -> VcpuXml.read("<domain><vcpu current='x'>4</vcpu></domain>"))
        .isInstanceOf(HotplugException.class).hasMessageContaining("<vcpu current> is not a number: 'x'");
  }

  @Test
  void read_doctype_isRefused() {
    assertThatThrownBy(() -> VcpuXml.read("<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><vcpu>&x;</vcpu></domain>"))
        .isInstanceOf(HotplugException.class);
  }

  @Test
  void read_noVcpu_saysSo() {
    assertThatThrownBy(() -> VcpuXml.read("<domain/>")).isInstanceOf(HotplugException.class)
        .hasMessageContaining("no <vcpu> element");
  }
}
