package dev.vmhotplug.guest.udev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GrepExplainerTest {

  /** The guide's example output of grep -r -i "cpu" /lib/udev/rules.d/* on a CentOS 7 host. */
  static final String GUIDE_GREP = """
      /lib/udev/rules.d/40-redhat.rules:# CPU hotadd request
      /lib/udev/rules.d/40-redhat.rules:SUBSYSTEM=="cpu", ACTION=="add", TEST=="online", ATTR{online}=="0", ATTR{online}="1"
      /lib/udev/rules.d/98-kexec.rules:SUBSYSTEM=="cpu", ACTION=="add", PROGRAM="/bin/systemctl try-restart kdump.service"
      /lib/udev/rules.d/98-kexec.rules:SUBSYSTEM=="cpu", ACTION=="remove", PROGRAM="/bin/systemctl try-restart kdump.service"
      """;

  @Test
  void guideOutput_explainsEachHit() {
    List<GrepExplainer.Hit> hits = GrepExplainer.explain(GUIDE_GREP, UdevEnvironment.kvmGuest());
    assertThat(hits).hasSize(4);
    assertThat(hits.get(0).explanation()).isEqualTo("a comment: udev ignores it");
    assertThat(hits.get(1).onlines()).isTrue();
    assertThat(hits.get(1).explanation()).startsWith("onlines a hot-added CPU (online=1) IF udev reaches this line");
    assertThat(hits.get(2).onlines()).isFalse();
    assertThat(hits.get(2).explanation()).isEqualTo(
        "CPU: matches the add event and runs PROGRAM=\"/bin/systemctl try-restart kdump.service\" but onlines nothing");
    assertThat(hits.get(3).explanation()).contains("ACTION==\"remove\" is false: the event is \"add\"");
  }

  @Test
  void ubuntuHit_withLineNumbers_warnsAboutTheDmiGuard() {
    String out = "/lib/udev/rules.d/40-vm-hotadd.rules:14:SUBSYSTEM==\"cpu\", ACTION==\"add\", DEVPATH==\"/devices/system/cpu/cpu[0-9]*\", TEST==\"online\", ATTR{online}!=\"1\", ATTR{online}=\"1\"\n";
    GrepExplainer.Hit h = GrepExplainer.explain(out, UdevEnvironment.kvmGuest()).get(0);
    assertThat(h.line()).isEqualTo(14);
    assertThat(h.path()).isEqualTo("/lib/udev/rules.d/40-vm-hotadd.rules");
    assertThat(h.explanation()).contains("IF udev reaches this line").contains("on KVM it is never reached");
  }

  @Test
  void continuedAndBrokenLines_cannotTellOrUnreadable() {
    String out = "/x/a.rules:SUBSYSTEM==\"cpu\", \\\n/x/b.rules:SUBSYSTEM==\u201dcpu\u201d\n";
    List<GrepExplainer.Hit> hits = GrepExplainer.explain(out, UdevEnvironment.kvmGuest());
    assertThat(hits.get(0).explanation()).startsWith("cannot tell: this line continues");
    assertThat(hits.get(1).explanation()).contains("udev cannot read this line").contains("typographic");
  }

  @Test
  void textWithoutHits_isRefusedWithExample() {
    assertThatThrownBy(() -> GrepExplainer.explain("hello world\n", UdevEnvironment.kvmGuest()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no grep hit found");
  }

  @Test
  void binaryJunk_isRefusedAsBinary_evenWhenSomeBytesLookLikeFileColonContent() {
    byte[] junk = new byte[4096];
    new java.util.Random(5).nextBytes(junk);
    String text = new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> GrepExplainer.explain(text, UdevEnvironment.kvmGuest()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary, not grep output");
    String utf8 = new String(junk, java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> GrepExplainer.explain(utf8, UdevEnvironment.kvmGuest()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary, not grep output");
    // grep --color=always output (ESC sequences) is still text
    String colored = "\u001b[35m\u001b[K/lib/udev/rules.d/98-kexec.rules\u001b[m\u001b[K:SUBSYSTEM==\"cpu\", ACTION==\"add\"\n";
    assertThat(GrepExplainer.explain(GUIDE_GREP + colored, UdevEnvironment.kvmGuest())).hasSizeGreaterThanOrEqualTo(4);
  }
}
