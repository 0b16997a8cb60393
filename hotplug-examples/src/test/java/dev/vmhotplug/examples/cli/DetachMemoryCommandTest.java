package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hotplug detach-memory} in-process against libvirt's test driver. */
class DetachMemoryCommandTest {
  @TempDir Path dir;

  @Test
  void dryRun_existingDimm_printsMinimalXmlAndSlot() throws IOException {
    AttachMemoryCommandTest.Run r = run("detach-memory", "-c", AttachMemoryCommandTest.node(dir), "mem", "256MiB",
        "--live", "--config", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("detach 1 DIMM (256 MiB)", "slot 0", "exact size match")
        .doesNotContain("<address");
  }

  @Test
  void nothingMatches_exits1ListingDimms() throws IOException {
    AttachMemoryCommandTest.Run r = run("detach-memory", "-c", AttachMemoryCommandTest.node(dir), "mem", "1GiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("NOTHING_TO_REMOVE", "256 MiB on node 0 (slot 0)");
  }

  @Test
  void apply_testDriverCannotDetach_exits1() throws IOException {
    AttachMemoryCommandTest.Run r = run("detach-memory", "-c", AttachMemoryCommandTest.node(dir), "mem", "256MiB");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("failed:");
  }
}
