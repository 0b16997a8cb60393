package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DomainXmlTest {

    static final String FULL = "<?xml version='1.0' encoding='UTF-8'?>\n"
            + "<!-- kept comment -->\n"
            + "<domain type='kvm' id='7' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
            + "  <name>web-1</name>\n"
            + "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
            + "  <metadata>\n"
            + "    <app:info xmlns:app='urn:example:app' app:owner='ops'>keep me</app:info>\n"
            + "  </metadata>\n"
            + "  <maxMemory slots='16' unit='GiB'>16</maxMemory>\n"
            + "  <memory unit='KiB' dumpCore='off'>2097152</memory>\n"
            + "  <currentMemory unit='MiB'>1024</currentMemory>\n"
            + "  <vcpu placement='static' cpuset='0-3,^2' current='2' future='x'>4</vcpu>\n"
            + "  <vcpus>\n"
            + "    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>\n"
            + "    <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>\n"
            + "    <vcpu id='2' enabled='no' hotpluggable='yes'/>\n"
            + "    <vcpu id='3' enabled='no' hotpluggable='yes' extra='e'/>\n"
            + "  </vcpus>\n"
            + "  <os>\n"
            + "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n"
            + "  </os>\n"
            + "  <?app-hint keep?>\n"
            + "  <cpu mode='host-model'>\n"
            + "    <topology sockets='1' dies='1' cores='2' threads='2'/>\n"
            + "    <numa>\n"
            + "      <cell id='0' cpus='0-1' memory='1048576' unit='KiB' memAccess='shared' future='y'>\n"
            + "        <distances>\n"
            + "          <sibling id='0' value='10'/>\n"
            + "          <sibling id='1' value='21'/>\n"
            + "        </distances>\n"
            + "      </cell>\n"
            + "      <cell id='1' cpus='2-3' memory='1' unit='GiB' discard='yes'/>\n"
            + "    </numa>\n"
            + "  </cpu>\n"
            + "  <clock offset='utc'/>\n"
            + "  <devices>\n"
            + "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
            + "    <memory model='dimm' access='shared' discard='yes'>\n"
            + "      <source>\n"
            + "        <pagesize unit='KiB'>2048</pagesize>\n"
            + "        <nodemask>0-1</nodemask>\n"
            + "      </source>\n"
            + "      <target>\n"
            + "        <size unit='MiB'>512</size>\n"
            + "        <node>1</node>\n"
            + "      </target>\n"
            + "      <alias name='dimm0'/>\n"
            + "      <address type='dimm' slot='0' base='0x100000000'/>\n"
            + "    </memory>\n"
            + "    <memory model='nvdimm'>\n"
            + "      <source>\n"
            + "        <path>/tmp/nvdimm</path>\n"
            + "      </source>\n"
            + "      <target>\n"
            + "        <size unit='KiB'>523264</size>\n"
            + "        <node>0</node>\n"
            + "        <label>\n"
            + "          <size unit='KiB'>128</size>\n"
            + "        </label>\n"
            + "      </target>\n"
            + "    </memory>\n"
            + "    <memory model='virtio-mem'>\n"
            + "      <target>\n"
            + "        <size unit='GiB'>2</size>\n"
            + "        <node>0</node>\n"
            + "        <block unit='MiB'>2</block>\n"
            + "        <requested unit='MiB'>1024</requested>\n"
            + "        <current unit='MiB'>512</current>\n"
            + "      </target>\n"
            + "    </memory>\n"
            + "    <memory model='virtio-pmem' access='shared'>\n"
            + "      <source>\n"
            + "        <path>/tmp/virtio_pmem</path>\n"
            + "      </source>\n"
            + "      <target>\n"
            + "        <size unit='MiB'>512</size>\n"
            + "      </target>\n"
            + "    </memory>\n"
            + "    <iommu model='intel'/>\n"
            + "  </devices>\n"
            + "  <qemu:commandline>\n"
            + "    <qemu:arg value='-S'/>\n"
            + "  </qemu:commandline>\n"
            + "</domain>\n";

    static final String MINIMAL = "<domain type='kvm'>\n"
            + "  <name>small</name>\n"
            + "  <memory unit='KiB'>1048576</memory>\n"
            + "  <currentMemory unit='KiB'>1048576</currentMemory>\n"
            + "  <vcpu placement='static'>2</vcpu>\n"
            + "  <os>\n"
            + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
            + "  </os>\n"
            + "  <features>\n"
            + "    <acpi/>\n"
            + "  </features>\n"
            + "  <clock offset='utc'/>\n"
            + "  <devices>\n"
            + "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
            + "  </devices>\n"
            + "</domain>\n";

    @Test
    void unchangedDocument_writtenBackByteIdentical() {
        assertThat(DomainXml.parse(FULL).toXml()).isEqualTo(FULL);
        assertThat(DomainXml.parse(MINIMAL).toXml()).isEqualTo(MINIMAL);
    }

    @Test
    void declarationChoice_kept_noStandaloneAdded() {
        String noDecl = "<domain type='kvm'><name>x</name></domain>";
        assertThat(DomainXml.parse(noDecl).toXml()).isEqualTo(noDecl);
        String decl = "<?xml version=\"1.0\"?>\n<domain type=\"kvm\"><name>x</name></domain>";
        assertThat(DomainXml.parse(decl).toXml()).isEqualTo(decl).doesNotContain("standalone");
    }

    @Test
    void id_presentInTheLiveXmlOfARunningDomain_absentOtherwise_badValueRefusedWhereRead() {
        assertThat(DomainXml.parse(FULL).id()).hasValue(7);
        assertThat(DomainXml.parse(MINIMAL).id()).isEmpty();
        assertThat(DomainXml.parse("<domain type='xen' id=' 0 '><name>Domain-0</name></domain>").id()).hasValue(0);
        DomainXml bad = DomainXml.parse("<domain type='kvm' id='-1'><name>x</name></domain>");
        assertThatThrownBy(bad::id).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("<domain id>").hasMessageContaining("'-1'")
                .satisfies(e -> assertThat(((DomainXmlException) e).reason()).isEqualTo(DomainXmlException.Reason.INVALID_VALUE));
        assertThat(bad.name()).isEqualTo("x");
    }

    @Test
    void channels_readInOrder_guestAgentChannelFoundWithItsState() {
        String xml = "<domain type='kvm' id='2'><name>x</name><devices>\n"
                + "  <channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0' state='disconnected'/></channel>\n"
                + "  <channel type='pty'/>\n"
                + "  <channel type='unix'><source mode='bind' path='/run/x.sock'/>"
                + "<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/><alias name='channel1'/></channel>\n"
                + "</devices></domain>";
        DomainXml d = DomainXml.parse(xml);
        assertThat(d.channels()).hasSize(3);
        assertThat(d.channels().get(0).targetName()).hasValue("com.redhat.spice.0");
        assertThat(d.channels().get(0).isGuestAgent()).isFalse();
        assertThat(d.channels().get(1).type()).hasValue("pty");
        assertThat(d.channels().get(1).targetType()).isEmpty();
        Channel agent = d.guestAgentChannel().orElseThrow();
        assertThat(agent.type()).hasValue("unix");
        assertThat(agent.state()).hasValue("connected");
        assertThat(agent).isEqualTo(d.channels().get(2)).hasToString(
                "Channel{type='unix', target type='virtio' name='org.qemu.guest_agent.0', state='connected'}");
        assertThat(DomainXml.parse(MINIMAL).guestAgentChannel()).isEmpty();
        assertThat(DomainXml.parse(MINIMAL).channels()).isEmpty();
        assertThat(d.toXml()).isEqualTo(xml);
    }

    @Test
    void getters_readDomainIdentity() {
        DomainXml d = DomainXml.parse(FULL);
        assertThat(d.type()).isEqualTo("kvm");
        assertThat(d.name()).isEqualTo("web-1");
        assertThat(d.uuid()).contains("c7a5fdbd-edaf-9455-926a-d65c16db1809");
        assertThat(d.osArch()).contains("x86_64");
        assertThat(d.machine()).contains("pc-q35-7.2");
        assertThat(d).hasToString("DomainXml{web-1}");
    }

    @Test
    void missingTypeOrName_clearError() {
        DomainXml d = DomainXml.parse("<domain><vcpu>1</vcpu></domain>");
        assertThatThrownBy(d::type).isInstanceOf(DomainXmlException.class).hasMessageContaining("no 'type' attribute");
        assertThatThrownBy(d::name).isInstanceOf(DomainXmlException.class).hasMessageContaining("no <name>");
        assertThat(d.uuid()).isEmpty();
        assertThat(d.osArch()).isEmpty();
        assertThat(d.machine()).isEmpty();
    }

    @Test
    void vcpu_readsAllAttributesAndKeepsUnknownOnes() {
        Vcpu v = DomainXml.parse(FULL).vcpu().orElseThrow();
        assertThat(v.maximum()).isEqualTo(4);
        assertThat(v.current()).hasValue(2);
        assertThat(v.effectiveCurrent()).isEqualTo(2);
        assertThat(v.placement()).contains("static");
        assertThat(v.cpuset()).contains("0-3,^2");
        assertThat(v.otherAttributes()).containsExactly(java.util.Map.entry("future", "x"));
        Vcpu noCurrent = DomainXml.parse(MINIMAL).vcpu().orElseThrow();
        assertThat(noCurrent.current()).isEmpty();
        assertThat(noCurrent.effectiveCurrent()).isEqualTo(2);
    }

    @Test
    void vcpus_entriesRead() {
        List<VcpuEntry> e = DomainXml.parse(FULL).vcpus();
        assertThat(e).hasSize(4);
        assertThat(e.get(0).id()).isZero();
        assertThat(e.get(0).enabled()).isTrue();
        assertThat(e.get(0).hotpluggable()).contains(false);
        assertThat(e.get(0).order()).hasValue(1);
        assertThat(e.get(2).enabled()).isFalse();
        assertThat(e.get(2).order()).isEmpty();
        assertThat(e.get(3).otherAttributes()).containsEntry("extra", "e");
        assertThat(DomainXml.parse(MINIMAL).vcpus()).isEmpty();
    }

    @Test
    void vcpus_badEntry_refused() {
        DomainXml d = DomainXml.parse("<domain type='kvm'><vcpus><vcpu id='0' enabled='maybe'/></vcpus></domain>");
        assertThatThrownBy(d::vcpus).isInstanceOf(DomainXmlException.class).hasMessageContaining("'maybe'")
                .hasMessageContaining("'yes' or 'no'");
        DomainXml d2 = DomainXml.parse("<domain type='kvm'><vcpus><vcpu enabled='yes'/></vcpus></domain>");
        assertThatThrownBy(d2::vcpus).isInstanceOf(DomainXmlException.class).hasMessageContaining("no 'id'");
    }

    @Test
    void memoryParts_readWithUnits() {
        DomainXml d = DomainXml.parse(FULL);
        MaxMemory max = d.maxMemory().orElseThrow();
        assertThat(max.size()).isEqualTo(MemorySize.ofGiB(16));
        assertThat(max.slots()).hasValue(16);
        assertThat(max.unit()).isEqualTo("GiB");
        MemoryAmount mem = d.memory().orElseThrow();
        assertThat(mem.size()).isEqualTo(MemorySize.ofGiB(2));
        assertThat(mem.otherAttributes()).containsEntry("dumpCore", "off");
        assertThat(d.currentMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(d.currentMemory().orElseThrow().unit()).isEqualTo("MiB");
        DomainXml noUnit = DomainXml.parse("<domain type='kvm'><memory>2048</memory><maxMemory>4096</maxMemory></domain>");
        assertThat(noUnit.memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(2));
        assertThat(noUnit.memory().orElseThrow().unit()).isEqualTo("KiB");
        assertThat(noUnit.maxMemory().orElseThrow().slots()).isEmpty();
        assertThat(DomainXml.parse(MINIMAL).maxMemory()).isEmpty();
    }

    @Test
    void numaAndTopology_read() {
        DomainXml d = DomainXml.parse(FULL);
        List<NumaCell> cells = d.numaCells();
        assertThat(cells).hasSize(2);
        NumaCell c0 = cells.get(0);
        assertThat(c0.id()).hasValue(0);
        assertThat(c0.cpus()).isEqualTo(CpuSet.range(0, 1));
        assertThat(c0.memory()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(c0.memAccess()).contains("shared");
        assertThat(c0.discard()).isEmpty();
        assertThat(c0.otherAttributes()).containsEntry("future", "y");
        assertThat(c0.hasChildren()).isTrue();
        assertThat(cells.get(1).memory()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(cells.get(1).discard()).contains("yes");
        assertThat(cells.get(1).hasChildren()).isFalse();
        CpuTopology t = d.topology().orElseThrow();
        assertThat(t.sockets()).isEqualTo(1);
        assertThat(t.dies()).isEqualTo(1);
        assertThat(t.cores()).isEqualTo(2);
        assertThat(t.threads()).isEqualTo(2);
        assertThat(t.total()).isEqualTo(4);
        assertThat(DomainXml.parse(MINIMAL).numaCells()).isEmpty();
        assertThat(DomainXml.parse(MINIMAL).topology()).isEmpty();
    }

    @Test
    void topology_productOverflow_refused() {
        DomainXml d = DomainXml.parse("<domain type='kvm'><cpu><topology sockets='65536' dies='65536' cores='65536'"
                + " threads='65536'/></cpu></domain>");
        assertThatThrownBy(() -> d.topology().orElseThrow().total()).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("more than 2147483647 vCPUs");
        DomainXml clusters = DomainXml.parse("<domain type='kvm'><cpu><topology sockets='2' dies='2' clusters='2'"
                + " cores='2' threads='2'/></cpu></domain>");
        assertThat(clusters.topology().orElseThrow().total()).isEqualTo(32);
    }

    @Test
    void partsReadFromOneDocument_writtenIntoAnother_keepUnmodelledContent() {
        DomainXml full = DomainXml.parse(FULL);
        DomainXml small = DomainXml.parse(MINIMAL);
        small.setVcpu(full.vcpu().orElseThrow());
        small.setNumaCells(full.numaCells());
        String out = small.toXml();
        assertThat(out).contains("<vcpu placement='static' cpuset='0-3,^2' current='2' future='x'>4</vcpu>")
                .contains("<cell id='0' cpus='0-1' memory='1048576' unit='KiB' memAccess='shared' future='y'>")
                .contains("<sibling id='1' value='21'/>")
                .contains("<cell id='1' cpus='2-3' memory='1' unit='GiB' discard='yes'/>");
        assertThat(small.numaCells()).isEqualTo(full.numaCells());
        assertThat(small.vcpu()).isEqualTo(full.vcpu());
    }

    @Test
    void topology_missingAttribute_refused() {
        DomainXml d = DomainXml.parse("<domain type='kvm'><cpu><topology sockets='2' cores='2'/></cpu></domain>");
        assertThatThrownBy(d::topology).isInstanceOf(DomainXmlException.class).hasMessageContaining("'threads'");
    }

    @Test
    void memoryDevices_allModelsRead() {
        List<MemoryDevice> m = DomainXml.parse(FULL).memoryDevices();
        assertThat(m).extracting(MemoryDevice::model).containsExactly("dimm", "nvdimm", "virtio-mem", "virtio-pmem");
        MemoryDevice dimm = m.get(0);
        assertThat(dimm.access()).contains("shared");
        assertThat(dimm.targetSize()).contains(MemorySize.ofMiB(512));
        assertThat(dimm.targetNode()).hasValue(1);
        assertThat(dimm.alias()).contains("dimm0");
        assertThat(dimm.slot()).hasValue(0);
        assertThat(dimm.base()).contains("0x100000000");
        assertThat(dimm.sourcePageSize()).contains(MemorySize.ofMiB(2));
        assertThat(dimm.sourceNodemask()).contains("0-1");
        MemoryDevice nv = m.get(1);
        assertThat(nv.sourcePath()).contains("/tmp/nvdimm");
        assertThat(nv.labelSize()).contains(MemorySize.ofKiB(128));
        assertThat(nv.targetSize()).contains(MemorySize.ofKiB(523264));
        MemoryDevice vm = m.get(2);
        assertThat(vm.blockSize()).contains(MemorySize.ofMiB(2));
        assertThat(vm.requestedSize()).contains(MemorySize.ofGiB(1));
        assertThat(vm.currentSize()).contains(MemorySize.ofMiB(512));
        assertThat(m.get(3).targetNode()).isEmpty();
        assertThat(m.get(3).sourcePath()).contains("/tmp/virtio_pmem");
        assertThat(dimm.sameDevice(MemoryDevice.dimm(MemorySize.ofMiB(512), 1))).isTrue();
    }

    @Test
    void parsedDevice_toXml_keepsEverything() {
        MemoryDevice dimm = DomainXml.parse(FULL).memoryDevices().get(0);
        assertThat(dimm.toXml()).isEqualTo("<memory model='dimm' access='shared' discard='yes'>\n"
                + "  <source>\n"
                + "    <pagesize unit='KiB'>2048</pagesize>\n"
                + "    <nodemask>0-1</nodemask>\n"
                + "  </source>\n"
                + "  <target>\n"
                + "    <size unit='MiB'>512</size>\n"
                + "    <node>1</node>\n"
                + "  </target>\n"
                + "  <alias name='dimm0'/>\n"
                + "  <address type='dimm' slot='0' base='0x100000000'/>\n"
                + "</memory>\n");
    }

    @Test
    void setVcpu_inPlace_changesOnlyVcpuAndKeepsUnknownAttributes() {
        DomainXml d = DomainXml.parse(FULL);
        d.setVcpu(d.vcpu().orElseThrow().toBuilder().maximum(8).current(3).build());
        String out = d.toXml();
        assertThat(out).contains("  <vcpu placement='static' cpuset='0-3,^2' current='3' future='x'>8</vcpu>\n");
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(FULL, out), "/domain[1]/vcpu[1]")).isEmpty();
        assertThat(d.vcpu().orElseThrow().current()).hasValue(3);
    }

    @Test
    void setVcpu_builtFromScratch_keepsElementsUnmodelledAttributes() {
        DomainXml d = DomainXml.parse(FULL);
        d.setVcpu(Vcpu.builder().maximum(6).placement("static").build());
        assertThat(d.toXml()).contains("  <vcpu placement='static' future='x'>6</vcpu>\n");
    }

    @Test
    void setVcpu_absent_insertedAfterCurrentMemoryWithIndentation() {
        String xml = MINIMAL.replace("  <vcpu placement='static'>2</vcpu>\n", "");
        DomainXml d = DomainXml.parse(xml);
        d.setVcpu(Vcpu.builder().maximum(4).current(2).placement("static").build());
        assertThat(d.toXml()).isEqualTo(MINIMAL.replace("<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='static' current='2'>4</vcpu>"));
    }

    @Test
    void vcpuBuilder_invalid_refused() {
        assertThatThrownBy(() -> Vcpu.builder().maximum(0).build()).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("at least 1 vCPU");
        assertThatThrownBy(() -> Vcpu.builder().maximum(2).current(3).build()).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("current='3'").hasMessageContaining("maximum 2");
        assertThatThrownBy(() -> Vcpu.builder().maximum(2).placement("dynamic").build())
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("'static' or 'auto'");
        assertThatThrownBy(() -> Vcpu.builder().maximum(2).cpuset("0-").build())
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("CPU list '0-'");
    }

    @Test
    void setMaxMemory_absent_insertedBeforeMemoryInGuideForm() {
        DomainXml d = DomainXml.parse(MINIMAL);
        d.setMaxMemory(MemorySize.ofGiB(16), 16);
        assertThat(d.toXml()).isEqualTo(MINIMAL.replace("  <memory unit",
                "  <maxMemory slots='16' unit='KiB'>16777216</maxMemory>\n  <memory unit"));
        assertThat(d.maxMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(16));
    }

    @Test
    void setMaxMemory_existing_keepsUnitWhenExact_elseKiB_sameValueNoChange() {
        DomainXml d = DomainXml.parse(FULL);
        d.setMaxMemory(MemorySize.ofMiB(16384), 16);
        assertThat(d.toXml()).isEqualTo(FULL);
        d.setMaxMemory(MemorySize.ofGiB(32), 32);
        assertThat(d.toXml()).contains("<maxMemory slots='32' unit='GiB'>32</maxMemory>");
        d.setMaxMemory(MemorySize.ofMiB(32769), 32);
        assertThat(d.toXml()).contains("<maxMemory slots='32' unit='KiB'>33555456</maxMemory>");
    }

    @Test
    void setMaxMemory_badValues_refusedWithoutChange() {
        DomainXml d = DomainXml.parse(FULL);
        assertThatThrownBy(() -> d.setMaxMemory(MemorySize.ofBytes(1000), 4)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("not a whole number of KiB");
        assertThatThrownBy(() -> d.setMaxMemory(MemorySize.ofGiB(4), 0)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("at least 1 memory slot");
        assertThat(d.toXml()).isEqualTo(FULL);
    }

    @Test
    void setMemoryAndCurrentMemory_inPlaceKeepingUnitAndAttributes() {
        DomainXml d = DomainXml.parse(FULL);
        d.setMemory(MemorySize.ofGiB(3));
        d.setCurrentMemory(MemorySize.ofGiB(3));
        String out = d.toXml();
        assertThat(out).contains("<memory unit='KiB' dumpCore='off'>3145728</memory>")
                .contains("<currentMemory unit='MiB'>3072</currentMemory>");
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(FULL, out), "/domain[1]/memory[1]",
                "/domain[1]/currentMemory[1]")).isEmpty();
        assertThatThrownBy(() -> d.setMemory(MemorySize.ofBytes(1))).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("<memory>");
        assertThat(d.toXml()).isEqualTo(out);
    }

    @Test
    void setMemory_absent_inserted() {
        DomainXml d = DomainXml.parse("<domain type='kvm'>\n  <name>x</name>\n  <vcpu>1</vcpu>\n</domain>");
        d.setCurrentMemory(MemorySize.ofMiB(512));
        d.setMemory(MemorySize.ofMiB(1024));
        assertThat(d.toXml()).isEqualTo("<domain type='kvm'>\n  <name>x</name>\n"
                + "  <memory unit='KiB'>1048576</memory>\n  <currentMemory unit='KiB'>524288</currentMemory>\n"
                + "  <vcpu>1</vcpu>\n</domain>");
    }

    @Test
    void setNumaCells_noCpu_createsCpuAfterFeaturesInGuideForm() {
        DomainXml d = DomainXml.parse(MINIMAL);
        d.setNumaCells(List.of(NumaCell.builder().id(0).cpus(CpuSet.range(0, 31)).memory(MemorySize.ofGiB(1)).build()));
        assertThat(d.toXml()).isEqualTo(MINIMAL.replace("  </features>\n", "  </features>\n"
                + "  <cpu>\n"
                + "    <numa>\n"
                + "      <cell id='0' cpus='0-31' memory='1048576' unit='KiB'/>\n"
                + "    </numa>\n"
                + "  </cpu>\n"));
    }

    @Test
    void setNumaCells_cpuWithoutNuma_appendsNumaAtEndOfCpu() {
        String xml = MINIMAL.replace("  <clock", "  <cpu mode='host-model'>\n    <topology sockets='1' cores='2' threads='1'/>\n  </cpu>\n  <clock");
        DomainXml d = DomainXml.parse(xml);
        d.setNumaCells(List.of(NumaCell.builder().id(0).cpus(CpuSet.range(0, 1)).memory(MemorySize.ofGiB(1)).build()));
        assertThat(d.toXml()).contains("  <cpu mode='host-model'>\n    <topology sockets='1' cores='2' threads='1'/>\n"
                + "    <numa>\n      <cell id='0' cpus='0-1' memory='1048576' unit='KiB'/>\n    </numa>\n  </cpu>\n");
    }

    @Test
    void setNumaCells_existing_patchedByIdKeepingChildrenAndUnknownAttributes() {
        DomainXml d = DomainXml.parse(FULL);
        List<NumaCell> cells = d.numaCells();
        d.setNumaCells(List.of(cells.get(0).toBuilder().cpus(CpuSet.range(0, 3)).build(),
                cells.get(1).toBuilder().cpus(CpuSet.range(4, 7)).build()));
        String out = d.toXml();
        assertThat(out).contains("<cell id='0' cpus='0-3' memory='1048576' unit='KiB' memAccess='shared' future='y'>\n"
                + "        <distances>\n")
                .contains("<cell id='1' cpus='4-7' memory='1' unit='GiB' discard='yes'/>");
        assertThat(XmlStructure.diffPaths(FULL, out)).containsExactlyInAnyOrder(
                "/domain[1]/cpu[1]/numa[1]/cell[1]/@cpus", "/domain[1]/cpu[1]/numa[1]/cell[2]/@cpus");
    }

    @Test
    void setNumaCells_builtCell_keepsExistingChildren_addsAndRemoves() {
        DomainXml d = DomainXml.parse(FULL);
        d.setNumaCells(List.of(NumaCell.builder().id(0).cpus(CpuSet.range(0, 1)).memory(MemorySize.ofGiB(2)).build(),
                NumaCell.builder().id(2).cpus(CpuSet.range(2, 3)).memory(MemorySize.ofMiB(512)).build()));
        String out = d.toXml();
        assertThat(out).contains("<cell id='0' cpus='0-1' memory='2097152' unit='KiB' future='y'>\n        <distances>")
                .contains("      <cell id='2' cpus='2-3' memory='524288' unit='KiB'/>\n    </numa>")
                .doesNotContain("<cell id='1'");
        assertThat(d.numaCells()).extracting(c -> c.id().getAsInt()).containsExactly(0, 2);
    }

    @Test
    void setNumaCells_empty_removesNuma() {
        DomainXml d = DomainXml.parse(FULL);
        d.setNumaCells(List.of());
        assertThat(d.toXml()).doesNotContain("<numa>").contains("<topology sockets='1' dies='1' cores='2' threads='2'/>\n  </cpu>");
        assertThat(d.numaCells()).isEmpty();
    }

    @Test
    void numaCellBuilder_invalid_refused() {
        assertThatThrownBy(() -> NumaCell.builder().id(0).build()).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("needs a memory size");
        assertThatThrownBy(() -> NumaCell.builder().memory(MemorySize.ofBytes(1)).build())
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("not a whole number of KiB");
    }

    @Test
    void addMemoryDevice_afterLastMemoryDevice_indentedLikeNeighbours() {
        DomainXml d = DomainXml.parse(FULL);
        d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofMiB(256), 0));
        String out = d.toXml();
        assertThat(out).contains("      </target>\n    </memory>\n"
                + "    <memory model='dimm'>\n"
                + "      <target>\n"
                + "        <size unit='MiB'>256</size>\n"
                + "        <node>0</node>\n"
                + "      </target>\n"
                + "    </memory>\n"
                + "    <iommu model='intel'/>\n");
        assertThat(d.memoryDevices()).hasSize(5);
        assertThat(XmlStructure.diffPaths(FULL, out)).containsExactly("/domain[1]/devices[1]/memory[5]");
    }

    @Test
    void addMemoryDevice_noMemoryDevices_appendedAtEndOfDevices() {
        DomainXml d = DomainXml.parse(MINIMAL);
        d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofGiB(1), 0));
        assertThat(d.toXml()).contains("    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                + "    <memory model='dimm'>\n      <target>\n        <size unit='MiB'>1024</size>\n"
                + "        <node>0</node>\n      </target>\n    </memory>\n  </devices>\n");
    }

    @Test
    void addParsedDevice_toOtherDomain_keepsItsContent() {
        MemoryDevice nv = DomainXml.parse(FULL).memoryDevices().get(1);
        DomainXml d = DomainXml.parse(MINIMAL);
        d.addMemoryDevice(nv);
        MemoryDevice copy = d.memoryDevices().get(0);
        assertThat(copy.toXml()).isEqualTo(nv.toXml());
        assertThat(copy.labelSize()).contains(MemorySize.ofKiB(128));
    }

    @Test
    void removeMemoryDevice_removesElementAndItsLine() {
        DomainXml d = DomainXml.parse(MINIMAL);
        d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofGiB(1), 0));
        d.removeMemoryDevice(0);
        assertThat(d.toXml()).isEqualTo(MINIMAL);
        assertThatThrownBy(() -> d.removeMemoryDevice(0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("0 memory device");
        assertThat(d.toXml()).isEqualTo(MINIMAL);
    }

    @Test
    void copy_isIndependent() {
        DomainXml d = DomainXml.parse(FULL);
        DomainXml c = d.copy();
        c.setVcpu(c.vcpu().orElseThrow().toBuilder().current(4).build());
        c.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofGiB(1), 0));
        assertThat(d.toXml()).isEqualTo(FULL);
        assertThat(c.toXml()).contains("current='4'");
        assertThat(c.copy().toXml()).isEqualTo(c.toXml());
    }

    @Test
    void edits_keepCommentsPisNamespacesAndForeignMetadata() {
        DomainXml d = DomainXml.parse(FULL);
        d.setVcpu(Vcpu.builder().maximum(8).current(2).placement("static").build());
        d.setMaxMemory(MemorySize.ofGiB(64), 32);
        d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofGiB(1), 0));
        String out = d.toXml();
        assertThat(out).startsWith("<?xml version='1.0' encoding='UTF-8'?>\n<!-- kept comment -->\n")
                .contains("<app:info xmlns:app='urn:example:app' app:owner='ops'>keep me</app:info>")
                .contains("<?app-hint keep?>")
                .contains("<qemu:commandline>\n    <qemu:arg value='-S'/>\n  </qemu:commandline>");
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(FULL, out), "/domain[1]/vcpu[1]",
                "/domain[1]/maxMemory[1]", "/domain[1]/devices[1]/memory[5]")).isEmpty();
    }

    @Test
    void partsReadEarlier_doNotChangeWhenTheDocumentChanges() {
        DomainXml d = DomainXml.parse(FULL);
        Vcpu v = d.vcpu().orElseThrow();
        NumaCell c0 = d.numaCells().get(0);
        MemoryDevice dimm = d.memoryDevices().get(0);
        String dimmXml = dimm.toXml();
        d.setVcpu(Vcpu.builder().maximum(1).build());
        d.setNumaCells(List.of());
        d.removeMemoryDevice(0);
        assertThat(v.maximum()).isEqualTo(4);
        assertThat(v.otherAttributes()).containsEntry("future", "x");
        assertThat(c0.hasChildren()).isTrue();
        assertThat(c0.otherAttributes()).containsEntry("future", "y");
        assertThat(dimm.toXml()).isEqualTo(dimmXml);
        d.setVcpu(v);
        assertThat(d.vcpu()).contains(v);
    }
}
