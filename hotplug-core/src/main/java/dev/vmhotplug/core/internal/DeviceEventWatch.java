package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.HotplugException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A wait for domain events of one domain during verification (the SDK's own, not a user
 * subscription): opened with {@link LibvirtGateway#watch} <em>before</em> the change call, so that
 * an event that arrives while the call is still returning is not missed; then
 * {@link #await(Duration)} in the verification loop, with a re-read of the domain as fallback.
 *
 * <p>{@link #reliable()} is false when events cannot be trusted to arrive: they could not be
 * registered on this connection (the reason is in {@link #unreliableReason()}), or the connection
 * was lost since the watch began (events of the gap are lost). The caller then relies on polling.
 *
 * <p>A loss is reported to the waiter once, whenever it happened: the first {@link #await} after
 * the watch turned unreliable returns at once, whether the loss came while it waited or before it
 * was called (libvirt's close callback runs on the event loop thread, typically within a
 * millisecond of the daemon's death, so "before" is as likely as "during"). Later awaits wait
 * their whole timeout and serve as the pause between two polls, as does every await of a watch
 * unreliable from the start.
 *
 * <p>Thread-safe. Close it when done (try-with-resources); closing is idempotent.
 */
public final class DeviceEventWatch implements AutoCloseable {
  private final EventHub hub;
  private final String uuid;
  private final String name;
  private final String alias;
  private final Set<DomainEvent.Type> types;
  private final ArrayDeque<DomainEvent> pending = new ArrayDeque<>();
  private final List<DomainEvent> seen = new ArrayList<>();
  private String unreliable;
  /** The watch turned unreliable after it was reliable, and no await has returned for it yet. */
  private boolean lossUnreported;
  private boolean closed;

  DeviceEventWatch(EventHub hub, String uuid, String name, String alias, Set<DomainEvent.Type> types,
      String unavailable) {
    this.hub = hub;
    this.uuid = uuid;
    this.name = name;
    this.alias = alias;
    this.types = Set.copyOf(types);
    this.unreliable = unavailable;
  }

  /**
   * A watch attached to no connection, fed by hand through {@link #deliver(DomainEvent)} and
   * {@link #lose(String)}: for the SDK's own tests of the verification loop (the timing of a real
   * event, e.g. a removal the guest refuses after libvirt's own wait, cannot be produced on demand
   * without a VM). Not API.
   *
   * @param uuid the domain's UUID
   * @param name the domain's name
   * @param types the event types to keep
   * @param unreliable why events cannot be trusted from the start, or null when they can
   * @return the watch
   */
  public static DeviceEventWatch detached(String uuid, String name, Set<DomainEvent.Type> types, String unreliable) {
    return new DeviceEventWatch(null, uuid, name, null, types, unreliable);
  }

  /**
   * Hands an event to the watch as the event loop does (for {@link #detached} watches in tests).
   *
   * @param e the event; ignored unless its type, domain and alias match
   */
  public void deliver(DomainEvent e) {
    offer(e);
  }

  /**
   * Marks the watch unreliable as a lost connection does (for {@link #detached} watches in tests).
   *
   * @param why the reason
   */
  public void lose(String why) {
    gap(why);
  }

  /** On the event loop thread: keeps a matching event and wakes the waiter. Never blocks for long. */
  void offer(DomainEvent e) {
    if (!types.contains(e.type()) || !uuid.equalsIgnoreCase(e.domainUuid())) {
      return;
    }
    if (alias != null && !alias.equals(e.deviceAlias().orElse(null))) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      pending.add(e);
      seen.add(e);
      notifyAll();
    }
  }

  /**
   * Events may have been lost (the connection closed): the watch is no longer reliable; the waiter
   * is woken, or the next await returns at once if nobody waits right now.
   */
  synchronized void gap(String why) {
    if (unreliable == null) {
      unreliable = "events may have been missed: " + why;
      lossUnreported = true;
    }
    notifyAll();
  }

  /**
   * Events cannot be delivered on this watch from its start (the callbacks could not be
   * registered): unreliable, and awaits serve as pauses between polls.
   */
  synchronized void unavailable(String why) {
    if (unreliable == null) {
      unreliable = "events cannot be received: " + why;
    }
    notifyAll();
  }

  /**
   * Waits for the next matching event (each event is returned once, in arrival order).
   *
   * @param timeout how long to wait at most; zero returns at once
   * @return the event, or empty when the timeout passed, the watch was closed, or it became
   *     unreliable since it was opened and this is the first await to return since then (whether
   *     the loss came while waiting or before the call; see the class comment). A watch unreliable
   *     from the start, or whose loss was reported already, waits the whole timeout: it then serves
   *     as the pause between two polls
   * @throws HotplugException if the thread is interrupted (the interrupt flag is set again)
   */
  public synchronized Optional<DomainEvent> await(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    while (pending.isEmpty() && !closed && !lossUnreported) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        wait(Math.max(1, left / 1_000_000), 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HotplugException("interrupted while waiting for a device event of domain '" + name + "'", e);
      }
    }
    DomainEvent e = pending.poll();
    if (e == null && lossUnreported) {
      lossUnreported = false; // reported by this return; the next awaits are pauses between polls
    }
    return Optional.ofNullable(e);
  }

  /** {@return the next matching event if one has arrived, without waiting} */
  public synchronized Optional<DomainEvent> poll() {
    return Optional.ofNullable(pending.poll());
  }

  /** {@return every matching event seen since the watch was opened (returned by await or not)} */
  public synchronized List<DomainEvent> seen() {
    return List.copyOf(seen);
  }

  /** {@return true while events can be trusted to arrive (registered, and no connection loss since)} */
  public synchronized boolean reliable() {
    return unreliable == null;
  }

  /** {@return why events cannot be trusted, when {@link #reliable()} is false} */
  public synchronized Optional<String> unreliableReason() {
    return Optional.ofNullable(unreliable);
  }

  /** {@return the domain's UUID} */
  public String domainUuid() {
    return uuid;
  }

  /** {@return the alias waited for, or empty for any device of the domain} */
  public Optional<String> alias() {
    return Optional.ofNullable(alias);
  }

  /** {@return the event types waited for} */
  public Set<DomainEvent.Type> types() {
    return types;
  }

  /** Stops the watch; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll();
    }
    if (hub != null) {
      hub.remove(this);
    }
  }

  @Override
  public synchronized String toString() {
    return "DeviceEventWatch[" + name + (alias == null ? "" : " alias=" + alias) + " " + types
        + (unreliable == null ? "" : ", unreliable: " + unreliable) + "]";
  }
}
