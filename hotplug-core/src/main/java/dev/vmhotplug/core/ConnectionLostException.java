package dev.vmhotplug.core;

import java.util.Objects;

/**
 * The libvirt connection closed or stopped answering during a call: the daemon was restarted or
 * frozen, the network went silent (keepalive timeout), or the socket reached EOF. The client
 * reconnects on the next call; a read is retried once by the SDK itself (not after a keepalive
 * timeout: the host is not answering), a change never is.
 *
 * <p>When this interrupts a change ({@code setVcpusFlags}, {@code attachDeviceFlags}, …) the
 * operation does not pass it on as it is: it reconnects, re-reads the domain and reports what
 * really happened (applied, not applied, or an {@link OutcomeUnknownException}).
 *
 * <p>Compare {@link ConnectionException} itself (not this subtype): the client was not connected
 * and could not (re)connect, so the call was <em>not</em> sent.
 */
public class ConnectionLostException extends ConnectionException {
  private static final long serialVersionUID = 1L;

  /** Why the connection closed. */
  private final CloseReason reason;
  /** The operation that was interrupted. */
  private final String operation;
  /** Whether the interrupted operation was a change. */
  private final boolean change;

  /**
   * Creates the exception.
   *
   * @param uri the URI of the connection
   * @param message what was lost, when, and what to check
   * @param cause the libvirt error, may be null
   */
  public ConnectionLostException(String uri, String message, Throwable cause) {
    this(uri, message, cause, CloseReason.UNKNOWN, "?", false);
  }

  /**
   * Creates the exception with the reason and the interrupted call.
   *
   * @param uri the URI of the connection
   * @param message what was lost, when, and what to check
   * @param cause the libvirt error, may be null
   * @param reason why the connection closed
   * @param operation the gateway operation that was interrupted, e.g. {@code setVcpus(LIVE)}
   * @param change true when that operation changes a domain (it may or may not have been applied)
   */
  public ConnectionLostException(String uri, String message, Throwable cause, CloseReason reason,
      String operation, boolean change) {
    super(uri, message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.change = change;
  }

  /** {@return why the connection closed} */
  public CloseReason reason() {
    return reason;
  }

  /** {@return the operation that was interrupted, e.g. {@code xml(live)} or {@code setVcpus(LIVE)}} */
  public String operation() {
    return operation;
  }

  /**
   * {@return true when the interrupted operation was a change: it was sent and libvirt may or may not have
   * applied it; read the domain again before deciding}
   */
  public boolean wasChange() {
    return change;
  }
}
