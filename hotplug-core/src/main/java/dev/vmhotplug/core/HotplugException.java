package dev.vmhotplug.core;

/**
 * Root of every exception the hotplug SDK throws (unchecked).
 *
 * <p>Messages say what was found, why it blocks, and what to do. The underlying cause (a libvirt
 * error, an interruption) is always kept.
 */
public class HotplugException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what was found, why it blocks, what to do
   */
  public HotplugException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and its cause.
   *
   * @param message what was found, why it blocks, what to do
   * @param cause the underlying failure
   */
  public HotplugException(String message, Throwable cause) {
    super(message, cause);
  }
}
