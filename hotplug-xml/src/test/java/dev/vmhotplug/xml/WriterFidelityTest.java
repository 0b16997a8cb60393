package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link DomainXml#toXml()} keeps: escapes, CDATA, comments, PIs, namespaces, declaration, order. */
class WriterFidelityTest {

    @Test
    void specialCharacters_escapedAndRoundTripped() {
        String xml = "<domain type='kvm'>\n"
                + "  <description>a &amp; b &lt; c &gt; d &apos;q&apos; &quot;dq&quot; é 😀</description>\n"
                + "  <name a='x &amp; y &lt; z &apos; &quot;' b='line&#10;break&#9;tab'>n</name>\n"
                + "</domain>\n";
        String out = DomainXml.parse(xml).toXml();
        assertThat(out).isEqualTo(xml);
        assertThat(XmlStructure.diffPaths(xml, out)).isEmpty();
    }

    @Test
    void cdataCommentsAndPis_keptInPlace() {
        String xml = "<?xml version='1.0'?>\n<?top-pi a=\"1\"?>\n<!--top-->\n<domain type='kvm'>\n"
                + "  <!-- before name -->\n  <name><![CDATA[<raw> & text]]></name>\n  <?inner?>\n"
                + "  <vcpu>2</vcpu>\n</domain>\n<!--after-->\n";
        DomainXml d = DomainXml.parse(xml);
        assertThat(d.toXml()).isEqualTo(xml);
        assertThat(d.name()).isEqualTo("<raw> & text");
        d.setVcpu(d.vcpu().orElseThrow().toBuilder().maximum(4).build());
        assertThat(d.toXml()).isEqualTo(xml.replace("<vcpu>2", "<vcpu>4"));
    }

    @Test
    void doubleQuotedDocument_staysDoubleQuoted_newAttributesToo() {
        String xml = "<domain type=\"kvm\">\n  <name>x</name>\n  <vcpu placement=\"static\">2</vcpu>\n</domain>";
        DomainXml d = DomainXml.parse(xml);
        d.setVcpu(d.vcpu().orElseThrow().toBuilder().current(1).build());
        assertThat(d.toXml()).isEqualTo(xml.replace("placement=\"static\"", "placement=\"static\" current=\"1\""));
    }

    @Test
    void attributeOrder_keptAndNewAttributesAppended() {
        String xml = "<domain type='kvm' id='3'>\n  <maxMemory unit='KiB' slots='4' zz='1'>4194304</maxMemory>\n"
                + "  <memory unit='GiB'>1</memory>\n</domain>";
        DomainXml d = DomainXml.parse(xml);
        assertThat(d.toXml()).isEqualTo(xml);
        assertThat(d.maxMemory().orElseThrow().otherAttributes()).containsEntry("zz", "1");
        d.setMaxMemory(MemorySize.ofGiB(8), 8);
        assertThat(d.toXml()).contains("<maxMemory unit='KiB' slots='8' zz='1'>8388608</maxMemory>");
    }

    @Test
    void memoryWithoutUnit_editedWithoutAddingUnitWhenExact() {
        String xml = "<domain type='kvm'><memory>1048576</memory><currentMemory>1048576</currentMemory></domain>";
        DomainXml d = DomainXml.parse(xml);
        d.setCurrentMemory(MemorySize.ofMiB(512));
        assertThat(d.toXml()).isEqualTo(xml.replace("<currentMemory>1048576", "<currentMemory>524288"));
        d.setMemory(MemorySize.ofBytes(1024L * 1024 * 1024 + 1024));
        assertThat(d.toXml()).contains("<memory>1048577</memory>");
    }

    @Test
    void unindentedDocument_newElementsNotIndented() {
        String xml = "<domain type='kvm'><name>x</name><memory unit='KiB'>1024</memory><devices/></domain>";
        DomainXml d = DomainXml.parse(xml);
        d.setMaxMemory(MemorySize.ofGiB(1), 2);
        assertThat(d.toXml()).isEqualTo("<domain type='kvm'><name>x</name><maxMemory slots='2' unit='KiB'>1048576"
                + "</maxMemory><memory unit='KiB'>1024</memory><devices/></domain>");
    }

    @Test
    void emptyDevicesElement_getsIndentedDevice() {
        String xml = "<domain type='kvm'>\n  <name>x</name>\n  <devices/>\n</domain>\n";
        DomainXml d = DomainXml.parse(xml);
        d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofMiB(128), 0));
        assertThat(d.toXml()).isEqualTo("<domain type='kvm'>\n  <name>x</name>\n  <devices>\n"
                + "    <memory model='dimm'>\n      <target>\n        <size unit='MiB'>128</size>\n"
                + "        <node>0</node>\n      </target>\n    </memory>\n  </devices>\n</domain>\n");
    }

    @Test
    void newElement_goesRightAfterItsAnchor_beforeACommentOfTheNextElement() {
        String xml = "<domain type='kvm'>\n  <memory unit='KiB'>1048576</memory>\n  <!-- two vCPUs -->\n"
                + "  <vcpu>2</vcpu>\n</domain>\n";
        DomainXml d = DomainXml.parse(xml);
        d.setCurrentMemory(MemorySize.ofGiB(1));
        assertThat(d.toXml()).isEqualTo("<domain type='kvm'>\n  <memory unit='KiB'>1048576</memory>\n"
                + "  <currentMemory unit='KiB'>1048576</currentMemory>\n  <!-- two vCPUs -->\n  <vcpu>2</vcpu>\n</domain>\n");
    }
}
