package dev.vmhotplug.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab guest: a Debian kernel and an initramfs with busybox, Debian's systemd-udevd, the virtio
 * modules of that kernel (with {@code virtio_mem}), optionally qemu-guest-agent, the lab's
 * {@code /init} and a choice of udev rules.
 *
 * <p>Everything comes from Debian packages (the host's busybox-static and shared libraries, the
 * downloaded kernel, udev and qemu-guest-agent packages) and is cached under the cache directory by
 * a content hash of its inputs (package names and versions, the init script, the builder version).
 * The initramfs is built as a base archive plus small appended archives (the agent, the rules): Linux
 * unpacks concatenated compressed cpio archives in order. Thread-safe; builds are serialized with a
 * file lock so that two processes sharing the cache do not race.
 */
public final class GuestImage {
  private static final Logger LOG = LoggerFactory.getLogger(GuestImage.class);
  /** Bump when the layout of the built archives changes. */
  static final String BUILDER_VERSION = "lab-image-4";
  static final String INIT_RESOURCE = "guest-init.sh";
  /**
   * The kernel modules in the base archive (name to directory under {@code kernel/}), in the order
   * {@code insmod} needs them (there is no modules.dep): the virtio stack, the agent's console, the
   * virtio-mem driver, and evdev + the ACPI button driver for busybox acpid (so that an ACPI power
   * button press, {@code virsh shutdown}, powers the guest off).
   */
  static final Map<String, String> MODULES = modules("virtio_ring", "drivers/virtio", "virtio", "drivers/virtio",
      "virtio_pci_modern_dev", "drivers/virtio", "virtio_pci_legacy_dev", "drivers/virtio", "virtio_pci",
      "drivers/virtio", "virtio_console", "drivers/char", "virtio_mem", "drivers/virtio", "evdev", "drivers/input",
      "button", "drivers/acpi");
  static final String POWEROFF_RESOURCE = "guest-poweroff.sh";

  private final Path dir;
  private final String kernelPackage;
  private final String kernelVersion;
  private final String key;

  private GuestImage(Path dir, String kernelPackage, String kernelVersion, String key) {
    this.dir = dir;
    this.kernelPackage = kernelPackage;
    this.kernelVersion = kernelVersion;
    this.key = key;
  }

  /**
   * Returns the guest image for this machine, downloading and building it into the cache if needed.
   *
   * @param cacheDir the lab cache ({@link LabPaths#cacheDir()})
   * @throws LabUnavailableException when packages cannot be obtained
   * @throws LabException when the build fails
   */
  public static GuestImage prepare(Path cacheDir) {
    try {
      Files.createDirectories(cacheDir);
      String kpkg = LabPackages.kernelPackage();
      String kver = LabPackages.candidateVersion(kpkg);
      String udevVer = LabPackages.candidateVersion("udev");
      String gaVer = LabPackages.candidateVersion("qemu-guest-agent");
      Path busybox = Path.of("/bin/busybox");
      if (!Files.isRegularFile(busybox)) {
        throw new LabUnavailableException("/bin/busybox is missing: install busybox-static");
      }
      String key = sha256(String.join("\n", BUILDER_VERSION, kpkg, kver, "udev=" + udevVer,
          "qemu-guest-agent=" + gaVer, "busybox=" + sha256(Files.readAllBytes(busybox)),
          "init=" + initScript(), "poweroff=" + resource(POWEROFF_RESOURCE))).substring(0, 16);
      Path dir = cacheDir.resolve("guest-" + key);
      GuestImage image = new GuestImage(dir, kpkg, kver, key);
      try (FileChannel ch = FileChannel.open(cacheDir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
        if (!image.complete()) {
          long t0 = System.nanoTime();
          image.build(cacheDir.resolve("debs"), udevVer, gaVer);
          LOG.info("built guest image {} ({} {}) in {} ms", dir, kpkg, kver, (System.nanoTime() - t0) / 1_000_000);
        }
      }
      return image;
    } catch (IOException e) {
      throw new LabException("cannot build the lab guest image in " + cacheDir + ": " + e.getMessage(), e);
    }
  }

  /** @return the guest kernel (bzImage) */
  public Path kernel() {
    return dir.resolve("vmlinuz");
  }

  /** @return the Debian kernel package the kernel comes from, e.g. linux-image-6.1.0-56-amd64 */
  public String kernelPackage() {
    return kernelPackage;
  }

  /** @return the kernel package's Debian version */
  public String kernelVersion() {
    return kernelVersion;
  }

  /** @return the content hash that names this image's cache directory */
  public String key() {
    return key;
  }

  /**
   * Returns an initramfs with the given rules, and with qemu-guest-agent when {@code agent} is true
   * (the agent starts only with kernel parameter {@code hp.ga=1}). Every initramfs carries the virtio
   * modules; {@code /init} loads them for the agent and, with {@code hp.vmem=1}, the virtio-mem driver.
   */
  public synchronized Path initrd(GuestRules rules, boolean agent) {
    List<dev.vmhotplug.guest.rules.RuleFile> files = GuestRuleFiles.forRules(rules);
    StringBuilder id = new StringBuilder(key).append(agent ? "+agent" : "");
    for (dev.vmhotplug.guest.rules.RuleFile f : files) {
      id.append('\n').append(f.fileName()).append('\n').append(f.content());
    }
    Path target = dir.resolve("initrd-" + sha256(id.toString()).substring(0, 16) + ".gz");
    if (Files.isRegularFile(target)) {
      return target;
    }
    try {
      Path tmp = Files.createTempFile(dir, "initrd-", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        Files.copy(dir.resolve("base.cpio.gz"), out);
        if (agent) {
          Files.copy(dir.resolve("agent.cpio.gz"), out);
        }
      }
      if (!files.isEmpty()) {
        Path rulesArchive = Files.createTempFile(dir, "rules-", ".tmp");
        try (CpioWriter w = new CpioWriter(rulesArchive)) {
          for (dev.vmhotplug.guest.rules.RuleFile f : files) {
            w.file("etc/udev/rules.d/" + f.fileName(), 0644, f.content().getBytes(StandardCharsets.UTF_8));
          }
        }
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.APPEND)) {
          Files.copy(rulesArchive, out);
        }
        Files.delete(rulesArchive);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new LabException("cannot write the initramfs " + target + ": " + e.getMessage(), e);
    }
  }

