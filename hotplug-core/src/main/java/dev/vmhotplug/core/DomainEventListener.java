package dev.vmhotplug.core;

import java.time.Instant;

/**
 * Receives domain events of a subscription ({@link HotplugClient#subscribe}). Called on an SDK
 * delivery thread, never on libvirt's event loop thread; the events of one subscription arrive one
 * at a time, in the order libvirt sent them. A listener that blocks delays only its own
 * subscription (its queue holds at most 4,096 events; beyond that events are dropped and
 * {@link #onEventsMissed} says so). Exceptions thrown are logged and otherwise ignored.
 */
@FunctionalInterface
public interface DomainEventListener {
  /**
   * One event.
   *
   * @param event the event
   */
  void onEvent(DomainEvent event);

  /**
   * Events may have been missed: the connection was lost between {@code from} and {@code to} (the
   * subscription was registered again on the new connection), or the listener's queue overflowed.
   * Read the state you care about again. The default does nothing.
   *
   * @param from when the gap began
   * @param to when events flowed again
   * @param why what happened, e.g. {@code "connection lost: CLOSED_BY_SERVER"}
   */
  default void onEventsMissed(Instant from, Instant to, String why) {}
}
