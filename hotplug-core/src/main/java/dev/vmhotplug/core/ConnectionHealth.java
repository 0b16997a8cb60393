package dev.vmhotplug.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a client's connection: state, last close and its reason, reconnects, last error,
 * keepalive and event loop. Immutable; meant to be exposed by a service's health endpoint
 * ({@link #toString()} is one line without secrets).
 *
 * <p>Obtained from {@link HotplugClient#health()}; the builder exists for the SDK and for tests of
 * code that consumes health snapshots.
 */
public final class ConnectionHealth {
  private final String uri;
  private final ConnectionState state;
  private final Instant connectedSince;
  private final CloseReason lastCloseReason;
  private final Instant lastCloseAt;
  private final String lastError;
  private final Instant lastErrorAt;
  private final long reconnects;
  private final int failedAttempts;
  private final Instant nextAttemptAt;
  private final String keepalive;
  private final String eventLoop;
  private final int subscriptions;

  private ConnectionHealth(Builder b) {
    this.uri = Objects.requireNonNull(b.uri, "uri");
    this.state = Objects.requireNonNull(b.state, "state");
    this.connectedSince = b.connectedSince;
    this.lastCloseReason = b.lastCloseReason;
    this.lastCloseAt = b.lastCloseAt;
    this.lastError = b.lastError;
    this.lastErrorAt = b.lastErrorAt;
    this.reconnects = b.reconnects;
    this.failedAttempts = b.failedAttempts;
    this.nextAttemptAt = b.nextAttemptAt;
    this.keepalive = b.keepalive == null ? "unknown" : b.keepalive;
    this.eventLoop = b.eventLoop == null ? "unknown" : b.eventLoop;
    this.subscriptions = b.subscriptions;
  }

  /** {@return a builder (for the SDK and for tests)} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the URI of the connection} */
  public String uri() {
    return uri;
  }

  /** {@return the connection's state} */
  public ConnectionState state() {
    return state;
  }

  /** {@return true when {@link #state()} is {@link ConnectionState#CONNECTED}} */
  public boolean isConnected() {
    return state == ConnectionState.CONNECTED;
  }

  /** {@return when the current connection was opened; empty when not connected} */
  public Optional<Instant> connectedSince() {
    return Optional.ofNullable(connectedSince);
  }

  /** {@return why the last connection closed; empty when none closed yet} */
  public Optional<CloseReason> lastCloseReason() {
    return Optional.ofNullable(lastCloseReason);
  }

  /** {@return when the last connection closed; empty when none closed yet} */
  public Optional<Instant> lastCloseAt() {
    return Optional.ofNullable(lastCloseAt);
  }

  /** {@return the last connection error (a failed connect or a lost connection), without secrets} */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** {@return when {@link #lastError()} happened} */
  public Optional<Instant> lastErrorAt() {
    return Optional.ofNullable(lastErrorAt);
  }

  /** {@return how many times the client reconnected after a lost connection (the first connect not counted)} */
  public long reconnects() {
    return reconnects;
  }

  /** {@return consecutive failed (re)connect attempts since the last success; 0 when connected} */
  public int failedAttempts() {
    return failedAttempts;
  }

  /** {@return earliest time of the next reconnect attempt (jittered backoff); empty when none is pending} */
  public Optional<Instant> nextAttemptAt() {
    return Optional.ofNullable(nextAttemptAt);
  }

  /** {@return the keepalive in effect, e.g. {@code "5 s x 5 (dead host detected within 30 s)"} or {@code "off"}} */
  public String keepalive() {
    return keepalive;
  }

  /** {@return who runs libvirt's event loop in this process} */
  public String eventLoop() {
    return eventLoop;
  }

  /** {@return how many event subscriptions of this client are open} */
  public int subscriptions() {
    return subscriptions;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ConnectionHealth[").append(uri).append(' ').append(state);
    if (connectedSince != null) {
      s.append(" since ").append(connectedSince);
    }
    s.append(", reconnects ").append(reconnects);
    if (lastCloseReason != null) {
      s.append(", last close ").append(lastCloseReason).append(" at ").append(lastCloseAt);
    }
    if (failedAttempts > 0) {
      s.append(", failed attempts ").append(failedAttempts);
    }
    if (nextAttemptAt != null) {
      s.append(", next attempt ").append(nextAttemptAt);
    }
    if (lastError != null) {
      s.append(", last error at ").append(lastErrorAt).append(": ").append(lastError);
    }
    return s.append(", keepalive ").append(keepalive).append(", event loop ").append(eventLoop)
        .append(", subscriptions ").append(subscriptions).append(']').toString();
  }

  /** Builds a {@link ConnectionHealth}. */
  public static final class Builder {
    private String uri;
    private ConnectionState state;
    private Instant connectedSince;
    private CloseReason lastCloseReason;
    private Instant lastCloseAt;
    private String lastError;
    private Instant lastErrorAt;
    private long reconnects;
    private int failedAttempts;
    private Instant nextAttemptAt;
    private String keepalive;
    private String eventLoop;
    private int subscriptions;

    private Builder() {}

    /**
     * Sets the URI of the connection.
     *
     * @param v the URI
     * @return this
     */
    public Builder uri(String v) {
      uri = v;
      return this;
    }

    /**
     * Sets the connection's state.
     *
     * @param v the state
     * @return this
     */
    public Builder state(ConnectionState v) {
      state = v;
      return this;
    }

    /**
     * Sets when the current connection was opened.
     *
     * @param v when the connection was opened, null when not connected
     * @return this
     */
    public Builder connectedSince(Instant v) {
      connectedSince = v;
      return this;
    }

    /**
     * Sets why and when the last connection closed.
     *
     * @param reason why the last connection closed
     * @param at when
     * @return this
     */
    public Builder lastClose(CloseReason reason, Instant at) {
      lastCloseReason = reason;
      lastCloseAt = at;
      return this;
    }

    /**
     * Sets the last connection error and when it happened.
     *
     * @param message the last error, no secrets
     * @param at when
     * @return this
     */
    public Builder lastError(String message, Instant at) {
      lastError = message;
      lastErrorAt = at;
      return this;
    }

    /**
     * Sets how many times the client reconnected.
     *
     * @param v successful reconnects
     * @return this
     */
    public Builder reconnects(long v) {
      reconnects = v;
      return this;
    }

    /**
     * Sets the consecutive failed (re)connect attempts.
     *
     * @param v consecutive failed attempts
     * @return this
     */
    public Builder failedAttempts(int v) {
      failedAttempts = v;
      return this;
    }

    /**
     * Sets the earliest time of the next reconnect attempt.
     *
     * @param v the next attempt, null for none
     * @return this
     */
    public Builder nextAttemptAt(Instant v) {
      nextAttemptAt = v;
      return this;
    }

    /**
     * Sets the keepalive in effect, in words.
     *
     * @param v the keepalive description
     * @return this
     */
    public Builder keepalive(String v) {
      keepalive = v;
      return this;
    }

    /**
     * Sets who runs libvirt's event loop, in words.
     *
     * @param v the event loop description
     * @return this
     */
    public Builder eventLoop(String v) {
      eventLoop = v;
      return this;
    }

    /**
     * Sets how many event subscriptions are open.
     *
     * @param v open subscriptions
     * @return this
     */
    public Builder subscriptions(int v) {
      subscriptions = v;
      return this;
    }

    /**
     * Builds the snapshot.
     *
     * @return the snapshot
     * @throws NullPointerException if uri or state is missing
     */
    public ConnectionHealth build() {
      return new ConnectionHealth(this);
    }
  }
}
