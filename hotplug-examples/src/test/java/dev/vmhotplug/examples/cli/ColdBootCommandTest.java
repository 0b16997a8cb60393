package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hotplug cold-boot} and {@code hotplug agent-online} in-process against libvirt's test driver. */
class ColdBootCommandTest {
  @TempDir Path dir;

  /** {@code web} running persistent, {@code tr} running transient, {@code off} shut off, {@code ga} with the agent channel. */
  String node() throws IOException {
    return TestDriverNode.write(dir, dom("web").build(), dom("tr").persistent(false).build(),
        dom("off").shutOff().build(), dom("ga").guestAgentChannel().build()).uri();
  }

  private static TestDomain.Builder dom(String name) {
    return TestDomain.named(name).vcpus(1, 4);
  }

  @Test
  void coldBoot_runningPersistent_printsTheStepsAndExits0() throws IOException {
    AttachMemoryCommandTest.Run r = run("cold-boot", "-c", node(), "web", "--timeout", "30s");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("shutdown requested", "shut off", "started", "domain 'web': cold boot done in");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void coldBoot_json_oneObjectWithTheSteps() throws IOException {
    AttachMemoryCommandTest.Run r = run("cold-boot", "-c", node(), "web", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).startsWith("{\"domain\":\"web\",\"outcome\":\"BOOTED\",\"elapsed_ms\":")
        .contains("\"steps\":[{\"action\":\"shutdown requested\",\"at_ms\":", "{\"action\":\"started\"")
        .endsWith("]}");
    assertThat(r.out().strip().lines()).hasSize(1);
  }

  @Test
  void coldBoot_transient_refusedExit1_stillRunning() throws IOException {
    String uri = node();
    AttachMemoryCommandTest.Run r = run("cold-boot", "-c", uri, "tr");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NOT_PERSISTENT)", "would vanish", "nothing was changed");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void coldBoot_shutOff_refusedExit1_justStartIt() throws IOException {
    AttachMemoryCommandTest.Run r = run("cold-boot", "-c", node(), "off");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NOT_RUNNING)", "Just start it (virsh start off)");
  }

  @Test
  void coldBoot_timeoutWithoutUnit_usageError2() throws IOException {
    AttachMemoryCommandTest.Run r = run("cold-boot", "-c", node(), "web", "--timeout", "60");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'60' is not a duration", "60s, 2m");
    assertThat(run("cold-boot", "-c", node(), "web", "--timeout", "0s").err()).contains("positive duration");
  }

  @Test
  void agentOnline_noChannel_refusedNoGuestAgent() throws IOException {
    AttachMemoryCommandTest.Run r = run("agent-online", "-c", node(), "web");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (NO_GUEST_AGENT)", "org.qemu.guest_agent.0", "nothing was changed");
  }

  @Test
  void agentOnline_driverWithoutAgent_failsExit1_saysNothingChanged() throws IOException {
    AttachMemoryCommandTest.Run r = run("agent-online", "-c", node(), "ga", "--cpus", "--timeout", "2s");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("failed: the QEMU guest agent of domain 'ga' did not answer guest-ping",
        "nothing was changed");
  }

  @Test
  void agentOnline_cpusAndMemoryTogether_usageError2() throws IOException {
    AttachMemoryCommandTest.Run r = run("agent-online", "-c", node(), "ga", "--cpus", "--memory");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("mutually exclusive");
  }

  @Test
  void agentOnline_halfSecondTimeout_refusedWithTheFix() throws IOException {
    AttachMemoryCommandTest.Run r = run("agent-online", "-c", node(), "ga", "--timeout", "500ms");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("refused (INVALID_REQUEST)", "whole seconds from 1 to 300");
  }
}
