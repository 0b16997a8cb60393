package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.DomainEventListener;
import dev.vmhotplug.core.EventFilter;
import dev.vmhotplug.core.EventSubscription;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event side of one gateway: subscriptions (user listeners, each with its own serial queue on
 * the SDK's delivery pool) and watches (the SDK's own waits during verification). Events arrive on
 * libvirt's event loop thread through {@link #onEvent}; nothing here blocks that thread or runs
 * user code on it.
 */
final class EventHub {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);
  /** Most events queued for one listener before newer ones are dropped. */
  static final int MAX_QUEUED = 4096;

  private final String uri;
  private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<DeviceEventWatch> watches = new CopyOnWriteArrayList<>();

  EventHub(String uri) {
    this.uri = uri;
  }

  /** @return whether anybody listens (then every new connection registers the callbacks) */
  boolean wanted() {
    return !subs.isEmpty() || !watches.isEmpty();
  }

  int subscriptionCount() {
    return subs.size();
  }

  boolean hasSubscriptions() {
    return !subs.isEmpty();
  }

  /** On the event loop thread: hands the event to watches (non-blocking) and queues it for listeners. */
  void onEvent(DomainEvent e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op=event {}", e.domainName(), e);
    }
    for (DeviceEventWatch w : watches) {
      w.offer(e);
    }
    for (Sub s : subs) {
      if (s.filter.matches(e)) {
        s.deliver(e);
      }
    }
  }

  /** The connection closed: watches can no longer trust events (subscriptions hear at the reconnect). */
  void onConnectionClosed(String why) {
    for (DeviceEventWatch w : watches) {
      w.gap(why);
    }
  }

  /** Events may have been missed between from and to (a lost connection). */
  void onGap(Instant from, Instant to, String why) {
    for (DeviceEventWatch w : watches) {
      w.gap(why);
    }
    for (Sub s : subs) {
      s.gap(from, to, why);
    }
  }

  EventSubscription subscribe(EventFilter filter, DomainEventListener listener) {
    Sub s = new Sub(filter, listener);
    subs.add(s);
    return s;
  }

  DeviceEventWatch watch(String uuid, String name, String alias, Set<DomainEvent.Type> types, String unavailable) {
    DeviceEventWatch w = new DeviceEventWatch(this, uuid, name, alias, types, unavailable);
    watches.add(w);
    return w;
  }

  void remove(DeviceEventWatch w) {
    watches.remove(w);
  }

  /** Ends every subscription and watch (the client closes). */
  void closeAll(String why) {
    for (Sub s : subs) {
      s.close();
    }
    for (DeviceEventWatch w : watches) {
      w.gap(why);
      w.close();
    }
  }

  /** A subscription: a filter, a listener and the listener's own queue. */
  final class Sub implements EventSubscription {
    final EventFilter filter;
    final DomainEventListener listener;
    private final SerialExecutor queue = new SerialExecutor(SdkThreads.delivery(), MAX_QUEUED);
    private volatile boolean open = true;

    Sub(EventFilter filter, DomainEventListener listener) {
      this.filter = filter;
      this.listener = listener;
    }

    void deliver(DomainEvent e) {
      if (!queue.execute(() -> {
        if (open) {
          listener.onEvent(e);
        }
      })) {
        gap(e.receivedAt(), e.receivedAt(), "the listener did not keep up: more than " + MAX_QUEUED
            + " events queued, newer ones dropped");
      }
    }

    void gap(Instant from, Instant to, String why) {
      queue.executeAlways(() -> {
        if (open) {
          listener.onEventsMissed(from, to, why);
        }
      });
    }

    @Override
    public EventFilter filter() {
      return filter;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public long dropped() {
      return queue.dropped();
    }

    @Override
    public void close() {
      open = false;
      subs.remove(this);
    }

    @Override
    public String toString() {
      return "EventSubscription[" + uri + ", " + filter + (open ? "" : ", closed") + "]";
    }
  }

  /** Runs tasks one at a time, in order, on a shared pool; bounded. */
  static final class SerialExecutor {
    private final Executor pool;
    private final int max;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;
    private long dropped;
    private boolean overflowNoticed;

    SerialExecutor(Executor pool, int max) {
      this.pool = pool;
      this.max = max;
    }

    /** @return false when the queue was full and the task dropped (the first drop of a burst only) */
    boolean execute(Runnable r) {
      synchronized (this) {
        if (queue.size() >= max) {
          dropped++;
          boolean first = !overflowNoticed;
          overflowNoticed = true;
          return !first;
        }
        overflowNoticed = false;
        queue.add(r);
        if (running) {
          return true;
        }
        running = true;
      }
      pool.execute(this::drain);
      return true;
    }

    /** Queues even when full (for the rare gap notice). */
    void executeAlways(Runnable r) {
      synchronized (this) {
        queue.add(r);
        if (running) {
          return;
        }
        running = true;
      }
      pool.execute(this::drain);
    }

    synchronized long dropped() {
      return dropped;
    }

    private void drain() {
      for (;;) {
        Runnable r;
        synchronized (this) {
          r = queue.poll();
          if (r == null) {
            running = false;
            return;
          }
        }
        try {
          r.run();
        } catch (RuntimeException | Error e) {
          LOG.warn("op=event a DomainEventListener threw (ignored): {}", e.toString());
        }
      }
    }
  }
}
