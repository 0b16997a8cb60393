package dev.vmhotplug.guest.advice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds small guest roots in temp directories from the rule fixtures. */
final class GuestRoots {
  private GuestRoots() {}

  static void write(Path root, String guestPath, String content) {
    try {
      Path p = root.resolve(guestPath.substring(1));
      Files.createDirectories(p.getParent());
      Files.writeString(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void fixture(Path root, String guestDir, String fixture) {
    try (InputStream in = GuestRoots.class.getResourceAsStream("/dev/vmhotplug/guest/udev/" + fixture)) {
      String name = fixture.substring(fixture.lastIndexOf('/') + 1);
      write(root, guestDir + "/" + name, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ubuntu 22.04 with merged /usr: /lib is an ABSOLUTE link to /usr/lib, os-release a link too. */
  static Path ubuntu2204(Path root) throws IOException {
    write(root, "/usr/lib/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n"
        + "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
    Files.createDirectories(root.resolve("etc"));
    Files.createSymbolicLink(root.resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
    fixture(root, "/usr/lib/udev/rules.d", "ubuntu/40-vm-hotadd.rules");
    write(root, "/var/lib/dpkg/status", "Package: systemd\nStatus: install ok installed\nVersion: 249.11-0ubuntu3.12\n\n"
        + "Package: udev\nStatus: install ok installed\nVersion: 249.11-0ubuntu3.12\n");
    Files.createDirectories(root.resolve("usr/lib/modules/5.15.0-105-generic"));
    return root;
  }

  static Path rhel9(Path root) {
    write(root, "/etc/os-release", "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n");
    write(root, "/etc/redhat-release", "Red Hat Enterprise Linux release 9.4 (Plow)\n");
    fixture(root, "/usr/lib/udev/rules.d", "rhel9/40-redhat.rules");
    return root;
  }

  static Path rhel8(Path root) {
    write(root, "/etc/os-release", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\n");
    fixture(root, "/usr/lib/udev/rules.d", "rhel8/40-redhat.rules");
    return root;
  }

  /** Every file's size and mtime, to prove nothing was written. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(root.relativize(p).toString(), Files.isSymbolicLink(p) ? "link" :
            Files.size(p) + "@" + Files.getLastModifiedTime(p));
      }
    }
    return out;
  }
}
