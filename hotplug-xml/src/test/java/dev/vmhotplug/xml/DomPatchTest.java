package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Writing a JAXB part back into a document patches only what differs: comments, order (also where a
 * standalone marshal would reorder), whitespace and unknown content stay where they were.
 */
class DomPatchTest {

    static final String DOC = "<domain type='kvm'>\n  <name>p</name>\n  <memory unit='KiB'>2097152</memory>\n"
            + "  <vcpu placement='static'>4</vcpu>\n"
            + "  <cpu>\n    <numa>\n"
            + "      <cell id='0' cpus='0-1' memory='1048576' unit='KiB'>\n"
            + "        <!-- distances measured on the host -->\n"
            + "        <cache level='3' associativity='direct' policy='writeback'>\n"
            + "          <size value='10' unit='KiB'/>\n"
            + "        </cache>\n"
            + "        <distances>\n          <sibling id='0' value='10'/>\n          <sibling id='1' value='21'/>\n"
            + "        </distances>\n"
            + "      </cell>\n"
            + "      <cell id='1' cpus='2-3' memory='1048576' unit='KiB'/>\n"
            + "    </numa>\n  </cpu>\n"
            + "  <devices>\n"
            + "    <memory model='nvdimm'>\n"
            + "      <!-- backing file on the NVMe -->\n"
            + "      <uuid>9066901e-c90a-46ad-8b55-c18868cf92ae</uuid>\n"
            + "      <source>\n        <nodemask>0</nodemask>\n        <pagesize unit='KiB'>4</pagesize>\n      </source>\n"
            + "      <target>\n        <size unit='KiB'>523264</size>\n        <node>0</node>\n      </target>\n"
            + "    </memory>\n"
            + "    <memory model='virtio-mem'>\n"
            + "      <target>\n        <size unit='GiB'>4</size>\n        <node>1</node>\n"
            + "        <block unit='MiB'>2</block>\n        <requested unit='MiB'>0</requested>\n      </target>\n"
            + "      <alias name='ua-vmem1'/>\n"
            + "    </memory>\n"
            + "  </devices>\n</domain>\n";

    @Test
    void cellMemoryChange_onlyItsAttribute_commentAndChildOrderKept() {
        DomainXml d = DomainXml.parse(DOC);
        List<NumaCell> cells = d.numaCells();
        d.setNumaCells(List.of(cells.get(0).toBuilder().memory(MemorySize.ofGiB(2)).build(), cells.get(1)));
        assertThat(d.toXml()).isEqualTo(DOC.replaceFirst("memory='1048576' unit='KiB'>", "memory='2097152' unit='KiB'>"));
    }

    @Test
    void cellFromAnotherDocument_writtenOverOne_keepsThisDocumentsOrderAndComment() {
        DomainXml d = DomainXml.parse(DOC);
        NumaCell c = PartXml.fromXml("<cell id='0' cpus='0-1' memory='1048576' unit='KiB'><distances>"
                + "<sibling id='0' value='10'/><sibling id='1' value='21'/></distances><cache level='3'"
                + " associativity='direct' policy='writeback'><size value='10' unit='KiB'/></cache></cell>", NumaCell.class);
        d.setNumaCells(List.of(c, d.numaCells().get(1)));
        assertThat(d.toXml()).isEqualTo(DOC);
    }

    @Test
    void deviceResized_inTheDocument_onlyRequestedChanges_neighboursAndCommentsStay() {
        DomainXml d = DomainXml.parse(DOC);
        MemoryDevice vm = d.memoryDevices().get(1);
        d.setMemoryDevice(1, vm.withRequested(MemorySize.ofMiB(512)));
        assertThat(d.toXml()).isEqualTo(DOC.replace("<requested unit='MiB'>0</requested>",
                "<requested unit='MiB'>512</requested>"));
        MemoryDevice nv = d.memoryDevices().get(0);
        assertThat(PartXml.toXml(nv)).doesNotContain("backing file"); // standalone: comments are not kept
        d.setMemoryDevice(0, nv);
        assertThat(d.toXml()).contains("<!-- backing file on the NVMe -->\n      <uuid>")
                .contains("<nodemask>0</nodemask>\n        <pagesize unit='KiB'>4</pagesize>");
    }

    @Test
    void newChildOfAPart_insertedAfterItsPrecedingSibling_indented() {
        DomainXml d = DomainXml.parse(DOC);
        MemoryDevice vm = d.memoryDevices().get(1);
        d.setMemoryDevice(1, vm.toBuilder().targetNode(0).alias(null).build());
        String out = d.toXml();
        assertThat(out).contains("        <node>0</node>\n        <block unit='MiB'>2</block>")
                .doesNotContain("ua-vmem1");
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(DOC, out), "/domain[1]/devices[1]/memory[2]")).isEmpty();
    }

    @Test
    void builtVcpu_overAnElementWithForeignAttributes_keepsThem_readVcpuReplacesThem() {
        String xml = DOC.replace("<vcpu placement='static'>", "<vcpu placement='static' x:hint='fast' xmlns:x='urn:x'>");
        DomainXml d = DomainXml.parse(xml);
        d.setVcpu(Vcpu.builder().maximum(8).current(4).placement("static").build());
        assertThat(d.toXml()).contains("<vcpu placement='static' x:hint='fast' xmlns:x='urn:x' current='4'>8</vcpu>");
        Vcpu plain = PartXml.fromXml("<vcpu placement='static'>8</vcpu>", Vcpu.class);
        d.setVcpu(plain);
        assertThat(d.toXml()).contains("<vcpu placement='static' xmlns:x='urn:x'>8</vcpu>");
    }

    @Test
    void newAttributes_appendedInTheOrderLibvirtWritesThem_notAlphabetically() {
        DomainXml d = DomainXml.parse("<domain type='kvm'>\n  <name>x</name>\n  <vcpu>1</vcpu>\n</domain>\n");
        d.setVcpu(d.vcpu().orElseThrow().toBuilder().maximum(8).current(1).placement("static").build());
        assertThat(d.toXml()).contains("<vcpu placement='static' current='1'>8</vcpu>");
    }
}
