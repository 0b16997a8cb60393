package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hotplug ensure} in-process against libvirt's test driver. */
class EnsureCommandTest {
  @TempDir Path dir;

  @Test
  void dryRun_vcpusAndMemory_printsBothSteps() throws IOException {
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem", "--vcpus", "4",
        "--memory", "2GiB", "--live", "--config", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("dry run, nothing changed", "vCPUs 2 -> 4", "memory 1280 MiB -> 2 GiB",
        "<size unit='MiB'>768</size>");
  }

  @Test
  void apply_vcpus_printsVcpucountTable() throws IOException {
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem", "--vcpus", "3",
        "--live");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("vCPUs 2 -> 3", "current      live           3", "max memory");
  }

  @Test
  void alreadyThere_saysNothingToDo() throws IOException {
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem", "--vcpus", "2",
        "--memory", "1280MiB", "--live", "--config");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("nothing to do", "nothing changed");
  }

  @Test
  void vcpusDoneMemoryFails_exits1ShowingWhatWasDoneWhatFailedAndTheStateNow() throws IOException {
    // the test driver has no device attach: the vCPU step is applied, then the memory step fails
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem", "--vcpus", "3",
        "--memory", "1536MiB", "--live");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("partially applied:", "stopped half way", "done: setVcpusFlags", "failed: ADD_MEMORY",
        "state now:", "current      live           3")
        .doesNotContain("nothing was changed");
  }

  @Test
  void aboveMaximum_exits1() throws IOException {
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem", "--vcpus", "9");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("ABOVE_MAXIMUM", "--max-vcpus 9");
  }

  @Test
  void nothingAsked_isUsageError2() throws IOException {
    AttachMemoryCommandTest.Run r = run("ensure", "-c", AttachMemoryCommandTest.node(dir), "mem");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--vcpus N and/or --memory SIZE");
  }
}
