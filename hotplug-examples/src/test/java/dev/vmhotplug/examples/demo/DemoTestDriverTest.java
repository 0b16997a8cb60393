package dev.vmhotplug.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.examples.cli.HotplugCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo's fallback walk on libvirt's test driver (what runs when QEMU cannot). */
class DemoTestDriverTest {

  private static String[] run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int rc = HotplugCli.run(args);
      return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void testDriverWalk_hotAddsVcpusAndSaysWhatItSkipped() {
    String[] r = run("demo", "--test-driver");
    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains("virsh setvcpus hp-demo 4 --live --config")
        .contains("<vcpu placement='static' current='2'>4</vcpu>")
        .contains("<maxMemory slots='16' unit='KiB'>2097152</maxMemory>")
        .contains("current      live           4")
        .contains("[skip] DIMM hot-add")
        .containsPattern("DEMO PASSED: 2 checks held, 3 skipped");
  }

  @Test
  void testDriverWalk_toThreeVcpus_showsTheRequestedTotal() {
    String[] r = run("demo", "--test-driver", "--vcpus", "3");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("virsh setvcpus hp-demo 3 --live --config").contains("current      config         3");
  }

  @Test
  void badArguments_exitTwoWithUsage() {
    assertThat(run("demo", "--memory", "256")[0]).isEqualTo("2");
    assertThat(run("demo", "--vcpus", "0")[0]).isEqualTo("2");
    String[] r = run("demo", "--uri", "test:///default");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--uri and --domain go together");
  }

  @Test
  void existingDomain_readOnly_inspectsAndPlansWithoutChange() {
    String[] r = run("demo", "--uri", "test:///default", "--domain", "test", "--vcpus", "2");
    // test:///default's domain "test" is not prepared for memory hotplug: the plan must refuse it
    assertThat(r[0]).as(r[1] + r[2]).isEqualTo("1");
    assertThat(r[1] + r[2]).contains("maximum      live").containsIgnoringCase("prepare");
  }
}
