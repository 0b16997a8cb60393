package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.Poller;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The verify step's waiting: how an operation waits until its change shows. It is armed before the
 * change call (so that an implementation that listens to libvirt's device events subscribes before
 * the event can fire) and then awaits a condition over a read of the domain.
 *
 * <p>{@link #polling(Poller)} ignores the event hint and polls the read with the client's backoff.
 * {@link EventVerifier} (the default when the client uses device events) opens a watch for the
 * signal's events ({@code DEVICE_ADDED}, {@code DEVICE_REMOVED} + {@code DEVICE_REMOVAL_FAILED},
 * {@code MEMORY_DEVICE_SIZE_CHANGE}) before the call, re-reads when one arrives, keeps the poll as a
 * fallback, and reports a removal the guest refused at once through {@link Waited#refusedByGuest()}.
 * Package-private plumbing.
 */
interface Verifier {

  /** What the change announces when it happens (a hint for event-based waiting). */
  enum Signal {
    /** No device event (vCPU counts, definitions): poll. */
    NONE,
    /** A device appears ({@code DEVICE_ADDED}). */
    DEVICE_ADDED,
    /** A device goes away ({@code DEVICE_REMOVED}; {@code DEVICE_REMOVAL_FAILED} when the guest refuses). */
    DEVICE_REMOVED,
    /** A memory device's size changes ({@code MEMORY_DEVICE_SIZE_CHANGE}, virtio-mem). */
    MEMORY_SIZE_CHANGED
  }

  /**
   * The outcome of one wait.
   *
   * @param last the last value read
   * @param satisfied whether the condition held for {@code last}
   * @param attempts how many reads were made (at least 1)
   * @param elapsed how long the wait took
   * @param refusedByGuest libvirt's word that the guest refused the change (a removal-failed
   *     event), empty when none came
   * @param byEvent whether a device event for the change had arrived by the time of the read that
   *     satisfied the condition (the read confirmed the event); false for polling and when unsatisfied
   * @param <T> the value type
   */
  record Waited<T>(T last, boolean satisfied, int attempts, Duration elapsed, Optional<String> refusedByGuest,
      boolean byEvent) {
    /** Validates the components. */
    public Waited {
      Objects.requireNonNull(elapsed, "elapsed");
      Objects.requireNonNull(refusedByGuest, "refusedByGuest");
    }

    /** A wait without events. */
    Waited(T last, boolean satisfied, int attempts, Duration elapsed, Optional<String> refusedByGuest) {
      this(last, satisfied, attempts, elapsed, refusedByGuest, false);
    }
  }

  /**
   * Arms the verifier for one change; call before the change call, close after the wait.
   *
   * @param domain the domain that changes
   * @param signal what the change announces
   * @return the armed wait
   */
  Armed arm(DomainHandle domain, Signal signal);

  /** A wait armed for one change. */
  interface Armed extends AutoCloseable {
    /**
     * Reads until {@code done} holds, the guest refuses, or the timeout passes. The first read is
     * immediate.
     *
     * @param read reads the state
     * @param done the condition
     * @param what what is waited for, for messages
     * @param <T> the state type
     * @return the outcome (never throws on timeout: the caller decides)
     */
    <T> Waited<T> await(Supplier<T> read, Predicate<? super T> done, String what);

    /** Releases what {@link Verifier#arm} took (an event subscription); idempotent. */
    @Override
    void close();
  }

  /**
   * A verifier that polls.
   *
   * @param poller the client's poller with the request's timeout
   * @return the verifier
   */
  static Verifier polling(Poller poller) {
    Objects.requireNonNull(poller, "poller");
    return (domain, signal) -> new Armed() {
      @Override
      public <T> Waited<T> await(Supplier<T> read, Predicate<? super T> done, String what) {
        Poller.Outcome<T> o = poller.await(read, done, what);
        return new Waited<>(o.last(), o.satisfied(), o.attempts(), o.elapsed(), Optional.empty());
      }

      @Override
      public void close() {
        // nothing armed
      }
    };
  }

  /**
   * A verifier that hands every wait's outcome to {@code sink} (the listener's verification
   * figures) and otherwise behaves as {@code inner}.
   *
   * @param inner the verifier
   * @param sink receives each {@link Waited}
   * @return the verifier
   */
  static Verifier recording(Verifier inner, Consumer<Waited<?>> sink) {
    Objects.requireNonNull(inner, "inner");
    Objects.requireNonNull(sink, "sink");
    return (domain, signal) -> {
      Armed armed = inner.arm(domain, signal);
      return new Armed() {
        @Override
        public <T> Waited<T> await(Supplier<T> read, Predicate<? super T> done, String what) {
          Waited<T> w = armed.await(read, done, what);
          sink.accept(w);
          return w;
        }

        @Override
        public void close() {
          armed.close();
        }
      };
    };
  }
}
