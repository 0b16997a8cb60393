package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.dimms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hot-unplug: a movable DIMM comes out, a normal one is refused by the guest, vCPU unplug under TCG. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnplugIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  /** Guard against a hang: far above the ~6 s the slowest case (libvirt's vCPU unplug timeout) takes. */
  static final Duration NO_HANG = Duration.ofSeconds(120);

  static HotplugClient client;
  static LabDomain movable;
  static LabDomain normal;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("unplug-mov").rules(GuestRules.MOVABLE).build(),
        DomainSpec.builder("unplug-std").rules(GuestRules.STANDARD).build());
    movable = vms.get(0);
    normal = vms.get(1);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  @Order(1)
  void dimmOnlinedMovable_comesOut() {
    SerialGuestProbe probe = movable.probe();
    client.domain(movable.name()).memory().add(MemorySize.ofMiB(256)).live().apply();
    probe.awaitReport("6 blocks online", r -> r.blocksTotal() == 6 && r.blocksOffline().isEmpty(), GUEST);
    assertThat(movable.command("zones", GUEST)).anyMatch(l -> l.matches("HPZONE memory3[23] online Movable"));

    assertTimeoutPreemptively(NO_HANG, () -> client.domain(movable.name()).memory().remove(MemorySize.ofMiB(256))
        .live().timeout(GUEST).apply());

    assertThat(dimms(movable.xml(false))).isZero();
    probe.awaitReport("the DIMM's blocks gone", r -> r.blocksTotal() == 4, GUEST);
  }

  @Test
  @Order(2)
  void dimmOnlinedNormal_guestRefuses_sdkReportsIt_nothingHangs() {
    SerialGuestProbe probe = normal.probe();
    client.domain(normal.name()).memory().add(MemorySize.ofMiB(256)).live().apply();
    GuestReport online = probe.awaitReport("6 blocks online",
        r -> r.blocksTotal() == 6 && r.blocksOffline().isEmpty(), GUEST);

    assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> client.domain(normal.name()).memory()
        .remove(MemorySize.ofMiB(256)).live().timeout(GUEST).apply())
        .isInstanceOf(GuestRefusedException.class)
        .hasMessageContaining("rejected by the guest"));

    assertThat(dimms(normal.xml(false))).isEqualTo(1);
    GuestReport after = probe.awaitReport("a report after the refusal", r -> r.seq() > online.seq(), GUEST);
    assertThat(after.blocksTotal()).isEqualTo(6);
    assertThat(after.node0MemTotalKiB()).isEqualTo(online.node0MemTotalKiB());
  }

  /**
   * Under TCG QEMU never confirms a vCPU unplug (DEVICE_DELETED comes only for the lapic; reproduced
   * with plain QEMU 7.2 and 10.0): libvirt times out after ~5 s. The SDK must say so, not claim
   * success; the domain's vCPU state is unreliable afterwards, so it is thrown away.
   */
  @Test
  @Order(3)
  void vcpuUnplugUnderTcg_qemuNeverConfirms_sdkReportsItHonestly() {
    SerialGuestProbe probe = normal.probe();
    client.domain(normal.name()).vcpus().set(3).live().apply();
    probe.awaitReport("3 CPUs online", r -> r.cpusOnline().equals("0-2"), GUEST);

    try {
      assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> client.domain(normal.name()).vcpus().set(2)
          .live().timeout(Duration.ofSeconds(15)).apply())
          .isInstanceOf(HotplugException.class)
          .hasMessageContaining("vcpu unplug request timed out")
          .hasMessageContaining("was not confirmed")
          .hasMessageContaining("QEMU never confirmed the removal"));
    } finally {
      LAB.discard(normal);
    }
  }
}
