package dev.vmhotplug.core;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the request values (package-private). */
final class Requests {
  private Requests() {}

  /**
   * Checks a verification timeout.
   *
   * @param timeout the timeout
   * @return it
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} when negative
   * @throws NullPointerException when null
   */
  static Duration timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "timeout must not be negative, got " + timeout
          + ": give how long to wait for the change to show, e.g. Duration.ofSeconds(30), or Duration.ZERO to read once");
    }
    return timeout;
  }
}
