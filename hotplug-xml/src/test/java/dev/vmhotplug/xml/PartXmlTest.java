package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Standalone marshal and unmarshal of the JAXB-bound parts, value equality, virtio-mem values. */
class PartXmlTest {

    static final String VIRTIO_MEM_LIVE = "<memory model='virtio-mem'>\n"
            + "  <target>\n"
            + "    <size unit='KiB'>1048576</size>\n"
            + "    <node>0</node>\n"
            + "    <block unit='KiB'>2048</block>\n"
            + "    <requested unit='KiB'>524288</requested>\n"
            + "    <current unit='KiB'>262144</current>\n"
            + "    <address base='0x120000000'/>\n"
            + "  </target>\n"
            + "  <alias name='virtiomem0'/>\n"
            + "  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
            + "</memory>\n";

    @Test
    void dimm_standaloneMarshal_isTheGuideFormByteForByte() {
        MemoryDevice d = MemoryDevice.dimm(MemorySize.ofMiB(256), 0);
        String guide = "<memory model='dimm'>\n  <target>\n    <size unit='MiB'>256</size>\n    <node>0</node>\n"
                + "  </target>\n</memory>\n";
        assertThat(PartXml.toXml(d)).isEqualTo(guide);
        assertThat(d.toXml()).isEqualTo(guide);
        assertThat(PartXml.fromXml(guide, MemoryDevice.class)).isEqualTo(d);
    }

    @Test
    void everyPart_roundTripsStandalone_toAnEqualValue() {
        List<Object> parts = List.of(
                Vcpu.builder().maximum(8).current(2).placement("static").cpuset("0-3").build(),
                VcpuEntry.builder(3, false).hotpluggable(true).order(4).build(),
                MaxMemory.of(MemorySize.ofGiB(16), 16),
                MemoryAmount.of(MemorySize.ofMiB(1536)),
                CpuTopology.builder().sockets(2).cores(4).threads(2).build(),
                NumaCell.builder().id(1).cpus(CpuSet.parse("4-7")).memory(MemorySize.ofGiB(2)).memAccess("shared").build(),
                MemoryDevice.dimm(MemorySize.ofGiB(1), 1),
                MemoryDevice.virtioMem(MemorySize.ofGiB(4), 0, MemorySize.ofMiB(2), MemorySize.ZERO));
        for (Object p : parts) {
            String name = p instanceof VcpuEntry ? "vcpu" : p instanceof MemoryAmount ? "currentMemory"
                    : p instanceof CpuTopology ? "topology" : null;
            String xml = name == null ? PartXml.toXml(p) : PartXml.toXml(p, name);
            Object back = PartXml.fromXml(xml, p.getClass());
            assertThat(back).as(xml).isEqualTo(p).hasSameHashCodeAs(p);
            assertThat(PartXml.toXml(back, name == null ? rootName(p) : name)).isEqualTo(xml);
        }
    }

    private static String rootName(Object p) {
        return p.getClass().getAnnotation(jakarta.xml.bind.annotation.XmlRootElement.class).name();
    }

