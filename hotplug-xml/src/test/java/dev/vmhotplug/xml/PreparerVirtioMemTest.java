package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preparation with virtio-mem ({@link HotplugLimits#virtioMem()}), and of {@code type='test'}
 * domains. The prepared outputs validate against libvirt's domain.rng and are defined by libvirt's
 * own QEMU driver (embedded in virsh, no daemon), which checks what libvirt 9.0 requires around
 * memory devices at define time.
 */
class PreparerVirtioMemTest {

    @TempDir Path tmp;

    static final String QEMU_GUIDE_VM = PreparerTest.GUIDE_VM.replace("<domain type='kvm'>", "<domain type='qemu'>");

    static HotplugLimits virtioMem(int vcpus, MemorySize max, int slots) {
        return HotplugLimits.builder().maxVcpus(vcpus).maxMemory(max).slots(slots).virtioMem(true).build();
    }

    private static PreparationRefusedException refused(String xml, HotplugLimits limits) {
        DomainXml d = DomainXml.parse(xml);
        String before = d.toXml();
        try {
            HotplugPreparer.prepare(d, limits);
        } catch (PreparationRefusedException e) {
            assertThat(d.toXml()).isEqualTo(before);
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void guideVm_virtioMem_oneDevicePerCell_takingTheHeadroom_requestedZero_idempotent() {
        PreparedDomain p = PreparerTest.prepare(QEMU_GUIDE_VM, virtioMem(8, MemorySize.ofGiB(16), 16));
        DomainXml d = p.domain();
        assertThat(d.memoryDevices()).singleElement().satisfies(m -> {
            assertThat(m.model()).isEqualTo("virtio-mem");
            assertThat(m.targetSize()).contains(MemorySize.ofGiB(15));
            assertThat(m.targetNode()).hasValue(0);
            assertThat(m.blockSize()).contains(MemorySize.ofMiB(2));
            assertThat(m.requestedSize()).contains(MemorySize.ZERO);
        });
        assertThat(d.memory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(16));
        assertThat(d.currentMemory().orElseThrow().size()).isEqualTo(MemorySize.ofGiB(1));
        assertThat(d.numaCells()).singleElement().satisfies(c -> assertThat(c.memory()).isEqualTo(MemorySize.ofGiB(1)));
        assertThat(p.xml()).contains("    <memory model='virtio-mem'>\n      <target>\n"
                + "        <size unit='MiB'>15360</size>\n        <node>0</node>\n        <block unit='MiB'>2</block>\n"
                + "        <requested unit='MiB'>0</requested>\n      </target>\n    </memory>\n  </devices>");
        assertThat(p.changes()).anySatisfy(c -> assertThat(c).contains("added virtio-mem device on node 0, size 15 GiB"));
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("virtio_mem driver"));
        PreparedDomain again = HotplugPreparer.prepare(d, virtioMem(8, MemorySize.ofGiB(16), 16));
        assertThat(again.changed()).isFalse();
        assertThat(again.xml()).isEqualTo(p.xml());
    }

    @Test
    void twoCells_twoDevices_headroomSharedInWholeBlocks() {
        String xml = PreparerTest.TWO_CELLS;
        PreparedDomain p = PreparerTest.prepare(xml, virtioMem(16, MemorySize.parse("10241MiB"), 4));
        List<MemoryDevice> devices = p.domain().memoryDevices();
        assertThat(devices).hasSize(2);
        assertThat(devices).extracting(m -> m.targetNode().getAsInt()).containsExactly(0, 1);
        // headroom 10241 - 4096 = 6145 MiB: 3072 MiB each in 2 MiB blocks, 1 MiB left over
        assertThat(devices).allSatisfy(m -> assertThat(m.targetSize()).contains(MemorySize.ofMiB(3072)));
        assertThat(p.domain().memory().orElseThrow().size()).isEqualTo(MemorySize.ofMiB(4096 + 6144));
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("take 6 GiB of the 6145 MiB headroom"));
    }

    @Test
    void aCellWithAVirtioMemDeviceAlready_getsNoSecondOne() {
        PreparedDomain first = PreparerTest.prepare(PreparerTest.TWO_CELLS, virtioMem(16, MemorySize.ofGiB(16), 4));
        DomainXml d = first.domain();
        d.removeMemoryDevice(1);
        d.setMemory(MemorySize.ofGiB(10));
        PreparedDomain p = HotplugPreparer.prepare(d, virtioMem(16, MemorySize.ofGiB(16), 4));
        assertThat(p.domain().memoryDevices()).extracting(m -> m.targetNode().getAsInt()).containsExactly(0, 1);
        assertThat(p.domain().memoryDevices().get(1).targetSize()).contains(MemorySize.ofGiB(6));
    }

    @Test
    void refusals_archMachineSlotsAndHeadroom_eachWithTheFix() {
        assertThat(refused(QEMU_GUIDE_VM.replace("arch='x86_64' machine='pc'", "arch='aarch64' machine='virt'"),
                virtioMem(8, MemorySize.ofGiB(16), 16)))
                .satisfies(e -> assertThat(e.refusal()).isEqualTo(Refusal.VIRTIO_MEM_UNSUPPORTED))
                .hasMessageContaining("'aarch64'").hasMessageContaining("DIMMs instead");
        assertThat(refused(QEMU_GUIDE_VM.replace("machine='pc'", "machine='microvm'"), virtioMem(8, MemorySize.ofGiB(16), 16)))
                .satisfies(e -> assertThat(e.refusal()).isEqualTo(Refusal.VIRTIO_MEM_UNSUPPORTED))
                .hasMessageContaining("'microvm'").hasMessageContaining("q35 or pc");
        assertThat(refused(PreparerTest.TWO_CELLS, virtioMem(16, MemorySize.ofGiB(16), 1)))
                .satisfies(e -> assertThat(e.refusal()).isEqualTo(Refusal.SLOTS_OUT_OF_RANGE))
                .hasMessageContaining("use slots 2 or more");
        assertThat(refused(QEMU_GUIDE_VM, virtioMem(8, MemorySize.parse("1025MiB"), 16)))
                .satisfies(e -> assertThat(e.refusal()).isEqualTo(Refusal.MAX_MEMORY_BELOW_CURRENT))
                .hasMessageContaining("raise maxMemory to at least 1026 MiB");
        assertThatThrownBy(() -> HotplugLimits.builder().maxVcpus(2).maxMemory(MemorySize.ofGiB(2)).slots(1)
                .virtioMem(true).virtioMemBlock(MemorySize.ofMiB(1)).build()).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("at least 2 MiB");
    }

    @Test
    void testDriverDomain_prepared_withTheNoteThatItHotplugsNoMemory() {
        String xml = PreparerTest.GUIDE_VM.replace("<domain type='kvm'>", "<domain type='test'>");
        PreparedDomain p = PreparerTest.prepare(xml, PreparerTest.GUIDE_LIMITS);
        assertThat(p.changed()).isTrue();
        assertThat(p.notes()).singleElement().asString().contains("libvirt's test driver").contains("hot-plugs no memory");
        assertThat(p.summary()).contains("Note: <domain type='test'>");
        assertThat(refused(PreparerTest.GUIDE_VM.replace("<domain type='kvm'>", "<domain type='xen'>"),
                PreparerTest.GUIDE_LIMITS).refusal()).isEqualTo(Refusal.DOMAIN_TYPE_CANNOT_HOTPLUG);
    }

    @Test
    void preparedOutputs_validateAgainstDomainRng_andLibvirtsQemuDriverDefinesThem() throws Exception {
        Optional<String> missing = PrepareSchemaCheck.missingTools().or(PrepareSchemaCheck::missingQemu);
        if (missing.isPresent()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but libvirt's checks cannot run: " + missing.get());
            }
            System.out.println("PreparerVirtioMemTest skipped: " + missing.get());
            Assumptions.abort(missing.get());
        }
        Map<String, PreparedDomain> examples = new LinkedHashMap<>();
        examples.put("vmem-guide.xml", PreparerTest.prepare(QEMU_GUIDE_VM, virtioMem(8, MemorySize.ofGiB(16), 16)));
        examples.put("vmem-two-cells.xml", PreparerTest.prepare(PreparerTest.TWO_CELLS, virtioMem(16, MemorySize.ofGiB(16), 4)));
        examples.put("vmem-q35.xml", PreparerTest.prepare(QEMU_GUIDE_VM.replace("machine='pc'", "machine='q35'"),
                virtioMem(4, MemorySize.ofGiB(4), 2)));
        examples.put("topology.xml", PreparerTest.prepare(QEMU_GUIDE_VM.replace("<devices>",
                "<cpu><topology sockets='1' dies='1' cores='2' threads='1'/></cpu>\n  <devices>"),
                PreparerTest.limits(8, MemorySize.ofGiB(16), 16)));
        Path root = tmp.resolve("embed");
        for (Map.Entry<String, PreparedDomain> e : examples.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.writeString(f, e.getValue().xml().replace("<name>hotplug</name>", "<name>" + e.getKey() + "</name>")
                    .replace("<name>numa</name>", "<name>" + e.getKey() + "</name>"), StandardCharsets.UTF_8);
            PrepareSchemaCheck.Outcome valid = PrepareSchemaCheck.virtXmlValidate(f);
            assertThat(valid.valid()).as(e.getKey() + ": " + valid.output() + "\n" + e.getValue().xml()).isTrue();
            PrepareSchemaCheck.Outcome defined = PrepareSchemaCheck.virshEmbedDefine(f, root);
            assertThat(defined.valid()).as("libvirt's QEMU driver: " + e.getKey() + ": " + defined.output() + "\n"
                    + e.getValue().xml()).isTrue();
        }
        // the test driver takes a prepared type='test' domain
        Path t = tmp.resolve("test-type.xml");
        Files.writeString(t, PreparerTest.prepare(PreparerTest.GUIDE_VM.replace("<domain type='kvm'>",
                "<domain type='test'>"), PreparerTest.GUIDE_LIMITS).xml(), StandardCharsets.UTF_8);
        PrepareSchemaCheck.Outcome testDriver = PrepareSchemaCheck.virshTestDefine(t);
        assertThat(testDriver.valid()).as(testDriver.output()).isTrue();
    }

    @Test
    void withRequested_deviceXml_isAcceptedByLibvirtsUpdateDevice_whichFindsTheDeviceByItsAddress() throws Exception {
        Optional<String> missing = PrepareSchemaCheck.missingQemu();
        if (missing.isPresent()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but libvirt's QEMU driver cannot run: " + missing.get());
            }
            System.out.println("PreparerVirtioMemTest skipped: " + missing.get());
            Assumptions.abort(missing.get());
        }
        Path root = tmp.resolve("embed-update");
        Path f = tmp.resolve("vmem-update.xml");
        Files.writeString(f, PreparerTest.prepare(QEMU_GUIDE_VM, virtioMem(4, MemorySize.ofGiB(4), 4)).xml(),
                StandardCharsets.UTF_8);
        PrepareSchemaCheck.Outcome defined = PrepareSchemaCheck.virshEmbedDefine(f, root);
        assertThat(defined.valid()).as(defined.output()).isTrue();
        PrepareSchemaCheck.Outcome dump = PrepareSchemaCheck.virshEmbed(root, "dumpxml", "--inactive", "hotplug");
        assertThat(dump.valid()).as(dump.output()).isTrue();
        MemoryDevice device = DomainXml.parse(dump.output()).memoryDevices().get(0);
        assertThat(device.addressType()).contains("pci"); // libvirt gave it a PCI address at define

        Path update = tmp.resolve("update.xml");
        Files.writeString(update, device.withRequested(MemorySize.ofMiB(512)).toXml(), StandardCharsets.UTF_8);
        PrepareSchemaCheck.Outcome updated = PrepareSchemaCheck.virshEmbed(root, "update-device", "hotplug",
                update.toString(), "--config");
        assertThat(updated.valid()).as(updated.output()).isTrue();
        MemoryDevice after = DomainXml.parse(PrepareSchemaCheck.virshEmbed(root, "dumpxml", "--inactive", "hotplug")
                .output()).memoryDevices().get(0);
        assertThat(after.requestedSize()).contains(MemorySize.ofMiB(512));
        assertThat(after).isEqualTo(device.withRequested(MemorySize.ofMiB(512)));

        // without its address libvirt does not find the device: keep alias and address in the update XML
        Files.writeString(update, device.toBuilder().clearAddress().build().withRequested(MemorySize.ofMiB(256)).toXml(),
                StandardCharsets.UTF_8);
        PrepareSchemaCheck.Outcome notFound = PrepareSchemaCheck.virshEmbed(root, "update-device", "hotplug",
                update.toString(), "--config");
        assertThat(notFound.valid()).isFalse();
        assertThat(notFound.output()).contains("memory not found");
    }
}
