package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Round-trips libvirt's own test XML (1,070 domain definitions of libvirt 9.0.0) through
 * {@link DomainXml}: no edit must mean no structural change, every typed part must be readable, and
 * an edit of {@code <vcpu>} must change nothing outside {@code <vcpu>}.
 *
 * <p>Corpus root: system property {@code vmhotplug.corpus}, else environment variable
 * {@code VMHOTPLUG_CORPUS}, else {@code ${vmhotplug.projectRoot}/../shared/corpus/libvirt-9.0.0/qemuxml2argvdata}.
 * The tests skip, printing why, when it is absent.
 */
class CorpusRoundTripTest {

    private static List<Path> files;

    @BeforeAll
    static void findCorpus() throws IOException {
        Path dir = corpusDirectory();
        if (!Files.isDirectory(dir)) {
            String why = "libvirt corpus not found at " + dir + "; set -Dvmhotplug.corpus=DIR or VMHOTPLUG_CORPUS=DIR"
                    + " (libvirt 9.0.0 tests/qemuxml2argvdata, from Debian's libvirt source package)";
            System.out.println("[CorpusRoundTripTest] SKIPPED: " + why);
            Assumptions.assumeTrue(false, why);
        }
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
        assertThat(files).as("domain XML files in " + dir).isNotEmpty();
    }

    static Path corpusDirectory() {
        String prop = System.getProperty("vmhotplug.corpus");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("VMHOTPLUG_CORPUS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String root = System.getProperty("vmhotplug.projectRoot", Path.of("").toAbsolutePath().getParent().toString());
        return Path.of(root, "..", "shared", "corpus", "libvirt-9.0.0", "qemuxml2argvdata").normalize();
    }

    static boolean libvirtRejects(Path xml) {
        String n = xml.getFileName().toString();
        return Files.exists(xml.resolveSibling(n.substring(0, n.length() - 4) + ".err"));
    }

    @Test
    void everyFile_parseAndWriteWithoutEdit_isStructurallyIdenticalAndStable() throws IOException {
        int ok = 0;
        int byteIdentical = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            String in = Files.readString(f);
            try {
                String out = DomainXml.parse(in).toXml();
                byteIdentical += in.equals(out) ? 1 : 0;
                List<String> diff = XmlStructure.diffPaths(in, out);
                String again = DomainXml.parse(out).toXml();
                if (!diff.isEmpty()) {
                    failed.add(f.getFileName() + ": " + diff);
                } else if (!again.equals(out)) {
                    failed.add(f.getFileName() + ": second round trip is not byte-identical");
                } else {
                    ok++;
                }
            } catch (RuntimeException e) {
                failed.add(f.getFileName() + ": " + e);
            }
        }
        System.out.printf("[CorpusRoundTripTest] round trip: %d files, %d ok (structurally identical; %d of them"
                + " byte-identical), %d failed%n", files.size(), ok, byteIdentical, failed.size());
        failed.forEach(s -> System.out.println("  FAILED " + s));
        assertThat(failed).isEmpty();
    }

    @Test
    void everyFile_typedParts_readWithoutExceptionUnlessLibvirtRejectsIt() throws IOException {
        int ok = 0;
        Map<String, Integer> rejectedByLibvirtToo = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        int vcpu = 0;
        int maxMemory = 0;
        int cells = 0;
        int topologies = 0;
        int memoryDevices = 0;
        for (Path f : files) {
            DomainXml d = DomainXml.parse(Files.readString(f));
            try {
                d.type();
                d.name();
                d.uuid();
                d.osArch();
                d.machine();
                vcpu += d.vcpu().isPresent() ? 1 : 0;
                d.vcpus();
                maxMemory += d.maxMemory().isPresent() ? 1 : 0;
                d.memory();
                d.currentMemory();
                cells += d.numaCells().size();
                topologies += d.topology().isPresent() ? 1 : 0;
                memoryDevices += d.memoryDevices().size();
                ok++;
            } catch (DomainXmlException e) {
                if (libvirtRejects(f)) {
                    rejectedByLibvirtToo.merge(e.reason().name(), 1, Integer::sum);
                    System.out.println("  refused (libvirt rejects it too, .err present) " + f.getFileName() + ": "
                            + e.getMessage());
                } else {
                    failed.add(f.getFileName() + ": " + e.getMessage());
                }
            }
        }
        System.out.printf("[CorpusRoundTripTest] typed parts: %d files, %d ok, %d refused with a .err sibling %s,"
                        + " %d failed; read %d <vcpu>, %d <maxMemory>, %d NUMA cells, %d topologies, %d memory devices%n",
                files.size(), ok, rejectedByLibvirtToo.values().stream().mapToInt(Integer::intValue).sum(),
                rejectedByLibvirtToo, failed.size(), vcpu, maxMemory, cells, topologies, memoryDevices);
        failed.forEach(s -> System.out.println("  FAILED " + s));
        assertThat(failed).isEmpty();
        assertThat(memoryDevices).as("memory devices read").isPositive();
        assertThat(cells).as("NUMA cells read").isPositive();
    }

