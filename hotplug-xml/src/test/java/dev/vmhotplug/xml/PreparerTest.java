package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The preparation rules of {@link HotplugPreparer} (refusals are in {@link PreparerRefusalTest}). */
class PreparerTest {

    /** The guide's VM before preparation: 2 vCPUs, 1 GiB, no NUMA. */
    static final String GUIDE_VM = """
            <domain type='kvm'>
              <name>hotplug</name>
              <!-- keep me -->
              <memory unit='KiB'>1048576</memory>
              <currentMemory unit='KiB'>1048576</currentMemory>
              <vcpu placement='static'>2</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
              </os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='disk'>
                  <source file='/var/lib/libvirt/images/hotplug.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
              </devices>
            </domain>
            """;

    static final HotplugLimits GUIDE_LIMITS = HotplugLimits.builder()
            .maxVcpus(32).maxMemory(MemorySize.ofKiB(16777216)).slots(16).build();

    static PreparedDomain prepare(String xml, HotplugLimits limits) {
        return HotplugPreparer.prepare(DomainXml.parse(xml), limits);
    }

    static HotplugLimits limits(int vcpus, MemorySize max, int slots) {
        return HotplugLimits.builder().maxVcpus(vcpus).maxMemory(max).slots(slots).build();
    }

    /**
     * The first element with this name as "name{attributes sorted}text": compares with the guide's
     * elements whatever the attribute order and quotes (XML gives attribute order no meaning).
     */
    static String element(String xml, String name) {
        org.w3c.dom.Element e = (org.w3c.dom.Element) PrepareXmlDiff.parse(xml).getElementsByTagName(name).item(0);
        java.util.Map<String, String> attrs = new java.util.TreeMap<>();
        for (int i = 0; i < e.getAttributes().getLength(); i++) {
            attrs.put(e.getAttributes().item(i).getNodeName(), e.getAttributes().item(i).getNodeValue());
        }
        return name + attrs + e.getTextContent().strip();
    }

    @Test
    void guideVm_guideLimits_givesTheGuidesElements() {
        PreparedDomain p = prepare(GUIDE_VM, GUIDE_LIMITS);

        DomainXml d = p.domain();
        assertThat(d.vcpu()).hasValueSatisfying(v -> {
            assertThat(v.maximum()).isEqualTo(32);
            assertThat(v.current()).hasValue(2);
            assertThat(v.placement()).hasValue("static");
        });
        assertThat(d.maxMemory()).hasValueSatisfying(m -> {
            assertThat(m.size()).isEqualTo(MemorySize.ofKiB(16777216));
            assertThat(m.slots()).hasValue(16);
        });
        assertThat(d.numaCells()).singleElement().satisfies(c -> {
            assertThat(c.id()).hasValue(0);
            assertThat(c.cpus().format()).isEqualTo("0-31");
            assertThat(c.memory()).isEqualTo(MemorySize.ofKiB(1048576));
        });
        String xml = p.xml();
        assertThat(element(xml, "vcpu")).isEqualTo("vcpu{current=2, placement=static}32");
        assertThat(element(xml, "maxMemory")).isEqualTo("maxMemory{slots=16, unit=KiB}16777216");
        assertThat(element(xml, "cell")).isEqualTo("cell{cpus=0-31, id=0, memory=1048576, unit=KiB}");
        assertThat(p.changed()).isTrue();
        assertThat(p.changes()).hasSize(3);
        assertThat(p.summary()).contains("next cold boot");
    }

    @Test
    void guideVm_untargetedPartsStay() {
        PreparedDomain p = prepare(GUIDE_VM, GUIDE_LIMITS);

        List<String> diff = PrepareXmlDiff.diffPaths(GUIDE_VM, p.xml(),
                java.util.Set.of("/domain/vcpu", "/domain/maxMemory", "/domain/cpu"));
        assertThat(diff).isEmpty();
        assertThat(p.xml()).contains("<!-- keep me -->");
    }

