package dev.vmhotplug.lab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Debian packages the lab needs: installs the host's (when root and missing), and downloads
 * (never installs) the guest's kernel, udev and qemu-guest-agent packages into the cache.
 * Only Debian's own package mirrors are contacted, through apt.
 */
public final class LabPackages {
  /** Host packages: QEMU, the libvirt daemon with its QEMU driver, virsh, busybox for the guest, cpio. */
  public static final List<String> HOST_PACKAGES = List.of("qemu-system-x86", "libvirt-daemon",
      "libvirt-daemon-driver-qemu", "libvirt-clients", "busybox-static", "cpio");

  /**
   * Packages of the test-driver daemon harness ({@link TestDriverDaemon}) and of the lab's TLS:
   * libvirtd (whose built-in test driver needs no QEMU), GnuTLS's certtool for test certificates,
   * Cyrus SASL's saslpasswd2 and its SCRAM plugin.
   */
  public static final List<String> TEST_DAEMON_PACKAGES = List.of("libvirt-daemon", "libvirt-clients", "gnutls-bin",
      "sasl2-bin", "libsasl2-modules");

  private static final Logger LOG = LoggerFactory.getLogger(LabPackages.class);
  private static final Duration APT_TIMEOUT = Duration.ofMinutes(10);
  private static final Object LOCK = new Object();
  private static boolean aptUpdated;

  private LabPackages() {}

  /**
   * Makes sure the host packages are installed.
   *
   * @throws LabUnavailableException when some are missing and cannot be installed (not root, no
   *     apt-get, apt failed)
   */
  public static void ensureHostPackages() {
    List<String> missing = missing(HOST_PACKAGES);
    if (missing.isEmpty()) {
      return;
    }
    install(missing, "the VM lab");
  }

  /**
   * Makes sure the test-driver daemon's packages are installed (installs them when root).
   *
   * @throws LabUnavailableException when some are missing and cannot be installed
   */
  public static void ensureTestDaemonPackages() {
    List<String> missing = missing(TEST_DAEMON_PACKAGES);
    if (!missing.isEmpty()) {
      install(missing, "the test-driver daemon harness");
    }
  }