    @Test
    void nonRootPart_withoutName_refusedWithTheFix() {
        assertThatThrownBy(() -> PartXml.toXml(MemoryAmount.of(MemorySize.ofGiB(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("toXml(part, name)");
        assertThatThrownBy(() -> PartXml.toXml("not a part", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a part");
    }

    @Test
    void unknownAttributesAndChildren_keptStandalone_unknownChildrenAfterKnownOnes() {
        String in = "<memory model='nvdimm' future='1'>\n  <uuid>9066901e-c90a-46ad-8b55-c18868cf92ae</uuid>\n"
                + "  <source>\n    <path>/tmp/nvdimm</path>\n    <pmem/>\n  </source>\n"
                + "  <target extra='x'>\n    <size unit='KiB'>523264</size>\n    <node>0</node>\n    <readonly/>\n"
                + "  </target>\n</memory>\n";
        MemoryDevice d = PartXml.fromXml(in, MemoryDevice.class);
        assertThat(d.otherAttributes()).containsEntry("future", "1");
        String out = d.toXml();
        assertThat(XmlStructure.diffPaths(in, out)).containsExactly("/memory[1]/(order)");
        assertThat(out).contains("<pmem/>").contains("<readonly/>").contains("extra='x'")
                .endsWith("  <uuid>9066901e-c90a-46ad-8b55-c18868cf92ae</uuid>\n</memory>\n");
    }

    @Test
    void equality_sizesByValue_andFullContent() {
        MemoryDevice mib = PartXml.fromXml("<memory model='dimm'><target><size unit='MiB'>1024</size><node>0</node>"
                + "</target></memory>", MemoryDevice.class);
        MemoryDevice gib = PartXml.fromXml("<memory model='dimm'><target><size unit='GiB'>1</size><node>0</node>"
                + "</target></memory>", MemoryDevice.class);
        assertThat(mib).isEqualTo(gib).hasSameHashCodeAs(gib);
        MemoryDevice withAlias = PartXml.fromXml("<memory model='dimm'><target><size unit='GiB'>1</size><node>0</node>"
                + "</target><alias name='dimm0'/><address type='dimm' slot='0'/></memory>", MemoryDevice.class);
        assertThat(withAlias).isNotEqualTo(gib);
        assertThat(withAlias.sameDevice(gib)).isTrue();
        assertThat(PartXml.fromXml("<cell id='0' cpus='0-4,^4' memory='1' unit='GiB'/>", NumaCell.class))
                .isEqualTo(NumaCell.builder().id(0).cpus(CpuSet.range(0, 3)).memory(MemorySize.ofMiB(1024)).build());
        assertThat(PartXml.fromXml("<cell id='0' cpus='0-3' memory='1' unit='GiB'><distances/></cell>", NumaCell.class))
                .isNotEqualTo(PartXml.fromXml("<cell id='0' cpus='0-3' memory='1' unit='GiB'/>", NumaCell.class));
    }

    @Test
    void values_areImmutable_buildersAndCopiesDoNotLeak() {
        NumaCell c = PartXml.fromXml("<cell id='0' cpus='0-3' memory='1048576'><distances><sibling id='0' value='10'/>"
                + "</distances></cell>", NumaCell.class);
        c.children().get(0).setAttribute("changed", "yes");
        assertThat(c.children().get(0).hasAttribute("changed")).isFalse();
        NumaCell.Builder b = c.toBuilder();
        NumaCell bigger = b.memory(MemorySize.ofGiB(2)).build();
        b.memory(MemorySize.ofGiB(4));
        assertThat(bigger.memory()).isEqualTo(MemorySize.ofGiB(2));
        assertThat(c.memory()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(bigger.hasChildren()).isTrue();
    }

    @Test
    void virtioMem_builtAndResized_updateDeviceXmlKeepsAliasAndAddress_dropsCurrent() {
        MemoryDevice live = PartXml.fromXml(VIRTIO_MEM_LIVE, MemoryDevice.class);
        assertThat(live.blockSize()).contains(MemorySize.ofMiB(2));
        assertThat(live.requestedSize()).contains(MemorySize.ofMiB(512));
        assertThat(live.currentSize()).contains(MemorySize.ofMiB(256));
        assertThat(live.targetAddressBase()).contains("0x120000000");
        assertThat(live.addressType()).contains("pci");
        assertThat(live.slot()).isEmpty();
        String update = live.withRequested(MemorySize.ofMiB(768)).toXml();
        assertThat(update).isEqualTo(VIRTIO_MEM_LIVE.replace("<requested unit='KiB'>524288</requested>",
                "<requested unit='KiB'>786432</requested>").replace("    <current unit='KiB'>262144</current>\n", ""));
        assertThat(live.withRequested(MemorySize.ofMiB(512)).toXml()).contains("<requested unit='KiB'>524288</requested>");
        assertThat(MemoryDevice.virtioMem(MemorySize.ofGiB(2), 1, MemorySize.ofMiB(2), MemorySize.ZERO).toXml())
                .isEqualTo("<memory model='virtio-mem'>\n  <target>\n    <size unit='MiB'>2048</size>\n"
                        + "    <node>1</node>\n    <block unit='MiB'>2</block>\n    <requested unit='MiB'>0</requested>\n"
                        + "  </target>\n</memory>\n");
    }

    @Test
    void virtioMem_badValues_refusedWithTheNumbers() {
        MemoryDevice live = PartXml.fromXml(VIRTIO_MEM_LIVE, MemoryDevice.class);
        assertThatThrownBy(() -> live.withRequested(MemorySize.ofMiB(3))).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("not a multiple of its block size 2 MiB").hasMessageContaining("2 MiB or 4 MiB");
        assertThatThrownBy(() -> live.withRequested(MemorySize.ofGiB(2))).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("larger than the device (1 GiB)");
        assertThatThrownBy(() -> MemoryDevice.dimm(MemorySize.ofGiB(1), 0).withRequested(MemorySize.ZERO))
                .isInstanceOfSatisfying(DomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("only a virtio-mem device");
        assertThatThrownBy(() -> MemoryDevice.virtioMem(MemorySize.ofMiB(3), 0, MemorySize.ofMiB(2), MemorySize.ZERO))
                .hasMessageContaining("not a multiple of its block size");
        assertThatThrownBy(() -> MemoryDevice.virtioMem(MemorySize.ofMiB(6), 0, MemorySize.ofMiB(3), MemorySize.ZERO))
                .hasMessageContaining("not a power of two");
    }

    @Test
    void fromXml_hostileOrInvalid_refusedWithTheReason() {
        assertThatThrownBy(() -> PartXml.fromXml("<!DOCTYPE x [<!ENTITY e 'x'>]><vcpu>&e;</vcpu>", Vcpu.class))
                .isInstanceOfSatisfying(DomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.HOSTILE));
        assertThatThrownBy(() -> PartXml.fromXml("<vcpu current='9'>2</vcpu>", Vcpu.class))
                .isInstanceOfSatisfying(DomainXmlException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT))
                .hasMessageContaining("current='9'").hasMessageContaining("maximum of 2");
        assertThatThrownBy(() -> PartXml.fromXml("<maxMemory unit='furlong'>1</maxMemory>", MaxMemory.class))
                .isInstanceOfSatisfying(DomainXmlException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_VALUE))
                .hasMessageContaining("unknown memory unit 'furlong'");
        assertThatThrownBy(() -> PartXml.fromXml("<vcpu>" + "9".repeat(PartXml.MAX_CHARS) + "</vcpu>", Vcpu.class))
                .isInstanceOfSatisfying(DomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
        assertThatThrownBy(() -> PartXml.fromXml("<vcpu>x\n[INFO] forged\t" + "y".repeat(500) + "</vcpu>", Vcpu.class))
                .hasMessageContaining("'x\\n[INFO] forged\\t" + "y".repeat(64) + "…' (516 chars)")
                .hasMessageNotContaining("\n");
    }

    @Test
    void sharedContext_manyThreads_readAndWriteConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Set<String> outputs = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        MemoryDevice d = PartXml.fromXml(VIRTIO_MEM_LIVE, MemoryDevice.class);
                        outputs.add(d.withRequested(MemorySize.ofMiB(2L * (i % 4))).toXml());
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(outputs).hasSize(4);
        assertThat(PartXml.context()).isSameAs(PartXml.context());
    }

    @Test
    void context_madeByTheGlassFishFactoryDirectly_unlessTheApplicationChoseAnImplementation() throws Exception {
        assertThat(Jaxb.newContext().getClass().getName()).isEqualTo("org.glassfish.jaxb.runtime.v2.runtime.JAXBContextImpl");
        assertThat(Jaxb.newContext().createMarshaller()).isNotNull();
        String before = System.getProperty(Jaxb.FACTORY_PROPERTY);
        System.setProperty(Jaxb.FACTORY_PROPERTY, "no.such.JaxbFactory");
        try {
            // the application's choice goes through the standard lookup, which honours it (and fails here)
            assertThatThrownBy(Jaxb::newContext).isInstanceOf(jakarta.xml.bind.JAXBException.class)
                    .hasStackTraceContaining("no.such.JaxbFactory");
        } finally {
            if (before == null) {
                System.clearProperty(Jaxb.FACTORY_PROPERTY);
            } else {
                System.setProperty(Jaxb.FACTORY_PROPERTY, before);
            }
        }
    }
}
