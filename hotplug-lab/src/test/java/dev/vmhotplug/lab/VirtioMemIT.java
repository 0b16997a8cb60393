package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.ColdBootResult;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.Drift;
import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryModel;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.MemoryView;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.core.Verification;
import dev.vmhotplug.core.VerificationTimeoutException;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * virtio-mem through the SDK ({@code domain.memory()}) on real guests: a guest booted with 256 MiB
 * plugged grows by 512 MiB and shrinks back, live and config (the guest's own serial reports show
 * MemTotal, the memory blocks and the {@code System RAM (virtio_mem)} ranges follow; libvirt's live
 * and persistent XML show requested and current); a config-only size survives a cold boot
 * ({@code coldBoot()}); a guest without the driver gets the "plugged nothing" diagnosis within the
 * progress timeout; a guest that onlines virtio-mem memory as {@code online} (ZONE_NORMAL) ends a
 * shrink short, reported with the numbers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtioMemIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final long MIB = 1024;

  static HotplugClient client;
  static LabDomain vm;
  static LabDomain noDriver;
  static LabDomain normal;
  /** MemTotal of the guest without any virtio-mem memory, kB. */
  static long base;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB,
        DomainSpec.builder("vmem").rules(GuestRules.NONE).persistent(true).virtioMem(1024).virtioMemRequestedMiB(256)
            .maxMemoryMiB(2048).build(),
        DomainSpec.builder("vmem-nodrv").rules(GuestRules.NONE).virtioMem(1024).maxMemoryMiB(2048)
            .virtioMemDriver(false).build(),
        DomainSpec.builder("vmem-normal").rules(GuestRules.NONE).virtioMem(1024).maxMemoryMiB(2048)
            .extraCmdline("memhp_default_state=online").build());
    vm = vms.get(0);
    noDriver = vms.get(1);
    normal = vms.get(2);
    client = HotplugClient.connect(LAB.lab().daemon().uri());
    GuestReport first = vm.probe().awaitReport("the 256 MiB plugged at boot online",
        r -> r.virtioMemKiB() == 256 * MIB && r.blocksOffline().isEmpty(), GUEST);
    base = first.memTotalKiB() - 256 * MIB;
    // libvirt's <current> follows QEMU's MEMORY_DEVICE_SIZE_CHANGE events, which QEMU sends at most about
    // once a second: the guest can show 256 MiB before the live XML does (seen at load 8: current 128 MiB).
    // The tests start from a settled device, as a user's change would.
    DomainHandle d = client.domain(vm.name());
    assertThat(new Poller(GUEST, Duration.ofMillis(200), Duration.ofSeconds(1))
        .await(() -> device(d, true), x -> x.currentSize().equals(java.util.Optional.of(MemorySize.ofMiB(256))),
            "live current 256 MiB after the boot").satisfied()).as("live <current> 256 MiB after the boot").isTrue();
    assertThat(vm.probe().info().orElseThrow()).contains("vmem=1", "auto_online_blocks=online_movable");
    assertThat(noDriver.probe().info().orElseThrow()).contains("vmem=0");
    assertThat(normal.probe().info().orElseThrow()).contains("vmem=1", "auto_online_blocks=online");
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  static MemoryDevice device(DomainHandle d, boolean live) {
    MemoryView v = d.memoryView();
    MemoryView.Definition def = live ? v.live().orElseThrow() : v.config().orElseThrow();
    assertThat(def.virtioMem()).hasSize(1);
    return def.virtioMem().get(0);
  }

  @Test
  @Order(1)
  void bootedWith256MiB_viewShowsRequestedAndPlugged_addPlansVirtioMem() {
    DomainHandle d = client.domain(vm.name());
    MemoryDevice live = device(d, true);
    assertThat(live.requestedSize()).hasValue(MemorySize.ofMiB(256));
    assertThat(live.currentSize()).hasValue(MemorySize.ofMiB(256));
    assertThat(live.alias()).hasValue("virtiomem0");
    assertThat(d.memoryView().live().orElseThrow().given()).isEqualTo(MemorySize.ofMiB(768));

    MemoryPlan p = d.memory().add(MemorySize.ofMiB(512)).live().config().plan();

    assertThat(p.model()).isEqualTo(MemoryModel.VIRTIO_MEM);
    assertThat(p.steps()).extracting(s -> s.scopeIn(p.scope())).containsExactly(Scope.LIVE, Scope.CONFIG);
    assertThat(p.steps().get(0).xml()).contains("<alias name='virtiomem0'/>", "<address type='pci'")
        .doesNotContain("<current");
  }

  @Test
  @Order(2)
  void grow512MiB_liveAndConfig_currentReachesIt_guestMemTotalAndBlocksFollow() {
    DomainHandle d = client.domain(vm.name());

    MemoryResult r = d.memory().add(MemorySize.ofMiB(512)).live().config().timeout(Duration.ofSeconds(60))
        .verify(Verification.guest(vm.probe())).apply();

    assertThat(r.steps()).extracting(OperationStep::action, OperationStep::scope).containsExactly(
        Tuple.tuple("updateDeviceFlags", Scope.LIVE), Tuple.tuple("updateDeviceFlags", Scope.CONFIG));
    assertThat(r.guest()).hasValueSatisfying(v -> assertThat(v.status()).isEqualTo(GuestVerdict.Status.OK));
    MemoryDevice live = device(d, true);
    assertThat(live.requestedSize()).hasValue(MemorySize.ofMiB(768));
    assertThat(live.currentSize()).hasValue(MemorySize.ofMiB(768));
    assertThat(device(d, false).requestedSize()).hasValue(MemorySize.ofMiB(768));
    GuestReport g = vm.probe().awaitReport("MemTotal +768 MiB of virtio-mem, all online",
        x -> x.memTotalKiB() == base + 768 * MIB && x.virtioMemKiB() == 768 * MIB, GUEST);
    assertThat(g.blocksOnline()).contains(32, 33, 34, 35, 36, 37);
    assertThat(g.blocksOffline()).isEmpty();
    assertThat(d.drift().items()).noneMatch(i -> i.kind() == Drift.Kind.VIRTIO_MEM_REQUESTED
        || i.kind() == Drift.Kind.VIRTIO_MEM_CURRENT);
  }

  @Test
  @Order(3)
  void shrinkBack512MiB_liveAndConfig_movableMemoryGoes_guestBackAt256() {
    DomainHandle d = client.domain(vm.name());

    MemoryResult r = d.memory().remove(MemorySize.ofMiB(512)).live().config().timeout(Duration.ofSeconds(60))
        .verify(Verification.guest(vm.probe())).apply();

    assertThat(r.plan().model()).isEqualTo(MemoryModel.VIRTIO_MEM);
    assertThat(r.steps()).hasSize(2);
    assertThat(device(d, true).currentSize()).hasValue(MemorySize.ofMiB(256));
    assertThat(device(d, false).requestedSize()).hasValue(MemorySize.ofMiB(256));
    GuestReport g = vm.probe().awaitReport("MemTotal back at +256 MiB",
        x -> x.memTotalKiB() == base + 256 * MIB && x.virtioMemKiB() == 256 * MIB, GUEST);
    assertThat(g.blocksOnline()).contains(32, 33).doesNotContain(34, 35, 36, 37);
  }

  @Test
  @Order(4)
  void configOnly512MiB_runningGuestUnchanged_coldBootStartsWithIt() {
    DomainHandle d = client.domain(vm.name());

    MemoryResult r = d.memory().requested(MemorySize.ofMiB(512)).config().apply();

    assertThat(r.steps()).singleElement().satisfies(s -> assertThat(s.scope()).isEqualTo(Scope.CONFIG));
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("config only"));
    assertThat(device(d, false).requestedSize()).hasValue(MemorySize.ofMiB(512));
    assertThat(device(d, true).requestedSize()).hasValue(MemorySize.ofMiB(256));
    assertThat(d.drift().items()).anySatisfy(i -> assertThat(i.kind()).isEqualTo(Drift.Kind.VIRTIO_MEM_REQUESTED));
    assertThat(vm.probe().latest().orElseThrow().memTotalKiB()).isEqualTo(base + 256 * MIB);

    ColdBootResult b = d.coldBoot().shutdownTimeout(Duration.ofSeconds(90)).apply();

    assertThat(b.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
    GuestReport g = vm.probe().awaitReport("the restarted guest with 512 MiB of virtio-mem online",
        x -> x.boot() == 2 && x.memTotalKiB() == base + 512 * MIB && x.virtioMemKiB() == 512 * MIB, LabDomain.BOOT_TIMEOUT);
    assertThat(g.blocksOffline()).isEmpty();
    Poller.Outcome<MemoryDevice> plugged = new Poller(GUEST, Duration.ofMillis(200), Duration.ofSeconds(1))
        .await(() -> device(d, true), x -> x.currentSize().equals(java.util.Optional.of(MemorySize.ofMiB(512))),
            "current 512 MiB after the cold boot");
    assertThat(plugged.last().requestedSize()).hasValue(MemorySize.ofMiB(512));
    assertThat(plugged.last().currentSize()).hasValue(MemorySize.ofMiB(512));
  }

  @Test
  void guestWithoutDriver_pluggedNothing_diagnosedWithinTheProgressTimeout() {
    DomainHandle d = client.domain(noDriver.name());
    long before = noDriver.probe().latest().orElseThrow().memTotalKiB();
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> d.memory().add(MemorySize.ofMiB(256)).timeout(Duration.ofSeconds(120))
        .progressTimeout(Duration.ofSeconds(10)).apply())
        .isInstanceOfSatisfying(VerificationTimeoutException.class, e -> {
          assertThat(e).isNotInstanceOf(GuestRefusedException.class);
          assertThat(e.observed()).isEqualTo("live virtio-mem current 0 B (requested 256 MiB)");
        })
        .hasMessageContaining("the guest plugged nothing")
        .hasMessageContaining("virtio-mem driver");

    // the progress timeout (10 s) ended it, not the 120 s timeout: a bound that proves it does not hang
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    MemoryDevice live = device(d, true);
    assertThat(live.requestedSize()).hasValue(MemorySize.ofMiB(256));
    assertThat(live.currentSize()).hasValue(MemorySize.ZERO);
    GuestReport g = noDriver.probe().latest().orElseThrow();
    assertThat(g.memTotalKiB()).isEqualTo(before);
    assertThat(g.virtioMemKiB()).isZero();
  }

  @Test
  void zoneNormalGuest_shrinkEndsShort_reportedWithTheNumbersAndTheMovableFix() {
    DomainHandle d = client.domain(normal.name());
    d.memory().requested(MemorySize.ofMiB(512)).timeout(Duration.ofSeconds(60)).apply();
    normal.probe().awaitReport("512 MiB of virtio-mem online", x -> x.virtioMemKiB() == 512 * MIB
        && x.blocksOffline().isEmpty(), GUEST);

    assertThatThrownBy(() -> d.memory().requested(MemorySize.ZERO).timeout(Duration.ofSeconds(120)).apply())
        .isInstanceOfSatisfying(GuestRefusedException.class, e -> {
          assertThat(e.expected()).isEqualTo("live virtio-mem current 0 B");
          assertThat(e.observed()).startsWith("live virtio-mem current ").endsWith("(requested 0 B)");
        })
        .hasMessageContaining("ended short: requested 0 B")
        .hasMessageContaining("ZONE_NORMAL")
        .hasMessageContaining("online_movable");

    MemoryDevice live = device(d, true);
    assertThat(live.requestedSize()).hasValue(MemorySize.ZERO);
    assertThat(live.currentSize().orElseThrow()).isGreaterThan(MemorySize.ZERO).isLessThan(MemorySize.ofMiB(512));
    assertThat(d.memoryView().toString()).contains("above the request");
  }
}
