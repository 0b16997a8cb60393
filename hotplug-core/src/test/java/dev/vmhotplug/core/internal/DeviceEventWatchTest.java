package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.DomainEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * When an await learns of a connection loss. libvirt's close callback marks a watch unreliable on
 * the event loop thread, typically within a millisecond of the daemon's death, so it lands before
 * the waiter's await as often as during it: both orders must wake the waiter at once, exactly once.
 * The hub here is the real one; the gaps are the calls the gateway's close callback makes.
 */
class DeviceEventWatchTest {
  static final String UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f";
  /** Far longer than any bound asserted below: an await that waits it out fails the test. */
  static final Duration LONG = Duration.ofSeconds(30);
  static final long WOKEN_WITHIN_MS = 10_000;

  final EventHub hub = new EventHub("test+unix:///default");

  DeviceEventWatch watch() {
    return hub.watch(UUID, "test", "dimm0", Set.of(DomainEvent.Type.DEVICE_REMOVED), null);
  }

  static DomainEvent removed(String alias) {
    return DomainEvent.device(DomainEvent.Type.DEVICE_REMOVED, "test+unix:///default", "test", UUID, alias,
        Instant.now());
  }

  static long msSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void await_lossBeforeTheCall_returnsAtOnce_thenLaterAwaitsArePauses() {
    try (DeviceEventWatch w = watch()) {
      assertThat(w.reliable()).isTrue();
      hub.onConnectionClosed("connection lost: CLOSED_BY_SERVER"); // the close callback, before anybody waits
      assertThat(w.reliable()).isFalse();

      long t0 = System.nanoTime();
      assertThat(w.await(LONG)).isEmpty();
      assertThat(msSince(t0)).as("woken by the loss, not the timeout").isLessThan(WOKEN_WITHIN_MS);
      assertThat(w.unreliableReason()).hasValue("events may have been missed: connection lost: CLOSED_BY_SERVER");

      long t1 = System.nanoTime();
      assertThat(w.await(Duration.ofMillis(200))).isEmpty();
      assertThat(msSince(t1)).as("the loss was reported once: now a pause between polls").isGreaterThanOrEqualTo(190);
    }
  }

  @Test
  void await_lossWhileWaiting_wakesTheWaiter() throws Exception {
    try (DeviceEventWatch w = watch()) {
      long t0 = System.nanoTime();
      AtomicReference<Thread> waiter = new AtomicReference<>();
      CompletableFuture<Optional<DomainEvent>> f = CompletableFuture.supplyAsync(() -> {
        waiter.set(Thread.currentThread());
        return w.await(LONG);
      });
      // gap only once the waiter is inside Object.wait, so this test is about the "during" order
      while (waiter.get() == null || waiter.get().getState() != Thread.State.TIMED_WAITING) {
        assertThat(f).isNotDone();
        Thread.sleep(5);
      }
      hub.onConnectionClosed("connection lost: CLOSED_BY_SERVER");
      assertThat(f.get(WOKEN_WITHIN_MS, TimeUnit.MILLISECONDS)).isEmpty();
      assertThat(msSince(t0)).isLessThan(WOKEN_WITHIN_MS);
      assertThat(w.reliable()).isFalse();
    }
  }

  @Test
  void await_eventThenLoss_returnsTheEventFirst_thenTheLossAtOnce() {
    try (DeviceEventWatch w = watch()) {
      hub.onEvent(removed("dimm0"));
      hub.onEvent(removed("dimm1")); // another device: not for this watch
      hub.onConnectionClosed("connection lost: IO_ERROR");
      assertThat(w.await(LONG)).hasValueSatisfying(e -> assertThat(e.deviceAlias()).contains("dimm0"));
      long t0 = System.nanoTime();
      assertThat(w.await(LONG)).isEmpty();
      assertThat(msSince(t0)).as("the loss is still reported after the event").isLessThan(WOKEN_WITHIN_MS);
      assertThat(w.seen()).hasSize(1);
    }
  }

  @Test
  void await_severalGaps_reportTheFirstReasonOnce() {
    try (DeviceEventWatch w = watch()) {
      hub.onConnectionClosed("connection lost: CLOSED_BY_SERVER");
      hub.onGap(Instant.now(), Instant.now(), "connection lost: CLOSED_BY_SERVER"); // the reconnect's notice
      assertThat(w.await(LONG)).isEmpty();
      long t0 = System.nanoTime();
      assertThat(w.await(Duration.ofMillis(200))).isEmpty();
      assertThat(msSince(t0)).isGreaterThanOrEqualTo(190);
      assertThat(w.unreliableReason()).hasValue("events may have been missed: connection lost: CLOSED_BY_SERVER");
    }
  }

  @Test
  void await_unavailableFromTheStart_waitsTheWholeTimeout_asThePauseOfAPoll() {
    try (DeviceEventWatch w = watch()) {
      w.unavailable("not connected: the daemon is down");
      assertThat(w.reliable()).isFalse();
      assertThat(w.unreliableReason()).hasValue("events cannot be received: not connected: the daemon is down");
      long t0 = System.nanoTime();
      assertThat(w.await(Duration.ofMillis(200))).isEmpty();
      assertThat(msSince(t0)).isGreaterThanOrEqualTo(190);
      // a later loss of a connection that never delivered is no news to the waiter
      hub.onConnectionClosed("connection lost: CLOSED_BY_SERVER");
      long t1 = System.nanoTime();
      assertThat(w.await(Duration.ofMillis(200))).isEmpty();
      assertThat(msSince(t1)).isGreaterThanOrEqualTo(190);
    }
  }

  @Test
  void await_closedWatch_returnsAtOnce_andCloseIsIdempotent() {
    DeviceEventWatch w = watch();
    w.close();
    long t0 = System.nanoTime();
    assertThat(w.await(LONG)).isEmpty();
    assertThat(msSince(t0)).isLessThan(WOKEN_WITHIN_MS);
    w.close();
    assertThat(hub.wanted()).isFalse();
  }
}
