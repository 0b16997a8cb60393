package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.CredentialCallback;
import java.time.Duration;
import java.util.Objects;

/**
 * How the gateway opens and keeps its connection (immutable; built by {@code HotplugClient.Builder}).
 *
 * @param readOnly open with {@code VIR_CONNECT_RO} and refuse change calls
 * @param keepaliveIntervalSeconds seconds between keepalive probes; 0 switches keepalive off
 * @param keepaliveCount unanswered probes before the connection is closed (at least 1)
 * @param connectTimeout bound of one connect attempt (handshake and authentication included)
 * @param backoffInitial pause after the first failed reconnect attempt (doubles, jittered)
 * @param backoffMax the longest pause between reconnect attempts
 * @param externalEventLoop the application runs its own libvirt event loop
 * @param credentials answers libvirt's authentication requests; null answers nothing
 */
public record ConnectionOptions(boolean readOnly, int keepaliveIntervalSeconds, int keepaliveCount,
    Duration connectTimeout, Duration backoffInitial, Duration backoffMax, boolean externalEventLoop,
    CredentialCallback credentials) {

  /** Default keepalive interval: 5 s. */
  public static final int DEFAULT_KEEPALIVE_INTERVAL_SECONDS = 5;
  /** Default keepalive count: 5 (a dead host is noticed within 5 × (5 + 1) = 30 s). */
  public static final int DEFAULT_KEEPALIVE_COUNT = 5;
  /** Default pause after the first failed reconnect attempt. */
  public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
  /** Default longest pause between reconnect attempts. */
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);

  /**
   * Validates.
   *
   * @param readOnly open with {@code VIR_CONNECT_RO} and refuse change calls
   * @param keepaliveIntervalSeconds seconds between keepalive probes; 0 switches keepalive off
   * @param keepaliveCount unanswered probes before the connection is closed (at least 1)
   * @param connectTimeout bound of one connect attempt (handshake and authentication included)
   * @param backoffInitial pause after the first failed reconnect attempt (doubles, jittered)
   * @param backoffMax the longest pause between reconnect attempts
   * @param externalEventLoop the application runs its own libvirt event loop
   * @param credentials answers libvirt's authentication requests; null answers nothing
   */
  public ConnectionOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(backoffInitial, "backoffInitial");
    Objects.requireNonNull(backoffMax, "backoffMax");
    if (keepaliveIntervalSeconds < 0 || keepaliveCount < 1 || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("invalid connection options");
    }
  }

  /** {@return the defaults: read-write, keepalive 5 s × 5, connect timeout 30 s, backoff 100 ms to 5 s} */
  public static ConnectionOptions defaults() {
    return new ConnectionOptions(false, DEFAULT_KEEPALIVE_INTERVAL_SECONDS, DEFAULT_KEEPALIVE_COUNT,
        Duration.ofSeconds(DEFAULT_KEEPALIVE_INTERVAL_SECONDS * (DEFAULT_KEEPALIVE_COUNT + 1L)),
        DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, false, null);
  }

  /**
   * {@return the same options, read-only or not}
   *
   * @param ro whether change calls are refused
   */
  public ConnectionOptions withReadOnly(boolean ro) {
    return new ConnectionOptions(ro, keepaliveIntervalSeconds, keepaliveCount, connectTimeout, backoffInitial,
        backoffMax, externalEventLoop, credentials);
  }

  /** {@return whether keepalive is on} */
  public boolean keepaliveOn() {
    return keepaliveIntervalSeconds > 0;
  }

  /** {@return how long a silent host takes to be noticed: interval × (count + 1); zero when off} */
  public Duration keepaliveWindow() {
    return keepaliveOn() ? Duration.ofSeconds(keepaliveIntervalSeconds * (keepaliveCount + 1L)) : Duration.ZERO;
  }

  /** {@return e.g. {@code "5 s x 5 (a silent host is noticed within 30 s)"} or {@code "off"}} */
  public String describeKeepalive() {
    return keepaliveOn() ? keepaliveIntervalSeconds + " s x " + keepaliveCount + " (a silent host is noticed within "
        + keepaliveWindow().toSeconds() + " s)" : "off";
  }
}
