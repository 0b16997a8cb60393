package dev.vmhotplug.guest.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebVersionTest {

  private static int sign(int x) {
    return Integer.signum(x);
  }

  /** Vectors of dpkg's lib/dpkg/t/t-version.c test_version_compare, transcribed. */
  @Test
  void compare_dpkgTestSuiteVectors_matchDpkg() {
    assertThat(DebVersion.of(0, "", "").compareTo(DebVersion.of(0, "", ""))).isZero();
    assertThat(DebVersion.of(1, "", "").compareTo(DebVersion.of(2, "", ""))).isNotZero();
    assertThat(DebVersion.of(0, "1", "1").compareTo(DebVersion.of(0, "2", "1"))).isNotZero();
    assertThat(DebVersion.of(0, "1", "1").compareTo(DebVersion.of(0, "1", "2"))).isNotZero();
    assertThat(DebVersion.of(0, "0", "0").compareTo(DebVersion.of(0, "0", "0"))).isZero();
    assertThat(DebVersion.of(0, "0", "00").compareTo(DebVersion.of(0, "00", "0"))).isZero();
    assertThat(DebVersion.of(1, "2", "3").compareTo(DebVersion.of(1, "2", "3"))).isZero();
    assertThat(DebVersion.of(0, "0", "0").compareTo(DebVersion.of(1, "0", "0"))).isNegative();
    assertThat(DebVersion.of(1, "0", "0").compareTo(DebVersion.of(0, "0", "0"))).isPositive();
    assertThat(DebVersion.of(0, "a", "0").compareTo(DebVersion.of(0, "b", "0"))).isNegative();
    assertThat(DebVersion.of(0, "b", "0").compareTo(DebVersion.of(0, "a", "0"))).isPositive();
    assertThat(DebVersion.of(0, "0", "a").compareTo(DebVersion.of(0, "0", "b"))).isNegative();
    assertThat(DebVersion.of(0, "0", "b").compareTo(DebVersion.of(0, "0", "a"))).isPositive();
  }

  /** t-version.c test_version_parse: accepted forms and what they equal. */
  @Test
  void parse_dpkgTestSuiteValidForms_giveDpkgParts() {
    assertThat(DebVersion.parse("0")).isEqualTo(DebVersion.of(0, "0", ""));
    assertThat(DebVersion.parse("0:0")).isEqualTo(DebVersion.of(0, "0", ""));
    assertThat(DebVersion.parse("0:0-")).isEqualTo(DebVersion.of(0, "0", ""));
    assertThat(DebVersion.parse("0:0-0")).isEqualTo(DebVersion.of(0, "0", "0"));
    assertThat(DebVersion.parse("0:0.0-0.0")).isEqualTo(DebVersion.of(0, "0.0", "0.0"));
    assertThat(DebVersion.parse("1:0")).isEqualTo(DebVersion.of(1, "0", ""));
    assertThat(DebVersion.parse("5:1")).isEqualTo(DebVersion.of(5, "1", ""));
    assertThat(DebVersion.parse("0:0-0-0")).isEqualTo(DebVersion.of(0, "0-0", "0"));
    assertThat(DebVersion.parse("0:0-0-0-0")).isEqualTo(DebVersion.of(0, "0-0-0", "0"));
    assertThat(DebVersion.parse("0:0:0-0")).isEqualTo(DebVersion.of(0, "0:0", "0"));
    assertThat(DebVersion.parse("0:0:0:0-0")).isEqualTo(DebVersion.of(0, "0:0:0", "0"));
    assertThat(DebVersion.parse("0:0:0-0-0")).isEqualTo(DebVersion.of(0, "0:0-0", "0"));
    assertThat(DebVersion.parse("0:0-0:0-0")).isEqualTo(DebVersion.of(0, "0-0:0", "0"));
    assertThat(DebVersion.parse("0:09azAZ.-+~:-0")).isEqualTo(DebVersion.of(0, "09azAZ.-+~:", "0"));
    assertThat(DebVersion.parse("0:0-azAZ09.+~")).isEqualTo(DebVersion.of(0, "0", "azAZ09.+~"));
    assertThat(DebVersion.parse("  \t0:0-1")).isEqualTo(DebVersion.of(0, "0", "1"));
    assertThat(DebVersion.parse("0:0-1\t  ")).isEqualTo(DebVersion.of(0, "0", "1"));
  }

  /** t-version.c test_version_parse: rejected forms. */
  @Test
  void parse_dpkgTestSuiteInvalidForms_areRefusedWithReason() {
    assertThatThrownBy(() -> DebVersion.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> DebVersion.parse("  ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> DebVersion.parse("0:")).hasMessageContaining("nothing after the epoch");
    assertThatThrownBy(() -> DebVersion.parse("0:0 0-1")).hasMessageContaining("embedded whitespace");
    assertThatThrownBy(() -> DebVersion.parse("-1:0-1")).hasMessageContaining("epoch");
    assertThatThrownBy(() -> DebVersion.parse("999999999999999999999999:0-1")).hasMessageContaining("too big");
    assertThatThrownBy(() -> DebVersion.parse("a:0-0")).hasMessageContaining("epoch 'a'");
    assertThatThrownBy(() -> DebVersion.parse("A:0-0")).hasMessageContaining("epoch 'A'");
    assertThatThrownBy(() -> DebVersion.parse("-0")).hasMessageContaining("empty upstream");
    assertThatThrownBy(() -> DebVersion.parse("0:-0")).hasMessageContaining("empty upstream");
    assertThatThrownBy(() -> DebVersion.parse("0:0-0:0")).hasMessageContaining("revision");
    for (char c : "!#@$%&/|\\<>()[]{};,_=*^'".toCharArray()) {
      assertThatThrownBy(() -> DebVersion.parse("0:0" + c + "a-0")).as("char %s", c)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream version");
    }
    for (char c : "!#@$%&/|\\<>()[]{}:;,_=*^'".toCharArray()) {
      assertThatThrownBy(() -> DebVersion.parse("0:0-0" + c)).as("char %s", c)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("revision");
    }
  }

  /** 1406 ordered pairs whose relation dpkg --compare-versions itself computed (see the file header). */
  @Test
  void compare_pairsComputedByDpkg_agreeWithDpkg() throws IOException {
    List<String> wrong = new ArrayList<>();
    int n = 0;
    try (InputStream in = getClass().getResourceAsStream("dpkg-compare-versions.txt")) {
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (l.isBlank() || l.startsWith("#")) {
          continue;
        }
        String[] p = l.split(" ");
        int expected = switch (p[1]) {
          case "<" -> -1;
          case ">" -> 1;
          default -> 0;
        };
        int got = sign(DebVersion.parse(p[0]).compareTo(DebVersion.parse(p[2])));
        n++;
        if (got != expected) {
          wrong.add(l + " but got " + got);
        }
      }
    }
    assertThat(n).isEqualTo(1406);
    assertThat(wrong).isEmpty();
  }

  @Test
  void compare_tildeSortsBeforeEverything() {
    assertThat(DebVersion.verrevcmp("1.0~~", "1.0~~a")).isNegative();
    assertThat(DebVersion.verrevcmp("1.0~~a", "1.0~")).isNegative();
    assertThat(DebVersion.verrevcmp("1.0~", "1.0")).isNegative();
    assertThat(DebVersion.verrevcmp("1.0", "1.0a")).isNegative();
  }
}
