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

  @Test
  void negativeHugeAndUnknownUnitNumbers_eachReportedWithExit1_noOutputFile_domainWithoutVcpuPrepared()
      throws IOException {
    Path negative = file("negative.xml", VM.replace("<memory unit='KiB'>1048576</memory>",
        "<memory unit='KiB'>-1048576</memory>"));
    Path huge = file("huge.xml", VM.replace("<memory unit='KiB'>1048576</memory>",
        "<memory unit='KiB'>99999999999999999999999</memory>"));
    Path unit = file("unit.xml", VM.replace("<memory unit='KiB'>1048576</memory>",
        "<memory unit='gigs'>1</memory>"));
    Path hugeVcpu = file("hugevcpu.xml", VM.replace("<vcpu placement='static'>2</vcpu>",
        "<vcpu placement='static'>99999999999</vcpu>"));
    Path noVcpu = file("novcpu.xml", VM.replace("  <vcpu placement='static'>2</vcpu>\n", ""));
    Path out = dir.resolve("out");

    Run r = run("prepare", negative.toString(), huge.toString(), unit.toString(), hugeVcpu.toString(),
        noVcpu.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4", "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("negative.xml: refused (INVALID_DOMAIN)").contains("'-1048576'")
        .contains("huge.xml: refused (INVALID_DOMAIN)").contains("too large")
        .contains("unit.xml: refused (INVALID_DOMAIN)").contains("unknown memory unit 'gigs'")
        .contains("hugevcpu.xml: refused (INVALID_DOMAIN)").contains("99999999999");
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("novcpu.xml");
    }
    assertThat(Files.readString(out.resolve("novcpu.xml"))).contains("current='1'>4</vcpu>");
  }

  @Test
  void hostileSingleFile_toStdout_exit1_nothingOnStdout() throws IOException {
    Path hostile = file("hostile.xml", BILLION_LAUGHS);

    Run r = run("prepare", hostile.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("hostile.xml: not a usable domain XML (HOSTILE)");
  }

  @Test
  void preparedOutput_preparedAgain_isByteIdentical_andSaysNothingChanged() throws IOException {
    Path vm = file("vm.xml", VM);
    Run first = run("prepare", vm.toString(), "--max-vcpus", "32", "--max-memory", "16GiB", "--slots", "16");
    Path prepared = file("prepared.xml", first.out());

    Run again = run("prepare", prepared.toString(), "--max-vcpus", "32", "--max-memory", "16384MiB", "--slots", "16");

    assertThat(first.code()).isZero();
    assertThat(again.code()).isZero();
    assertThat(again.out()).isEqualTo(first.out());
    assertThat(again.err()).contains("already prepared for these limits; nothing changed");
  }

  @Test
  void badSizesAndOutDirThatIsAFile_exit2WithUsage_nothingWritten() throws IOException {
    Path vm = file("vm.xml", VM);
    Path notADir = file("not-a-dir", "x");
    String f = vm.toString();

    Run negative = run("prepare", f, "--max-vcpus", "4", "--max-memory", "-1GiB", "--slots", "4");
    Run fraction = run("prepare", f, "--max-vcpus", "4", "--max-memory", "1.5GiB", "--slots", "4");
    Run overflow = run("prepare", f, "--max-vcpus", "4", "--max-memory", "9EiB", "--slots", "4");
    Run notKiB = run("prepare", f, "--max-vcpus", "4", "--max-memory", "1000b", "--slots", "4");
    Run fileAsDir = run("prepare", f, "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4",
        "--out-dir", notADir.toString());

    for (Run r : new Run[] {negative, fraction, overflow, notKiB, fileAsDir}) {
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains("Usage:");
      assertThat(r.out()).isEmpty();
    }
    assertThat(negative.err()).contains("does not start with a whole");
    assertThat(fraction.err()).contains("1536MiB");
    assertThat(overflow.err()).contains("too large");
    assertThat(notKiB.err()).contains("not a whole number of KiB");
    assertThat(fileAsDir.err()).contains("is not a directory");
    assertThat(Files.readString(notADir)).isEqualTo("x");
    assertThat(Files.readString(vm)).isEqualTo(VM);
  }

  @Test
  void twoInputsWithTheSameName_intoOneOutDir_usageError_nothingWritten() throws IOException {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Path a = file("a/vm.xml", VM);
    Path b = file("b/vm.xml", VM.replace("<name>hotplug</name>", "<name>other</name>"));
    Path out = dir.resolve("out");

    Run r = run("prepare", a.toString(), b.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4",
        "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("two files are named vm.xml").contains("separate runs");
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void deviceFileAndOversizedFile_refusedWithoutReading_exit1() throws IOException {
    Path big = dir.resolve("big.xml");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(PrepareCommand.MAX_INPUT_BYTES + 1); // sparse: nothing is written
    }
    Path out = dir.resolve("out");

    Run r = run("prepare", "/dev/zero", big.toString(), "--max-vcpus", "4", "--max-memory", "8GiB", "--slots", "4",
        "--out-dir", out.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("/dev/zero").contains("not a regular file")
        .contains("big.xml").contains("a domain XML is far smaller");
    assertThat(Files.exists(out.resolve("zero"))).isFalse();
    assertThat(Files.exists(out.resolve("big.xml"))).isFalse();
  }
}
