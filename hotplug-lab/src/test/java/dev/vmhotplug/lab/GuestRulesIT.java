package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.DIMM_KIB;
import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.Verification;
import dev.vmhotplug.core.VerificationTimeoutException;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The guide's claim about udev rules: without them hot-added CPUs and memory stay offline (and
 * hotplug-guest's GuestCheck says why); with hotplug-guest's generated rules they come online.
 */
class GuestRulesIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static HotplugClient client;
  static LabDomain noRules;
  static LabDomain rules;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("norules").rules(GuestRules.NONE).build(),
        DomainSpec.builder("rules").rules(GuestRules.STANDARD).build());
    noRules = vms.get(0);
    rules = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void withoutRules_newCpuAndMemoryStayOffline_guestCheckSaysSo() {
    SerialGuestProbe probe = noRules.probe();
    assertThat(probe.info().orElseThrow()).contains("rules=none").contains("udevd=");
    long before = probe.latest().orElseThrow().node0MemTotalKiB();

    client.domain(noRules.name()).vcpus().set(3).live().apply();
    client.domain(noRules.name()).memory().add(MemorySize.ofMiB(256)).live().apply();

    GuestReport seen = probe.awaitReport("CPU 2 present and 2 new memory blocks",
        r -> r.cpusPresent().equals("0-2") && r.blocksTotal() == 6, GUEST);
    // give udev (running, but without rules) time to act, measured in guest time: 3 s
    GuestReport later = probe.awaitReport("3 more seconds of guest time",
        r -> r.uptimeSeconds() >= seen.uptimeSeconds() + 3, GUEST);
    assertThat(later.udevdRunning()).isTrue();
    assertThat(later.cpusOnline()).isEqualTo("0-1");
    assertThat(later.processorCount()).isEqualTo(2);
    assertThat(later.blocksOffline()).hasSize(2);
    assertThat(later.node0MemTotalKiB()).isEqualTo(before);

    GuestVerdict verdict = GuestCheck.check(probe.toFacts(later), GuestExpectation.builder().vcpus(3)
        .baselineMemTotalKiB(before).addedKiB(DIMM_KIB).build());
    assertThat(verdict.status()).isEqualTo(GuestVerdict.Status.NOT_ONLINE);
    assertThat(String.join("\n", verdict.findings())).contains("CPU 2 present but offline")
        .contains("no udev rule onlines CPUs").contains("2 memory blocks offline");

    // the SDK's guest verification reports it too
    assertThatThrownBy(() -> client.domain(noRules.name()).vcpus().set(4).live().timeout(Duration.ofSeconds(5))
        .verify(Verification.guest(probe)).apply())
        .isInstanceOf(VerificationTimeoutException.class).hasMessageContaining("no udev rule onlines CPUs");

    // the guest can online them by hand: what the missing rule would have done
    noRules.command("online", GUEST);
    probe.awaitReport("everything online after the manual online", r -> r.cpusOnline().equals("0-3")
        && r.blocksOffline().isEmpty() && r.node0MemTotalKiB() == before + DIMM_KIB, GUEST);
  }

  @Test
  void withGeneratedRules_newCpuAndMemoryComeOnline_sdkGuestVerificationPasses() {
    SerialGuestProbe probe = rules.probe();
    assertThat(probe.info().orElseThrow()).contains("rules=80-cpu-hotplug.rules,81-mem-hotplug.rules");
    assertThat(probe.lines()).anyMatch(l -> l.startsWith("HPRULE 81-mem-hotplug.rules: SUBSYSTEM==\"memory\""));
    long before = probe.latest().orElseThrow().node0MemTotalKiB();

    client.domain(rules.name()).vcpus().set(4).live().timeout(GUEST).verify(Verification.guest(probe)).apply();
    MemoryResult m = client.domain(rules.name()).memory().add(MemorySize.ofMiB(256)).live().timeout(GUEST)
        .verify(Verification.guest(probe)).apply();

    assertThat(m.guest()).isPresent();
    assertThat(m.guest().get().status()).isEqualTo(GuestVerdict.Status.OK);
    GuestReport r = probe.awaitReport("4 CPUs and 6 blocks online",
        x -> x.cpusOnline().equals("0-3") && x.blocksTotal() == 6 && x.blocksOffline().isEmpty(), GUEST);
    assertThat(r.processorCount()).isEqualTo(4);
    assertThat(r.node0MemTotalKiB()).isEqualTo(before + DIMM_KIB);
  }
}
