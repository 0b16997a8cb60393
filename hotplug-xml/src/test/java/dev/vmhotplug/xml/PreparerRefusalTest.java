package dev.vmhotplug.xml;

import static dev.vmhotplug.xml.PreparerTest.GUIDE_LIMITS;
import static dev.vmhotplug.xml.PreparerTest.GUIDE_VM;
import static dev.vmhotplug.xml.PreparerTest.TWO_CELLS;
import static dev.vmhotplug.xml.PreparerTest.limits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import org.junit.jupiter.api.Test;

/** Every refusal of {@link HotplugPreparer} and {@link HotplugLimits}: the rule, a message fragment, no change. */
class PreparerRefusalTest {

    /** Prepares and expects a refusal; asserts that the input document did not change. */
    private static PreparationRefusedException refused(String xml, HotplugLimits limits) {
        DomainXml in = DomainXml.parse(xml);
        String before = in.toXml();
        PreparationRefusedException e = catchThrowableOfType(PreparationRefusedException.class,
                () -> HotplugPreparer.prepare(in, limits));
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.reason()).isEqualTo(DomainXmlException.Reason.REFUSED);
        assertThat(in.toXml()).as("input unchanged").isEqualTo(before);
        return e;
    }

    @Test
    void maxVcpusBelowCurrent_refused() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static' current='4'>8</vcpu>");

        PreparationRefusedException e = refused(xml, limits(3, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.MAX_VCPUS_BELOW_CURRENT);
        assertThat(e.getMessage()).contains("3").contains("4 vCPUs").contains("4 or more");
    }

    @Test
    void maxVcpusBelowAnEnabledIndividualVcpu_refused() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", """
                <vcpu placement='static' current='2'>4</vcpu>
                  <vcpus>
                    <vcpu id='0' enabled='yes' hotpluggable='no'/>
                    <vcpu id='1' enabled='no' hotpluggable='yes'/>
                    <vcpu id='2' enabled='no' hotpluggable='yes'/>
                    <vcpu id='3' enabled='yes' hotpluggable='yes'/>
                  </vcpus>""");

        PreparationRefusedException e = refused(xml, limits(2, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.MAX_VCPUS_BELOW_CURRENT);
        assertThat(e.getMessage()).contains("vCPU id 3").contains("<vcpus>");
    }

    @Test
    void maxMemoryBelowMemory_refused() {
        PreparationRefusedException e = refused(GUIDE_VM, limits(32, MemorySize.ofMiB(512), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.MAX_MEMORY_BELOW_CURRENT);
        assertThat(e.getMessage()).contains("512 MiB").contains("1 GiB").contains("or more");
    }

    @Test
    void maxMemoryBelowMemoryPlusDimms_refused() {
        String xml = GUIDE_VM
                .replace("<memory unit='KiB'>1048576</memory>", "<memory unit='KiB'>2097152</memory>")
                .replace("</devices>", """
                          <memory model='dimm'>
                            <target>
                              <size unit='GiB'>1</size>
                              <node>0</node>
                            </target>
                          </memory>
                        </devices>""");
        PreparationRefusedException e = refused(xml, limits(32, MemorySize.ofMiB(1536), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.MAX_MEMORY_BELOW_CURRENT);
        assertThat(e.getMessage()).contains("2 GiB").contains("memory device");
    }

    @Test
    void slotsOutsideQemuRange_refusedByTheLimitsBuilder() {
        assertThatThrownBy(() -> HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofGiB(8)).slots(0).build())
                .isInstanceOfSatisfying(PreparationRefusedException.class,
                        e -> assertThat(e.refusal()).isEqualTo(Refusal.SLOTS_OUT_OF_RANGE))
                .hasMessageContaining("1..256");
        assertThatThrownBy(() -> HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofGiB(8)).slots(257).build())
                .isInstanceOf(PreparationRefusedException.class).hasMessageContaining("257");
        assertThat(HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofGiB(8)).slots(256).build().slots())
                .isEqualTo(256);
    }

    @Test
    void slotsBelowExistingMemoryDevices_refused() {
        String dimm = """
                  <memory model='dimm'>
                    <target>
                      <size unit='MiB'>256</size>
                      <node>0</node>
                    </target>
                  </memory>
                """;
        String xml = GUIDE_VM
                .replace("<memory unit='KiB'>1048576</memory>", "<memory unit='KiB'>1572864</memory>")
                .replace("</devices>", dimm + dimm + "</devices>");

        PreparationRefusedException e = refused(xml, limits(32, MemorySize.ofGiB(16), 1));

        assertThat(e.refusal()).isEqualTo(Refusal.SLOTS_OUT_OF_RANGE);
        assertThat(e.getMessage()).contains("2 memory devices").contains("slots 2");
    }

    @Test
    void topology_maximumAMultipleOfOneSocket_socketsRaised_restOfTheTopologyKept() {
        String xml = GUIDE_VM.replace("<devices>", """
                <cpu>
                    <topology sockets='2' dies='1' cores='1' threads='1'/>
                  </cpu>
                  <devices>""");

        PreparedDomain p = PreparerTest.prepare(xml, GUIDE_LIMITS);

        assertThat(p.xml()).contains("<topology sockets='32' dies='1' cores='1' threads='1'/>");
        assertThat(p.changes()).anySatisfy(c -> assertThat(c).contains("sockets 2 → 32"));
        assertThat(XmlStructure.outside(XmlStructure.diffPaths(xml, p.xml()), "/domain[1]/vcpu[1]",
                "/domain[1]/maxMemory[1]", "/domain[1]/cpu[1]/topology[1]/@sockets", "/domain[1]/cpu[1]/numa[1]"))
                .isEmpty();
        assertThat(HotplugPreparer.prepare(p.domain(), GUIDE_LIMITS).changed()).isFalse();
    }

    @Test
    void topologyMismatchWithoutCoresFix_offersFittingMaximums() {
        String xml = GUIDE_VM.replace("<devices>", """
                <cpu>
                    <topology sockets='3' cores='3' threads='1'/>
                  </cpu>
                  <devices>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.TOPOLOGY_MISMATCH);
        assertThat(e.getMessage()).contains("a maximum of 32 vCPUs does not fit")
                .contains("3 socket(s) of dies × cores × threads = 1 × 3 × 1 = 3 vCPUs")
                .contains("use a maximum of 30 (10 sockets) or 33 (11 sockets)");
    }

    @Test
    void maxMemoryNotWholeKiB_refusedByTheLimitsBuilder() {
        assertThatThrownBy(() -> HotplugLimits.builder().maxVcpus(4).maxMemory(MemorySize.ofBytes(1_000_000_001L))
                .slots(16).build())
                .isInstanceOfSatisfying(PreparationRefusedException.class,
                        e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_WHOLE_KIB))
                .hasMessageContaining("not a whole number of KiB");
    }

    @Test
    void memoryNotWholeKiB_refused() {
        String xml = GUIDE_VM.replace("<memory unit='KiB'>1048576</memory>", "<memory unit='b'>1073741825</memory>");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.NOT_WHOLE_KIB);
        assertThat(e.getMessage()).contains("<memory>").contains("KiB");
    }

    @Test
    void domainTypeXen_refusedNamingTheTypesThatCan() {
        PreparationRefusedException e = refused(GUIDE_VM.replace("type='kvm'", "type='xen'"), GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.DOMAIN_TYPE_CANNOT_HOTPLUG);
        assertThat(e.getMessage()).contains("'xen'").contains("kvm").contains("qemu");
    }

    @Test
    void overlappingCells_refused() {
        PreparationRefusedException e = refused(TWO_CELLS.replace("cpus='4-7'", "cpus='3-7'"),
                limits(16, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.NUMA_UNASSIGNABLE);
        assertThat(e.getMessage()).contains("overlap").contains("3");
    }

    @Test
    void cellsLeavingAGap_refused() {
        PreparationRefusedException e = refused(TWO_CELLS.replace("cpus='4-7'", "cpus='4-6'"),
                limits(16, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.NUMA_UNASSIGNABLE);
        assertThat(e.getMessage()).contains("vCPU 7").contains("no NUMA cell");
    }

    @Test
    void lowerMaximumEmptyingACell_refused() {
        String xml = TWO_CELLS.replace("<vcpu placement='static'>8</vcpu>", "<vcpu placement='static' current='2'>8</vcpu>");

        PreparationRefusedException e = refused(xml, limits(4, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.NUMA_UNASSIGNABLE);
        assertThat(e.getMessage()).contains("cell 1").contains("5 or more");
    }

    @Test
    void dimmOnMissingNode_refused() {
        String xml = GUIDE_VM
                .replace("<memory unit='KiB'>1048576</memory>", "<memory unit='KiB'>1310720</memory>")
                .replace("</devices>", """
                          <memory model='dimm'>
                            <target>
                              <size unit='MiB'>256</size>
                              <node>1</node>
                            </target>
                          </memory>
                        </devices>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.NUMA_UNASSIGNABLE);
        assertThat(e.getMessage()).contains("node 1");
    }

    @Test
    void noMemoryAndNoCells_refusedAsInvalid() {
        PreparationRefusedException e = refused(GUIDE_VM.replace("<memory unit='KiB'>1048576</memory>", ""),
                GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("<memory>");
    }

    @Test
    void currentAboveMaximum_refusedAsInvalid() {
        PreparationRefusedException e = refused(GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='static' current='6'>4</vcpu>"), GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("current='6'");
    }

    @Test
    void dimmsLargerThanMemory_refusedAsInvalid() {
        String xml = GUIDE_VM.replace("</devices>", """
                  <memory model='dimm'>
                    <target>
                      <size unit='GiB'>2</size>
                      <node>0</node>
                    </target>
                  </memory>
                </devices>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("exceed");
    }

    @Test
    void limitsBuilder_missingValues_refusedWithTheFieldName() {
        assertThatThrownBy(() -> HotplugLimits.builder().maxMemory(MemorySize.ofGiB(1)).slots(1).build())
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("maxVcpus");
        assertThatThrownBy(() -> HotplugLimits.builder().maxVcpus(1).slots(1).build())
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("maxMemory");
    }

    @Test
    void vcpusEnablingNone_refusedAsInvalid() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", """
                <vcpu placement='static'>2</vcpu>
                  <vcpus>
                    <vcpu id='0' enabled='no' hotpluggable='no'/>
                    <vcpu id='1' enabled='no' hotpluggable='yes'/>
                  </vcpus>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("enables no vCPU").contains("enabled='yes'");
    }

    @Test
    void memoryDeviceWithoutTargetSize_refusedAsInvalid() {
        String xml = GUIDE_VM.replace("</devices>", """
                  <memory model='dimm'>
                    <target>
                      <node>0</node>
                    </target>
                  </memory>
                </devices>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("memory device 1").contains("has no <target><size>");
    }

    @Test
    void memoryDevicesTakingAllOfMemory_refusedAsNoBootMemory() {
        String xml = GUIDE_VM.replace("</devices>", """
                  <memory model='dimm'>
                    <target>
                      <size unit='GiB'>1</size>
                      <node>0</node>
                    </target>
                  </memory>
                </devices>""");

        PreparationRefusedException e = refused(xml, GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("leaves no boot memory").contains("raise <memory>");
    }

    @Test
    void cellListingAVcpuAboveTheMaximum_refusedAsInvalid() {
        PreparationRefusedException e = refused(TWO_CELLS.replace("cpus='4-7'", "cpus='4-9'"),
                limits(16, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("lists vCPU 9").contains("maximum is 8");
    }

    @Test
    void topology_lowerMaximum_socketsLowered() {
        String xml = GUIDE_VM.replace("<devices>", """
                <cpu>
                    <topology sockets='4' dies='1' cores='2' threads='1'/>
                  </cpu>
                  <devices>""");

        PreparedDomain p = PreparerTest.prepare(xml, limits(6, MemorySize.ofGiB(16), 16));

        assertThat(p.xml()).contains("<topology sockets='3' dies='1' cores='2' threads='1'/>");
    }

    @Test
    void topology_noSocketCountFits_belowTheCurrentVcpus_onlyTheMaximumAboveOffered() {
        String xml = GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>8</vcpu>")
                .replace("<devices>", """
                <cpu>
                    <topology sockets='1' dies='1' cores='4' threads='2'/>
                  </cpu>
                  <devices>""");

        PreparationRefusedException e = refused(xml, limits(12, MemorySize.ofGiB(16), 16));

        assertThat(e.refusal()).isEqualTo(Refusal.TOPOLOGY_MISMATCH);
        assertThat(e.getMessage()).contains("use a maximum of 8 (1 sockets) or 16 (2 sockets)");
        PreparationRefusedException e2 = refused(xml, limits(9, MemorySize.ofGiB(16), 16));
        assertThat(e2.getMessage()).contains("use a maximum of 8 (1 sockets) or 16 (2 sockets)");
    }

    @Test
    void currentMemoryCellAndDeviceNotWholeKiB_refused() {
        String currentMemory = GUIDE_VM.replace("<currentMemory unit='KiB'>1048576</currentMemory>",
                "<currentMemory unit='b'>1000</currentMemory>");
        String cell = TWO_CELLS.replace("memory='2097152' unit='KiB' memAccess", "memory='2147483649' unit='b' memAccess");
        String device = GUIDE_VM.replace("</devices>", """
                  <memory model='dimm'>
                    <target>
                      <size unit='MB'>255</size>
                      <node>0</node>
                    </target>
                  </memory>
                </devices>""");

        PreparationRefusedException e1 = refused(currentMemory, GUIDE_LIMITS);
        PreparationRefusedException e2 = refused(cell, limits(16, MemorySize.ofGiB(16), 16));
        PreparationRefusedException e3 = refused(device, GUIDE_LIMITS);

        assertThat(e1.refusal()).isEqualTo(Refusal.NOT_WHOLE_KIB);
        assertThat(e1.getMessage()).contains("<currentMemory> is 1000 bytes").contains("round it up to 1 KiB");
        assertThat(e2.refusal()).isEqualTo(Refusal.NOT_WHOLE_KIB);
        assertThat(e2.getMessage()).contains("NUMA cell 1 memory");
        assertThat(e3.refusal()).isEqualTo(Refusal.NOT_WHOLE_KIB);
        assertThat(e3.getMessage()).contains("memory device 1 (dimm) size is 255000000 bytes");
    }

    @Test
    void unreadableParts_refusedAsInvalidNamingThePart() {
        PreparationRefusedException vcpu = refused(GUIDE_VM.replace("<vcpu placement='static'>2</vcpu>",
                "<vcpu placement='static'>two</vcpu>"), GUIDE_LIMITS);
        PreparationRefusedException cpus = refused(TWO_CELLS.replace("cpus='4-7'", "cpus='4-x'"),
                limits(16, MemorySize.ofGiB(16), 16));
        PreparationRefusedException unit = refused(GUIDE_VM.replace("<memory unit='KiB'>", "<memory unit='KiBs'>"),
                GUIDE_LIMITS);

        assertThat(vcpu.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(vcpu.getMessage()).contains("cannot be prepared").contains("'two'");
        assertThat(cpus.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(cpus.getMessage()).contains("CPU list '4-x' is invalid");
        assertThat(unit.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(unit.getMessage()).contains("unknown memory unit 'KiBs'");
    }

    @Test
    void domainTypeMissing_refusedAsInvalidWithTheFix() {
        PreparationRefusedException e = refused(GUIDE_VM.replace("<domain type='kvm'>", "<domain>"), GUIDE_LIMITS);

        assertThat(e.refusal()).isEqualTo(Refusal.INVALID_DOMAIN);
        assertThat(e.getMessage()).contains("no 'type' attribute").contains("<domain type='kvm'>");
    }
}
