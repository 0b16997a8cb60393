package dev.vmhotplug.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Helpers of the test-driver daemon ITs: start or skip (fail with CI=true), bounded waits. */
final class TestDaemons {
  /** The default domain of libvirt's test driver: always there, same UUID after every restart. */
  static final String DOMAIN = "test";
  static final String DOMAIN_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f";

  private TestDaemons() {}

  /** Starts the daemon, or skips the test with the reason (fails when CI=true). */
  static TestDriverDaemon start(TestDriverDaemon.Builder b) {
    try {
      return b.start();
    } catch (LabUnavailableException e) {
      throw VmLabExtension.unavailable(e, VmLabExtension.inCi());
    }
  }

  static TestDriverDaemon start() {
    return start(TestDriverDaemon.builder());
  }

  /** Waits until the condition holds, polling every 50 ms; false when the timeout passed. */
  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Milliseconds since t0 (System.nanoTime()). */
  static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
