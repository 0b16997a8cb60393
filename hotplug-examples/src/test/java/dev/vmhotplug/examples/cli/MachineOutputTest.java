package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmhotplug.guest.UdevRulesReader;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * Output meant for a machine goes alone on stdout: what {@code udev-rules --script} prints passes
 * {@code sh -n} and shellcheck, {@code --cloud-init} is YAML that cloud-init reads, the rule files
 * are one valid udev rules file that onlines both resources, and every {@code --json} is one strict
 * JSON document. The human report goes to stderr. Each stdout is checked by a real parser, not by
 * looking for strings.
 */
class MachineOutputTest {

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = HotplugCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Guests that need rules: by knowledge table, unknown, and a root whose only rule is Ubuntu's. */
  static Stream<Arguments> guests() {
    return Stream.of(
        Arguments.of("debian 12", List.of("--distro", "debian", "--version", "12")),
        Arguments.of("centos 7.0", List.of("--distro", "centos", "--version", "7.0")),
        Arguments.of("unknown, movable", List.of("--distro", "gentoo", "--movable")),
        Arguments.of("ubuntu root", List.of("--root", "UBUNTU_ROOT")));
  }

  private List<String> args(List<String> guest, String... more) throws IOException {
    List<String> a = new ArrayList<>(List.of("udev-rules"));
    for (String g : guest) {
      a.add(g.equals("UBUNTU_ROOT") ? ubuntuRoot().toString() : g);
    }
    a.addAll(List.of(more));
    return a;
  }

