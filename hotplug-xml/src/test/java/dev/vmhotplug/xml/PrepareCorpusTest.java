package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Prepares every domain of libvirt 9.0.0's qemuxml2argvdata with generous limits: each is either
 * prepared with changes only inside the allow-listed elements, or refused for a documented reason.
 */
class PrepareCorpusTest {

    /** Where preparation may change things (the allow-list). */
    static final Set<String> ALLOWED = Set.of("/domain/vcpu", "/domain/maxMemory", "/domain/memory",
            "/domain/currentMemory", "/domain/cpu");

    /**
     * Stricter: inside {@code <cpu>} only {@code <numa>} and {@code <topology>} may change (and the
     * topology only in its socket count, checked separately).
     */
    static final Set<String> ALLOWED_STRICT = Set.of("/domain/vcpu", "/domain/maxMemory", "/domain/memory",
            "/domain/currentMemory", "/domain/cpu/numa", "/domain/cpu/topology");

    @Test
    void everyCorpusDomain_preparedWithinTheAllowList_orRefusedForADocumentedReason() throws Exception {
        StringBuilder why = new StringBuilder();
        Path dir = PrepareCorpus.dirOrNull(why);
        if (dir == null) {
            System.out.println("PrepareCorpusTest skipped: " + why);
            Assumptions.abort(why.toString());
        }
        List<Path> files = PrepareCorpus.files(dir);
        int ok = 0;
        int unchanged = 0;
        List<String> notParsed = new ArrayList<>();
        Map<Refusal, List<String>> refused = new EnumMap<>(Refusal.class);
        Map<String, String> failed = new TreeMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            String in = Files.readString(f, StandardCharsets.UTF_8);
            DomainXml d;
            HotplugLimits limits;
            try {
                d = DomainXml.parse(in);
                limits = PrepareCorpus.generousLimits(d);
            } catch (DomainXmlException e) {
                // not our subject: parsing and part reading are tested by the document tests
                notParsed.add(name + ": " + e.getMessage());
                continue;
            }
            String before = d.toXml();
            try {
                PreparedDomain p = HotplugPreparer.prepare(d, limits);
                List<String> diff = PrepareXmlDiff.diffPaths(in, p.xml(), ALLOWED);
                Set<String> strict = PrepareXmlDiff.hasChild(in, "cpu") ? ALLOWED_STRICT : ALLOWED;
                List<String> strictDiff = PrepareXmlDiff.diffPaths(in, p.xml(), strict);
                PreparedDomain again = HotplugPreparer.prepare(DomainXml.parse(p.xml()), limits);
                java.util.Optional<CpuTopology> topoBefore = d.topology();
                java.util.Optional<CpuTopology> topoAfter = p.domain().topology();
                boolean onlySockets = topoBefore.isEmpty() ? topoAfter.isEmpty()
                        : topoBefore.get().toBuilder().sockets(topoAfter.get().sockets()).build().equals(topoAfter.get());
                if (!diff.isEmpty() || !strictDiff.isEmpty()) {
                    failed.put(name, "changed outside the allow-list: " + diff + " " + strictDiff);
                } else if (!onlySockets) {
                    failed.put(name, "topology changed beyond its sockets: " + topoBefore + " → " + topoAfter);
                } else if (!again.xml().equals(p.xml()) || again.changed()) {
                    failed.put(name, "not idempotent: " + again.changes());
                } else if (!d.toXml().equals(before)) {
                    failed.put(name, "input document changed");
                } else {
                    ok++;
                    if (!p.changed()) {
                        unchanged++;
                    }
                }
            } catch (PreparationRefusedException e) {
                if (!d.toXml().equals(before)) {
                    failed.put(name, "refused but the input document changed");
                } else if (e.getMessage() == null || e.getMessage().isBlank()) {
                    failed.put(name, "refused without a message");
                } else {
                    refused.computeIfAbsent(e.refusal(), k -> new ArrayList<>()).add(name + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                failed.put(name, e.toString());
            }
        }
        int refusedCount = refused.values().stream().mapToInt(List::size).sum();
        System.out.printf("PrepareCorpusTest: %d files: %d ok (%d already prepared), %d refused, %d failed,"
                + " %d not read as a domain%n", files.size(), ok, unchanged, refusedCount, failed.size(),
                notParsed.size());
        notParsed.forEach(x -> System.out.println("  not read: " + x));
        refused.forEach((r, l) -> {
            System.out.printf("  refused %s: %d%n", r, l.size());
            l.stream().limit(3).forEach(x -> System.out.println("    e.g. " + x));
        });
        failed.forEach((n, m) -> System.out.println("  FAILED " + n + ": " + m));
        assertThat(failed).as("failed files").isEmpty();
        assertThat(ok).as("prepared files").isGreaterThan(files.size() / 2);
    }
}
