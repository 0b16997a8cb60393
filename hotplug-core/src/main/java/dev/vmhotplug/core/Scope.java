package dev.vmhotplug.core;

/**
 * Where a change applies: the running domain ({@link #LIVE}), its persistent definition
 * ({@link #CONFIG}, effective at the next cold boot), or both ({@link #LIVE_AND_CONFIG}).
 *
 * <p>These are virsh's {@code --live} and {@code --config}. When a request names no scope the
 * SDK uses {@link #LIVE}, like {@code virsh setvcpus} on a running domain.
 */
public enum Scope {
  /** The running domain only; lost at the next shutdown. */
  LIVE,
  /** The persistent definition only; takes effect at the next cold boot (shutdown + start). */
  CONFIG,
  /** Both the running domain and its persistent definition. */
  LIVE_AND_CONFIG;

  /** {@return whether this scope changes the running domain} */
  public boolean includesLive() {
    return this != CONFIG;
  }

  /** {@return whether this scope changes the persistent definition} */
  public boolean includesConfig() {
    return this != LIVE;
  }

  /**
   * The scope covering both arguments.
   *
   * @param other another scope, may be null (then this scope is returned)
   * @return the union of both scopes
   */
  public Scope plus(Scope other) {
    if (other == null || other == this) {
      return this;
    }
    return LIVE_AND_CONFIG;
  }

  /** {@return virsh's flag spelling: {@code --live}, {@code --config} or {@code --live --config}} */
  public String virshFlags() {
    switch (this) {
      case LIVE:
        return "--live";
      case CONFIG:
        return "--config";
      default:
        return "--live --config";
    }
  }
}
