package dev.vmhotplug.core;

/**
 * A libvirt URI could not be connected to (daemon down, wrong URI, no permission, bad credentials,
 * a host that accepts the connection but does not answer within the connect timeout…).
 *
 * <p>Thrown as this class itself, the call that raised it was <em>not</em> sent to libvirt: the
 * client was not connected and could not (re)connect. The subtype {@link ConnectionLostException}
 * means the connection broke while the call was in flight.
 */
public class ConnectionException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The URI that was tried. */
  private final String uri;

  /**
   * Creates the exception.
   *
   * @param uri the URI that was tried
   * @param message what happened and what to do
   * @param cause the libvirt error
   */
  public ConnectionException(String uri, String message, Throwable cause) {
    super(message, cause);
    this.uri = uri;
  }

  /** {@return the URI that was tried} */
  public String uri() {
    return uri;
  }
}
