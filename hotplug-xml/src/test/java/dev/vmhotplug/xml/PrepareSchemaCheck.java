package dev.vmhotplug.xml;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs libvirt's own schema check on files: {@code virt-xml-validate FILE domain} for single files,
 * and, for many files at once, the command virt-xml-validate itself runs
 * ({@code xmllint --noout --relaxng /usr/share/libvirt/schemas/domain.rng FILE...}) in one process.
 */
final class PrepareSchemaCheck {

    static final Path DOMAIN_RNG = Path.of("/usr/share/libvirt/schemas/domain.rng");
    private static final long TIMEOUT_SECONDS = 120;

    private PrepareSchemaCheck() {
    }

    /** Finds an executable on PATH. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What is missing to run the checks, or empty when everything is there. */
    static Optional<String> missingTools() {
        List<String> missing = new ArrayList<>();
        if (onPath("virt-xml-validate").isEmpty()) {
            missing.add("virt-xml-validate (Debian package libvirt-clients)");
        }
        if (onPath("xmllint").isEmpty()) {
            missing.add("xmllint (Debian package libxml2-utils)");
        }
        if (!Files.isRegularFile(DOMAIN_RNG)) {
            missing.add(DOMAIN_RNG + " (Debian package libvirt-clients)");
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("missing " + String.join(", ", missing)
                        + "; install with: apt-get install -y libvirt-clients libxml2-utils");
    }

    /** Outcome of one check: the exit status and everything the tool printed. */
    record Outcome(int exitCode, String output) {
        boolean valid() {
            return exitCode == 0;
        }
    }

    /** Runs {@code virt-xml-validate FILE domain}. */
    static Outcome virtXmlValidate(Path file) throws IOException, InterruptedException {
        return run(List.of("virt-xml-validate", file.toString(), "domain"));
    }

    /**
     * Defines the file in libvirt's in-process test driver ({@code virsh -c test:///default define FILE}):
     * libvirt's own domain parser and post-parse checks (not the QEMU driver's start-time checks).
     */
    static Outcome virshTestDefine(Path file) throws IOException, InterruptedException {
        return run(List.of("virsh", "-q", "-c", "test:///default", "define", file.toString()));
    }

    /**
     * Defines the file with libvirt's own QEMU driver run inside virsh
     * ({@code virsh -c qemu:///embed?root=ROOT define FILE}): the QEMU driver's define-time checks
     * (memory hotplug, virtio-mem, NUMA) with the capabilities of the installed QEMU, no daemon. The
     * driver probes the QEMU binary once per root (a short-lived process) and keeps nothing running.
     */
    static Outcome virshEmbedDefine(Path file, Path root) throws IOException, InterruptedException {
        return run(List.of("virsh", "-q", "-c", "qemu:///embed?root=" + root, "define", file.toString()));
    }

    /** Runs {@code virsh -q -c qemu:///embed?root=ROOT ARGS...}. */
    static Outcome virshEmbed(Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", "qemu:///embed?root=" + root));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Why the embedded QEMU driver cannot run here, or empty when it can. */
    static Optional<String> missingQemu() {
        if (onPath("virsh").isEmpty()) {
            return Optional.of("virsh missing (Debian package libvirt-clients)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            return Optional.of("/usr/bin/qemu-system-x86_64 missing (Debian package qemu-system-x86)");
        }
        if (!Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"))
                && !Files.exists(Path.of("/usr/lib64/libvirt/connection-driver/libvirt_driver_qemu.so"))) {
            return Optional.of("libvirt's QEMU driver missing (Debian package libvirt-daemon-driver-qemu)");
        }
        return Optional.empty();
    }

    /**
     * Validates many files against domain.rng in one xmllint process and returns, per file, whether
     * it validates (xmllint prints "FILE validates" or "FILE fails to validate" for each).
     */
    static Map<Path, Boolean> xmllintBatch(List<Path> files) throws IOException, InterruptedException {
        Map<Path, Boolean> result = new HashMap<>();
        if (files.isEmpty()) {
            return result;
        }
        List<String> cmd = new ArrayList<>(List.of("xmllint", "--noout", "--relaxng", DOMAIN_RNG.toString()));
        files.forEach(f -> cmd.add(f.toString()));
        Outcome o = run(cmd);
        Map<String, Path> byName = new HashMap<>();
        files.forEach(f -> byName.put(f.toString(), f));
        for (String line : o.output().split("\n")) {
            if (line.endsWith(" fails to validate")) {
                Path f = byName.get(line.substring(0, line.length() - " fails to validate".length()));
                if (f != null) {
                    result.put(f, false);
                }
            } else if (line.endsWith(" validates")) {
                Path f = byName.get(line.substring(0, line.length() - " validates".length()));
                if (f != null) {
                    result.put(f, true);
                }
            }
        }
        if (result.size() != files.size()) {
            throw new IllegalStateException("xmllint reported on " + result.size() + " of " + files.size()
                    + " files (exit " + o.exitCode() + "): " + tail(o.output()));
        }
        return result;
    }

    private static Outcome run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("prepare-schema-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static String tail(String s) {
        return s.length() <= 2000 ? s : "…" + s.substring(s.length() - 2000);
    }
}
