package dev.vmhotplug.guest.udev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Truncated and mangled copies of the published rules: never an exception, always a verdict. */
class MutatedRulesTest {
  private static final String[] FIXTURES = {
    "rhel7.2/40-redhat.rules", "rhel7.6/40-redhat.rules", "rhel8/40-redhat.rules", "rhel9/40-redhat.rules",
    "ubuntu/40-vm-hotadd.rules", "suse/80-hotplug-cpu-mem.rules", "kexec/98-kexec.rules",
    "custom/85-run-online.rules"
  };
  private static final String NASTY = "\"\\{}=!+-:,#\n\u0000\u201d$%*?[]|GOTO=LABEL=e\"";

  @Test
  void mutations_neverThrow_andEveryVerdictHasAStatusAndSummary() throws IOException {
    Random rnd = new Random(20261125);
    int verdicts = 0;
    for (String fx : FIXTURES) {
      String text;
      try (InputStream in = getClass().getResourceAsStream(fx)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (int i = 0; i < 300; i++) {
        StringBuilder sb = new StringBuilder(text);
        int edits = 1 + rnd.nextInt(6);
        for (int e = 0; e < edits && sb.length() > 0; e++) {
          int pos = rnd.nextInt(sb.length());
          switch (rnd.nextInt(4)) {
            case 0 -> sb.deleteCharAt(pos);
            case 1 -> sb.insert(pos, NASTY.charAt(rnd.nextInt(NASTY.length())));
            case 2 -> sb.setLength(pos); // truncated file
            default -> sb.setCharAt(pos, (char) rnd.nextInt(0x80));
          }
        }
        UdevRuleFile f = UdevRulesParser.parse("50-m.rules", fx, sb.toString());
        for (HotplugResource r : HotplugResource.values()) {
          UdevVerdict v = UdevEvaluator.evaluate(List.of(f), UdevEnvironment.kvmGuest(), r);
          assertThat(v.status()).isNotNull();
          assertThat(v.summary()).isNotBlank();
          if (v.status() == UdevVerdict.Status.CANNOT_TELL) {
            assertThat(v.reasons()).isNotEmpty();
          }
          verdicts++;
        }
      }
    }
    assertThat(verdicts).isEqualTo(FIXTURES.length * 300 * 2);
  }
}