  private boolean complete() {
    return Files.isRegularFile(dir.resolve("vmlinuz")) && Files.isRegularFile(dir.resolve("base.cpio.gz"))
        && Files.isRegularFile(dir.resolve("agent.cpio.gz"));
  }

  private void build(Path debs, String udevVer, String gaVer) throws IOException {
    Path kdeb = LabPackages.download(kernelPackage, kernelVersion, debs);
    Path udeb = LabPackages.download("udev", udevVer, debs);
    Path gdeb = LabPackages.download("qemu-guest-agent", gaVer, debs);
    Path work = Files.createTempDirectory(dir.getParent(), "build-");
    try {
      Path kroot = work.resolve("kernel");
      Files.createDirectories(kroot);
      // only vmlinuz and the virtio modules (agent console, virtio-mem), not the whole 400 MB module tree
      List<String> extract = new ArrayList<>(List.of("sh", "-c",
          "d=$1; k=$2; shift 2; dpkg-deb --fsys-tarfile \"$d\" | tar -x -C \"$k\" --wildcards './boot/vmlinuz-*' \"$@\"",
          "extract", kdeb.toString(), kroot.toString()));
      MODULES.forEach((m, sub) -> extract.add("./lib/modules/*/kernel/" + sub + "/" + m + ".ko"));
      Exec.run(Duration.ofMinutes(5), null, Map.of(), extract).check();
      Path vmlinuz = single(kroot.resolve("boot"), "vmlinuz-");
      Path uroot = work.resolve("udev");
      Path groot = work.resolve("agent");
      Exec.run(Duration.ofMinutes(2), "dpkg", "-x", udeb.toString(), uroot.toString()).check();
      Exec.run(Duration.ofMinutes(2), "dpkg", "-x", gdeb.toString(), groot.toString()).check();

      Path out = Files.createDirectories(work.resolve("out"));
      Set<String> baseFiles = new LinkedHashSet<>();
      try (CpioWriter w = new CpioWriter(out.resolve("base.cpio.gz"))) {
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp", "root",
            "etc/udev/rules.d", "lib/systemd", "lib/modules", "lib64", "lib/x86_64-linux-gnu")) {
          w.dir(d);
        }
        w.charDevice("dev/console", 0600, 5, 1);
        w.charDevice("dev/null", 0666, 1, 3);
        w.file("init", 0755, initScript().getBytes(StandardCharsets.UTF_8));
        w.file("bin/busybox", 0755, Path.of("/bin/busybox"));
        String applets = Exec.run(Duration.ofSeconds(30), "/bin/busybox", "--list").check().stdout();
        for (String a : applets.split("\n")) {
          String name = a.trim();
          if (!name.isEmpty() && !name.equals("busybox") && !name.contains("/")) {
            w.symlink("bin/" + name, "busybox");
          }
        }
        Path udevadm = uroot.resolve("bin/udevadm");
        w.file("bin/udevadm", 0755, udevadm);
        w.symlink("lib/systemd/systemd-udevd", "/bin/udevadm");
        Path udevConf = uroot.resolve("etc/udev/udev.conf");
        if (Files.isRegularFile(udevConf)) {
          w.file("etc/udev/udev.conf", 0644, udevConf);
        }
        for (String lib : hostLibraries(udevadm, "udev")) {
          w.file(lib, 0755, Path.of(lib));
          baseFiles.add(lib);
        }
        for (Map.Entry<String, String> m : MODULES.entrySet()) {
          Path ko = find(kroot.resolve("lib/modules"), "kernel/" + m.getValue() + "/" + m.getKey() + ".ko");
          w.file("lib/modules/" + m.getKey() + ".ko", 0644, ko);
        }
        // one power-off script for the ACPI power button (busybox acpid runs /etc/acpi/PWRF/00000080)
        // and for qemu-guest-agent's guest-shutdown (it runs /sbin/shutdown)
        byte[] poweroff = resource(POWEROFF_RESOURCE).getBytes(StandardCharsets.UTF_8);
        w.dir("etc/acpi/PWRF");
        w.file("etc/acpi/PWRF/00000080", 0755, poweroff);
        w.file("sbin/shutdown", 0755, poweroff);
      }
      try (CpioWriter w = new CpioWriter(out.resolve("agent.cpio.gz"))) {
        Path ga = groot.resolve("usr/sbin/qemu-ga");
        w.file("usr/sbin/qemu-ga", 0755, ga);
        for (String lib : hostLibraries(ga, "qemu-guest-agent")) {
          if (!baseFiles.contains(lib)) {
            w.file(lib, 0755, Path.of(lib));
          }
        }
      }
      Files.createDirectories(dir);
      Files.copy(vmlinuz, out.resolve("vmlinuz"));
      for (String f : List.of("vmlinuz", "agent.cpio.gz", "base.cpio.gz")) {
        Files.move(out.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      deleteTree(work);
    }
  }

