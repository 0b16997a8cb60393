package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The measurement: {@code hotplug prepare --max-vcpus 64} (a maximum of 64, or the domain's
 * own maximum when larger) over every corpus domain that has a {@code <cpu><topology>}. Each is either
 * prepared, with the topology's socket count raised and nothing else in it changed, or refused; a
 * TOPOLOGY_MISMATCH refusal only where no socket count fits, naming the valid maxima around 64.
 */
class PrepareTopologyCorpusTest {

    @Test
    void maxVcpus64_overTheCorpusDomainsWithATopology() throws Exception {
        StringBuilder why = new StringBuilder();
        Path dir = PrepareCorpus.dirOrNull(why);
        if (dir == null) {
            System.out.println("PrepareTopologyCorpusTest skipped: " + why);
            Assumptions.abort(why.toString());
        }
        int withTopology = 0;
        int prepared = 0;
        Map<Refusal, List<String>> refused = new EnumMap<>(Refusal.class);
        List<String> failed = new ArrayList<>();
        for (Path f : PrepareCorpus.files(dir)) {
            DomainXml d;
            CpuTopology before;
            try {
                d = DomainXml.parse(Files.readString(f));
                if (d.topology().isEmpty()) {
                    continue;
                }
                before = d.topology().get();
            } catch (DomainXmlException e) {
                continue;
            }
            withTopology++;
            int max = Math.max(64, d.vcpu().map(Vcpu::maximum).orElse(1));
            HotplugLimits limits = HotplugLimits.builder().maxVcpus(max).maxMemory(MemorySize.ofGiB(64)).slots(16).build();
            try {
                PreparedDomain p = HotplugPreparer.prepare(d, limits);
                CpuTopology after = p.domain().topology().orElseThrow();
                if (after.total() != max || after.cores() != before.cores() || after.threads() != before.threads()
                        || after.dies() != before.dies() || after.clusters() != before.clusters()) {
                    failed.add(f.getFileName() + ": topology " + before + " became " + after);
                } else {
                    prepared++;
                }
            } catch (PreparationRefusedException e) {
                refused.computeIfAbsent(e.refusal(), k -> new ArrayList<>()).add(f.getFileName() + ": " + e.getMessage());
                if (e.refusal() == Refusal.TOPOLOGY_MISMATCH && max % before.perSocket() == 0) {
                    failed.add(f.getFileName() + ": refused although " + max / before.perSocket() + " sockets fit");
                }
            }
        }
        int mismatch = refused.getOrDefault(Refusal.TOPOLOGY_MISMATCH, List.of()).size();
        System.out.printf("PrepareTopologyCorpusTest: %d domains with a topology, --max-vcpus 64: %d prepared, %d refused"
                + " with TOPOLOGY_MISMATCH, %d refused otherwise%n", withTopology, prepared, mismatch,
                refused.values().stream().mapToInt(List::size).sum() - mismatch);
        refused.forEach((r, l) -> {
            System.out.printf("  refused %s: %d%n", r, l.size());
            l.forEach(x -> System.out.println("    " + x));
        });
        failed.forEach(x -> System.out.println("  FAILED " + x));
        assertThat(failed).isEmpty();
        assertThat(withTopology).isPositive();
    }
}
