package dev.vmhotplug.guest.truth;

/**
 * Thrown when what a guest reported cannot be read: an empty file, binary junk, a truncated JSON
 * reply, a file larger than {@link GuestText#MAX_BYTES}, a number out of range. The message says
 * what was found, in which input, and what was expected.
 */
public final class GuestDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was found and what was expected
   */
  public GuestDataException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was found and what was expected
   * @param cause the underlying error
   */
  public GuestDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