  /** @return the packages of the list that dpkg does not show as installed */
  static List<String> missing(List<String> packages) {
    List<String> missing = new ArrayList<>();
    for (String p : packages) {
      Exec.Result r = Exec.run(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=${Status}", p);
      if (!r.ok() || !r.stdout().contains("install ok installed")) {
        missing.add(p);
      }
    }
    return missing;
  }

  static void install(List<String> packages, String why) {
    if (!Exec.onPath("apt-get")) {
      throw new LabUnavailableException("missing Debian packages " + packages + " for " + why
          + " and there is no apt-get: install them by hand");
    }
    if (!Exec.isRoot()) {
      throw new LabUnavailableException("missing Debian packages " + packages + " for " + why
          + "; run as root or install them: sudo apt-get install --no-install-recommends "
          + String.join(" ", packages) + " (scripts/test.sh does this)");
    }
    synchronized (LOCK) {
      aptUpdate();
      List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
      cmd.addAll(packages);
      LOG.info("installing {} for {}", packages, why);
      Exec.Result r = Exec.run(APT_TIMEOUT, null, Map.of("DEBIAN_FRONTEND", "noninteractive"), cmd);
      if (!r.ok()) {
        throw new LabUnavailableException("apt-get install " + packages + " failed (exit " + r.exitCode()
            + "): " + Exec.tail(r.stderr()));
      }
    }
  }

  private static void aptUpdate() {
    synchronized (LOCK) {
      if (aptUpdated) {
        return;
      }
      LOG.info("apt-get update");
      Exec.Result r = Exec.run(APT_TIMEOUT, null, Map.of("DEBIAN_FRONTEND", "noninteractive"),
          List.of("apt-get", "update", "-q"));
      if (!r.ok()) {
        throw new LabUnavailableException("apt-get update failed (exit " + r.exitCode() + "): "
            + Exec.tail(r.stderr()));
      }
      aptUpdated = true;
    }
  }

  /**
   * The versioned kernel package that Debian's {@code linux-image-amd64} depends on, e.g.
   * {@code linux-image-6.1.0-56-amd64}; system property {@code vmhotplug.lab.kernelPackage} overrides.
   */
  public static String kernelPackage() {
    String forced = System.getProperty("vmhotplug.lab.kernelPackage");
    if (forced != null && !forced.isBlank()) {
      return forced;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      Exec.Result r = Exec.run(Duration.ofSeconds(60), "apt-cache", "depends", "linux-image-amd64");
      if (r.ok()) {
        for (String line : r.stdout().split("\n")) {
          String t = line.trim();
          if (t.startsWith("Depends: linux-image-") && Character.isDigit(t.charAt("Depends: linux-image-".length()))) {
            return t.substring("Depends: ".length()).trim();
          }
        }
      }
      if (attempt == 0 && Exec.isRoot()) {
        aptUpdate();
      }
    }
    throw new LabUnavailableException("cannot resolve the guest kernel package: `apt-cache depends "
        + "linux-image-amd64` names no linux-image-N-amd64 (run apt-get update; this is Debian/amd64 only)");
  }

  /** The candidate version apt would download for the package. */
  public static String candidateVersion(String pkg) {
    for (int attempt = 0; attempt < 2; attempt++) {
      Exec.Result r = Exec.run(Duration.ofSeconds(60), "apt-cache", "show", "--no-all-versions", pkg);
      if (r.ok()) {
        for (String line : r.stdout().split("\n")) {
          if (line.startsWith("Version: ")) {
            return line.substring("Version: ".length()).trim();
          }
        }
      }
      if (attempt == 0 && Exec.isRoot()) {
        aptUpdate();
      }
    }
    throw new LabUnavailableException("apt knows no candidate version of " + pkg + " (run apt-get update)");
  }

  /**
   * Downloads a package's .deb into {@code debDir} unless that version is there already.
   *
   * @return the .deb file
   */
  public static Path download(String pkg, String version, Path debDir) {
    try {
      Files.createDirectories(debDir);
      Path found = findDeb(pkg, version, debDir);
      if (found != null) {
        return found;
      }
      LOG.info("apt-get download {}={}", pkg, version);
      Exec.Result r = Exec.run(APT_TIMEOUT, debDir, Map.of(), List.of("apt-get", "download", "-q", pkg + "=" + version));
      if (!r.ok()) {
        throw new LabUnavailableException("apt-get download " + pkg + "=" + version + " failed (exit "
            + r.exitCode() + "): " + Exec.tail(r.stderr()));
      }
      found = findDeb(pkg, version, debDir);
      if (found == null) {
        throw new LabException("apt-get download " + pkg + " left no " + pkg + "_*.deb in " + debDir);
      }
      return found;
    } catch (IOException e) {
      throw new LabException("cannot use " + debDir + ": " + e.getMessage(), e);
    }
  }

  private static Path findDeb(String pkg, String version, Path debDir) throws IOException {
    String encoded = version.replace(":", "%3a");
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(debDir, pkg + "_*.deb")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.startsWith(pkg + "_" + encoded + "_") || n.startsWith(pkg + "_" + version + "_")) {
          return p;
        }
      }
    }
    return null;
  }

  /** The library packages a package depends on (its {@code lib*} Depends), to satisfy ldd on the host. */
  static List<String> libraryDependencies(String pkg) {
    Exec.Result r = Exec.run(Duration.ofSeconds(60), "apt-cache", "depends", "--no-recommends",
        "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", pkg);
    List<String> libs = new ArrayList<>();
    if (r.ok()) {
      for (String line : r.stdout().split("\n")) {
        String t = line.trim();
        if (t.startsWith("Depends: lib")) {
          String name = t.substring("Depends: ".length()).trim();
          if (!name.startsWith("<") && !libs.contains(name)) {
            libs.add(name);
          }
        }
      }
    }
    return libs;
  }
}
