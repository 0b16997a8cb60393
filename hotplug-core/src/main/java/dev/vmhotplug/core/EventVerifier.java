package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.DeviceEventWatch;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-based {@link Verifier} (package-private): {@link #arm} opens a watch for the signal's
 * device events on the domain <em>before</em> the change call, and {@link Armed#await} re-reads the
 * domain whenever a matching event arrives, with the client's poll (same backoff as the polling
 * verifier) as the fallback between events.
 *
 * <ul>
 *   <li>{@link Signal#DEVICE_ADDED}: {@code DEVICE_ADDED} for any device of the domain (libvirt 9.0
 *       with QEMU 7.2 names the memory <em>backend</em>, {@code memdimmN}, which is not known before
 *       the call): every event is confirmed by a re-read.
 *   <li>{@link Signal#DEVICE_REMOVED}: {@code DEVICE_REMOVED} and {@code DEVICE_REMOVAL_FAILED}. A
 *       removal-failed event is confirmed by one re-read and then ends the wait at once with
 *       {@link Waited#refusedByGuest()}, however long the timeout.
 *   <li>{@link Signal#MEMORY_SIZE_CHANGED}: {@code MEMORY_DEVICE_SIZE_CHANGE}, which QEMU repeats
 *       about once a second with the size at that moment: a re-read on each until the condition holds.
 *   <li>{@link Signal#NONE} (vCPU counts, definitions): no watch at all, the plain poll; it costs no
 *       libvirt call.
 * </ul>
 *
 * <p>When the watch is not reliable (the callbacks could not be registered on the connection, or the
 * connection was lost since arming, so events of the gap are gone) the wait degrades to the poll and
 * says so in a DEBUG log; the outcome is the same, only later. Events that arrived while the change
 * call was running (libvirt 9.0 emits {@code DEVICE_ADDED} and, when the guest is quick,
 * {@code DEVICE_REMOVED} before the call returns) are taken into account by the first read.
 */
final class EventVerifier implements Verifier {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerifier.class);

  /** Opens the watch for one change (the gateway's, or a test's). */
  @FunctionalInterface
  interface Watcher {
    /**
     * Opens a watch for events of the domain.
     *
     * @param domain the domain
     * @param types the event types
     * @return the watch
     */
    DeviceEventWatch open(DomainHandle domain, Set<DomainEvent.Type> types);
  }

  /** Watches through the domain's gateway, without alias (confirmed by re-reads). */
  static final Watcher GATEWAY = (domain, types) -> {
    DomainEvent.Type[] all = types.toArray(new DomainEvent.Type[0]);
    DomainEvent.Type[] more = java.util.Arrays.copyOfRange(all, 1, all.length);
    return domain.gateway().watch(domain.ref(), null, all[0], more);
  };

  private final Poller poller;
  private final Watcher watcher;

  EventVerifier(Poller poller) {
    this(poller, GATEWAY);
  }

  EventVerifier(Poller poller, Watcher watcher) {
    this.poller = Objects.requireNonNull(poller, "poller");
    this.watcher = Objects.requireNonNull(watcher, "watcher");
  }

  /** The event types a signal waits for; empty for {@link Signal#NONE}. */
  static Set<DomainEvent.Type> typesOf(Signal signal) {
    switch (signal) {
      case DEVICE_ADDED:
        return EnumSet.of(DomainEvent.Type.DEVICE_ADDED);
      case DEVICE_REMOVED:
        return EnumSet.of(DomainEvent.Type.DEVICE_REMOVED, DomainEvent.Type.DEVICE_REMOVAL_FAILED);
      case MEMORY_SIZE_CHANGED:
        return EnumSet.of(DomainEvent.Type.MEMORY_DEVICE_SIZE_CHANGED);
      default:
        return EnumSet.noneOf(DomainEvent.Type.class);
    }
  }

  @Override
  public Armed arm(DomainHandle domain, Signal signal) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(signal, "signal");
    if (signal == Signal.NONE) {
      return Verifier.polling(poller).arm(domain, signal);
    }
    return new Watching(domain, watcher.open(domain, typesOf(signal)));
  }

  /** A wait with a watch open. */
  private final class Watching implements Armed {
    private final DomainHandle domain;
    private final DeviceEventWatch watch;
    private boolean degradedLogged;

    Watching(DomainHandle domain, DeviceEventWatch watch) {
      this.domain = domain;
      this.watch = watch;
    }

    @Override
    public <T> Waited<T> await(Supplier<T> read, Predicate<? super T> done, String what) {
      long start = System.nanoTime();
      long deadline = start + poller.timeout().toNanos();
      long pause = poller.initialInterval().toNanos();
      long maxPause = poller.maxInterval().toNanos();
      int attempts = 0;
      // events that came while the change call ran count for the first read
      String refusal = null;
      boolean eventSeen = false;
      for (Optional<DomainEvent> e = watch.poll(); e.isPresent(); e = watch.poll()) {
        eventSeen = true;
        refusal = refusalOf(e.get(), refusal);
      }
      while (true) {
        T value = read.get();
        attempts++;
        long now = System.nanoTime();
        if (done.test(value)) {
          return new Waited<>(value, true, attempts, Duration.ofNanos(now - start), Optional.empty(), eventSeen);
        }
        if (refusal != null) {
          // the removal-failed event, confirmed by this read: no need to wait for the timeout
          if (LOG.isDebugEnabled()) {
            LOG.debug("domain={} op=verify {} after {} read(s): ends the wait", SafeText.quote(domain.name()),
                refusal, attempts);
          }
          return new Waited<>(value, false, attempts, Duration.ofNanos(now - start), Optional.of(refusal), false);
        }
        long left = deadline - now;
        if (left <= 0) {
          return new Waited<>(value, false, attempts, Duration.ofNanos(now - start), Optional.empty(), false);
        }
        if (!watch.reliable() && !degradedLogged) {
          degradedLogged = true;
          LOG.debug("domain={} op=verify device events not reliable ({}): polling every {} ms up to {} ms for {}",
              SafeText.quote(domain.name()), watch.unreliableReason().orElse("?"), pause / 1_000_000,
              maxPause / 1_000_000, what);
        }
        Optional<DomainEvent> e = watch.await(Duration.ofNanos(Math.min(pause, left)));
        if (e.isPresent()) {
          eventSeen = true;
          refusal = refusalOf(e.get(), refusal);
          for (Optional<DomainEvent> more = watch.poll(); more.isPresent(); more = watch.poll()) {
            refusal = refusalOf(more.get(), refusal);
          }
          if (LOG.isDebugEnabled()) {
            LOG.debug("domain={} op=verify event {} after {} read(s): re-reading", SafeText.quote(domain.name()),
                e.get().type(), attempts);
          }
        } else {
          eventSeen = false;
          pause = Math.min(pause * 2, maxPause);
        }
      }
    }

    @Override
    public void close() {
      watch.close();
    }
  }

  /** libvirt's words for a removal-failed event, or the earlier refusal. */
  private static String refusalOf(DomainEvent e, String earlier) {
    if (earlier != null || e.type() != DomainEvent.Type.DEVICE_REMOVAL_FAILED) {
      return earlier;
    }
    return "device removal failed event (DEVICE_REMOVAL_FAILED) for device "
        + SafeText.quote(e.deviceAlias().orElse("?"));
  }
}
