package dev.vmhotplug.core;

import java.time.Duration;

/**
 * A change was requested and libvirt accepted it, but its effect was not confirmed: the common
 * parent of {@link VerificationTimeoutException} (the expected state did not show in time) and
 * {@link GuestRefusedException} (the guest said no). Carries what was expected, what was seen last,
 * how many reads were made and how long was waited.
 */
public abstract class VerificationException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The state that was expected. */
  private final String expected;
  /** The last state observed. */
  private final String observed;
  /** How many times the state was read. */
  private final int attempts;
  /** How long was waited. */
  private final Duration elapsed;

  /**
   * Creates the exception.
   *
   * @param message what was waited for, what was seen and what to do
   * @param expected the state that was expected, e.g. {@code "live vCPUs = 2"}
   * @param observed the last state seen, e.g. {@code "live vCPUs = 4"}
   * @param attempts how many times the state was read
   * @param elapsed how long was waited
   * @param cause the underlying failure, may be null
   */
  protected VerificationException(String message, String expected, String observed, int attempts,
      Duration elapsed, Throwable cause) {
    super(message, cause);
    this.expected = expected;
    this.observed = observed;
    this.attempts = attempts;
    this.elapsed = elapsed == null ? Duration.ZERO : elapsed;
  }

  /** {@return the state that was expected} */
  public String expected() {
    return expected;
  }

  /** {@return the last state observed} */
  public String observed() {
    return observed;
  }

  /** {@return how many times the state was read} */
  public int attempts() {
    return attempts;
  }

  /** {@return how long was waited} */
  public Duration elapsed() {
    return elapsed;
  }
}
