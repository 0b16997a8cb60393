package dev.vmhotplug.core;

import java.time.Duration;

/**
 * A change was requested but the expected state did not show within the timeout. The request
 * may still complete later (libvirt completes some changes asynchronously); {@link #observed()}
 * is the last state seen. A guest that refused is a {@link GuestRefusedException}, a sibling.
 */
public class VerificationTimeoutException extends VerificationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was waited for and what to do
   * @param expected the state that was expected, e.g. {@code "live vCPUs = 2"}
   * @param observed the last state seen, e.g. {@code "live vCPUs = 4"}
   * @param attempts how many times the state was read
   * @param elapsed how long was waited
   * @param cause the underlying failure, may be null
   */
  public VerificationTimeoutException(String message, String expected, String observed,
      int attempts, Duration elapsed, Throwable cause) {
    super(message, expected, observed, attempts, elapsed, cause);
  }
}
