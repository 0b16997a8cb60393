package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every prepared domain that libvirt would accept validates against libvirt's own schema
 * (libvirt-clients' {@code virt-xml-validate FILE domain}, which runs
 * {@code xmllint --relaxng /usr/share/libvirt/schemas/domain.rng}).
 *
 * <p>The guide's examples go through {@code virt-xml-validate} itself. The corpus (about a thousand
 * files) goes through xmllint with the same schema in a few processes over many files: measured
 * here, virt-xml-validate costs about 24 ms a file (a shell, three xmllint runs), i.e. about 25 s
 * for the corpus on one core, against about 1 s for the batched xmllint; a sample of corpus outputs
 * also goes through virt-xml-validate to show that both agree. Without the tools the tests skip
 * with the reason, except when {@code CI=true}, where they fail.
 */
class PrepareValidateTest {

    @TempDir Path tmp;

    @BeforeEach
    void requireTools() {
        Optional<String> missing = PrepareSchemaCheck.missingTools();
        if (missing.isPresent()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but libvirt's schema check cannot run: " + missing.get());
            }
            System.out.println("PrepareValidateTest skipped: " + missing.get());
            Assumptions.abort(missing.get());
        }
    }

    @Test
    void guideExamples_prepared_passVirtXmlValidate_andLibvirtDefinesThem() throws Exception {
        Map<String, PreparedDomain> examples = new LinkedHashMap<>();
        examples.put("guide.xml", PreparerTest.prepare(PreparerTest.GUIDE_VM, PreparerTest.GUIDE_LIMITS));
        examples.put("two-cells.xml", PreparerTest.prepare(PreparerTest.TWO_CELLS,
                PreparerTest.limits(16, MemorySize.ofGiB(16), 16)));
        examples.put("ballooned.xml", PreparerTest.prepare(PreparerTest.GUIDE_VM.replace(
                "<currentMemory unit='KiB'>1048576</currentMemory>", "<currentMemory unit='KiB'>524288</currentMemory>"),
                PreparerTest.GUIDE_LIMITS));
        examples.put("no-vcpu.xml", PreparerTest.prepare(
                PreparerTest.GUIDE_VM.replace("  <vcpu placement='static'>2</vcpu>\n", ""), PreparerTest.GUIDE_LIMITS));
        DomainXml withDimm = examples.get("guide.xml").domain();
        withDimm.addMemoryDevice(MemoryDevice.dimm(MemorySize.ofMiB(8192), 0));
        withDimm.setMemory(MemorySize.ofGiB(9));
        examples.put("guide-with-dimm.xml", HotplugPreparer.prepare(withDimm, PreparerTest.GUIDE_LIMITS));

        for (Map.Entry<String, PreparedDomain> e : examples.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.writeString(f, e.getValue().xml(), StandardCharsets.UTF_8);
            PrepareSchemaCheck.Outcome o = PrepareSchemaCheck.virtXmlValidate(f);
            assertThat(o.valid()).as(e.getKey() + ": " + o.output() + "\n" + e.getValue().xml()).isTrue();
            if (PrepareSchemaCheck.onPath("virsh").isPresent()) {
                PrepareSchemaCheck.Outcome defined = PrepareSchemaCheck.virshTestDefine(f);
                assertThat(defined.valid()).as("libvirt test driver: " + e.getKey() + ": " + defined.output()).isTrue();
            }
        }
    }

    @Test
    void corpus_everyPreparedDomainLibvirtAccepts_validatesAgainstDomainRng() throws Exception {
        StringBuilder why = new StringBuilder();
        Path dir = PrepareCorpus.dirOrNull(why);
        if (dir == null) {
            System.out.println("PrepareValidateTest skipped: " + why);
            Assumptions.abort(why.toString());
        }
        List<Path> inputs = new ArrayList<>();
        int rejectedByLibvirt = 0;
        for (Path f : PrepareCorpus.files(dir)) {
            if (PrepareCorpus.libvirtRejects(f)) {
                rejectedByLibvirt++;
            } else {
                inputs.add(f);
            }
        }
        long t0 = System.nanoTime();
        Map<Path, Boolean> inputValid = batch(inputs);
        long t1 = System.nanoTime();

        Map<Path, Path> outputOf = new HashMap<>();
        int inputInvalid = 0;
        int refused = 0;
        List<String> notRead = new ArrayList<>();
        for (Path in : inputs) {
            if (!inputValid.get(in)) {
                inputInvalid++;
                continue;
            }
            try {
                DomainXml d = DomainXml.parse(Files.readString(in, StandardCharsets.UTF_8));
                PreparedDomain p = HotplugPreparer.prepare(d, PrepareCorpus.generousLimits(d));
                Path out = tmp.resolve(in.getFileName());
                Files.writeString(out, p.xml(), StandardCharsets.UTF_8);
                outputOf.put(in, out);
            } catch (PreparationRefusedException e) {
                refused++;
            } catch (DomainXmlException e) {
                notRead.add(in.getFileName() + ": " + e.getMessage()); // the document tests cover reading
            }
        }
        List<Path> outputs = new ArrayList<>(outputOf.values());
        outputs.sort(null);
        long t2 = System.nanoTime();
        Map<Path, Boolean> outputValid = batch(outputs);
        long t3 = System.nanoTime();

        Map<String, String> invalid = new TreeMap<>();
        outputValid.forEach((f, ok) -> {
            if (!ok) {
                invalid.put(f.getFileName().toString(), "prepared output fails domain.rng");
            }
        });
        // the same verdicts through virt-xml-validate itself, on a sample
        int sampled = 0;
        for (int i = 0; i < outputs.size(); i += Math.max(1, outputs.size() / 20)) {
            Path f = outputs.get(i);
            PrepareSchemaCheck.Outcome o = PrepareSchemaCheck.virtXmlValidate(f);
            sampled++;
            if (o.valid() != outputValid.get(f)) {
                invalid.put(f.getFileName().toString(), "virt-xml-validate disagrees with xmllint: " + o.output());
            }
        }
        System.out.printf("PrepareValidateTest: %d corpus files; %d rejected by libvirt (.err), %d inputs fail"
                        + " domain.rng (skipped), %d refused by preparation, %d not read, %d prepared outputs validated"
                        + " (%d invalid); xmllint batch: inputs %d ms, outputs %d ms; virt-xml-validate sample %d%n",
                inputs.size() + rejectedByLibvirt, rejectedByLibvirt, inputInvalid, refused, notRead.size(), outputs.size(),
                invalid.size(), (t1 - t0) / 1_000_000, (t3 - t2) / 1_000_000, sampled);
        notRead.forEach(x -> System.out.println("  not read: " + x));
        invalid.forEach((n, m) -> System.out.println("  INVALID " + n + ": " + m));
        assertThat(invalid).isEmpty();
        assertThat(outputs).hasSizeGreaterThan(inputs.size() / 2);
    }

    @Test
    void corpus_virtioMem_everyPreparedDomainValidates_andIsIdempotent() throws Exception {
        StringBuilder why = new StringBuilder();
        Path dir = PrepareCorpus.dirOrNull(why);
        if (dir == null) {
            System.out.println("PrepareValidateTest skipped: " + why);
            Assumptions.abort(why.toString());
        }
        List<Path> inputs = new ArrayList<>();
        for (Path f : PrepareCorpus.files(dir)) {
            if (!PrepareCorpus.libvirtRejects(f)) {
                inputs.add(f);
            }
        }
        Map<Path, Boolean> inputValid = batch(inputs);
        List<Path> outputs = new ArrayList<>();
        Map<String, Integer> refused = new TreeMap<>();
        Map<String, String> failed = new TreeMap<>();
        int withDevices = 0;
        for (Path in : inputs) {
            if (!inputValid.get(in)) {
                continue;
            }
            try {
                DomainXml d = DomainXml.parse(Files.readString(in, StandardCharsets.UTF_8));
                HotplugLimits limits = PrepareCorpus.generousLimits(d).toBuilder().virtioMem(true).build();
                PreparedDomain p = HotplugPreparer.prepare(d, limits);
                PreparedDomain again = HotplugPreparer.prepare(p.domain(), limits);
                if (again.changed() || !again.xml().equals(p.xml())) {
                    failed.put(in.getFileName().toString(), "not idempotent: " + again.changes());
                }
                if (p.domain().memoryDevices().stream().anyMatch(m -> m.model().equals("virtio-mem"))) {
                    withDevices++;
                }
                Path out = tmp.resolve("vmem-" + in.getFileName());
                Files.writeString(out, p.xml(), StandardCharsets.UTF_8);
                outputs.add(out);
            } catch (PreparationRefusedException e) {
                refused.merge(e.refusal().name(), 1, Integer::sum);
            } catch (DomainXmlException e) {
                // reading is covered by the document tests
            }
        }
        outputs.sort(null);
        Map<Path, Boolean> outputValid = batch(outputs);
        outputValid.forEach((f, ok) -> {
            if (!ok) {
                failed.put(f.getFileName().toString(), "prepared output fails domain.rng");
            }
        });
        System.out.printf("PrepareValidateTest virtio-mem: %d prepared outputs (%d with virtio-mem devices) validated,"
                + " refused %s, %d failed%n", outputs.size(), withDevices, refused, failed.size());
        failed.forEach((n, m) -> System.out.println("  FAILED " + n + ": " + m));
        assertThat(failed).isEmpty();
        assertThat(withDevices).isGreaterThan(inputs.size() / 2);
    }

    /** xmllint over many files, in two processes in parallel (the machine has two cores). */
    private static Map<Path, Boolean> batch(List<Path> files) throws Exception {
        int half = files.size() / 2;
        List<List<Path>> parts = List.of(files.subList(0, half), files.subList(half, files.size()));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Map<Path, Boolean>>> futures = new ArrayList<>();
            for (List<Path> part : parts) {
                futures.add(pool.submit(() -> PrepareSchemaCheck.xmllintBatch(part)));
            }
            Map<Path, Boolean> all = new HashMap<>();
            for (Future<Map<Path, Boolean>> f : futures) {
                all.putAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
