package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.examples.cli.AttachMemoryCommandTest.Run;
import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import dev.vmhotplug.xml.MemorySize;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hotplug update-memory-device} and the {@code --online-through-agent} options, in-process
 * against libvirt's test driver: it keeps virtio-mem devices in its definitions (so plans, dry runs,
 * JSON and refusals run for real) but cannot resize them (no {@code virDomainUpdateDeviceFlags}) and
 * has no guest agent. The resize on a real guest: hotplug-lab's VirtioMemIT.
 */
class UpdateMemoryDeviceCommandTest {
  @TempDir Path dir;

  /** {@code vm}: running, persistent, 512 MiB + one 1 GiB virtio-mem device on node 0; {@code vm2}: two nodes. */
  String node() throws IOException {
    return TestDriverNode.write(dir, dom("vm", 1).build(), dom("vm2", 2).build(), dom("off", 1).shutOff().build())
        .uri();
  }

  /** 2 of 4 vCPUs, 512 MiB over the cells, maxMemory 4 GiB / 4 slots, a 1 GiB virtio-mem device per node. */
  private static TestDomain.Builder dom(String name, int nodes) {
    TestDomain.Builder b = TestDomain.named(name).vcpus(2, 4).memory(MemorySize.ofMiB(512)).numaNodes(nodes)
        .memoryHotplug(MemorySize.ofGiB(4), 4);
    for (int i = 0; i < nodes; i++) {
      b.virtioMem(MemorySize.ofGiB(1), i, MemorySize.ZERO);
    }
    return b;
  }

  @Test
  void dryRun_bothScopes_printsOneCallPerScopeWithTheDeviceXml() throws IOException {
    Run r = run("update-memory-device", "-c", node(), "vm", "--requested-size", "512MiB", "--live", "--config",
        "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("dry run, nothing changed: resize virtio-mem (requested 512 MiB, 2 calls)",
        "call 1: updateDeviceFlags --live: update virtio-mem node 0 requested 0 B -> 512 MiB",
        "call 2: updateDeviceFlags --config", "<memory model='virtio-mem'>", "<requested unit='KiB'>524288</requested>",
        "live memory given:   512 MiB -> 1 GiB");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void dryRunJson_oneObjectWithTheCalls() throws IOException {
    Run r = run("update-memory-device", "-c", node(), "vm", "--requested-size", "256MiB", "--config", "--dry-run",
        "--json");
    assertThat(r.code()).isZero();
    assertThat(r.out().trim()).startsWith("{\"domain\":\"vm\",\"dry_run\":true,\"model\":\"virtio-mem\","
        + "\"scope\":\"--config\",\"requested_kib\":262144,\"config_memory_before_kib\":524288,"
        + "\"config_memory_after_kib\":786432,\"calls\":[{\"call\":\"updateDeviceFlags\",\"scope\":\"--config\","
        + "\"node\":0,\"requested_before_kib\":0,\"requested_after_kib\":262144,\"xml\":\"<memory model='virtio-mem'>")
        .endsWith("}").doesNotContain("\n");
  }

  @Test
  void noScope_shutOffDomain_isConfigAsVirshCurrent() throws IOException {
    Run r = run("update-memory-device", "-c", node(), "off", "--requested-size", "128MiB", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("scope CONFIG", "updateDeviceFlags --config");
  }

  @Test
  void refusals_exit1_reasonAndFixOnStderr_nothingChanged() throws IOException {
    String uri = node();
    String[][] cases = {
      {"vm", "3MiB", "NOT_BLOCK_ALIGNED", "Use 2 MiB or 4 MiB"},
      {"vm", "2GiB", "ABOVE_MAX_MEMORY", "above the device's size 1 GiB"},
      {"vm2", "128MiB", "INVALID_REQUEST", "has 2 virtio-mem devices"},
    };
    // (each connection to a test:///FILE URI starts from the file, so "XML unchanged" is asserted by the
    // core tests on one connection: VirtioMemChangeTest)
    for (String[] k : cases) {
      Run r = run("update-memory-device", "-c", uri, k[0], "--requested-size", k[1]);
      assertThat(r.code()).as(k[1]).isEqualTo(HotplugCli.FAILED);
      assertThat(r.err()).contains("refused (" + k[2] + ")", k[3], "nothing was changed");
      assertThat(r.out()).isEmpty();
    }
    Run r = run("update-memory-device", "-c", uri, "vm2", "--requested-size", "128MiB", "--node", "5");
    assertThat(r.err()).contains("refused (NODE_OUT_OF_RANGE)", "no virtio-mem device on NUMA node 5");
  }

  @Test
  void apply_onTheTestDriver_libvirtCannotResize_exit1WithWhy() throws IOException {
    Run r = run("update-memory-device", "-c", node(), "vm2", "--requested-size", "128MiB", "--node", "1", "--live");
    assertThat(r.code()).isEqualTo(HotplugCli.FAILED);
    assertThat(r.err()).contains("failed:", "this libvirt driver cannot resize virtio-mem", "nothing was changed");
  }

  @Test
  void usage_missingSizeOrBothNodeAndAlias_exit2() throws IOException {
    assertThat(run("update-memory-device", "-c", node(), "vm").code()).isEqualTo(HotplugCli.USAGE);
    Run r = run("update-memory-device", "-c", node(), "vm", "--requested-size", "2MiB", "--node", "0", "--alias", "a");
    assertThat(r.code()).isEqualTo(HotplugCli.USAGE);
    assertThat(r.err()).contains("mutually exclusive");
  }

  @Test
  void onlineThroughAgent_domainWithoutAgent_refusedBeforeAnyChange() throws IOException {
    String uri = node();
    Run r = run("setvcpus", "-c", uri, "vm", "3", "--live", "--online-through-agent");
    assertThat(r.code()).isEqualTo(HotplugCli.FAILED);
    assertThat(r.err()).contains("refused (NO_GUEST_AGENT)", "org.qemu.guest_agent.0");
    Run e = run("ensure", "-c", uri, "vm", "--vcpus", "3", "--online-through-agent");
    assertThat(e.err()).contains("refused (NO_GUEST_AGENT)");
    Run a = run("attach-memory", "-c", uri, "vm", "128MiB", "--online-through-agent");
    assertThat(a.err()).contains("refused (NO_GUEST_AGENT)");
  }

  @Test
  void ensure_onVirtioMem_dryRunSaysVirtioMem_modelDimmAsksForDimms() throws IOException {
    String uri = node();
    Run r = run("ensure", "-c", uri, "vm", "--memory", "1GiB", "--dry-run");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("memory 512 MiB -> 1 GiB (virtio-mem requested +512 MiB --live)",
        "note: model virtio-mem");
    Run d = run("ensure", "-c", uri, "vm", "--memory", "1792MiB", "--model", "dimm", "--dry-run");
    assertThat(d.out()).contains("attach 256 MiB", "model DIMM (as asked)");
    assertThat(run("ensure", "-c", uri, "vm", "--memory", "1GiB", "--model", "ddr").code()).isEqualTo(HotplugCli.USAGE);
  }
}
