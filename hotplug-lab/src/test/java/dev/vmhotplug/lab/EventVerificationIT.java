package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.dimms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.EventFilter;
import dev.vmhotplug.core.EventSubscription;
import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.HotplugListener;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.OperationInfo;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event-based verification of DIMM changes on real guests (QEMU 7.2 TCG, libvirt 9.0), seen through
 * the listener's {@code verified(…, byEvent)}: an attach and a detach are confirmed by their device
 * events; a detach that completes after libvirt's own 5 s wait inside the call (the domain paused
 * during the call, resumed after it returned) is found by its {@code DEVICE_REMOVED} event; a removal
 * the guest refuses after that wait comes back as {@code DEVICE_REMOVAL_FAILED} and is reported as a
 * {@link GuestRefusedException} at once, long before the 60 s timeout, where the polling verifier
 * waits for the whole timeout.
 *
 * <p>Why the pause: libvirt 9.0 waits up to 5 s inside {@code virDomainDetachDeviceFlags} for QEMU's
 * {@code DEVICE_DELETED}; a guest that answers within that time (these tiny guests answer in 0.1-1.5 s)
 * makes the call return after the removal (or fail with "unplug of device was rejected by the guest"),
 * so the event arrives during the call. A guest that answers later (a busy or large guest, here a
 * paused one) makes the call return success first and answer through the event only
 * ({@code lab-experiments/events1.sh}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventVerificationIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final MemorySize DIMM = MemorySize.ofMiB(256);
  static final Duration LONG = Duration.ofSeconds(60);
  static final Duration SLOW_POLL = Duration.ofSeconds(20);
  static final int REFUSAL_ATTEMPTS = 4;

  /** What the listener saw: verified(byEvent, attempts), the detach calls, the outcomes. */
  static final class Seen extends HotplugListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile CountDownLatch detachReturned = new CountDownLatch(1);

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      if (call.startsWith("detachDevice")) {
        lines.add(call + " took " + took.toMillis() + " ms" + error.map(e -> " " + e.getClass().getSimpleName()).orElse(""));
        detachReturned.countDown();
      }
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      lines.add(op.name() + " verified byEvent=" + byEvent + " attempts=" + attempts);
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      lines.add(op.name() + " " + outcome);
    }
  }

  static final Seen SEEN = new Seen();
  static HotplugClient events;
  static HotplugClient polling;
  /** Device events with a poll so slow (every 20 s) that a change found sooner was found by its event. */
  static HotplugClient eventsSlowPoll;
  static LabDomain movable;
  static LabDomain normal;

  @BeforeAll
  static void boot() {
    List<LabDomain> vms = LabIt.bootAll(LAB, DomainSpec.builder("evv-mov").rules(GuestRules.MOVABLE).build(),
        DomainSpec.builder("evv-std").rules(GuestRules.STANDARD).persistent(true).build());
    movable = vms.get(0);
    normal = vms.get(1);
    events = HotplugClient.builder().listener(SEEN).defaultTimeout(LONG).connect(LAB.lab().daemon().uri());
    polling = HotplugClient.builder().listener(SEEN).deviceEvents(false).defaultTimeout(LONG)
        .connect(LAB.lab().daemon().uri());
    eventsSlowPoll = HotplugClient.builder().listener(SEEN).pollInterval(SLOW_POLL).defaultTimeout(LONG)
        .connect(LAB.lab().daemon().uri());
  }

  @AfterAll
  static void close() {
    if (events != null) {
      events.close();
    }
    if (polling != null) {
      polling.close();
    }
    if (eventsSlowPoll != null) {
      eventsSlowPoll.close();
    }
  }

  @BeforeEach
  void clear() {
    SEEN.lines.clear();
    SEEN.detachReturned = new CountDownLatch(1);
  }

  private static void awaitBlocks(LabDomain vm, int total) {
    vm.probe().awaitReport(total + " blocks, all online", r -> r.blocksTotal() == total && r.blocksOffline().isEmpty(),
        GUEST);
  }

  /** Runs the change with the domain paused until libvirt's detach call returned, then resumes it. */
  private static <T> CompletableFuture<T> pausedDuringTheDetach(LabDomain vm, java.util.function.Supplier<T> change)
      throws InterruptedException {
    vm.virsh().call("suspend", vm.name());
    CompletableFuture<T> f = CompletableFuture.supplyAsync(change);
    try {
      assertThat(SEEN.detachReturned.await(GUEST.toSeconds(), TimeUnit.SECONDS)).as("libvirt's detach returned").isTrue();
    } finally {
      vm.virsh().call("resume", vm.name());
    }
    return f;
  }

  /**
   * A quick guest answers inside libvirt's attach and detach calls: libvirt emits the device event
   * before the call's reply, and the first read after the call confirms the change either way. Whether
   * that read is credited to the event ({@code byEvent}) is a race between the SDK's event delivery
   * thread and the caller's next round trip (under load the read can come first), so this test asserts
   * what is deterministic: both events reached the client, and each change was verified in one read.
   * That a late change is found by its event is asserted by the two tests below.
   */
  @Test
  @Order(1)
  void dimmAttachAndDetach_movableGuest_announcedByTheirEvents_verifiedInOneRead() throws InterruptedException {
    List<DomainEvent> seen = new CopyOnWriteArrayList<>();
    try (EventSubscription sub = events.subscribe(EventFilter.domain(movable.name())
        .types(DomainEvent.Type.DEVICE_ADDED, DomainEvent.Type.DEVICE_REMOVED), seen::add)) {
      MemoryResult add = events.domain(movable.name()).memory().add(DIMM).live().apply();
      assertThat(add.after().live().orElseThrow().dimms()).hasSize(1);
      awaitBlocks(movable, 6);
      MemoryResult remove = events.domain(movable.name()).memory().remove(DIMM).live().apply();
      assertThat(remove.after().live().orElseThrow().dimms()).isEmpty();
      awaitBlocks(movable, 4);
      long deadline = System.nanoTime() + GUEST.toNanos();
      while (seen.stream().map(DomainEvent::type).distinct().count() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    System.out.println("[EventVerificationIT] attach + detach: " + SEEN.lines + ", events " + seen);
    assertThat(seen).extracting(DomainEvent::type).as("device events of the attach and the detach")
        .containsSubsequence(DomainEvent.Type.DEVICE_ADDED, DomainEvent.Type.DEVICE_REMOVED);
    assertThat(SEEN.lines).filteredOn(l -> l.matches("memory\\.(add|remove) verified byEvent=(true|false) attempts=1"))
        .as("each change verified in one read").hasSize(2);
    assertThat(SEEN.lines).containsSubsequence("memory.add APPLIED", "memory.remove APPLIED");
  }

  @Test
  @Order(2)
  void dimmAttach_pollingClient_isNotByEvent() {
    polling.domain(movable.name()).memory().add(DIMM).live().apply();
    awaitBlocks(movable, 6);
    assertThat(SEEN.lines).contains("memory.add verified byEvent=false attempts=1", "memory.add APPLIED");
  }

  @Test
  @Order(3)
  void dimmDetachCompletingAfterLibvirtsWait_isFoundByItsDeviceRemovedEvent() throws Exception {
    String name = movable.name();
    long[] resumedAt = new long[1];
    // the slow-poll client: with the default 50 ms poll a read can find the removal before the SDK's
    // delivery thread hands over the event (seen under load); with 20 s between reads, a verification
    // well inside 20 s of the resume was woken by DEVICE_REMOVED
    CompletableFuture<MemoryResult> f = pausedDuringTheDetach(movable,
        () -> eventsSlowPoll.domain(name).memory().remove(DIMM).live().apply());
    resumedAt[0] = System.nanoTime();
    MemoryResult r = f.get(LONG.toSeconds(), TimeUnit.SECONDS);
    long afterResume = (System.nanoTime() - resumedAt[0]) / 1_000_000;
    System.out.println("[EventVerificationIT] detach completing after libvirt's wait: " + SEEN.lines + ", verified "
        + afterResume + " ms after the resume, " + r.attempts() + " read(s)");
    assertThat(SEEN.lines.get(0)).startsWith("detachDevice(LIVE) took").doesNotContain("Exception");
    assertThat(afterResume).as("verified after the resume, ms (the next poll was %s away)", SLOW_POLL)
        .isLessThan(SLOW_POLL.toMillis() * 3 / 4);
    assertThat(SEEN.lines).anyMatch(l -> l.startsWith("memory.remove verified byEvent=true attempts="))
        .contains("memory.remove APPLIED");
    assertThat(r.attempts()).as("read when the call returned (still there), again on DEVICE_REMOVED")
        .isGreaterThanOrEqualTo(2);
    assertThat(dimms(movable.xml(false))).isZero();
    awaitBlocks(movable, 4);
  }

  @Test
  @Order(4)
  void refusedAfterLibvirtsWait_deviceRemovalFailed_isGuestRefusedAtOnce_longBeforeTheTimeout() throws Exception {
    String name = normal.name();
    // A ZONE_NORMAL guest refuses a DIMM only when the kernel put unmovable pages in its blocks: usually,
    // not always (ShrinkBenchmark: the removal succeeded in 9 of 10 later rounds; here, with a fresh DIMM,
    // it was refused in 4 of 5 runs). A removal the guest accepted leaves nothing to test: add a DIMM again
    // and retry, a few times.
    Throwable t = null;
    String live = null;
    long afterResume = 0;
    for (int attempt = 1; attempt <= REFUSAL_ATTEMPTS && t == null; attempt++) {
      events.domain(name).memory().add(DIMM).live().config().apply();
      awaitBlocks(normal, 6);
      live = normal.xml(false);
      SEEN.lines.clear();
      SEEN.detachReturned = new CountDownLatch(1);
      CompletableFuture<Throwable> f = pausedDuringTheDetach(normal,
          () -> catchThrowable(() -> events.domain(name).memory().remove(DIMM).live().config().timeout(LONG).apply()));
      long resumed = System.nanoTime();
      t = f.get(LONG.toSeconds() * 2, TimeUnit.SECONDS);
      afterResume = (System.nanoTime() - resumed) / 1_000_000;
      System.out.println("[EventVerificationIT] removal from the ZONE_NORMAL guest, attempt " + attempt + ": "
          + afterResume + " ms after the resume: " + SEEN.lines + "\n  " + (t == null ? "accepted" : t.getMessage()));
      if (t == null) {
        awaitBlocks(normal, 4);
      }
    }
    assertThat(t).as("the guest refused one of %d removals", REFUSAL_ATTEMPTS).isNotNull();

    assertThat(t).isInstanceOf(GuestRefusedException.class)
        .hasMessageContaining("the guest refused the removal (libvirt: device removal failed event (DEVICE_REMOVAL_FAILED)"
            + " for device 'dimm0')")
        .hasMessageContaining("online_movable")
        .hasMessageContaining("libvirt already removed the DIMM(s) from the persistent definition")
        .hasMessageNotContaining("may still complete");
    assertThat(SEEN.lines.get(0)).startsWith("detachDevice(LIVE_AND_CONFIG) took").doesNotContain("Exception");
    assertThat(SEEN.lines).contains("memory.remove FAILED");
    assertThat(afterResume).as("no hang: far below the %s timeout", LONG).isLessThan(LONG.toMillis() / 2);
    assertThat(normal.xml(false)).as("the live domain kept the DIMM").isEqualTo(live);
    assertThat(dimms(normal.xml(true))).as("libvirt dropped it from the definition").isZero();
  }

  @Test
  @Order(5)
  void refusedAfterLibvirtsWait_pollingClient_noticesOnlyAtItsTimeout() throws Exception {
    String name = normal.name();
    Duration timeout = Duration.ofSeconds(10);
    CompletableFuture<Throwable> f = pausedDuringTheDetach(normal,
        () -> catchThrowable(() -> polling.domain(name).memory().remove(DIMM).live().timeout(timeout).apply()));
    Throwable t = f.get(LONG.toSeconds(), TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(GuestRefusedException.class)
        .hasMessageContaining("the guest did not release the DIMM(s) within " + timeout)
        .hasMessageNotContaining("DEVICE_REMOVAL_FAILED");
    assertThat(dimms(normal.xml(false))).isEqualTo(1);
  }
}