  /**
   * The host's shared libraries a binary needs (ldd), as absolute paths. Installs the package's
   * library dependencies when some are missing on the host.
   */
  private static List<String> hostLibraries(Path binary, String pkg) {
    Exec.Result r = Exec.run(Duration.ofSeconds(30), "ldd", binary.toString());
    if (r.stdout().contains("not found")) {
      List<String> libs = LabPackages.libraryDependencies(pkg);
      List<String> missing = LabPackages.missing(libs);
      if (!missing.isEmpty()) {
        LabPackages.install(missing, "the libraries of the guest's " + pkg);
      }
      r = Exec.run(Duration.ofSeconds(30), "ldd", binary.toString());
    }
    r.check();
    List<String> libs = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      String t = line.trim();
      if (t.contains("not found")) {
        throw new LabUnavailableException("the guest's " + binary.getFileName() + " needs a library the host "
            + "does not have: " + t + " (install the package that provides it)");
      }
      String path = null;
      int arrow = t.indexOf("=> ");
      if (arrow >= 0) {
        String rest = t.substring(arrow + 3).trim();
        int sp = rest.indexOf(' ');
        path = sp < 0 ? rest : rest.substring(0, sp);
      } else if (t.startsWith("/")) {
        int sp = t.indexOf(' ');
        path = sp < 0 ? t : t.substring(0, sp);
      }
      if (path != null && path.startsWith("/")) {
        libs.add(path);
      }
    }
    return libs;
  }

  static String initScript() {
    return resource(INIT_RESOURCE);
  }

  private static Map<String, String> modules(String... nameAndDir) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameAndDir.length; i += 2) {
      m.put(nameAndDir[i], nameAndDir[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  static String resource(String name) {
    try (InputStream in = GuestImage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new LabException("resource " + name + " is missing from the hotplug-lab jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path single(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
          .orElseThrow(() -> new LabException("no " + prefix + "* in " + dir + " after extracting the kernel package"));
    }
  }

  private static Path find(Path root, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith("/" + suffix)).findFirst()
          .orElseThrow(() -> new LabException("kernel module " + suffix + " not found under " + root));
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
