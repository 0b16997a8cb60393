package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UdevRulesCommandTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = HotplugCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private Path write(String guestPath, String content) throws IOException {
    Path p = tmp.resolve(guestPath.substring(1));
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  /** Ubuntu 22.04's 40-vm-hotadd.rules (verbatim from the published file). */
  private static final String VM_HOTADD = """
      # On Hyper-V and Xen Virtual Machines we want to add memory and cpus as soon as they appear
      ATTR{[dmi/id]sys_vendor}=="Microsoft Corporation", ATTR{[dmi/id]product_name}=="Virtual Machine", GOTO="vm_hotadd_apply"
      ATTR{[dmi/id]sys_vendor}=="Xen", GOTO="vm_hotadd_apply"
      GOTO="vm_hotadd_end"

      LABEL="vm_hotadd_apply"

      # Memory hotadd request
      SUBSYSTEM=="memory", ACTION=="add", DEVPATH=="/devices/system/memory/memory[0-9]*", TEST=="state", ATTR{state}!="online", ATTR{state}="online"

      # CPU hotadd request
      SUBSYSTEM=="cpu", ACTION=="add", DEVPATH=="/devices/system/cpu/cpu[0-9]*", TEST=="online", ATTR{online}!="1", ATTR{online}="1"

      LABEL="vm_hotadd_end"
      """;

  /** RHEL 9's 40-redhat.rules hotplug part (verbatim from redhat-plumbers/systemd-rhel9). */
  private static final String REDHAT9 = """
      # CPU hotadd request
      SUBSYSTEM!="cpu", GOTO="cpu_online_end"
      ACTION!="add", GOTO="cpu_online_end"
      CONST{arch}=="ppc64*", GOTO="cpu_online_end"
      CONST{arch}=="s390*", ATTR{configure}=="0", GOTO="cpu_online_end"

      TEST=="online", ATTR{online}=="0", ATTR{online}="1"

      LABEL="cpu_online_end"

      # Memory hotadd request
      SUBSYSTEM!="memory", GOTO="memory_hotplug_end"
      ACTION!="add", GOTO="memory_hotplug_end"
      CONST{arch}=="s390*", GOTO="memory_hotplug_end"
      CONST{arch}=="ppc64*", GOTO="memory_hotplug_end"

      ENV{.state}="online"
      CONST{virt}=="none", ENV{.state}="online_movable"
      ATTR{state}=="offline", ATTR{state}="$env{.state}"

      LABEL="memory_hotplug_end"
      """;

  @Test
  void ubuntuRoot_vmHotaddOnly_exits3WithEvidenceAndRules() throws IOException {
    write("/etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
    write("/lib/udev/rules.d/40-vm-hotadd.rules", VM_HOTADD);
    int code = run("udev-rules", "--root", tmp.toString());
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.NEEDS_ACTION);
    // the verdict is for people: stderr; the rules alone on stdout
    assertThat(err.toString())
        .contains("Guest: Ubuntu 22.04.4 LTS (ubuntu 22.04, from /etc/os-release)")
        .contains("CPU: NEEDS A RULE (detected) - CPU: NOT onlined")
        .contains("40-vm-hotadd.rules:9: never reached: 40-vm-hotadd.rules:4 GOTO=\"vm_hotadd_end\" jumps over it")
        .contains("DMI sys_vendor is \"QEMU\"");
    assertThat(out.toString())
        .startsWith("# --- 80-cpu-hotplug.rules\n")
        .contains("# --- 81-mem-hotplug.rules\n")
        .contains("SUBSYSTEM==\"memory\", ACTION==\"add\", TEST==\"state\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n")
        .doesNotContain("Guest:").doesNotContain("NEEDS A RULE");
  }

  @Test
  void ubuntuRoot_onHyperV_coveredExit0() throws IOException {
    write("/etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
    write("/lib/udev/rules.d/40-vm-hotadd.rules", VM_HOTADD);
    // product_name stays QEMU's, so only the Xen line can open the way
    int code = run("udev-rules", "--root", tmp.toString(), "--sys-vendor", "Xen", "--virt", "xen");
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.OK);
    assertThat(err.toString()).contains("Nothing to do");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void rhel9Root_covered_exit0WithFileAndLine() throws IOException {
    write("/etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
    write("/usr/lib/udev/rules.d/40-redhat.rules", REDHAT9);
    int code = run("udev-rules", "--root", tmp.toString());
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.OK);
    assertThat(err.toString())
        .contains("CPU: covered (detected) - CPU: onlined (online=1) by 40-redhat.rules:7")
        .contains("memory: covered (detected) - memory: onlined (state=online) by 40-redhat.rules:19")
        .contains("Nothing to do");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void rhel9Root_movable_exit3WithMovableRuleAndScript() throws IOException {
    write("/etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
    write("/usr/lib/udev/rules.d/40-redhat.rules", REDHAT9);
    int code = run("udev-rules", "--root", tmp.toString(), "--movable", "--script");
    assertThat(code).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(err.toString()).contains("Installer script on stdout");
    assertThat(out.toString()).startsWith("#!/bin/sh\n")
        .contains("39-mem-hotplug.rules").contains("online_movable").doesNotContain("Installer script");
  }

  @Test
  void distroAndVersion_centos70_exit3_cloudInit() {
    int code = run("udev-rules", "--distro", "centos", "--version", "7.0", "--cloud-init");
    assertThat(code).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(out.toString()).startsWith("#cloud-config\n");
    assertThat(err.toString()).contains("cloud-init user-data on stdout").contains("systemd-219-19.el7_2.9");
  }

  @Test
  void distroWithGuideSystemd_exit0() {
    int code = run("udev-rules", "--distro", "centos", "--version", "7.0", "--systemd-version", "219-19.el7_2.9");
    assertThat(code).as(out + err.toString()).isEqualTo(HotplugCli.OK);
  }

  @Test
  void unknownDistro_exit3InstallBoth() {
    int code = run("udev-rules", "--distro", "gentoo");
    assertThat(code).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(err.toString()).contains("unknown: install both rules");
    assertThat(out.toString()).contains("# --- 81-mem-hotplug.rules");
  }

  @Test
  void grepOutput_explained_exit0() throws IOException {
    Path g = write("/grep.txt", "/lib/udev/rules.d/40-redhat.rules:# CPU hotadd request\n"
        + "/lib/udev/rules.d/98-kexec.rules:SUBSYSTEM==\"cpu\", ACTION==\"add\", PROGRAM=\"/bin/systemctl try-restart kdump.service\"\n");
    int code = run("udev-rules", "--grep", g.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("a comment: udev ignores it")
        .contains("runs PROGRAM=\"/bin/systemctl try-restart kdump.service\" but onlines nothing")
        .contains("2 line(s); 0 would online a device IF reached");
  }

  @Test
  void badArguments_exit2WithMessage() throws IOException {
    assertThat(run("udev-rules")).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("give --root DIR (a mounted guest root) or --distro NAME");
    assertThat(run("udev-rules", "--distro", "centos", "--version", "7.0", "--script", "--cloud-init"))
        .isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("--script and --cloud-init exclude each other");
    assertThat(run("udev-rules", "--root", tmp.resolve("missing").toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("does not exist");
    assertThat(run("udev-rules", "--distro", "centos", "--version", "7.0", "--systemd-version", "x:1"))
        .isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("epoch 'x'");
    assertThat(run("udev-rules", "--version", "7")).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("--version needs --distro");
    Path junk = write("/junk.txt", "hello\n");
    assertThat(run("udev-rules", "--grep", junk.toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("no grep hit found");
    assertThat(Files.readString(junk)).isEqualTo("hello\n");
  }

  @Test
  void rhel8Root_memoryLeftToKernelPolicy_exit3_butExit0WhenKernelAutoOnlines() throws IOException {
    write("/etc/os-release", "ID=\"rocky\"\nVERSION_ID=\"8.10\"\n");
    write("/usr/lib/udev/rules.d/40-redhat.rules", "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"\n"
        + REDHAT9.substring(REDHAT9.indexOf("# Memory")).replace("ENV{.state}=\"online\"",
            "ATTRS{auto_online_blocks}==\"offline\", GOTO=\"memory_hotplug_end\"\n\nENV{.state}=\"online\""));
    assertThat(run("udev-rules", "--root", tmp.toString())).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(err.toString()).contains("CPU: covered").contains("memory: NEEDS A RULE")
        .contains("auto_online_blocks is offline here");
    assertThat(out.toString()).startsWith("# --- 81-mem-hotplug.rules");
    assertThat(run("udev-rules", "--root", tmp.toString(), "--auto-online-blocks", "online")).isEqualTo(HotplugCli.OK);
  }

  @Test
  void malformedGuestFiles_exit3WithCannotTellOrTheReason_neverAStackTrace() throws IOException {
    byte[] junk = new byte[4096];
    new java.util.Random(3).nextBytes(junk);
    Path osRelease = tmp.resolve("etc/os-release");
    Files.createDirectories(osRelease.getParent());
    Files.write(osRelease, junk);
    Path rules = tmp.resolve("lib/udev/rules.d");
    Files.createDirectories(rules);
    Files.write(rules.resolve("99-junk.rules"), junk);
    Files.writeString(rules.resolve("80-cpu-hotplug.rules"), "");
    Files.writeString(rules.resolve("81-mem-hotplug.rules"),
        "SUBSYSTEM==\"memory\", ACTION==\"add\", TEST==\"state\", ATTR{state}==\"offline\", ATTR{state}=\"onl");
    Files.writeString(rules.resolve("90-huge.rules"), "# filler\n".repeat(300_000));
    int code = run("udev-rules", "--root", tmp.toString());
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(err.toString()).contains("CPU: NEEDS A RULE").contains("memory: NEEDS A RULE")
        .contains("looks binary");
    assertThat(out.toString()).contains("# --- 80-cpu-hotplug.rules").contains("# --- 81-mem-hotplug.rules");
    assertThat(Files.readAllBytes(rules.resolve("99-junk.rules"))).isEqualTo(junk);
  }

  @Test
  void malformedGrepOutput_exit2WithTheReason() throws IOException {
    byte[] junk = new byte[4096];
    new java.util.Random(5).nextBytes(junk);
    Path bin = tmp.resolve("grep.bin");
    Files.write(bin, junk);
    assertThat(run("udev-rules", "--grep", bin.toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("binary, not grep output");
    Path empty = write("/grep-empty.txt", "");
    assertThat(run("udev-rules", "--grep", empty.toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("no grep hit found");
    Path huge = write("/grep-huge.txt", "/lib/udev/rules.d/98-kexec.rules:# cpu\n".repeat(40_000));
    assertThat(run("udev-rules", "--grep", huge.toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("larger than 1 MiB");
    assertThat(run("udev-rules", "--grep", tmp.resolve("nope.txt").toString())).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("cannot read --grep");
    assertThat(err.toString()).doesNotContain("\tat ");
    assertThat(Files.readAllBytes(bin)).isEqualTo(junk);
  }

  @Test
  void json_ubuntuRoot_verdictEvidenceAndEscapedRules_exit3() throws IOException {
    write("/etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n");
    write("/lib/udev/rules.d/40-vm-hotadd.rules", VM_HOTADD);
    int code = run("udev-rules", "--root", tmp.toString(), "--json");
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.NEEDS_ACTION);
    String json = out.toString();
    assertThat(json).startsWith("{\"distro\":{\"id\":\"ubuntu\",\"version\":\"22.04\","
            + "\"name\":\"Ubuntu 22.04.4 LTS\",\"source\":\"/etc/os-release\"},\"covered\":false,")
        .endsWith("]}\n")
        .contains("{\"resource\":\"cpu\",\"verdict\":\"NEEDS_RULE\",\"basis\":\"detected\","
            + "\"reason\":\"CPU: NOT onlined: no rule writes online on a hot-add event on this machine\","
            + "\"evidence\":null,\"status\":\"DOES_NOT_ONLINE\",\"explanations\":[")
        .contains("{\"location\":\"40-vm-hotadd.rules:9\",\"message\":\"never reached: 40-vm-hotadd.rules:4"
            + " GOTO=\\\"vm_hotadd_end\\\" jumps over it")
        .contains("{\"resource\":\"memory\",\"verdict\":\"NEEDS_RULE\"")
        .contains("{\"name\":\"80-cpu-hotplug.rules\",\"content\":\"")
        .contains("{\"name\":\"81-mem-hotplug.rules\",\"content\":\"")
        .contains("SUBSYSTEM==\\\"memory\\\", ACTION==\\\"add\\\", TEST==\\\"state\\\","
            + " ATTR{state}==\\\"offline\\\", ATTR{state}=\\\"online\\\"\\u000a")
        .doesNotContain("--- 80-cpu-hotplug.rules")
        .doesNotContain("Guest: ");
    // one line: the rule files' newlines are escaped
    assertThat(json.strip()).doesNotContain("\n");
  }

  @Test
  void json_rhel9Root_covered_evidenceFileAndLine_exit0() throws IOException {
    write("/etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
    write("/usr/lib/udev/rules.d/40-redhat.rules", REDHAT9);
    int code = run("udev-rules", "--root", tmp.toString(), "--json");
    assertThat(code).as(err.toString()).isEqualTo(HotplugCli.OK);
    assertThat(out.toString())
        .contains("\"covered\":true,")
        .contains("{\"resource\":\"cpu\",\"verdict\":\"COVERED\",\"basis\":\"detected\","
            + "\"reason\":\"CPU: onlined (online=1) by 40-redhat.rules:7\",\"evidence\":\"40-redhat.rules:7\","
            + "\"status\":\"ONLINES\"")
        .contains("\"evidence\":\"40-redhat.rules:19\"")
        .contains("\"rules\":[]}")
        .doesNotContain("Nothing to do");
  }

  @Test
  void json_unknownDistro_distroNull_knowledgeTableReasons_exit3() {
    int code = run("udev-rules", "--distro", "centos", "--version", "7.0", "--json");
    assertThat(code).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(out.toString()).startsWith("{\"distro\":{\"id\":\"centos\",\"version\":\"7.0\",")
        .contains("\"basis\":\"knowledge table\"").contains("\"evidence\":null}");
    out.getBuffer().setLength(0);
    code = run("udev-rules", "--distro", "unknown", "--json");
    assertThat(code).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(out.toString()).startsWith("{\"distro\":null,\"covered\":false,")
        .contains("\"reason\":\"unknown: install both rules\"")
        .contains("{\"name\":\"80-cpu-hotplug.rules\"").contains("{\"name\":\"81-mem-hotplug.rules\"");
  }

  @Test
  void json_withScriptCloudInitOrGrep_exit2() throws IOException {
    assertThat(run("udev-rules", "--distro", "centos", "--version", "7.0", "--json", "--script"))
        .isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("--json prints the rule files itself: drop --script/--cloud-init");
    assertThat(run("udev-rules", "--distro", "centos", "--version", "7.0", "--json", "--cloud-init"))
        .isEqualTo(HotplugCli.USAGE);
    Path g = write("/grep.txt", "/lib/udev/rules.d/40-redhat.rules:# CPU hotadd request\n");
    assertThat(run("udev-rules", "--grep", g.toString(), "--json")).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("--json is not available with --grep");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void jsonString_escapesQuotesBackslashAndControlCharacters() {
    assertThat(Json.string("a\"b\\c\nd\te\u0001f\u00e9"))
        .isEqualTo("\"a\\\"b\\\\c\\u000ad\\u0009e\\u0001f\u00e9\"");
    assertThat(Json.strings(java.util.List.of("x", "y\""))).isEqualTo("[\"x\",\"y\\\"\"]");
    assertThat(Json.strings(java.util.List.of())).isEqualTo("[]");
  }
}
