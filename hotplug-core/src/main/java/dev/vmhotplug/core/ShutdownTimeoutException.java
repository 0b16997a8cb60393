package dev.vmhotplug.core;

import java.time.Duration;
import java.util.List;

/**
 * A cold boot asked the guest to shut down and it did not power off within the timeout; nothing was
 * forced, the domain keeps running (see {@link ColdBoot#forceOffAfterTimeout()}). Carries the steps
 * taken with their timings.
 */
public class ShutdownTimeoutException extends VerificationTimeoutException {
  private static final long serialVersionUID = 1L;

  private final transient List<ColdBootResult.Step> steps;

  /**
   * Creates the exception.
   *
   * @param message what was asked, what was seen, what to do
   * @param timeout the shutdown timeout that passed
   * @param attempts how many times the state was read
   * @param elapsed how long was waited
   * @param steps the steps taken, ending with {@code still running}
   */
  public ShutdownTimeoutException(String message, Duration timeout, int attempts, Duration elapsed,
      List<ColdBootResult.Step> steps) {
    super(message, "domain shut off within " + timeout.toSeconds() + " s", "domain still running", attempts,
        elapsed, null);
    this.steps = List.copyOf(steps);
  }

  /** {@return the steps taken, ending with {@code still running}} */
  public List<ColdBootResult.Step> steps() {
    return steps == null ? List.of() : steps;
  }
}