    @Test
    void everyFile_editVcpuCurrent_changesNothingOutsideVcpu() throws IOException {
        int edited = 0;
        int added = 0;
        int skipped = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            String in = Files.readString(f);
            DomainXml d = DomainXml.parse(in);
            Vcpu v;
            boolean hadVcpu;
            try {
                hadVcpu = d.vcpu().isPresent();
                v = hadVcpu ? d.vcpu().get() : null;
            } catch (DomainXmlException e) {
                skipped++;
                continue;
            }
            Vcpu next;
            if (v == null) {
                next = Vcpu.builder().maximum(2).current(1).build();
            } else {
                int current = v.effectiveCurrent() > 1 ? v.effectiveCurrent() - 1 : v.maximum();
                next = v.toBuilder().current(current).build();
            }
            d.setVcpu(next);
            String out = d.toXml();
            List<String> diff = XmlStructure.diffPaths(in, out);
            List<String> outside = XmlStructure.outside(diff, "/domain[1]/vcpu[1]");
            if (!outside.isEmpty() || diff.isEmpty() && !next.equals(v)) {
                failed.add(f.getFileName() + ": " + diff);
                continue;
            }
            if (!DomainXml.parse(out).vcpu().orElseThrow().equals(next.toBuilder().build())) {
                failed.add(f.getFileName() + ": re-read <vcpu> differs");
                continue;
            }
            if (hadVcpu) {
                edited++;
            } else {
                added++;
            }
        }
        System.out.printf("[CorpusRoundTripTest] vcpu edit: %d files, %d edited in place, %d <vcpu> added,"
                + " %d skipped (unreadable <vcpu>), %d failed%n", files.size(), edited, added, skipped, failed.size());
        failed.forEach(s -> System.out.println("  FAILED " + s));
        assertThat(failed).isEmpty();
    }
    @Test
    void everyFile_addAndRemoveDimm_onlyThatDeviceDiffers_andRemovalRestoresTheInput() throws IOException {
        int ok = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            String in = Files.readString(f);
            DomainXml d = DomainXml.parse(in);
            int before = d.memoryDevices().size();
            d.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofMiB(256), 0));
            String added = d.toXml();
            List<String> diff = XmlStructure.diffPaths(in, added);
            boolean hadDevices = java.util.regex.Pattern.compile("<devices[\\s/>]").matcher(in).find();
            List<String> expected = List.of(hadDevices ? "/domain[1]/devices[1]/memory[" + (before + 1) + "]"
                    : "/domain[1]/devices[1]");
            if (!diff.equals(expected)) {
                failed.add(f.getFileName() + ": add gave " + diff);
                continue;
            }
            d.removeMemoryDevice(before);
            List<String> back = XmlStructure.diffPaths(in, d.toXml());
            if (hadDevices && !back.isEmpty()) {
                failed.add(f.getFileName() + ": remove left " + back);
                continue;
            }
            ok++;
        }
        System.out.printf("[CorpusRoundTripTest] DIMM add/remove: %d files, %d ok, %d failed%n", files.size(), ok,
                failed.size());
        failed.forEach(s -> System.out.println("  FAILED " + s));
        assertThat(failed).isEmpty();
    }

    @Test
    void everyFile_setMaxMemoryMemoryAndNuma_onlyTargetedElementsDiffer() throws IOException {
        int ok = 0;
        int skipped = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            String in = Files.readString(f);
            DomainXml d = DomainXml.parse(in);
            List<NumaCell> cells;
            try {
                cells = d.numaCells();
                d.memory();
                d.maxMemory();
            } catch (DomainXmlException e) {
                skipped++;
                continue;
            }
            boolean hadCpu = java.util.regex.Pattern.compile("<cpu[\\s/>]").matcher(in).find();
            d.setMaxMemory(MemorySize.ofGiB(64), 8);
            d.setMemory(MemorySize.ofGiB(2));
            List<String> allowed = new ArrayList<>(List.of("/domain[1]/maxMemory[1]", "/domain[1]/memory[1]"));
            if (cells.isEmpty()) {
                d.setNumaCells(List.of(NumaCell.builder().id(0).cpus(CpuSet.range(0, 3)).memory(MemorySize.ofGiB(2)).build()));
                allowed.add(hadCpu ? "/domain[1]/cpu[1]/numa[1]" : "/domain[1]/cpu[1]");
            } else {
                List<NumaCell> changed = new ArrayList<>();
                for (NumaCell c : cells) {
                    changed.add(c.toBuilder().memory(MemorySize.ofGiB(1)).build());
                }
                d.setNumaCells(changed);
                allowed.add("/domain[1]/cpu[1]/numa[1]");
            }
            String out = d.toXml();
            List<String> outside = XmlStructure.outside(XmlStructure.diffPaths(in, out), allowed.toArray(new String[0]));
            DomainXml again = DomainXml.parse(out);
            if (!outside.isEmpty()) {
                failed.add(f.getFileName() + ": changed outside the targets: " + outside);
            } else if (!again.maxMemory().orElseThrow().size().equals(MemorySize.ofGiB(64))
                    || !again.memory().orElseThrow().size().equals(MemorySize.ofGiB(2))
                    || again.numaCells().size() != Math.max(1, cells.size())) {
                failed.add(f.getFileName() + ": re-read values differ");
            } else {
                ok++;
            }
        }
        System.out.printf("[CorpusRoundTripTest] maxMemory/memory/NUMA edit: %d files, %d ok, %d skipped"
                + " (unreadable parts), %d failed%n", files.size(), ok, skipped, failed.size());
        failed.forEach(s -> System.out.println("  FAILED " + s));
        assertThat(failed).isEmpty();
    }
}
