package dev.vmhotplug.core;

/** Why a libvirt connection closed (what libvirt's close callback and the failing call said). */
public enum CloseReason {
  /**
   * The host stopped answering: no reply to keepalive messages within interval × (count + 1)
   * seconds. The daemon is frozen or overloaded, the host is down, or the network is silent.
   */
  KEEPALIVE_TIMEOUT,
  /** The other side closed the connection (end of file): the daemon was restarted or stopped. */
  CLOSED_BY_SERVER,
  /** An I/O error on the socket broke the connection. */
  IO_ERROR,
  /** This process closed the connection. */
  CLOSED_BY_CLIENT,
  /** libvirt gave no reason. */
  UNKNOWN
}
