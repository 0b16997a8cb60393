package dev.vmhotplug.core;

/**
 * The QEMU guest agent of a domain did not answer: the domain has no agent channel, qemu-ga is not
 * running in the guest, or the connection's driver has no agent support. The message says which
 * command failed, libvirt's reason, and how to set the agent up (or to supply another
 * {@link GuestProbe}).
 */
public class GuestAgentUnavailableException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and how to fix it
   * @param cause the libvirt failure
   */
  public GuestAgentUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
