package dev.vmhotplug.lab;

/**
 * A step of the VM lab failed: a command, the daemon, a guest boot or a wait for the guest.
 * The message says what was done, what was found and where to look (log files).
 */
public class LabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, what was found, what to do */
  public LabException(String message) {
    super(message);
  }

  /**
   * @param message what failed, what was found, what to do
   * @param cause the underlying failure
   */
  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
