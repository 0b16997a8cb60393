package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a state to show: reads it immediately, then again after an interval that doubles up
 * to a maximum, until a condition holds or a timeout passes. Counts attempts. Immutable and
 * thread-safe; the only place in the SDK that sleeps.
 */
public final class Poller {

  /** Sleeps; replaceable in tests. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Sleeps for the given duration.
     *
     * @param duration how long
     * @throws InterruptedException if interrupted
     */
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * The outcome of one wait.
   *
   * @param last the last value read
   * @param satisfied whether the condition held for {@code last}
   * @param attempts how many reads were made (at least 1)
   * @param elapsed how long the wait took
   * @param <T> the value type
   */
  public record Outcome<T>(T last, boolean satisfied, int attempts, Duration elapsed) {}

  private static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

  private final Duration timeout;
  private final Duration initialInterval;
  private final Duration maxInterval;
  private final Sleeper sleeper;
  private final LongSupplier nanoTime;

  /**
   * Creates a poller that sleeps for real.
   *
   * @param timeout how long to wait at most (zero: read once)
   * @param initialInterval the first pause between reads
   * @param maxInterval the longest pause between reads
   * @throws IllegalArgumentException if a duration is negative or the intervals are zero
   */
  public Poller(Duration timeout, Duration initialInterval, Duration maxInterval) {
    this(timeout, initialInterval, maxInterval, THREAD_SLEEP, System::nanoTime);
  }

  /**
   * Creates a poller with its own clock and sleeper (tests).
   *
   * @param timeout how long to wait at most (zero: read once)
   * @param initialInterval the first pause between reads
   * @param maxInterval the longest pause between reads
   * @param sleeper how to pause
   * @param nanoTime the clock
   * @throws IllegalArgumentException if a duration is negative or the intervals are zero
   */
  public Poller(Duration timeout, Duration initialInterval, Duration maxInterval, Sleeper sleeper,
      LongSupplier nanoTime) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    if (initialInterval.isNegative() || initialInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + initialInterval);
    }
    if (maxInterval.compareTo(initialInterval) < 0) {
      throw new IllegalArgumentException("maximum poll interval " + maxInterval
          + " must not be below the initial interval " + initialInterval);
    }
    this.timeout = timeout;
    this.initialInterval = initialInterval;
    this.maxInterval = maxInterval;
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** {@return the timeout} */
  public Duration timeout() {
    return timeout;
  }

  /** {@return the first pause between two reads} */
  public Duration initialInterval() {
    return initialInterval;
  }

  /** {@return the longest pause between two reads} */
  public Duration maxInterval() {
    return maxInterval;
  }

  /**
   * Reads until {@code done} holds or the timeout passes. The first read is immediate.
   *
   * @param read reads the current state
   * @param done the condition to wait for
   * @param what what is waited for, for the interruption message
   * @param <T> the state type
   * @return the outcome (never throws on timeout: the caller decides)
   * @throws HotplugException if interrupted (the interrupt flag is set again)
   */
  public <T> Outcome<T> await(Supplier<T> read, Predicate<? super T> done, String what) {
    long start = nanoTime.getAsLong();
    long deadline = start + timeout.toNanos();
    long pause = initialInterval.toNanos();
    int attempts = 0;
    while (true) {
      T value = read.get();
      attempts++;
      long now = nanoTime.getAsLong();
      if (done.test(value)) {
        return new Outcome<>(value, true, attempts, Duration.ofNanos(now - start));
      }
      long left = deadline - now;
      if (left <= 0) {
        return new Outcome<>(value, false, attempts, Duration.ofNanos(now - start));
      }
      try {
        sleeper.sleep(Duration.ofNanos(Math.min(pause, left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HotplugException("interrupted while waiting for " + what + " after " + attempts
            + " attempt(s); the change may still complete: read the state again", e);
      }
      pause = Math.min(pause * 2, maxInterval.toNanos());
    }
  }
}
