package dev.vmhotplug.guest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class CloudInitTest {

  @TempDir Path tmp;

  private static Map<String, Object> parse(String yaml) {
    Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    assertThat(doc).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) doc;
    return m;
  }

  @Test
  void cloudInit_matchesGoldenFiles() {
    RuleGeneratorTest.assertSameBytes(RuleGenerator.cloudInit(RuleOptions.defaults()), "cloud-init-default.yaml");
    RuleGeneratorTest.assertSameBytes(RuleGenerator.cloudInit(RuleOptions.builder().movableMemory(true).build()),
        "cloud-init-movable.yaml");
  }

  @Test
  void cloudInit_isValidYamlWhoseFilesAreTheGeneratedRules() {
    for (RuleOptions o : List.of(RuleOptions.defaults(), RuleOptions.builder().movableMemory(true).build(),
        RuleOptions.builder().cpu(false).build(),
        RuleOptions.builder().cpuFileName("40-redhat.rules").memoryFileName("40-redhat.rules").build())) {
      String yaml = RuleGenerator.cloudInit(o);
      assertThat(yaml).startsWith("#cloud-config\n");
      Map<String, Object> doc = parse(yaml);
      assertThat(doc).containsOnlyKeys("write_files", "runcmd");
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> files = (List<Map<String, Object>>) doc.get("write_files");
      List<RuleFile> expected = RuleGenerator.generate(o);
      assertThat(files).hasSize(expected.size());
      for (int i = 0; i < files.size(); i++) {
        assertThat(files.get(i)).containsEntry("path", "/etc/udev/rules.d/" + expected.get(i).fileName())
            .containsEntry("content", expected.get(i).content())
            .containsEntry("permissions", "0644")
            .containsEntry("owner", "root:root");
      }
      assertThat(doc.get("runcmd")).asList().hasSize(1);
      assertThat(((List<?>) doc.get("runcmd")).get(0)).isInstanceOf(String.class);
    }
  }

  private static String runcmd(RuleOptions o) {
    return (String) ((List<?>) parse(RuleGenerator.cloudInit(o)).get("runcmd")).get(0);
  }

  @Test
  void runcmd_isCleanPosixShell() throws IOException {
    Path dash = Shell.require("dash", "dash");
    Path shellcheck = Shell.require("shellcheck", "shellcheck");
    Path script = tmp.resolve("runcmd.sh");
    Files.writeString(script, "#!/bin/sh\n" + runcmd(RuleOptions.builder().movableMemory(true).build()));
    Shell.Result d = Shell.run(List.of(dash.toString(), "-n", script.toString()), null, null);
    assertThat(d.exit()).as(d.all()).isZero();
    Shell.Result sc = Shell.run(List.of(shellcheck.toString(), "-s", "sh", script.toString()), null, null);
    assertThat(sc.exit()).as(sc.all()).isZero();
  }

  @Test
  void runcmd_runsInASubshellSoLaterRuncmdEntriesStillRun() throws IOException {
    Path sys = tmp.resolve("sys");
    Files.createDirectories(sys.resolve("devices/system/cpu/cpu1"));
    Files.writeString(sys.resolve("devices/system/cpu/cpu1/online"), "0\n");
    Files.createDirectories(sys.resolve("devices/system/memory/memory9"));
    Files.writeString(sys.resolve("devices/system/memory/memory9/state"), "offline\n");
    Path script = tmp.resolve("runcmd.sh");
    // cloud-init writes runcmd entries one after another into one sh script
    Files.writeString(script, "#!/bin/sh\n" + runcmd(RuleOptions.defaults()) + "echo next-entry-ran\n");
    Map<String, String> env = new HashMap<>();
    env.put("HOTPLUG_SYSFS", sys.toString());
    env.put("HOTPLUG_NO_RELOAD", "1");
    Shell.Result r = Shell.run(List.of("/bin/sh", script.toString()), env, tmp);
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("next-entry-ran").contains("udev not reloaded");
    assertThat(Files.readString(sys.resolve("devices/system/cpu/cpu1/online")).strip()).isEqualTo("1");
    assertThat(Files.readString(sys.resolve("devices/system/memory/memory9/state")).strip()).isEqualTo("online");
  }
}
