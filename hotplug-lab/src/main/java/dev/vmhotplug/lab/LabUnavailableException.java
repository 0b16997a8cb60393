package dev.vmhotplug.lab;

/**
 * The lab cannot run on this machine at all (not root, packages missing and not installable, QEMU
 * cannot start a guest). Tests skip on this exception on a developer machine and fail in CI.
 */
public class LabUnavailableException extends LabException {
  private static final long serialVersionUID = 1L;

  /** @param message why the lab cannot run here and how to make it run */
  public LabUnavailableException(String message) {
    super(message);
  }

  /**
   * @param message why the lab cannot run here and how to make it run
   * @param cause the underlying failure
   */
  public LabUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
