package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The size limit of {@link DomainXml#parse(String)} and inconsistent parts reported as such. */
class InputLimitsTest {

    private static String flatSiblings(long targetChars) {
        StringBuilder b = new StringBuilder((int) targetChars + 64).append("<domain type='kvm'><name>big</name>");
        while (b.length() < targetChars) {
            b.append("<x/>");
        }
        return b.append("</domain>").toString();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // guards against a hang only; no timing assertion
    void fiftyMegabytesOfFlatSiblings_refusedBeforeAnyDom_heapUntouched() {
        String huge = flatSiblings(50L * 1000 * 1000);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long usedBefore = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 20; i++) { // twenty attempts: a DOM of 12.5 million elements would need gigabytes each
            assertThatThrownBy(() -> DomainXml.parse(huge))
                    .isInstanceOfSatisfying(DomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                    .hasMessageContaining("at least " + huge.length() + " bytes").hasMessageContaining("limit of 4194304 bytes")
                    .hasMessageContaining("DomainXml.parse(xml, maxBytes)");
        }
        long usedAfter = rt.totalMemory() - rt.freeMemory();
        assertThat(usedAfter - usedBefore).as("heap growth in bytes").isLessThan(50L * 1000 * 1000);
    }

    @Test
    void limit_isInUtf8Bytes_andConfigurable() {
        String justUnder = flatSiblings(DomainXml.DEFAULT_MAX_BYTES - 200);
        assertThat(DomainXml.parse(justUnder).name()).isEqualTo("big");
        // 1.5 million 3-byte characters: 1.5 M chars but 4.5 MB of UTF-8
        String wide = "<domain type='kvm'><name>" + "€".repeat(1_500_000) + "</name></domain>";
        assertThatThrownBy(() -> DomainXml.parse(wide)).isInstanceOfSatisfying(DomainXmlException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE)).hasMessageContaining("4500041 bytes");
        assertThat(DomainXml.parse(wide, 8 * 1024 * 1024).name()).hasSize(1_500_000);
        assertThatThrownBy(() -> DomainXml.parse("<domain type='kvm'/>", 10))
                .isInstanceOfSatisfying(DomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
        assertThatThrownBy(() -> DomainXml.parse("<domain/>", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void vcpuCurrentAboveMaximum_inconsistentWhereRead_documentUnchanged() {
        String xml = "<domain type='kvm'><name>x</name><vcpu current='9'>2</vcpu></domain>";
        DomainXml d = DomainXml.parse(xml);
        assertThatThrownBy(d::vcpu).isInstanceOfSatisfying(DomainXmlException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INCONSISTENT))
                .hasMessageContaining("<vcpu current='9'>2</vcpu> is inconsistent")
                .hasMessageContaining("raise the maximum");
        assertThat(d.inconsistencies()).singleElement().asString().contains("current='9'");
        assertThat(d.toXml()).isEqualTo(xml);
        assertThatThrownBy(() -> HotplugPreparer.prepare(d, HotplugLimits.builder().maxVcpus(16)
                .maxMemory(MemorySize.ofGiB(4)).slots(4).build())).isInstanceOf(PreparationRefusedException.class)
                .hasMessageContaining("inconsistent");
        assertThat(d.toXml()).isEqualTo(xml);
    }

    @Test
    void cellCpusAboveMaximum_andDimmOnMissingNode_listedAsInconsistencies() {
        String xml = "<domain type='kvm'><name>x</name><memory>3145728</memory><vcpu>4</vcpu>"
                + "<cpu><numa><cell id='0' cpus='0-5' memory='1048576'/><cell id='1' cpus='6' memory='1048576'/></numa></cpu>"
                + "<devices><memory model='dimm'><target><size unit='GiB'>1</size><node>2</node></target></memory></devices>"
                + "</domain>";
        DomainXml d = DomainXml.parse(xml);
        assertThat(d.numaCells()).hasSize(2); // each part is valid by itself
        List<String> problems = d.inconsistencies();
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).contains("NUMA cell 0 lists vCPU 5 but the <vcpu> maximum is 4");
        assertThat(problems.get(1)).contains("NUMA cell 1 lists vCPU 6");
        assertThat(problems.get(2)).contains("memory device 1 ('dimm') is on guest NUMA node 2")
                .contains("cells are [0, 1]");
        assertThat(d.toXml()).isEqualTo(xml);
        DomainXml noCells = DomainXml.parse("<domain type='kvm'><name>x</name><devices><memory model='dimm'><target>"
                + "<size unit='GiB'>1</size><node>0</node></target></memory></devices></domain>");
        assertThat(noCells.inconsistencies()).singleElement().asString().contains("the domain has no NUMA cell");
    }

    @Test
    void corpus_inconsistentDomains_countedAndRejectedByLibvirtToo() throws Exception {
        Path dir = CorpusRoundTripTest.corpusDirectory();
        if (!Files.isDirectory(dir)) {
            System.out.println("[InputLimitsTest] corpus SKIPPED: not found at " + dir);
            Assumptions.abort("corpus not found at " + dir);
        }
        List<String> inconsistent = new ArrayList<>();
        List<String> acceptedByLibvirt = new ArrayList<>();
        int files = 0;
        try (var s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".xml")).sorted().toList()) {
                files++;
                List<String> p = DomainXml.parse(Files.readString(f)).inconsistencies();
                if (!p.isEmpty()) {
                    inconsistent.add(f.getFileName() + ": " + p);
                    if (!CorpusRoundTripTest.libvirtRejects(f)) {
                        acceptedByLibvirt.add(f.getFileName() + ": " + p);
                    }
                }
            }
        }
        System.out.printf("[InputLimitsTest] corpus: %d files, %d with inconsistent parts (%d of them without a .err,"
                + " i.e. accepted by libvirt's parser)%n", files, inconsistent.size(), acceptedByLibvirt.size());
        inconsistent.forEach(x -> System.out.println("  inconsistent " + x));
        assertThat(files).isPositive();
        assertThat(inconsistent).as("the corpus has known inconsistent domains").isNotEmpty();
    }
}
