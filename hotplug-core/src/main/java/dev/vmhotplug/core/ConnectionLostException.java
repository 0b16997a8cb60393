package dev.vmhotplug.core;

/**
 * The libvirt connection closed or stopped answering during a call: the daemon was restarted or
 * frozen, the network went silent (keepalive timeout), or the socket reached EOF. The client
 * reconnects on the next call; a read is retried once by the SDK itself, a change never is.
 *
 * <p>When this interrupts a change ({@code setVcpusFlags}, {@code attachDeviceFlags}, …) the
 * operation does not pass it on as it is: it reconnects, re-reads the domain and reports what
 * really happened (applied, not applied, or an {@link OutcomeUnknownException}).
 */
public class ConnectionLostException extends ConnectionException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param uri the URI of the connection
   * @param message what was lost, when, and what to check
   * @param cause the libvirt error, may be null
   */
  public ConnectionLostException(String uri, String message, Throwable cause) {
    super(uri, message, cause);
  }
}
