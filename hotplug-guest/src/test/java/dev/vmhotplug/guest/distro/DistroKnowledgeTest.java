package dev.vmhotplug.guest.distro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.Coverage;
import dev.vmhotplug.guest.Distro;
import dev.vmhotplug.guest.DistroKnowledge;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DistroKnowledgeTest {

  private static DistroKnowledge.Answer ask(String name, String version) {
    return DistroKnowledge.lookup(Distro.of(name, version), Optional.empty());
  }

  @Test
  void guideRow_centos6_keepsGuideClaimButAnswersConservatively() {
    DistroKnowledge.Answer a = ask("centos", "6.5");
    assertThat(a.cpu()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(a.memory()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(String.join("\n", a.reasons()))
        .contains("guide: the platform's default CentOS 6.5 image already has the CPU rule")
        .contains("stock CentOS/RHEL 6 (udev 147) ships no rule")
        .contains("detection on the image's files (--root) decides");
  }

  @Test
  void guideRow_centos70_needsBothUnlessSystemdAtGuideVersion() {
    DistroKnowledge.Answer a = ask("centos", "7.0");
    assertThat(a.cpu()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(String.join("\n", a.reasons())).contains("systemd-219-19.el7_2.9");
    DistroKnowledge.Answer updated = DistroKnowledge.lookup(Distro.of("centos", "7.0"),
        Optional.of("systemd-219-19.el7_2.9.x86_64"));
    assertThat(updated.cpu()).isEqualTo(Coverage.COVERED);
    assertThat(updated.memory()).isEqualTo(Coverage.COVERED);
    DistroKnowledge.Answer older = DistroKnowledge.lookup(Distro.of("centos", "7.2"), Optional.of("219-19.el7"));
    assertThat(older.memory()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(String.join("\n", older.reasons())).contains("219-19.el7 < 219-19.el7_2.9");
  }

  @Test
  void centos7WithoutMinor_answersForGuideImageAndSaysSo() {
    DistroKnowledge.Answer a = ask("centos", "7");
    assertThat(a.row()).map(DistroKnowledge.Row::release).contains("CentOS/RHEL 7.0");
    assertThat(a.reasons().get(0)).contains("no minor version given");
  }

  @Test
  void guideRows_ubuntu() {
    DistroKnowledge.Answer u12 = ask("ubuntu", "12.04");
    assertThat(u12.memory()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(String.join("\n", u12.reasons())).contains("still has a problem that is being fixed");
    DistroKnowledge.Answer u14 = ask("ubuntu", "14.04");
    assertThat(u14.cpu()).isEqualTo(Coverage.NOT_ON_KVM);
    assertThat(String.join("\n", u14.reasons())).contains("guide: the image includes both rules by default")
        .contains("40-hyperv-hotadd.rules");
  }

  @Test
  void todaysDistros_fromPublicFacts() {
    assertThat(ask("ubuntu", "22.04").cpu()).isEqualTo(Coverage.NOT_ON_KVM);
    assertThat(ask("ubuntu", "24.04").memory()).isEqualTo(Coverage.NOT_ON_KVM);
    assertThat(ask("debian", "12").cpu()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(ask("debian", "8").memory()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(ask("rhel", "7.1").cpu()).isEqualTo(Coverage.COVERED);
    assertThat(ask("rhel", "7.1").memory()).isEqualTo(Coverage.NOT_COVERED);
    assertThat(ask("centos", "7.9.2009").memory()).isEqualTo(Coverage.COVERED);
    assertThat(ask("rocky", "8.10").cpu()).isEqualTo(Coverage.COVERED);
    assertThat(ask("almalinux", "8.10").memory()).isEqualTo(Coverage.CONDITIONAL);
    assertThat(ask("rhel", "9.4").memory()).isEqualTo(Coverage.COVERED);
    assertThat(ask("alma", "10.0").row()).map(DistroKnowledge.Row::rulesFile).contains("40-redhat-hotplug.rules");
    assertThat(ask("sles", "15.5").cpu()).isEqualTo(Coverage.COVERED);
    assertThat(ask("opensuse", "15.6").memory()).isEqualTo(Coverage.COVERED);
    assertThat(DistroKnowledge.rows()).allSatisfy(r -> assertThat(r.source()).isNotBlank());
  }

  @Test
  void unknownDistro_clearAnswerWithAdvice() {
    DistroKnowledge.Answer a = ask("gentoo", "2.15");
    assertThat(a.cpu()).isEqualTo(Coverage.UNKNOWN);
    assertThat(a.cpu().needsRule()).isTrue();
    assertThat(a.reasons().get(0)).startsWith("unknown: gentoo 2.15 is not in the knowledge table; install both rules");
    assertThat(ask("debian", "7").cpu()).isEqualTo(Coverage.UNKNOWN);
    assertThat(ask("ubuntu", "").cpu()).isEqualTo(Coverage.UNKNOWN);
  }

  @Test
  void badSystemdVersion_refusedWithReason() {
    assertThatThrownBy(() -> DistroKnowledge.lookup(Distro.of("centos", "7.0"), Optional.of("x:219")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch 'x'");
  }
}
