package dev.vmhotplug.core;

/** The state of a client's libvirt connection, as {@link ConnectionHealth#state()} reports it. */
public enum ConnectionState {
  /** Connected; calls go straight to libvirt. */
  CONNECTED,
  /** A reconnect attempt is in flight. */
  CONNECTING,
  /** The connection was lost; the next call (or a background attempt) reconnects. */
  DISCONNECTED,
  /** The client was closed; every call fails. */
  CLOSED
}
