package dev.vmhotplug.guest.udev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UdevRulesParserTest {

  private static UdevRuleFile parse(String text) {
    return UdevRulesParser.parse("50-t.rules", "50-t.rules", text);
  }

  @Test
  void guideMemoryRule_withoutSpaceAfterComma_parsesFiveTokens() {
    UdevRuleFile f = parse("SUBSYSTEM==\"memory\", ACTION==\"add\", TEST==\"state\",ATTR{state}==\"offline\", ATTR{state}=\"online\"\n");
    assertThat(f.problems()).isEmpty();
    assertThat(f.rules()).singleElement().satisfies(r -> {
      assertThat(r.tokens()).hasSize(5);
      assertThat(r.tokens().get(3)).isEqualTo(new UdevToken("ATTR", "state", UdevOperator.MATCH, "offline"));
      assertThat(r.tokens().get(4).op()).isEqualTo(UdevOperator.ASSIGN);
    });
  }

  @Test
  void continuation_joinsLinesSkipsCommentsAndKeepsFirstLineNumber() {
    UdevRuleFile f = parse("# c\n\nKERNEL==\"sd*\", \\\n# inside\n    SUBSYSTEMS==\"scsi\", \\\n  SYMLINK+=\"x\"\nLABEL=\"e\"\n");
    assertThat(f.rules()).hasSize(2);
    UdevRule r = f.rules().get(0);
    assertThat(r.line()).isEqualTo(3);
    assertThat(r.lastLine()).isEqualTo(6);
    assertThat(r.tokens()).extracting(UdevToken::key).containsExactly("KERNEL", "SUBSYSTEMS", "SYMLINK");
    assertThat(f.rules().get(1).location()).isEqualTo("50-t.rules:7");
  }

  @Test
  void allOperators_andEscapedQuotes_areRead() {
    UdevRuleFile f = parse("ENV{A}=\"1\", ENV{B}+=\"2\", TAG-=\"t\", RUN:=\"/bin/echo \\\"x\\\"\", ENV{C}!=\"3\", ENV{D}==\"4\", ENV{E}=e\"a\\tb\"\n");
    assertThat(f.problems()).isEmpty();
    List<UdevToken> t = f.rules().get(0).tokens();
    assertThat(t).extracting(UdevToken::op).containsExactly(UdevOperator.ASSIGN, UdevOperator.ADD,
        UdevOperator.REMOVE, UdevOperator.ASSIGN_FINAL, UdevOperator.NOMATCH, UdevOperator.MATCH, UdevOperator.ASSIGN);
    assertThat(t.get(3).value()).isEqualTo("/bin/echo \"x\"");
    assertThat(t.get(6).value()).isEqualTo("a\tb");
  }

  @Test
  void assignmentToMatchOnlyKey_isIgnoredLikeUdevWithReason() {
    UdevRuleFile f = parse("SUBSYSTEM==\"cpu\", ACTION=\"add\", ATTR{online}=\"1\"\n");
    assertThat(f.rules()).isEmpty();
    assertThat(f.problems()).singleElement().satisfies(p -> {
      assertThat(p.line()).isEqualTo(1);
      assertThat(p.message()).contains("ACTION= is an assignment").contains("use ACTION==");
    });
  }

  @Test
  void unknownAndLowerCaseKeys_areReported() {
    assertThat(parse("FOO==\"x\"\n").problems().get(0).message()).contains("unknown key 'FOO'");
    assertThat(parse("subsystem==\"cpu\"\n").problems().get(0).message()).contains("keys are upper case: SUBSYSTEM");
    assertThat(parse("ATTR==\"x\"\n").problems().get(0).message()).contains("ATTR needs an attribute");
    assertThat(parse("GOTO+=\"x\"\n").problems().get(0).message()).contains("GOTO needs '='");
  }

  @Test
  void truncatedRule_unclosedQuote_isAProblemNotAnException() {
    UdevRuleFile f = parse("SUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1");
    assertThat(f.rules()).isEmpty();
    assertThat(f.problems().get(0).message()).contains("no closing quote");
  }

  @Test
  void fileEndingInsideContinuation_isReported() {
    UdevRuleFile f = parse("SUBSYSTEM==\"cpu\", \\");
    assertThat(f.problems()).anySatisfy(p -> assertThat(p.message()).contains("ends inside a continued line"));
  }

  @Test
  void emptyFile_hasNoRulesAndSaysEmpty() {
    UdevRuleFile f = parse("");
    assertThat(f.rules()).isEmpty();
    assertThat(f.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("empty"));
  }

  @Test
  void binaryJunk_neverThrows_andIsFlagged() {
    byte[] junk = new byte[4096];
    new Random(42).nextBytes(junk);
    junk[10] = 0;
    byte[] copy = junk.clone();
    UdevRuleFile f = UdevRulesParser.parse("99-junk.rules", "99-junk.rules", junk);
    assertThat(junk).isEqualTo(copy);
    assertThat(f.problems()).anySatisfy(p -> assertThat(p.message()).contains("NUL bytes"));
    UdevVerdict v = UdevEvaluator.evaluate(List.of(f), UdevEnvironment.kvmGuest(), HotplugResource.CPU);
    assertThat(v.status()).isEqualTo(UdevVerdict.Status.CANNOT_TELL);
    assertThat(v.reasons().get(0)).contains("looks binary");
  }

  @Test
  void hugeFile_readUpTo1MiB_andVerdictCannotTell() {
    byte[] big = new byte[UdevRulesParser.MAX_BYTES + 100];
    Arrays.fill(big, (byte) '#');
    String rule = "\nSUBSYSTEM==\"cpu\", ACTION==\"add\", ATTR{online}=\"1\"\n";
    byte[] head = rule.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, big, 0, head.length);
    UdevRuleFile f = UdevRulesParser.parse("10-big.rules", "10-big.rules", big);
    assertThat(f.truncated()).isTrue();
    assertThat(f.rules()).hasSize(1);
    assertThat(f.problems().get(0).message()).contains("larger than 1 MiB");
    // the rule that was read still onlines the CPU; memory: the unread part might hold a rule
    assertThat(UdevEvaluator.evaluate(List.of(f), UdevEnvironment.kvmGuest(), HotplugResource.CPU).status())
        .isEqualTo(UdevVerdict.Status.ONLINES);
    assertThat(UdevEvaluator.evaluate(List.of(f), UdevEnvironment.kvmGuest(), HotplugResource.MEMORY).status())
        .isEqualTo(UdevVerdict.Status.CANNOT_TELL);
  }
}
