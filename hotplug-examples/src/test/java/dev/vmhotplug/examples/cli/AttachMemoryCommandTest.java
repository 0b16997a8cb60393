package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import dev.vmhotplug.xml.MemorySize;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hotplug attach-memory} in-process against libvirt's test driver. */
class AttachMemoryCommandTest {
  @TempDir Path dir;

  /** Exit code, stdout and stderr of one run. */
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

  /**
   * A node file: {@code mem} (running, prepared: 4 GiB max, 4 slots, 1 GiB cell 0 + a 256 MiB DIMM,
   * 2 of 4 vCPUs), {@code plain} (running, not prepared), {@code off} (shut off, prepared).
   */
  static String node(Path dir) throws IOException {
    return TestDriverNode.write(dir, prepared("mem").build(), TestDomain.named("plain").vcpus(2, 4).build(),
        prepared("off").shutOff().build()).uri();
  }

  private static TestDomain.Builder prepared(String name) {
    return TestDomain.named(name).vcpus(2, 4).memory(MemorySize.ofGiB(1))
        .memoryHotplug(MemorySize.ofGiB(4), 4).dimm(MemorySize.ofMiB(256), 0);
  }

  @Test
  void dryRun_validRequest_printsPlanWithGuideXmlAndExits0() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "512MiB", "--node", "0", "--live", "--config", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("dry run, nothing changed", "attach 1 DIMM (512 MiB)", "scope LIVE_AND_CONFIG",
        "<memory model='dimm'>", "<size unit='MiB'>512</size>", "live memory:   1280 MiB -> 1792 MiB");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void connectBeforeSubcommand_virshPosition_isUsed() throws IOException {
    Run r = run("-c", node(dir), "attach-memory", "mem", "256MiB", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("attach 1 DIMM (256 MiB) to domain 'mem', scope LIVE");
  }

  @Test
  void dryRun_split_showsEachDimm() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "768MiB", "--split", "256MiB", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("attach 3 DIMMs", "DIMM 3: 256 MiB on node 0");
  }

  @Test
  void unprepared_exits1WithPrepareHintOnStderr() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "plain", "1GiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NOT_PREPARED)", "hotplug prepare-domain plain");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aboveMaxMemory_exits1() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "3GiB", "--live");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("ABOVE_MAX_MEMORY", "Add at most 2816 MiB");
  }

  @Test
  void misaligned_exits1SuggestingSizes() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "200MiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("NOT_BLOCK_ALIGNED", "Use 128 MiB or 256 MiB");
  }

  @Test
  void sizeWithoutUnit_exits1SuggestingAUnit() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "8192");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("NO_UNIT", "MiB");
  }

  @Test
  void shutOffLive_exits1() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "off", "256MiB", "--live");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("NOT_RUNNING", "virsh start off");
  }

  @Test
  void unknownDomain_exits1NamingTheUri() throws IOException {
    String uri = node(dir);
    Run r = run("attach-memory", "-c", uri, "nope", "256MiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("nope", uri);
  }

  @Test
  void apply_testDriverCannotAttach_exits1AndReportsLibvirt() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem", "256MiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("failed:", "not supported");
  }

  @Test
  void missingSize_isUsageError2() throws IOException {
    Run r = run("attach-memory", "-c", node(dir), "mem");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("SIZE");
  }
}
