package dev.vmhotplug.core;

/**
 * An open event subscription ({@link HotplugClient#subscribe}). It survives reconnects (the SDK
 * registers it again on every new connection) and ends with {@link #close()} or when the client
 * closes.
 */
public interface EventSubscription extends AutoCloseable {
  /** {@return the filter the subscription was opened with} */
  EventFilter filter();

  /** {@return whether the subscription is still open} */
  boolean isOpen();

  /** {@return how many events were dropped because the listener did not keep up} */
  long dropped();

  /** Ends the subscription; no event is delivered after it returns, except one already running. Idempotent. */
  @Override
  void close();
}