    @Test
    void prepare_leavesInputUntouched() {
        DomainXml in = DomainXml.parse(GUIDE_VM);
        String before = in.toXml();

        PreparedDomain p = HotplugPreparer.prepare(in, GUIDE_LIMITS);

        assertThat(in.toXml()).isEqualTo(before);
        assertThat(p.domain()).isNotSameAs(in);
        assertThat(p.domain().toXml()).isEqualTo(p.xml());
    }

    @Test
    void preparedDomain_preparedAgainWithSameLimits_isByteIdenticalAndUnchanged() {
        PreparedDomain first = prepare(GUIDE_VM, GUIDE_LIMITS);

        PreparedDomain second = prepare(first.xml(), GUIDE_LIMITS);

        assertThat(second.xml()).isEqualTo(first.xml());
        assertThat(second.changed()).isFalse();
        assertThat(second.changes()).isEmpty();
    }

    @Test
    void vcpuCurrentAttribute_isTheCurrentCount() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static' current='3'>8</vcpu>");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.domain().vcpu().orElseThrow().current()).hasValue(3);
        assertThat(p.domain().vcpu().orElseThrow().maximum()).isEqualTo(32);
    }

    @Test
    void vcpuWithoutPlacement_getsStatic_andAutoPlacementIsKept() {
        PreparedDomain none = prepare(GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", "<vcpu>2</vcpu>"),
                GUIDE_LIMITS);
        PreparedDomain auto = prepare(GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='auto'>2</vcpu>"), GUIDE_LIMITS);

        assertThat(none.domain().vcpu().orElseThrow().placement()).hasValue("static");
        assertThat(auto.domain().vcpu().orElseThrow().placement()).hasValue("auto");
    }

    @Test
    void vcpuCpuset_isKept() {
        PreparedDomain p = prepare(GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='static' cpuset='0-3'>2</vcpu>"), GUIDE_LIMITS);

        assertThat(p.domain().vcpu().orElseThrow().cpuset()).hasValue("0-3");
    }

    @Test
    void domainWithoutVcpu_isOneVcpuAsInLibvirt() {
        PreparedDomain p = prepare(GUIDE_VM.replace("  <vcpu placement='static'>2</vcpu>\n", ""), GUIDE_LIMITS);

        assertThat(p.domain().vcpu()).hasValueSatisfying(v -> {
            assertThat(v.current()).hasValue(1);
            assertThat(v.maximum()).isEqualTo(32);
        });
    }

    @Test
    void individualVcpus_enabledEntriesAreTheCurrentCount() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", """
                <vcpu placement='static' current='4'>4</vcpu>
                  <vcpus>
                    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>
                    <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>
                    <vcpu id='2' enabled='no' hotpluggable='yes'/>
                    <vcpu id='3' enabled='no' hotpluggable='yes'/>
                  </vcpus>""");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.domain().vcpu().orElseThrow().current()).hasValue(2);
        assertThat(p.domain().vcpus()).hasSize(4);
    }

    @Test
    void balloonedDomain_cellTakesBootMemory_currentMemoryStays() {
        String xml = GUIDE_VM.replace("<currentMemory unit='KiB'>1048576</currentMemory>",
                "<currentMemory unit='KiB'>524288</currentMemory>");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.domain().numaCells()).singleElement()
                .satisfies(c -> assertThat(c.memory()).isEqualTo(MemorySize.ofGiB(1)));
        assertThat(p.domain().memory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(p.domain().currentMemory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(512));
    }

    @Test
    void existingDimm_cellTakesMemoryMinusDimms() {
        String xml = GUIDE_VM
                .replace("<memory unit='KiB'>1048576</memory>", "<memory unit='KiB'>1572864</memory>")
                .replace("<currentMemory unit='KiB'>1048576</currentMemory>",
                        "<currentMemory unit='KiB'>1572864</currentMemory>")
                .replace("</devices>", """
                          <memory model='dimm'>
                            <target>
                              <size unit='MiB'>512</size>
                              <node>0</node>
                            </target>
                          </memory>
                        </devices>""");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.domain().numaCells()).singleElement()
                .satisfies(c -> assertThat(c.memory()).isEqualTo(MemorySize.ofGiB(1)));
        assertThat(p.domain().memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(1536));
        assertThat(p.domain().memoryDevices()).hasSize(1);
    }

    static final String TWO_CELLS = """
            <domain type='qemu'>
              <name>numa</name>
              <memory unit='KiB'>4194304</memory>
              <vcpu placement='static'>8</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <cpu>
                <numa>
                  <cell id='0' cpus='0-3' memory='2097152' unit='KiB'>
                    <distances>
                      <sibling id='0' value='10'/>
                      <sibling id='1' value='21'/>
                    </distances>
                  </cell>
                  <cell id='1' cpus='4-7' memory='2097152' unit='KiB' memAccess='shared'>
                    <distances>
                      <sibling id='0' value='21'/>
                      <sibling id='1' value='10'/>
                    </distances>
                  </cell>
                </numa>
              </cpu>
              <devices/>
            </domain>
            """;

    @Test
    void existingCells_newVcpusGoToTheCellHoldingTheHighestId() {
        PreparedDomain p = prepare(TWO_CELLS, limits(16, MemorySize.ofGiB(16), 16));

        List<NumaCell> cells = p.domain().numaCells();
        assertThat(cells).hasSize(2);
        assertThat(cells.get(0).cpus().format()).isEqualTo("0-3");
        assertThat(cells.get(1).cpus().format()).isEqualTo("4-15");
        assertThat(cells.get(1).memAccess()).hasValue("shared");
        assertThat(p.xml()).contains("sibling");
        assertThat(PrepareXmlDiff.diffPaths(TWO_CELLS, p.xml(), java.util.Set.of("/domain/vcpu",
                "/domain/maxMemory"))).containsExactly("/domain/cpu[3]/numa[0]/cell[1]@cpus");
    }

    @Test
    void existingCells_lowerMaximum_trimsTheirCpus() {
        String xml = TWO_CELLS.replace("<vcpu placement='static'>8</vcpu>", "<vcpu placement='static' current='2'>8</vcpu>");

        PreparedDomain p = prepare(xml, limits(6, MemorySize.ofGiB(16), 16));

        assertThat(p.domain().numaCells()).extracting(c -> c.cpus().format()).containsExactly("0-3", "4-5");
        assertThat(p.domain().vcpu().orElseThrow().maximum()).isEqualTo(6);
    }

    @Test
    void existingCells_memoryDisagreesWithCells_memoryFollowsCellsAsLibvirtDoes() {
        String xml = TWO_CELLS.replace("<memory unit='KiB'>4194304</memory>",
                "<memory unit='KiB'>8388608</memory>\n  <currentMemory unit='KiB'>8388608</currentMemory>");

        PreparedDomain p = prepare(xml, limits(8, MemorySize.ofGiB(16), 16));

        assertThat(p.domain().memory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(4));
        assertThat(p.domain().currentMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(4));
        assertThat(p.changes()).anyMatch(c -> c.contains("<memory>"));
    }

    @Test
    void memoryInOtherUnit_equalValue_isNotRewritten() {
        String xml = GUIDE_VM.replace("<memory unit='KiB'>1048576</memory>", "<memory unit='GiB'>1</memory>");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(element(p.xml(), "memory")).isEqualTo("memory{unit=GiB}1");
    }

    @Test
    void alreadyPreparedLargerMaximum_isSetToTheRequestedLimits() {
        PreparedDomain big = prepare(GUIDE_VM, limits(64, MemorySize.ofGiB(32), 32));

        PreparedDomain p = prepare(big.xml(), GUIDE_LIMITS);

        assertThat(p.domain().vcpu().orElseThrow().maximum()).isEqualTo(32);
        assertThat(p.domain().maxMemory().orElseThrow().slots()).hasValue(16);
        assertThat(p.domain().numaCells()).singleElement()
                .satisfies(c -> assertThat(c.cpus().format()).isEqualTo("0-31"));
        assertThat(p.xml()).isEqualTo(prepare(GUIDE_VM, GUIDE_LIMITS).xml());
    }

    @Test
    void topologyMatchingTheMaximum_isAccepted() {
        String xml = GUIDE_VM.replace("<devices>", """
                <cpu mode='host-passthrough'>
                    <topology sockets='2' dies='1' cores='8' threads='2'/>
                  </cpu>
                  <devices>""");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.domain().numaCells()).hasSize(1);
        assertThat(p.xml()).contains("host-passthrough").contains("topology");
    }

    @Test
    void changes_sayWhatChangedInWords() {
        PreparedDomain p = prepare(GUIDE_VM, GUIDE_LIMITS);

        assertThat(p.changes()).anySatisfy(c -> assertThat(c).contains("<vcpu>").contains("32"))
                .anySatisfy(c -> assertThat(c).contains("<maxMemory>").contains("16 GiB").contains("16 slots"))
                .anySatisfy(c -> assertThat(c).contains("NUMA cell 0").contains("0-31").contains("1 GiB"));
    }

    @Test
    void memoryOnlyCell_keepsNoCpus_newVcpusGoToTheCpuCell_andReprepareIsIdentical() {
        String xml = TWO_CELLS.replace(" cpus='4-7'", "").replace("<vcpu placement='static'>8</vcpu>",
                "<vcpu placement='static'>4</vcpu>");
        HotplugLimits l = limits(8, MemorySize.ofGiB(16), 16);

        PreparedDomain p = prepare(xml, l);

        assertThat(p.domain().numaCells()).extracting(c -> c.cpus().format()).containsExactly("0-7", "");
        assertThat(prepare(p.xml(), l).xml()).isEqualTo(p.xml());
    }

    @Test
    void preparedDomain_domainIsAnIndependentCopyEachTime() {
        PreparedDomain p = prepare(GUIDE_VM, GUIDE_LIMITS);

        DomainXml d = p.domain();
        d.setMemory(MemorySize.ofGiB(3));

        assertThat(p.domain().memory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(p.xml()).doesNotContain("3145728");
    }

    @Test
    void limits_areValuesWithToBuilder() {
        HotplugLimits same = GUIDE_LIMITS.toBuilder().build();

        assertThat(same).isEqualTo(GUIDE_LIMITS).hasSameHashCodeAs(GUIDE_LIMITS);
        assertThat(GUIDE_LIMITS.toBuilder().slots(8).build()).isNotEqualTo(GUIDE_LIMITS);
        assertThat(GUIDE_LIMITS.toString()).contains("32").contains("16 GiB").contains("16");
    }

    @Test
    void cellCpusWithCaretSyntax_readAsLibvirtDoes_untouchedCellKeepsItsText_extendedCellCanonical() {
        String xml = TWO_CELLS.replace("cpus='0-3'", "cpus='0-4,^4'").replace("cpus='4-7'", "cpus='4-9,^8,^9'");

        PreparedDomain p = prepare(xml, limits(16, MemorySize.ofGiB(16), 16));

        assertThat(DomainXml.parse(xml).numaCells()).extracting(c -> c.cpus().format()).containsExactly("0-3", "4-7");
        assertThat(p.xml()).contains("cpus='0-4,^4'").contains("cpus='4-15'");
        assertThat(PrepareXmlDiff.diffPaths(xml, p.xml(), java.util.Set.of("/domain/vcpu", "/domain/maxMemory")))
                .containsExactly("/domain/cpu[3]/numa[0]/cell[1]@cpus");
        assertThat(prepare(p.xml(), limits(16, MemorySize.ofGiB(16), 16)).xml()).isEqualTo(p.xml());
    }

    @Test
    void existingMaxMemory_unknownAttributeKept_whenSlotsAndSizeChange() {
        String xml = GUIDE_VM.replace("  <memory unit='KiB'>", "  <maxMemory slots='4' unit='KiB' future='z'>4194304</maxMemory>\n  <memory unit='KiB'>");

        PreparedDomain p = prepare(xml, GUIDE_LIMITS);

        assertThat(p.xml()).contains("<maxMemory slots='16' unit='KiB' future='z'>16777216</maxMemory>");
        assertThat(p.domain().maxMemory().orElseThrow().otherAttributes()).containsExactly(java.util.Map.entry("future", "z"));
    }
}
