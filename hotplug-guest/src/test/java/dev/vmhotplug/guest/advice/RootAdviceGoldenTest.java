package dev.vmhotplug.guest.advice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.GuestRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files per distribution row, read from a guest root: the release files and the published
 * rules files of each row (the fixtures under udev/) in a directory, and the full advice text
 * ({@link Advice#report()}: verdict per device kind with the {@code file:line} evidence, notes,
 * kernel alternative, files to install), byte for byte. The temporary root's path is shown as
 * {@code <root>}.
 *
 * <p>To regenerate after a deliberate change: run with {@code -Dvmhotplug.updateGolden=true} and
 * review the diff.
 */
class RootAdviceGoldenTest {

  @TempDir Path root;

  /** name, release files (guest path, content, …), rules fixtures (dir:fixture, …). */
  record Case(String name, List<String> release, List<String> rules) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    String el7 = "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n";
    return Stream.of(
        new Case("centos-6.5-stock", List.of("/etc/centos-release", "CentOS release 6.5 (Final)\n"), List.of()),
        new Case("centos-7.2", List.of("/etc/os-release", el7, "/etc/centos-release", "CentOS Linux release 7.2.1511 (Core) \n"),
            List.of("/usr/lib/udev/rules.d:rhel7.2/40-redhat.rules")),
        new Case("centos-7.4", List.of("/etc/os-release", el7, "/etc/centos-release", "CentOS Linux release 7.4.1708 (Core) \n"),
            List.of("/usr/lib/udev/rules.d:rhel7.4/40-redhat.rules", "/usr/lib/udev/rules.d:rhel7.4/40-redhat-cpu-hotplug.rules",
                "/usr/lib/udev/rules.d:kexec/98-kexec.rules")),
        new Case("centos-7.6", List.of("/etc/os-release", el7, "/etc/centos-release", "CentOS Linux release 7.6.1810 (Core) \n"),
            List.of("/usr/lib/udev/rules.d:rhel7.6/40-redhat.rules", "/usr/lib/udev/rules.d:rhel7.4/40-redhat-cpu-hotplug.rules")),
        new Case("centos-7.9", List.of("/etc/os-release", el7, "/etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n"),
            List.of("/usr/lib/udev/rules.d:rhel7.7/40-redhat.rules", "/usr/lib/udev/rules.d:rhel7.7/40-redhat-cpu-hotplug.rules")),
        new Case("rocky-8.10", List.of("/etc/os-release", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"8.10\"\n"),
            List.of("/usr/lib/udev/rules.d:rhel8/40-redhat.rules")),
        new Case("almalinux-9.4", List.of("/etc/os-release", "ID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n"),
            List.of("/usr/lib/udev/rules.d:rhel9/40-redhat.rules")),
        new Case("rhel-10.0", List.of("/etc/os-release", "ID=\"rhel\"\nID_LIKE=\"centos fedora\"\nVERSION_ID=\"10.0\"\n"),
            List.of("/usr/lib/udev/rules.d:rhel10/40-redhat-hotplug.rules")),
        new Case("ubuntu-12.04-stock", List.of("/etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\nDISTRIB_CODENAME=precise\n"),
            List.of()),
        new Case("ubuntu-22.04", List.of("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n"),
            List.of("/lib/udev/rules.d:ubuntu/40-vm-hotadd.rules")),
        new Case("debian-12-stock", List.of("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n", "/etc/debian_version", "12.8\n"),
            List.of()),
        new Case("sles-15.5", List.of("/etc/os-release", "ID=\"sles\"\nID_LIKE=\"suse\"\nVERSION_ID=\"15.5\"\n"),
            List.of("/usr/lib/udev/rules.d:suse/80-hotplug-cpu-mem.rules")),
        new Case("debian-12-with-generated-rules", List.of("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            List.of("/etc/udev/rules.d:guide/80-cpu-hotplug.rules", "/etc/udev/rules.d:guide/81-mem-hotplug.rules")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rootAdviceReport_matchesItsGoldenFileByteForByte(Case c) throws IOException {
    for (int i = 0; i < c.release().size(); i += 2) {
      GuestRoots.write(root, c.release().get(i), c.release().get(i + 1));
    }
    for (String r : c.rules()) {
      GuestRoots.fixture(root, r.substring(0, r.indexOf(':')), r.substring(r.indexOf(':') + 1));
    }
    GuestRoot guest = GuestRoot.open(root);
    String actual = ("=== hotplug udev-rules --root <root>   (" + c.name() + ")\n"
        + Advice.forRoot(guest, AdviceOptions.defaults()).report()
        + "=== with --movable\n"
        + Advice.forRoot(guest, AdviceOptions.defaults().withMovableMemory(true)).report())
        .replace(guest.root().toString(), "<root>");
    String name = c.name() + ".txt";
    if (Boolean.getBoolean("vmhotplug.updateGolden")) {
      Path dir = Path.of(System.getProperty("vmhotplug.projectRoot"),
          "hotplug-guest/src/test/resources/dev/vmhotplug/guest/advice/golden-root");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), actual, StandardCharsets.UTF_8);
      return;
    }
    String golden;
    try (InputStream in = RootAdviceGoldenTest.class.getResourceAsStream("golden-root/" + name)) {
      assertThat(in).as("golden file advice/golden-root/%s (run with -Dvmhotplug.updateGolden=true)", name).isNotNull();
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(actual.getBytes(StandardCharsets.UTF_8)).as("bytes of %s; got:%n%s", name, actual)
        .isEqualTo(golden.getBytes(StandardCharsets.UTF_8));
  }
}
