package dev.vmhotplug.guest.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerScriptTest {

  private static final RuleOptions MOVABLE = RuleOptions.builder().movableMemory(true).build();
  private static final RuleOptions CPU_ONLY = RuleOptions.builder().memory(false).build();
  private static final RuleOptions MEMORY_ONLY_MOVABLE =
      RuleOptions.builder().cpu(false).movableMemory(true).build();

  @TempDir Path tmp;

  @Test
  void scripts_matchTheirGoldenFilesByteForByte() {
    RuleGeneratorTest.assertSameBytes(RuleGenerator.installerScript(RuleOptions.defaults()), "install-default.sh");
    RuleGeneratorTest.assertSameBytes(RuleGenerator.installerScript(MOVABLE), "install-movable.sh");
    RuleGeneratorTest.assertSameBytes(RuleGenerator.installerScript(CPU_ONLY), "install-cpu-only.sh");
    RuleGeneratorTest.assertSameBytes(RuleGenerator.installerScript(MEMORY_ONLY_MOVABLE),
        "install-memory-only-movable.sh");
  }

  @Test
  void everyVariant_isAcceptedBySh_dash_andShellcheck() throws IOException {
    Path dash = Shell.require("dash", "dash");
    Path shellcheck = Shell.require("shellcheck", "shellcheck");
    for (RuleOptions o : List.of(RuleOptions.defaults(), MOVABLE, CPU_ONLY, MEMORY_ONLY_MOVABLE)) {
      Path script = tmp.resolve("install.sh");
      Files.writeString(script, RuleGenerator.installerScript(o));
      Shell.Result sh = Shell.run(List.of("/bin/sh", "-n", script.toString()), null, null);
      assertThat(sh.exit()).as(sh.all()).isZero();
      Shell.Result d = Shell.run(List.of(dash.toString(), "-n", script.toString()), null, null);
      assertThat(d.exit()).as(d.all()).isZero();
      Shell.Result sc = Shell.run(List.of(shellcheck.toString(), "-s", "sh", script.toString()), null, null);
      assertThat(sc.exit()).as("shellcheck of the script for %s:%n%s", o, sc.all()).isZero();
      assertThat(sc.out()).isEmpty();
    }
  }

  @Test
  void script_hasNoBashisms() {
    String s = RuleGenerator.installerScript(RuleOptions.defaults());
    assertThat(s).startsWith("#!/bin/sh\n").doesNotContain("[[").doesNotContain("function ")
        .doesNotContain("local ").doesNotContain("$'").doesNotContain("<<<").doesNotContain("==\" ]");
  }

  /** A fake sysfs: cpu0 (no online file), cpu1 online, cpu2/cpu3 offline; memory0 online, 32/33 offline. */
  private Path fakeSysfs() throws IOException {
    Path sys = tmp.resolve("sys");
    Path cpu = sys.resolve("devices/system/cpu");
    Files.createDirectories(cpu.resolve("cpu0"));
    write(cpu.resolve("cpu1/online"), "1\n");
    write(cpu.resolve("cpu2/online"), "0\n");
    write(cpu.resolve("cpu3/online"), "0\n");
    write(cpu.resolve("online"), "0-1\n");
    Path mem = sys.resolve("devices/system/memory");
    write(mem.resolve("block_size_bytes"), "8000000\n");
    write(mem.resolve("memory0/state"), "online\n");
    write(mem.resolve("memory32/state"), "offline\n");
    write(mem.resolve("memory33/state"), "offline\n");
    write(mem.resolve("memory34/state"), "going-offline\n");
    return sys;
  }

  private static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
  }

  /** A PATH holding only the tools the script needs, plus fake udevadm/udevcontrol that log their arguments. */
  private Path fakeBin(boolean udevadm, boolean udevcontrol) throws IOException {
    Path bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    for (String tool : List.of("cat", "chmod", "mv", "rm", "mkdir", "sort")) {
      Path real = Shell.which(tool);
      assertThat(real).as(tool + " on PATH").isNotNull();
      Files.createSymbolicLink(bin.resolve(tool), real);
    }
    if (udevadm) {
      fakeTool(bin.resolve("udevadm"));
    }
    if (udevcontrol) {
      fakeTool(bin.resolve("udevcontrol"));
    }
    return bin;
  }

  private void fakeTool(Path p) throws IOException {
    Files.writeString(p, "#!/bin/sh\necho \"$0 $*\" >> \"" + tmp.resolve("reload.log") + "\"\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Shell.Result runScript(String shell, RuleOptions o, Path sys, Path rules, Path bin) throws IOException {
    Path script = tmp.resolve("install.sh");
    Files.writeString(script, RuleGenerator.installerScript(o));
    Map<String, String> env = new HashMap<>();
    env.put("HOTPLUG_RULES_DIR", rules.toString());
    env.put("HOTPLUG_SYSFS", sys.toString());
    env.put("PATH", bin.toString());
    return Shell.run(List.of(shell, script.toString()), env, tmp);
  }

  @Test
  void runWithSh_writesRules_reloadsUdev_andOnlinesWhatIsOffline() throws IOException {
    Path sys = fakeSysfs();
    Path rules = tmp.resolve("etc/udev/rules.d");
    Shell.Result r = runScript("/bin/sh", RuleOptions.defaults(), sys, rules, fakeBin(true, false));

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(rules.resolve("80-cpu-hotplug.rules")).hasContent(RuleGeneratorTest.golden("default.80-cpu-hotplug.rules"));
    assertThat(Files.readString(rules.resolve("81-mem-hotplug.rules")))
        .isEqualTo(RuleGeneratorTest.golden("default.81-mem-hotplug.rules"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rules.resolve("80-cpu-hotplug.rules"))))
        .isEqualTo("rw-r--r--");
    try (var list = Files.list(rules)) {
      assertThat(list.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    }
    Path cpu = sys.resolve("devices/system/cpu");
    assertThat(Files.readString(cpu.resolve("cpu2/online")).strip()).isEqualTo("1");
    assertThat(Files.readString(cpu.resolve("cpu3/online")).strip()).isEqualTo("1");
    assertThat(Files.readString(cpu.resolve("cpu1/online")).strip()).isEqualTo("1");
    assertThat(cpu.resolve("cpu0/online")).doesNotExist();
    Path mem = sys.resolve("devices/system/memory");
    assertThat(Files.readString(mem.resolve("memory32/state")).strip()).isEqualTo("online");
    assertThat(Files.readString(mem.resolve("memory33/state")).strip()).isEqualTo("online");
    assertThat(Files.readString(mem.resolve("memory34/state")).strip()).isEqualTo("going-offline");
    assertThat(Files.readString(tmp.resolve("reload.log"))).contains("udevadm control --reload");
    assertThat(r.out()).contains("wrote " + rules.resolve("80-cpu-hotplug.rules"))
        .contains("onlined " + cpu.resolve("cpu2")).contains("onlined " + mem.resolve("memory33") + " as online");
  }

  @Test
  void runWithDash_movable_writesOnlineMovable() throws IOException {
    Path dash = Shell.require("dash", "dash");
    Path sys = fakeSysfs();
    Path rules = tmp.resolve("rules");
    Shell.Result r = runScript(dash.toString(), MOVABLE, sys, rules, fakeBin(true, false));
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Files.readString(sys.resolve("devices/system/memory/memory32/state")).strip())
        .isEqualTo("online_movable");
    assertThat(Files.readString(rules.resolve("81-mem-hotplug.rules"))).contains("ATTR{state}=\"online_movable\"");
  }

  @Test
  void cpuOnly_leavesMemoryAlone() throws IOException {
    Path sys = fakeSysfs();
    Path rules = tmp.resolve("rules");
    Shell.Result r = runScript("/bin/sh", CPU_ONLY, sys, rules, fakeBin(true, false));
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Files.readString(sys.resolve("devices/system/memory/memory32/state")).strip()).isEqualTo("offline");
    assertThat(Files.readString(sys.resolve("devices/system/cpu/cpu2/online")).strip()).isEqualTo("1");
    assertThat(rules.resolve("81-mem-hotplug.rules")).doesNotExist();
  }

  @Test
  void memoryBlocks_areOnlinedHighestFirst_inNumericOrder() throws IOException {
    Path sys = tmp.resolve("sys");
    for (int n : new int[] {9, 10, 100}) {
      write(sys.resolve("devices/system/memory/memory" + n + "/state"), "offline\n");
    }
    Shell.Result r = runScript("/bin/sh", MOVABLE, sys, tmp.resolve("rules"), fakeBin(true, false));
    assertThat(r.exit()).as(r.all()).isZero();
    String out = r.out();
    assertThat(out.indexOf("memory100 as online_movable")).isPositive()
        .isLessThan(out.indexOf("memory10 as online_movable"));
    assertThat(out.indexOf("memory10 as online_movable")).isLessThan(out.indexOf("memory9 as online_movable"));
  }

  @Test
  void withoutUdevadm_fallsBackToUdevcontrol() throws IOException {
    Path sys = fakeSysfs();
    Shell.Result r = runScript("/bin/sh", RuleOptions.defaults(), sys, tmp.resolve("rules"), fakeBin(false, true));
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Files.readString(tmp.resolve("reload.log"))).contains("udevcontrol reload_rules");
  }

  @Test
  void withoutAnyUdevTool_warnsAndStillOnlines() throws IOException {
    Path sys = fakeSysfs();
    Shell.Result r = runScript("/bin/sh", RuleOptions.defaults(), sys, tmp.resolve("rules"), fakeBin(false, false));
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err()).contains("neither udevadm nor udevcontrol found");
    assertThat(Files.readString(sys.resolve("devices/system/cpu/cpu3/online")).strip()).isEqualTo("1");
  }

  @Test
  void unwritableRulesDirectory_exitsOneAndTouchesNothing() throws IOException {
    Path sys = fakeSysfs();
    Path blocker = tmp.resolve("not-a-dir");
    Files.writeString(blocker, "x");
    Shell.Result r = runScript("/bin/sh", RuleOptions.defaults(), sys, blocker.resolve("rules.d"), fakeBin(true, false));
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.err()).contains("vmhotplug: cannot create " + blocker.resolve("rules.d"));
    assertThat(Files.readString(sys.resolve("devices/system/cpu/cpu2/online")).strip()).isEqualTo("0");
    assertThat(tmp.resolve("reload.log")).doesNotExist();
  }

  @Test
  void rerun_isIdempotent() throws IOException {
    Path sys = fakeSysfs();
    Path rules = tmp.resolve("rules");
    Path bin = fakeBin(true, false);
    assertThat(runScript("/bin/sh", RuleOptions.defaults(), sys, rules, bin).exit()).isZero();
    Shell.Result again = runScript("/bin/sh", RuleOptions.defaults(), sys, rules, bin);
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).doesNotContain("onlined");
    assertThat(Files.readString(rules.resolve("80-cpu-hotplug.rules")))
        .isEqualTo(RuleGeneratorTest.golden("default.80-cpu-hotplug.rules"));
  }
}
