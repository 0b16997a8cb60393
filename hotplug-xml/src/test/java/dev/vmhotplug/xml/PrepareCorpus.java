package dev.vmhotplug.xml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds libvirt's test corpus for the preparation tests and picks generous limits per domain.
 *
 * <p>Root: system property {@code vmhotplug.corpus}, else environment variable
 * {@code VMHOTPLUG_CORPUS}, else {@code ${vmhotplug.projectRoot}/../shared/corpus/libvirt-9.0.0/qemuxml2argvdata}.
 */
final class PrepareCorpus {

    static final Path RELATIVE = Path.of("..", "shared", "corpus", "libvirt-9.0.0", "qemuxml2argvdata");

    private PrepareCorpus() {
    }

    /** The corpus directory, or a reason why there is none. */
    static Path dirOrNull(StringBuilder whyNot) {
        String prop = System.getProperty("vmhotplug.corpus");
        String env = System.getenv("VMHOTPLUG_CORPUS");
        Path dir;
        if (prop != null && !prop.isBlank()) {
            dir = Path.of(prop);
        } else if (env != null && !env.isBlank()) {
            dir = Path.of(env);
        } else {
            String root = System.getProperty("vmhotplug.projectRoot", System.getProperty("user.dir"));
            dir = Path.of(root).resolve(RELATIVE).normalize();
        }
        if (!Files.isDirectory(dir)) {
            whyNot.append("libvirt corpus not found at ").append(dir)
                    .append(" (set -Dvmhotplug.corpus=DIR or VMHOTPLUG_CORPUS=DIR; it is libvirt 9.0.0's"
                            + " tests/qemuxml2argvdata from Debian's libvirt source package)");
            return null;
        }
        return dir;
    }

    /** Every {@code *.xml} in the directory, sorted by name. */
    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
    }

    /** True when libvirt itself rejects the file (a {@code NAME.err} lies beside {@code NAME.xml}). */
    static boolean libvirtRejects(Path xml) {
        String name = xml.getFileName().toString();
        return Files.exists(xml.resolveSibling(name.substring(0, name.length() - 4) + ".err"));
    }

    /**
     * Generous limits for one domain: at least 64 vCPUs (or its current maximum if larger; with a
     * {@code <cpu><topology>} the preparation raises the sockets, or refuses when no socket count
     * fits), 2 × max(memory, cells + devices, 16 GiB) of memory, 16 slots (or the device count if
     * larger).
     */
    static HotplugLimits generousLimits(DomainXml d) {
        int currentMax = d.vcpu().map(Vcpu::maximum).orElse(1);
        int maxVcpus = Math.max(currentMax, 64);
        MemorySize memory = d.memory().map(MemoryAmount::size).orElse(MemorySize.ZERO);
        MemorySize cells = MemorySize.ZERO;
        for (NumaCell c : d.numaCells()) {
            cells = cells.plus(c.memory());
        }
        for (MemoryDevice m : d.memoryDevices()) {
            cells = cells.plus(m.targetSize().orElse(MemorySize.ZERO));
        }
        memory = memory.compareTo(cells) > 0 ? memory : cells;
        MemorySize base = memory.compareTo(MemorySize.ofGiB(16)) > 0 ? memory : MemorySize.ofGiB(16);
        MemorySize whole = MemorySize.ofKiB(base.toKiB());
        MemorySize max = whole.bytes() > Long.MAX_VALUE / 4 ? whole : whole.times(2);
        int slots = Math.min(HotplugLimits.MAX_SLOTS, Math.max(16, d.memoryDevices().size()));
        return HotplugLimits.builder().maxVcpus(Math.max(1, maxVcpus)).maxMemory(max).slots(slots).build();
    }
}