  private Path ubuntuRoot() throws IOException {
    Path root = tmp.resolve("ubuntu");
    Path rel = root.resolve("etc/os-release");
    Files.createDirectories(rel.getParent());
    Files.writeString(rel, "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
    Path rules = root.resolve("lib/udev/rules.d/40-vm-hotadd.rules");
    Files.createDirectories(rules.getParent());
    Files.writeString(rules, "ATTR{[dmi/id]sys_vendor}==\"Xen\", GOTO=\"vm_hotadd_apply\"\n"
        + "GOTO=\"vm_hotadd_end\"\nLABEL=\"vm_hotadd_apply\"\n"
        + "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}!=\"1\", ATTR{online}=\"1\"\n"
        + "LABEL=\"vm_hotadd_end\"\n");
    return root;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guests")
  void script_stdoutIsOnlyTheScript_passesShDashNAndShellcheck(String name, List<String> guest) throws Exception {
    Run r = run(args(guest, "--script").toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(r.out()).startsWith("#!/bin/sh\n");
    assertThat(r.err()).contains("NEEDS A RULE").contains("Installer script on stdout");
    Path script = tmp.resolve("install.sh");
    Files.writeString(script, r.out());
    assertTool("sh", "-n", script.toString());
    assertTool("dash", "-n", script.toString());
    assertTool("shellcheck", "--shell=sh", "--severity=style", script.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guests")
  void cloudInit_stdoutIsOnlyYamlUserData_withTheRulesAndRuncmd(String name, List<String> guest) throws Exception {
    Run r = run(args(guest, "--cloud-init").toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(r.out()).startsWith("#cloud-config\n");
    assertThat(r.err()).contains("cloud-init user-data on stdout");
    Object doc = new Yaml(new LoaderOptions()).load(r.out());
    assertThat(doc).isInstanceOf(Map.class);
    Map<?, ?> map = (Map<?, ?>) doc;
    assertThat(map.get("write_files")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .isNotEmpty()
        .allSatisfy(f -> assertThat(((Map<?, ?>) f).keySet().stream().map(String::valueOf))
            .contains("path", "content"));
    List<?> files = (List<?>) map.get("write_files");
    List<String> contents = files.stream().map(f -> (String) ((Map<?, ?>) f).get("content")).toList();
    assertOnlinesBoth(String.join("", contents));
    assertThat(map.get("runcmd")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guests")
  void ruleFiles_stdoutIsOneValidRulesFile_thatOnlinesCpusAndMemory(String name, List<String> guest) throws Exception {
    Run r = run(args(guest).toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(r.err()).contains("NEEDS A RULE");
    for (String line : r.out().split("\n", -1)) {
      assertThat(line).as("each stdout line is a udev comment, a rule or empty")
          .matches("|#.*|SUBSYSTEM==.*");
    }
    assertOnlinesBoth(r.out());
  }

  @Test
  void coveredGuest_script_stdoutEmpty_reportOnStderr() throws IOException {
    Path root = tmp.resolve("rhel");
    Path rel = root.resolve("etc/os-release");
    Files.createDirectories(rel.getParent());
    Files.writeString(rel, "ID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
    Path rules = root.resolve("usr/lib/udev/rules.d/40-redhat.rules");
    Files.createDirectories(rules.getParent());
    Files.writeString(rules, "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"\n"
        + "SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n");
    Run r = run("udev-rules", "--root", root.toString(), "--script");
    assertThat(r.code()).as(r.err()).isEqualTo(HotplugCli.OK);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("Nothing to do");
  }

  // ---------------------------------------------------------------- --json on every command that has it

  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private static JsonNode json(Run r) throws IOException {
    assertThat(r.out()).endsWith("\n");
    assertThat(r.out().strip()).as("one JSON document on one line").doesNotContain("\n");
    return STRICT.readTree(r.out());
  }

  @Test
  void vcpucountJson_isOneStrictJsonObject() throws IOException {
    Run r = run("-c", "test:///default", "vcpucount", "test", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode n = json(r);
    assertThat(n.get("domain").asText()).isEqualTo("test");
    assertThat(n.get("currentLive").isInt()).isTrue();
    assertThat(n.get("maximumLive").asInt()).isGreaterThanOrEqualTo(n.get("currentLive").asInt());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void dommemstatJson_isOneStrictJsonObject() throws IOException {
    Run r = run("-c", "test:///default", "dommemstat", "test", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode n = json(r);
    assertThat(n.isObject()).isTrue();
    assertThat(n.size()).isPositive();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void guestCheckJson_okAndCannotTell_areStrictJson_errorOnlyOnStderr() throws IOException {
    Path online = Files.writeString(tmp.resolve("online"), "0-2\n");
    Run ok = run("guest-check", "--cpu-online", online.toString(), "--expect-vcpus", "3", "--json");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(json(ok).get("status").asText()).isEqualTo("OK");
    Path junk = Files.write(tmp.resolve("cpuinfo"), new byte[] {0, 1, 2, (byte) 0xff});
    Run bad = run("guest-check", "--cpuinfo", junk.toString(), "--expect-vcpus", "2", "--json");
    assertThat(bad.code()).isEqualTo(HotplugCli.FAILED);
    JsonNode n = json(bad);
    assertThat(n.get("status").asText()).isEqualTo("CANNOT_TELL");
    assertThat(n.get("error").asText()).isNotBlank();
    assertThat(bad.err()).contains("hotplug guest-check:");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("guests")
  void udevRulesJson_isStrictJson_rulesInsideOnlineBoth(String name, List<String> guest) throws Exception {
    Run r = run(args(guest, "--json").toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(HotplugCli.NEEDS_ACTION);
    JsonNode n = json(r);
    assertThat(n.get("covered").asBoolean()).isFalse();
    StringBuilder rules = new StringBuilder();
    n.get("rules").forEach(f -> rules.append(f.get("content").asText()));
    assertOnlinesBoth(rules.toString());
    assertThat(r.err()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** Parses {@code rules} as one udev rules file and evaluates a hot-add event on a KVM guest. */
  private static void assertOnlinesBoth(String rules) {
    UdevRuleFile file = UdevRulesReader.parse("99-from-stdout.rules", rules);
    assertThat(file.problems()).as("udev would ignore lines of:\n" + rules).isEmpty();
    Map<HotplugResource, UdevVerdict> v = UdevRulesReader.evaluate(List.of(file), UdevEnvironment.kvmGuest());
    assertThat(v.get(HotplugResource.CPU).covered()).as(v.get(HotplugResource.CPU).summary()).isTrue();
    assertThat(v.get(HotplugResource.MEMORY).covered()).as(v.get(HotplugResource.MEMORY).summary()).isTrue();
  }

  /**
   * Runs a checker (sh, dash, shellcheck) and asserts exit 0. A checker that is not installed skips
   * the test with the reason, except under {@code CI=true} where scripts/test.sh installs it.
   */
  private static void assertTool(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      String reason = command[0] + " is not installed here (" + e.getMessage() + "); scripts/test.sh installs it";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(reason, e);
      }
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
      return;
    }
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command[0] + " finished").isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
  }
}
