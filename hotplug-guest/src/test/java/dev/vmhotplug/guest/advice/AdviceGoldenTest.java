package dev.vmhotplug.guest.advice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.Distro;
import dev.vmhotplug.guest.DistroKnowledge;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files per row of the knowledge table: the full advice text ({@link Advice#report()}) for a
 * representative release of every row, with the default options and with movable memory. The
 * files are compared byte for byte; a new row without a golden file fails
 * {@link #everyKnowledgeRow_hasAGoldenCase()}.
 *
 * <p>To regenerate after a deliberate change: run with {@code -Dvmhotplug.updateGolden=true}
 * (writes into src/test/resources under {@code vmhotplug.projectRoot}) and review the diff.
 */
class AdviceGoldenTest {

  /** One case per row (release name → distro id, version, systemd version or ""), plus extras. */
  private static final Map<String, List<String[]>> CASES = new LinkedHashMap<>();

  static {
    CASES.put("CentOS 6.x", List.<String[]>of(new String[] {"centos", "6.5", ""}));
    CASES.put("CentOS/RHEL 7.0", List.<String[]>of(new String[] {"centos", "7.0", ""},
        new String[] {"centos", "7.0", "systemd-219-19.el7_2.9.x86_64"}));
    CASES.put("CentOS/RHEL 7.1", List.<String[]>of(new String[] {"rhel", "7.1", ""}));
    CASES.put("CentOS/RHEL 7.2-7.3", List.<String[]>of(new String[] {"centos", "7.2.1511", ""}));
    CASES.put("CentOS/RHEL 7.4-7.5", List.<String[]>of(new String[] {"centos", "7.4.1708", ""}));
    CASES.put("CentOS/RHEL 7.6-7.9", List.<String[]>of(new String[] {"centos", "7.9.2009", ""}));
    CASES.put("RHEL/CentOS/Rocky/Alma 8", List.<String[]>of(new String[] {"rocky", "8.10", ""}));
    CASES.put("RHEL/CentOS Stream/Rocky/Alma 9", List.<String[]>of(new String[] {"almalinux", "9.4", ""}));
    CASES.put("RHEL/CentOS Stream/Rocky/Alma 10", List.<String[]>of(new String[] {"rhel", "10.0", ""}));
    CASES.put("Ubuntu 12.04", List.<String[]>of(new String[] {"ubuntu", "12.04", ""}));
    CASES.put("Ubuntu 14.04", List.<String[]>of(new String[] {"ubuntu", "14.04", ""}));
    CASES.put("Ubuntu 16.04-24.04", List.<String[]>of(new String[] {"ubuntu", "16.04", ""},
        new String[] {"ubuntu", "24.04", ""}));
    CASES.put("Debian 8-13", List.<String[]>of(new String[] {"debian", "12", ""}));
    CASES.put("SLES / openSUSE", List.<String[]>of(new String[] {"sles", "15.5", ""}));
    CASES.put("(unknown)", List.<String[]>of(new String[] {"gentoo", "2.15", ""}));
  }

  static Stream<Arguments> cases() {
    return CASES.values().stream().flatMap(List::stream).map(c -> Arguments.of(String.join(" ", c).strip(), c));
  }

  static String goldenName(String[] c) {
    String base = c[0] + "-" + c[1] + (c[2].isEmpty() ? "" : "-" + c[2]);
    return base.replaceAll("[^A-Za-z0-9._-]", "_") + ".txt";
  }

  static String render(String[] c) {
    Distro d = Distro.of(c[0], c[1]);
    AdviceOptions o = c[2].isEmpty() ? AdviceOptions.defaults() : AdviceOptions.defaults().withSystemdVersion(c[2]);
    return "=== hotplug udev-rules --distro " + c[0] + " --version " + c[1]
        + (c[2].isEmpty() ? "" : " --systemd-version " + c[2]) + "\n"
        + Advice.forDistro(d, o).report()
        + "=== with --movable\n"
        + Advice.forDistro(d, o.withMovableMemory(true)).report();
  }

  @Test
  void everyKnowledgeRow_hasAGoldenCase() {
    List<String> rows = DistroKnowledge.rows().stream().map(DistroKnowledge.Row::release).toList();
    assertThat(CASES.keySet()).containsAll(rows);
    for (Map.Entry<String, List<String[]>> e : CASES.entrySet()) {
      for (String[] c : e.getValue()) {
        Optional<String> row = DistroKnowledge.lookup(Distro.of(c[0], c[1]), Optional.empty()).row()
            .map(DistroKnowledge.Row::release);
        assertThat(row.orElse("(unknown)")).as("row of %s %s", c[0], c[1]).isEqualTo(e.getKey());
      }
    }
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void adviceReport_matchesItsGoldenFileByteForByte(String label, String[] c) throws IOException {
    String actual = render(c);
    String name = goldenName(c);
    if (Boolean.getBoolean("vmhotplug.updateGolden")) {
      Path dir = Path.of(System.getProperty("vmhotplug.projectRoot"),
          "hotplug-guest/src/test/resources/dev/vmhotplug/guest/advice/golden");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), actual, StandardCharsets.UTF_8);
      return; // the classpath copy is the previous one until the next build
    }
    String golden;
    try (InputStream in = AdviceGoldenTest.class.getResourceAsStream("golden/" + name)) {
      assertThat(in).as("golden file advice/golden/%s (run with -Dvmhotplug.updateGolden=true to create it)", name)
          .isNotNull();
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(actual.getBytes(StandardCharsets.UTF_8)).as("bytes of %s; got:%n%s", name, actual)
        .isEqualTo(golden.getBytes(StandardCharsets.UTF_8));
  }
}
