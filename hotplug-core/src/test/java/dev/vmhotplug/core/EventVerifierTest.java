package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.internal.DeviceEventWatch;
import dev.vmhotplug.core.internal.Poller;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wait loop of the event-based verifier. libvirt's test driver emits no device events (it cannot
 * attach devices), and the timing that matters (an event after the change call returned, e.g. a
 * removal the guest refuses after libvirt's own 5 s wait) cannot be produced on demand without a VM,
 * so the events here are handed to a detached {@link DeviceEventWatch} by a scheduler thread, as
 * libvirt's event loop would. The real events are proven on the VM lab ({@code EventVerificationIT}).
 *
 * <p>The poll interval is 10 s and the timeout 30 s throughout: a read that follows an event within
 * well under 10 s was caused by the event, not by the poll (a correctness bound, not a timing goal).
 */
class EventVerifierTest {
  static final Duration POLL = Duration.ofSeconds(10);
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String UUID = TestNode.WEB_UUID;

  @TempDir Path dir;
  HotplugClient client;
  DomainHandle web;
  ScheduledExecutorService hypervisor;

  @BeforeEach
  void open() {
    client = HotplugClient.connect(TestNode.write(dir));
    web = client.domain("web");
    hypervisor = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void close() {
    hypervisor.shutdownNow();
    client.close();
  }

  private static Poller poller() {
    return new Poller(TIMEOUT, POLL, POLL);
  }

  private static DomainEvent event(DomainEvent.Type type, String alias) {
    return DomainEvent.device(type, "test:///x", "web", UUID, alias, Instant.now());
  }

  private static DeviceEventWatch watch(Set<DomainEvent.Type> types, String unreliable) {
    return DeviceEventWatch.detached(UUID, "web", types, unreliable);
  }

  private void later(long ms, Runnable r) {
    hypervisor.schedule(r, ms, TimeUnit.MILLISECONDS);
  }

  @Test
  void removalFailedEvent_endsTheWaitAtOnce_withLibvirtsWords_afterOneConfirmingRead() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_REMOVED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    AtomicInteger reads = new AtomicInteger();
    later(200, () -> w.deliver(event(DomainEvent.Type.DEVICE_REMOVAL_FAILED, "dimm0")));
    long t0 = System.nanoTime();
    Verifier.Waited<Integer> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_REMOVED)) {
      r = a.await(reads::incrementAndGet, n -> false, "the DIMM to go");
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.satisfied()).isFalse();
    assertThat(r.refusedByGuest()).hasValueSatisfying(s -> assertThat(s)
        .contains("DEVICE_REMOVAL_FAILED", "'dimm0'"));
    assertThat(r.attempts()).as("the first read, then one read confirming the event").isEqualTo(2);
    assertThat(ms).as("ended by the event, long before the 10 s poll and the 30 s timeout").isLessThan(POLL.toMillis());
  }

  @Test
  void removalFailedEvent_butTheReReadShowsTheChange_isSatisfied() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_REMOVED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    AtomicInteger reads = new AtomicInteger();
    later(100, () -> w.deliver(event(DomainEvent.Type.DEVICE_REMOVAL_FAILED, "dimm1")));
    Verifier.Waited<Integer> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_REMOVED)) {
      r = a.await(reads::incrementAndGet, n -> n >= 2, "the DIMM to go");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.refusedByGuest()).isEmpty();
    assertThat(r.byEvent()).isTrue();
  }

  @Test
  void deviceAddedEvent_wakesTheWait_theReReadShowsIt_byEvent() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_ADDED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    AtomicBoolean added = new AtomicBoolean();
    later(200, () -> {
      added.set(true);
      w.deliver(event(DomainEvent.Type.DEVICE_ADDED, "memdimm1")); // the backend's alias, as libvirt 9.0 sends it
    });
    long t0 = System.nanoTime();
    Verifier.Waited<Boolean> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_ADDED)) {
      r = a.await(added::get, x -> x, "the DIMM to show");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.byEvent()).isTrue();
    assertThat(r.attempts()).isEqualTo(2);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("woken by the event, not the 10 s poll")
        .isLessThan(POLL.toMillis());
  }

  @Test
  void eventThatCameDuringTheChangeCall_countsForTheFirstRead() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_ADDED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    Verifier.Waited<Boolean> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_ADDED)) {
      w.deliver(event(DomainEvent.Type.DEVICE_ADDED, "memdimm0")); // libvirt emits it before attach returns
      r = a.await(() -> true, x -> x, "the DIMM to show");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.byEvent()).isTrue();
  }

  @Test
  void noEvent_theFirstReadShowsIt_isNotByEvent() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_ADDED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    Verifier.Waited<Boolean> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_ADDED)) {
      r = a.await(() -> true, x -> x, "the DIMM to show");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.byEvent()).isFalse();
  }

  @Test
  void sizeChangeEvents_reReadOnEach_untilTheSizeIsReached() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.MEMORY_SIZE_CHANGED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    AtomicInteger sizeMiB = new AtomicInteger(0);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    for (int i = 1; i <= 3; i++) {
      int mib = i * 128;
      later(150L * i, () -> {
        sizeMiB.set(mib);
        w.deliver(DomainEvent.memorySizeChanged("test:///x", "web", UUID, "virtiomem0",
            dev.vmhotplug.xml.MemorySize.ofMiB(mib), Instant.now()));
      });
    }
    long t0 = System.nanoTime();
    Verifier.Waited<Integer> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.MEMORY_SIZE_CHANGED)) {
      r = a.await(() -> {
        seen.add(sizeMiB.get());
        return sizeMiB.get();
      }, mib -> mib == 384, "the virtio-mem device to reach 384 MiB");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.byEvent()).isTrue();
    assertThat(seen).startsWith(0).endsWith(384);
    assertThat(r.attempts()).as("a re-read per event (two close ones may share one)").isBetween(2, 4);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(POLL.toMillis());
  }

  @Test
  void unreliableWatch_pollsAtTheClientsBackoff_andSaysItWasNotByEvent() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_ADDED), "not connected: test");
    Poller fast = new Poller(TIMEOUT, Duration.ofMillis(20), Duration.ofMillis(40));
    EventVerifier v = new EventVerifier(fast, (d, types) -> w);
    AtomicInteger reads = new AtomicInteger();
    Verifier.Waited<Integer> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_ADDED)) {
      r = a.await(reads::incrementAndGet, n -> n == 4, "the DIMM to show");
    }
    assertThat(r.satisfied()).isTrue();
    assertThat(r.attempts()).isEqualTo(4);
    assertThat(r.byEvent()).isFalse();
  }

  @Test
  void watchLostWhileWaiting_degradesToThePoll_andStillFindsTheChange() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_REMOVED), null);
    Poller p = new Poller(TIMEOUT, Duration.ofMillis(50), Duration.ofMillis(100));
    EventVerifier v = new EventVerifier(p, (d, types) -> w);
    AtomicBoolean gone = new AtomicBoolean();
    later(100, () -> w.lose("connection lost: CLOSED_BY_SERVER"));
    later(300, () -> gone.set(true)); // removed while the connection was down: its event is lost
    Verifier.Waited<Boolean> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_REMOVED)) {
      r = a.await(gone::get, x -> x, "the DIMM to go");
    }
    assertThat(w.reliable()).isFalse();
    assertThat(r.satisfied()).isTrue();
    assertThat(r.byEvent()).isFalse();
    assertThat(r.refusedByGuest()).isEmpty();
  }

  @Test
  void noEventAndNoChange_waitsTheWholeTimeout_andReportsUnsatisfied() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_REMOVED), null);
    Poller p = new Poller(Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(100));
    EventVerifier v = new EventVerifier(p, (d, types) -> w);
    Verifier.Waited<Boolean> r;
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.DEVICE_REMOVED)) {
      r = a.await(() -> false, x -> x, "the DIMM to go");
    }
    assertThat(r.satisfied()).isFalse();
    assertThat(r.refusedByGuest()).isEmpty();
    assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(r.attempts()).isGreaterThan(2);
  }

  @Test
  void signalNone_opensNoWatch() {
    EventVerifier v = new EventVerifier(poller(), (d, types) -> {
      throw new AssertionError("a watch was opened for Signal.NONE");
    });
    try (Verifier.Armed a = v.arm(web, Verifier.Signal.NONE)) {
      Verifier.Waited<Integer> r = a.await(() -> 1, n -> n == 1, "nothing");
      assertThat(r.satisfied()).isTrue();
      assertThat(r.byEvent()).isFalse();
    }
  }

  @Test
  void closingTheArmedWait_closesTheWatch() {
    DeviceEventWatch w = watch(EventVerifier.typesOf(Verifier.Signal.DEVICE_ADDED), null);
    EventVerifier v = new EventVerifier(poller(), (d, types) -> w);
    v.arm(web, Verifier.Signal.DEVICE_ADDED).close();
    w.deliver(event(DomainEvent.Type.DEVICE_ADDED, "memdimm0"));
    assertThat(w.poll()).as("a closed watch keeps nothing").isEmpty();
  }
}
