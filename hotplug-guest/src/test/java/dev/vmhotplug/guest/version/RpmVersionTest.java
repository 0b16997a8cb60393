package dev.vmhotplug.guest.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpmVersionTest {

  static List<String[]> vectors() throws IOException {
    try (InputStream in = RpmVersionTest.class.getResourceAsStream("rpmvercmp-vectors.txt")) {
      List<String[]> out = new ArrayList<>();
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (l.isBlank() || l.startsWith("#")) {
          continue;
        }
        out.add(l.split(",\\s*"));
      }
      return out;
    }
  }

  @Test
  void rpmvercmp_allRpmTestVectors_giveRpmsAnswer() throws IOException {
    List<String[]> v = vectors();
    assertThat(v).hasSize(91);
    List<String> wrong = new ArrayList<>();
    for (String[] t : v) {
      int got = RpmVersion.rpmvercmp(t[0], t[1]);
      if (got != Integer.parseInt(t[2])) {
        wrong.add(t[0] + " vs " + t[1] + ": expected " + t[2] + " got " + got);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void compare_guideSystemdThreshold_ordersRhel7Releases() {
    RpmVersion need = RpmVersion.parse("219-19.el7_2.9");
    assertThat(RpmVersion.parse("219-19.el7").compareTo(need)).isNegative();
    assertThat(RpmVersion.parse("219-19.el7_2.4").compareTo(need)).isNegative();
    assertThat(RpmVersion.parse("219-19.el7_2.13").compareTo(need)).isPositive();
    assertThat(RpmVersion.parse("219-30.el7").compareTo(need)).isPositive();
    assertThat(RpmVersion.parse("219-78.el7_9.9").compareTo(need)).isPositive();
    assertThat(RpmVersion.parse("208-20.el7").compareTo(need)).isNegative();
    assertThat(RpmVersion.parse("219-19.el7_2.9").compareTo(need)).isZero();
  }

  @Test
  void compare_epoch_winsOverVersion() {
    assertThat(RpmVersion.parse("1:1.0-1").compareTo(RpmVersion.parse("2.0-1"))).isPositive();
    assertThat(RpmVersion.parse("0:2.0-1").compareTo(RpmVersion.parse("2.0-1"))).isZero();
  }

  @Test
  void compare_oneSideWithoutRelease_missingReleaseIsOlderAsInRpm() {
    assertThat(RpmVersion.parse("219").compareTo(RpmVersion.parse("219-19.el7"))).isNegative();
  }

  /** 1,482 ordered pairs whose order rpm 4.18 itself computed (see the file header). */
  @Test
  void compare_pairsComputedByRpm_agreeWithRpm() throws IOException {
    List<String> wrong = new ArrayList<>();
    int n = 0;
    try (InputStream in = getClass().getResourceAsStream("rpm-vercmp-pairs.txt")) {
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (l.isBlank() || l.startsWith("#")) {
          continue;
        }
        String[] p = l.split(" ");
        int got = Integer.signum(RpmVersion.parse(p[0]).compareTo(RpmVersion.parse(p[1])));
        n++;
        if (got != Integer.parseInt(p[2])) {
          wrong.add(l + " but got " + got);
        }
      }
    }
    assertThat(n).isEqualTo(1482);
    assertThat(wrong).isEmpty();
  }

  @Test
  void parsePackage_rpmQueryOutput_dropsNameAndArch() {
    RpmVersion v = RpmVersion.parsePackage("systemd-219-19.el7_2.9.x86_64");
    assertThat(v.version()).isEqualTo("219");
    assertThat(v.release()).isEqualTo("19.el7_2.9");
    assertThat(v).hasToString("219-19.el7_2.9");
    assertThat(RpmVersion.parsePackage("systemd-libs-239-82.el8.x86_64")).hasToString("239-82.el8");
  }

  @Test
  void parse_badInputs_sayWhatIsWrong() {
    assertThatThrownBy(() -> RpmVersion.parse("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> RpmVersion.parse("x:1.0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epoch 'x'");
    assertThatThrownBy(() -> RpmVersion.parse("219-")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("release after it is empty");
    assertThatThrownBy(() -> RpmVersion.parse("2 19")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> RpmVersion.parse("\u0000\u0001")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\\x00");
  }
}
