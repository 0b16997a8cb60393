package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.DIMM_KIB;
import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.AgentOnlineResult;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.GuestAgentUnavailableException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryModel;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.MemorySize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Onlining through the guest agent on a guest with qemu-ga and no udev rules: the hot-added vCPU
 * and DIMM stay offline (the guest's serial report says so), then {@code guestAgent().online()}
 * brings them online (the serial report says so too); the SDK's hot-add with
 * {@code onlineThroughAgent()} does both in one call, proven by the guest's serial report. A hung
 * agent fails within a bound, and refuses an {@code onlineThroughAgent()} change before it is made;
 * a domain without the agent channel is refused before any change.
 *
 * <p>The first hot-add is plain virsh (setvcpus, attach-device), to show what the guest does without
 * the agent; the later ones are the SDK's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestAgentIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain vm;
  static LabDomain noAgent;
  static long bootMemTotal;

  @BeforeAll
  static void boot() throws Exception {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("ga").rules(GuestRules.NONE).agent(true).maxVcpus(5)
        .build(),
        DomainSpec.builder("ga-none").rules(GuestRules.NONE).build());
    vm = vms.get(0);
    noAgent = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
    vm.awaitAgent(client.domain(vm.name()), Duration.ofSeconds(60));
    bootMemTotal = vm.probe().latest().orElseThrow().memTotalKiB();
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  @Order(1)
  void hotAddedCpuAndDimm_stayOffline_agentOnlinesThem_guestReportsThemOnline() throws Exception {
    Path dimm = LAB.lab().daemon().runDir().resolve("ga-dimm.xml");
    Files.writeString(dimm, "<memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target></memory>\n",
        StandardCharsets.UTF_8);
    vm.virsh().call("setvcpus", vm.name(), "3", "--live");
    vm.virsh().call("attach-device", vm.name(), dimm.toString(), "--live");
    GuestReport before = vm.probe().awaitReport("vCPU 2 present and blocks 32, 33 present",
        r -> r.cpusPresent().equals("0-2") && r.blocksTotal() == 6, GUEST);
    // no rules, no agent call yet: they are offline, and stay so (nothing onlines them within 3 s;
    // the rules or the agent take < 1 s)
    assertThatThrownBy(() -> vm.probe().awaitReport("vCPU 2 or a new block online",
        r -> r.cpusOnline().equals("0-2") || r.blocksOffline().size() < 2, Duration.ofSeconds(3)))
        .isInstanceOf(GuestTimeoutException.class);
    GuestReport still = vm.probe().latest().orElseThrow();
    assertThat(List.of(before, still)).allSatisfy(r -> {
      assertThat(r.cpusOnline()).isEqualTo("0-1");
      assertThat(r.blocksOffline()).containsExactly(32, 33);
      assertThat(r.memTotalKiB()).isEqualTo(bootMemTotal);
    });

    AgentOnlineResult res = client.domain(vm.name()).guestAgent().online();

    assertThat(res.cpusOnlined()).containsExactly(2);
    assertThat(res.blocksOnlined()).containsExactly(32L, 33L);
    assertThat(res.commands()).contains("guest-set-vcpus [2]", "guest-set-memory-blocks [32, 33]");
    GuestReport after = vm.probe().awaitReport("vCPUs 0-2 online and every block online, MemTotal +256 MiB",
        r -> r.cpusOnline().equals("0-2") && r.blocksOffline().isEmpty() && r.memTotalKiB() == bootMemTotal + DIMM_KIB,
        GUEST);
    assertThat(after.processorCount()).isEqualTo(3);
    assertThat(after.blocksOnline()).contains(32, 33);
  }

  @Test
  @Order(2)
  void againWithNothingOffline_changesNothing() {
    AgentOnlineResult res = client.domain(vm.name()).guestAgent().online();

    assertThat(res.changed()).isFalse();
    assertThat(res.cpusAlreadyOnline()).isEqualTo(3);
    assertThat(res.blocksAlreadyOnline()).isEqualTo(6);
    assertThat(res.commands()).noneMatch(c -> c.startsWith("guest-set"));
  }

  @Test
  @Order(3)
  void hungAgent_failsWithinTheBound_nothingChanged_andRefusesAnOnlineThroughAgentChange() {
    DomainHandle d = client.domain(vm.name());
    vm.virsh().call("setvcpus", vm.name(), "4", "--live");
    vm.probe().awaitReport("vCPU 3 present", r -> r.cpusPresent().equals("0-3"), GUEST);
    String live = d.xml(false);
    vm.command("agent-freeze", Duration.ofSeconds(30));
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> d.guestAgent().timeout(Duration.ofSeconds(2)).online())
          .isInstanceOf(GuestAgentUnavailableException.class)
          .hasMessageContaining("did not answer guest-ping")
          .hasMessageContaining("not available")
          .hasMessageContaining("nothing was changed");
      // bounded: libvirt gives up after the 2 s agent timeout; far below this "does not hang" bound
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      // the SDK's hot-add with the option pings first: refused, vCPU 5 not added
      assertThatThrownBy(() -> d.vcpus().set(5).live().onlineThroughAgent().apply())
          .isInstanceOf(GuestAgentUnavailableException.class)
          .hasMessageContaining("did not answer guest-ping")
          .hasMessageContaining("Nothing was changed");
      assertThat(vm.probe().latest().orElseThrow().cpusOnline()).isEqualTo("0-2");
      assertThat(d.xml(false)).isEqualTo(live);
      assertThat(d.vcpuCount().currentLive()).hasValue(4);
    } finally {
      vm.command("agent-thaw", Duration.ofSeconds(30));
    }
    // thawed: the agent answers again and onlines vCPU 3
    assertThat(vm.awaitAgent(d, Duration.ofSeconds(30))).isNotNull();
    assertThat(d.guestAgent().onlineCpus().cpusOnlined()).containsExactly(3);
    vm.probe().awaitReport("vCPUs 0-3 online", r -> r.cpusOnline().equals("0-3"), GUEST);
  }

  @Test
  @Order(4)
  void sdkHotAddOfAVcpu_onlineThroughAgent_guestReportsItOnline() {
    DomainHandle d = client.domain(vm.name());

    VcpuResult r = d.vcpus().set(5).live().onlineThroughAgent().apply();

    assertThat(r.after().currentLive()).hasValue(5);
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("onlined through the guest agent vCPU 4"));
    GuestReport g = vm.probe().awaitReport("vCPUs 0-4 online", x -> x.cpusOnline().equals("0-4"), GUEST);
    assertThat(g.processorCount()).isEqualTo(5);
  }

  @Test
  @Order(5)
  void sdkHotAddOfADimm_onlineThroughAgent_guestReportsItsBlocksOnline() {
    DomainHandle d = client.domain(vm.name());
    GuestReport before = vm.probe().latest().orElseThrow();

    MemoryResult r = d.memory().add(MemorySize.ofMiB(256)).live().onlineThroughAgent().apply();

    assertThat(r.plan().model()).isEqualTo(MemoryModel.DIMM);
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("onlined through the guest agent memory blocks",
        "ZONE_NORMAL"));
    assertThat(r.guest()).hasValueSatisfying(v -> assertThat(v.status()).isNotEqualTo(GuestVerdict.Status.NOT_ONLINE));
    GuestReport g = vm.probe().awaitReport("two more blocks, all online, MemTotal +256 MiB",
        x -> x.blocksTotal() == before.blocksTotal() + 2 && x.blocksOffline().isEmpty()
            && x.memTotalKiB() == before.memTotalKiB() + DIMM_KIB, GUEST);
    assertThat(g.blocksOnline()).hasSize(before.blocksTotal() + 2);
  }

  @Test
  void domainWithoutAgentChannel_refusedBeforeAnyChange_xmlUnchanged() {
    DomainHandle d = client.domain(noAgent.name());
    String before = d.xml(false);

    // the SDK's hot-add with the option: refused before the vCPU is added
    assertThatThrownBy(() -> d.vcpus().set(3).live().onlineThroughAgent().apply())
        .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT))
        .hasMessageContaining("has no QEMU guest agent channel")
        .hasMessageContaining("nothing was changed");
    assertThat(d.xml(false)).isEqualTo(before);
    assertThat(d.vcpuCount().currentLive()).hasValue(2);

    noAgent.virsh().call("setvcpus", noAgent.name(), "3", "--live");
    noAgent.probe().awaitReport("vCPU 2 present", r -> r.cpusPresent().equals("0-2"), GUEST);
    String live = d.xml(false);

    assertThatThrownBy(() -> d.guestAgent().online())
        .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_GUEST_AGENT))
        .hasMessageContaining("has no QEMU guest agent channel")
        .hasMessageContaining("org.qemu.guest_agent.0");

    assertThat(d.xml(false)).isEqualTo(live);
    assertThat(noAgent.probe().latest().orElseThrow().cpusOnline()).isEqualTo("0-1");
  }
}
