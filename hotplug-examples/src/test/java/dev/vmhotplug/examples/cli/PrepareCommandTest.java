package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PrepareCommandTest {

  static final String VM = """
      <domain type='kvm'>
        <name>hotplug</name>
        <memory unit='KiB'>1048576</memory>
        <currentMemory unit='KiB'>1048576</currentMemory>
        <vcpu placement='static'>2</vcpu>
        <os>
          <type arch='x86_64' machine='pc'>hvm</type>
        </os>
        <devices>
          <emulator>/usr/bin/qemu-system-x86_64</emulator>
        </devices>
      </domain>
      """;

  static final String BILLION_LAUGHS = """
      <?xml version="1.0"?>
      <!DOCTYPE domain [
        <!ENTITY a "aaaaaaaaaa">
        <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
        <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
      ]>
      <domain type='kvm'><name>&c;</name><memory>1048576</memory><vcpu>1</vcpu></domain>
      """;

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = HotplugCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  Path file(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void oneFile_printsPreparedXmlToStdout_andChangesToStderr() throws IOException {
    Path vm = file("vm.xml", VM);

    Run r = run("prepare", vm.toString(), "--max-vcpus", "32", "--max-memory", "16GiB", "--slots", "16");

    assertThat(r.code()).isEqualTo(0);
    String norm = r.out().replace('"', '\'');
    assertThat(norm).contains("current='2'>32</vcpu>")
        .contains("<maxMemory slots='16' unit='KiB'>16777216</maxMemory>")
        .contains("cpus='0-31'");
    assertThat(r.err()).contains("next cold boot");
    assertThat(Files.readString(vm)).isEqualTo(VM);
  }

  @Test
  void outDir_writesEachFileUnderItsName_andReportsRefusedAndHostileOnesWithExit1() throws IOException {
    Path good = file("good.xml", VM);
    Path xen = file("xen.xml", VM.replace("type='kvm'", "type='xen'"));
    Path hostile = file("hostile.xml", BILLION_LAUGHS);
    Path other = file("other.xml", VM.replace("<name>hotplug</name>", "<name>other</name>"));
    Path out = dir.resolve("out");

    Run r = run("prepare", good.toString(), xen.toString(), hostile.toString(), other.toString(),
        "--max-vcpus", "8", "--max-memory", "8GiB", "--slots", "4", "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("xen.xml: refused (DOMAIN_TYPE_CANNOT_HOTPLUG)").contains("hostile.xml")
        .contains("HOSTILE");
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("good.xml", "other.xml");
    }
    assertThat(Files.readString(out.resolve("other.xml"))).contains("<name>other</name>").contains("maxMemory");
    assertThat(r.out()).contains("good.xml").contains("other.xml");
  }

  @Test
  void refusedSingleFile_exit1_nothingOnStdout() throws IOException {
    Path vm = file("vm.xml", VM);

    Run r = run("prepare", vm.toString(), "--max-vcpus", "1", "--max-memory", "16GiB", "--slots", "16");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("MAX_VCPUS_BELOW_CURRENT").contains("2 or more");
  }

  @Test
  void missingFile_exit1() {
    Run r = run("prepare", dir.resolve("nope.xml").toString(), "--max-vcpus", "4", "--max-memory", "8GiB",
        "--slots", "4");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("nope.xml").contains("no such file");
  }

  @Test
  void badArguments_exit2WithUsage() throws IOException {
    Path vm = file("vm.xml", VM);
    String f = vm.toString();

    Run noUnit = run("prepare", f, "--max-vcpus", "4", "--max-memory", "8192", "--slots", "4");
    Run badSlots = run("prepare", f, "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "300");
    Run missing = run("prepare", f, "--max-vcpus", "4", "--slots", "4");
    Run twoToStdout = run("prepare", f, f, "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4");
    Run zeroVcpus = run("prepare", f, "--max-vcpus", "0", "--max-memory", "8GiB", "--slots", "4");

    for (Run r : new Run[] {noUnit, badSlots, missing, twoToStdout, zeroVcpus}) {
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains("Usage:");
      assertThat(r.out()).isEmpty();
    }
    assertThat(noUnit.err()).contains("8192MiB");
    assertThat(badSlots.err()).contains("1..256");
    assertThat(missing.err()).contains("--max-memory");
    assertThat(twoToStdout.err()).contains("--out-dir");
  }

  @Test
  void outDirSameAsInputDir_isAUsageError_inputUntouched() throws IOException {
    Path vm = file("vm.xml", VM);

    Run r = run("prepare", vm.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4",
        "--out-dir", dir.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("would overwrite the input");
    assertThat(Files.readString(vm)).isEqualTo(VM);
  }

  @Test
  void outDir_leavesNoTemporaryFiles() throws IOException {
    Path vm = file("vm.xml", VM);
    Path out = dir.resolve("o");

    Run r = run("prepare", vm.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4",
        "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(0);
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("vm.xml");
    }
  }

  @Test
  void externalEntityAndNonXml_reportedOnStderr_exit1_nothingWritten() throws IOException {
    Path secret = file("secret.txt", "top-secret-content");
    Path xxe = file("xxe.xml", "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM '"
        + secret.toUri() + "'>]>\n<domain type='kvm'><name>&x;</name><memory>1048576</memory></domain>\n");
    Path junk = file("junk.xml", "this is not XML at all {");
    Path out = dir.resolve("out");

    Run r = run("prepare", xxe.toString(), junk.toString(), "--max-vcpus", "4", "--max-memory", "8GiB",
        "--slots", "4", "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("xxe.xml").contains("HOSTILE").contains("junk.xml").contains("MALFORMED")
        .doesNotContain("top-secret-content");
    assertThat(r.out()).doesNotContain("top-secret-content");
    assertThat(Files.exists(out.resolve("xxe.xml"))).isFalse();
    assertThat(Files.exists(out.resolve("junk.xml"))).isFalse();
  }
}
