package dev.vmhotplug.core;

import java.time.Duration;

/**
 * The guest did not release what an unplug asked for (a vCPU, a DIMM): libvirt sent the request,
 * the guest kept the resource, either by saying so (libvirt's "unplug of device was rejected by the
 * guest", the {@code DEVICE_REMOVAL_FAILED} event) or by never letting go. Typical causes: the guest
 * has no hotplug support, the memory is not movable, the CPU is busy or pinned. Nothing was forced.
 *
 * <p>A sibling of {@link VerificationTimeoutException}, not a subtype: catch
 * {@link VerificationException} for both.
 */
public class GuestRefusedException extends VerificationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was asked, what the guest kept, what to do
   * @param expected the state asked for
   * @param observed the state seen at the end of the wait
   * @param attempts how many times the state was read
   * @param elapsed how long was waited
   * @param cause the libvirt error, may be null
   */
  public GuestRefusedException(String message, String expected, String observed, int attempts,
      Duration elapsed, Throwable cause) {
    super(message, expected, observed, attempts, elapsed, cause);
  }
}
