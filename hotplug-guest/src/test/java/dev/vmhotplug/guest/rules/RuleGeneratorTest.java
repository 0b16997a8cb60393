package dev.vmhotplug.guest.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleGeneratorTest {

  static String golden(String name) {
    try (InputStream in = RuleGeneratorTest.class.getResourceAsStream("golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static void assertSameBytes(String actual, String goldenName) {
    assertThat(actual.getBytes(StandardCharsets.UTF_8))
        .as("bytes of " + goldenName + "; got:%n%s", actual)
        .isEqualTo(golden(goldenName).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void defaults_giveTheGuidesTwoFilesByteForByte() {
    List<RuleFile> files = RuleGenerator.generate(RuleOptions.defaults());
    assertThat(files).extracting(RuleFile::fileName)
        .containsExactly("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    assertSameBytes(files.get(0).content(), "default.80-cpu-hotplug.rules");
    assertSameBytes(files.get(1).content(), "default.81-mem-hotplug.rules");
  }

  @Test
  void defaults_ruleLinesAreTheContractsExactLines() {
    List<RuleFile> files = RuleGenerator.generate(RuleOptions.defaults());
    assertThat(files.get(0).content()).endsWith(
        "\nSUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"\n");
    assertThat(files.get(1).content()).endsWith("\nSUBSYSTEM==\"memory\", ACTION==\"add\","
        + " TEST==\"state\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n");
    assertThat(files.get(0).content()).startsWith("# ");
  }

  @Test
  void everyVariant_isAsciiWithOneRuleLinePerRuleAndCommentsOtherwise() {
    for (RuleOptions o : List.of(RuleOptions.defaults(), RuleOptions.builder().movableMemory(true).build(),
        RuleOptions.builder().cpuFileName("40-redhat.rules").memoryFileName("40-redhat.rules").build())) {
      for (RuleFile f : RuleGenerator.generate(o)) {
        assertThat(f.content()).matches("[\\x20-\\x7e\\n]*").doesNotContain("\u201d").endsWith("\n");
        for (String line : f.content().split("\n")) {
          assertThat(line).satisfiesAnyOf(
              l -> assertThat(l).startsWith("# "),
              l -> assertThat(l).startsWith("SUBSYSTEM==").doesNotEndWith("\\"));
        }
      }
    }
  }

  @Test
  void movableMemory_writesOnlineMovable() {
    RuleOptions o = RuleOptions.builder().movableMemory(true).build();
    List<RuleFile> files = RuleGenerator.generate(o);
    assertSameBytes(files.get(1).content(), "movable.81-mem-hotplug.rules");
    assertThat(files.get(1).content()).contains("ATTR{state}=\"online_movable\"\n");
    assertThat(files.get(0).content()).isEqualTo(golden("default.80-cpu-hotplug.rules"));
  }

  @Test
  void cpuOnly_writesOnlyTheCpuFile() {
    List<RuleFile> files = RuleGenerator.generate(RuleOptions.builder().memory(false).build());
    assertThat(files).hasSize(1);
    assertThat(files.get(0).fileName()).isEqualTo("80-cpu-hotplug.rules");
    assertSameBytes(files.get(0).content(), "default.80-cpu-hotplug.rules");
  }

  @Test
  void memoryOnly_writesOnlyTheMemoryFile() {
    List<RuleFile> files = RuleGenerator.generate(RuleOptions.builder().cpu(false).build());
    assertThat(files).extracting(RuleFile::fileName).containsExactly("81-mem-hotplug.rules");
    assertSameBytes(files.get(0).content(), "default.81-mem-hotplug.rules");
  }

  @Test
  void sameNameForBoth_writesOneFileThatShadowsTheDistroFile() {
    RuleOptions o = RuleOptions.builder().cpuFileName("40-redhat.rules").memoryFileName("40-redhat.rules").build();
    List<RuleFile> files = RuleGenerator.generate(o);
    assertThat(files).hasSize(1);
    assertThat(files.get(0).fileName()).isEqualTo("40-redhat.rules");
    assertSameBytes(files.get(0).content(), "shadow.40-redhat.rules");
  }

  @Test
  void customNumbers_areUsedAsGiven() {
    RuleOptions o = RuleOptions.builder().cpuFileName("99-zz.cpu_hotplug.rules").memoryFileName("01-mem.rules").build();
    assertThat(RuleGenerator.generate(o)).extracting(RuleFile::fileName)
        .containsExactly("99-zz.cpu_hotplug.rules", "01-mem.rules");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu.rules", "8-cpu.rules", "80-cpu.rule", "80-cpu hotplug.rules",
      "../80-cpu.rules", "80-../../etc/passwd.rules", "80-cpu.rules;reboot", "80-'x'.rules",
      "80-$(reboot).rules", "80-cpu.rules\n", "/etc/udev/rules.d/80-cpu.rules", "80-.rules", "",
      "80-\u00e9.rules", "800-cpu.rules"})
  void unsafeFileName_isRefusedWithTheRule(String name) {
    RuleOptions.Builder b = RuleOptions.builder().cpuFileName(name);
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cpuFileName")
        .hasMessageContaining("is not a safe udev rule file name")
        .hasMessageContaining("^[0-9]{2}-[A-Za-z0-9._-]+\\.rules$")
        .hasMessageNotContaining("\n");
  }

  @Test
  void nullMemoryFileName_isRefused() {
    assertThatThrownBy(() -> RuleOptions.builder().memoryFileName(null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryFileName is missing");
  }

  @Test
  void tooLongFileName_isRefused() {
    String name = "80-" + "a".repeat(300) + ".rules";
    assertThatThrownBy(() -> RuleOptions.builder().cpuFileName(name).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 200 characters")
        .hasMessageContaining("...");
  }

  @Test
  void neitherCpuNorMemory_isRefused() {
    assertThatThrownBy(() -> RuleOptions.builder().cpu(false).memory(false).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable at least one");
  }

  @Test
  void refusedOptions_leaveTheBuilderUsable() {
    RuleOptions.Builder b = RuleOptions.builder().cpuFileName("bad");
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.cpuFileName("80-cpu-hotplug.rules").build()).isEqualTo(RuleOptions.defaults());
  }

  @Test
  void toBuilder_keepsEveryValue() {
    RuleOptions o = RuleOptions.builder().movableMemory(true).cpu(false).memoryFileName("90-m.rules").build();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o.memoryOnlineState()).isEqualTo("online_movable");
    assertThat(o.toString()).contains("90-m.rules").contains("online_movable");
  }

  @Test
  void ruleFile_refusesAnUnsafeName() {
    assertThatThrownBy(() -> new RuleFile("x/y.rules", "content"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fileName 'x/y.rules'");
  }
}
