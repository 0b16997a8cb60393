package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.examples.cli.AttachMemoryCommandTest.Run;
import dev.vmhotplug.lab.DomainSpec;
import dev.vmhotplug.lab.GuestReport;
import dev.vmhotplug.lab.GuestRules;
import dev.vmhotplug.lab.LabDomain;
import dev.vmhotplug.lab.VmLabExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the test driver cannot do for the CLI, on lab guests: {@code update-memory-device} resizes a
 * real virtio-mem device (JSON and text, grow and shrink back), and {@code --online-through-agent}
 * onlines a hot-added vCPU and DIMM on a guest without udev rules; both proven by the guest's serial
 * report.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliVirtioMemAgentIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final Duration GUEST = Duration.ofSeconds(30);
  static final long MIB = 1024;

  static String uri;
  static LabDomain vmem;
  static LabDomain ga;

  @BeforeAll
  static void boot() {
    CompletableFuture<LabDomain> a = CompletableFuture.supplyAsync(() -> LAB.boot(DomainSpec.builder("cli-vmem")
        .rules(GuestRules.NONE).persistent(true).virtioMem(512).maxMemoryMiB(2048).build()));
    CompletableFuture<LabDomain> b = CompletableFuture.supplyAsync(() -> LAB.boot(DomainSpec.builder("cli-ga")
        .rules(GuestRules.NONE).agent(true).build()));
    vmem = a.join();
    ga = b.join();
    uri = LAB.lab().daemon().uri();
    try (HotplugClient c = HotplugClient.connect(uri)) {
      ga.awaitAgent(c.domain(ga.name()), Duration.ofSeconds(60));
    }
  }

  @Test
  @Order(1)
  void updateMemoryDevice_grow_json_thenShrinkBack_guestFollows() {
    long base = vmem.probe().latest().orElseThrow().memTotalKiB();

    Run r = run("update-memory-device", "-c", uri, vmem.name(), "--requested-size", "256MiB", "--live", "--config",
        "--json");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().trim()).startsWith("{\"domain\":\"" + vmem.name() + "\",\"dry_run\":false,\"model\":\"virtio-mem\"")
        .contains("\"done\":[{\"call\":\"updateDeviceFlags\",\"scope\":\"--live\"",
            "{\"call\":\"updateDeviceFlags\",\"scope\":\"--config\"",
            "{\"side\":\"live\",\"node\":0,\"alias\":\"virtiomem0\",\"size_kib\":524288,\"requested_kib\":262144,"
                + "\"current_kib\":262144}",
            "{\"side\":\"config\",\"node\":0");
    vmem.probe().awaitReport("MemTotal +256 MiB", x -> x.memTotalKiB() == base + 256 * MIB
        && x.blocksOffline().isEmpty(), GUEST);

    Run s = run("update-memory-device", "-c", uri, vmem.name(), "--requested-size", "0MiB", "--live", "--config",
        "--node", "0");

    assertThat(s.code()).as(s.err()).isZero();
    assertThat(s.out()).contains("update virtio-mem node 0 (virtiomem0) requested 256 MiB -> 0 B",
        "plugged 0 B");
    vmem.probe().awaitReport("MemTotal back", x -> x.memTotalKiB() == base, GUEST);
  }

  @Test
  @Order(2)
  void setvcpusAndAttachMemory_onlineThroughAgent_rulesLessGuestOnlinesThem() {
    GuestReport before = ga.probe().latest().orElseThrow();

    Run v = run("setvcpus", "-c", uri, ga.name(), "3", "--live", "--online-through-agent");

    assertThat(v.code()).as(v.err()).isZero();
    assertThat(v.err()).contains("onlined through the guest agent vCPU 2");
    ga.probe().awaitReport("vCPUs 0-2 online", x -> x.cpusOnline().equals("0-2"), GUEST);

    Run m = run("attach-memory", "-c", uri, ga.name(), "256MiB", "--live", "--online-through-agent");

    assertThat(m.code()).as(m.err()).isZero();
    assertThat(m.out()).contains("onlined through the guest agent memory blocks");
    ga.probe().awaitReport("two more blocks, all online", x -> x.blocksTotal() == before.blocksTotal() + 2
        && x.blocksOffline().isEmpty() && x.memTotalKiB() == before.memTotalKiB() + 256 * MIB, GUEST);
  }
}
