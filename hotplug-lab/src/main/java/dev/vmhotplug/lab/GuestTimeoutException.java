package dev.vmhotplug.lab;

import java.util.Optional;

/** The lab guest did not report what was awaited in time; carries the last report it did print. */
public class GuestTimeoutException extends LabException {
  private static final long serialVersionUID = 1L;
  private final transient GuestReport last;

  /**
   * @param message what was awaited, for how long, the last report and the serial log
   * @param last the last report, or null when there was none
   */
  public GuestTimeoutException(String message, GuestReport last) {
    super(message);
    this.last = last;
  }

  /** @return the last report before the timeout */
  public Optional<GuestReport> last() {
    return Optional.ofNullable(last);
  }
}
