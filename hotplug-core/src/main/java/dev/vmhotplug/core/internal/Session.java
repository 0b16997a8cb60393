package dev.vmhotplug.core.internal;

import com.sun.jna.Pointer;
import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.xml.MemorySize;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libvirt connection of a gateway (a "generation"): the libvirt-java {@link Connect}, why and
 * when it closed, the domain handles bound to it, and its event callbacks.
 *
 * <p>Reference counted: every call {@link #enter()}s and {@link #exit()}s it; a retired session is
 * disposed (callbacks deregistered, domain handles freed, connection closed) only when the last
 * call in flight has left, so no thread ever uses a freed libvirt object.
 */
final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  final Connect connect;
  final long generation;
  final Instant openedAt;
  final boolean owned;
  volatile String keepalive = "off";

  private volatile CloseReason closeReason;
  private volatile Instant closedAt;

  private int users;
  private boolean retired;
  private boolean disposed;
  private final List<Domain> domains = new ArrayList<>();

  // event callbacks: ids for deregistration, objects kept strongly reachable while registered
  private final List<Integer> callbackIds = new ArrayList<>();
  private final List<Object> callbacks = new ArrayList<>();
  private final Object eventsLock = new Object();
  private volatile boolean eventsRegistered;
  private volatile String eventsError;

  Session(Connect connect, long generation, boolean owned) {
    this.connect = connect;
    this.generation = generation;
    this.owned = owned;
    this.openedAt = Instant.now();
  }

  /** @return true once libvirt closed the connection (close callback, or a failed call saw it dead) */
  boolean isClosed() {
    return closeReason != null;
  }

  CloseReason closeReason() {
    return closeReason;
  }

  Instant closedAt() {
    return closedAt;
  }

  /**
   * Records the close (first reason wins).
   *
   * @return true when this call recorded it
   */
  synchronized boolean markClosed(CloseReason reason) {
    if (closeReason != null) {
      return false;
    }
    closedAt = Instant.now();
    closeReason = reason;
    return true;
  }

  /** Whether libvirt still considers the connection alive (a local check, no round trip). */
  boolean alive() {
    if (closeReason != null) {
      return false;
    }
    try {
      return connect.isAlive();
    } catch (org.libvirt.LibvirtException | RuntimeException e) {
      return false;
    }
  }

  /** @return false when the session is retired (the caller must acquire another one) */
  synchronized boolean enter() {
    if (retired) {
      return false;
    }
    users++;
    return true;
  }

  void exit() {
    boolean dispose;
    synchronized (this) {
      users--;
      dispose = retired && users == 0 && !disposed;
      if (dispose) {
        disposed = true;
      }
    }
    if (dispose) {
      dispose();
    }
  }

  /** No new calls; disposed when the last one in flight leaves. Idempotent. */
  void retire() {
    boolean dispose;
    synchronized (this) {
      if (retired) {
        return;
      }
      retired = true;
      dispose = users == 0 && !disposed;
      if (dispose) {
        disposed = true;
      }
    }
    if (dispose) {
      dispose();
    }
  }

  synchronized boolean isRetired() {
    return retired;
  }

  /** Keeps a domain handle until the session is disposed. */
  void adopt(Domain d) {
    synchronized (this) {
      if (!disposed) {
        domains.add(d);
        return;
      }
    }
    free(d);
  }

  /** @return whether the event callbacks are registered on this connection */
  boolean eventsRegistered() {
    return eventsRegistered;
  }

  /** @return why events could not be registered, or null */
  String eventsError() {
    return eventsError;
  }

  /**
   * Registers the SDK's five domain event callbacks (lifecycle, device added / removed / removal
   * failed, memory device size change) for all domains; idempotent. Callers hold the session
   * ({@link #enter()}). On failure the callbacks registered so far stay (they are harmless) and
   * {@link #eventsError()} says why.
   *
   * @param hub where the callbacks deliver
   * @param uri the gateway's URI (for the events)
   * @return null on success, else the reason
   */
  String registerEvents(EventHub hub, String uri) {
    synchronized (eventsLock) { // not the session's monitor: calls keep entering during the round trips
      return registerEventsLocked(hub, uri);
    }
  }

  private String registerEventsLocked(EventHub hub, String uri) {
    if (eventsRegistered) {
      return null;
    }
    Pointer conn = LibvirtNative.Pointers.of(connect);
    if (conn == null) {
      return eventsError = "the connection is closed";
    }
    try {
      LibvirtNative.LifecycleCallback lifecycle = (c, dom, event, detail, opaque) -> {
        deliver(hub, dom, d -> DomainEvent.lifecycle(uri, d[0], d[1], DomainEvent.Lifecycle.ofCode(event), detail,
            Instant.now()));
        return 0;
      };
      LibvirtNative.DeviceCallback added = (c, dom, alias, opaque) -> deliver(hub, dom,
          d -> DomainEvent.device(DomainEvent.Type.DEVICE_ADDED, uri, d[0], d[1], alias == null ? "" : alias,
              Instant.now()));
      LibvirtNative.DeviceCallback removed = (c, dom, alias, opaque) -> deliver(hub, dom,
          d -> DomainEvent.device(DomainEvent.Type.DEVICE_REMOVED, uri, d[0], d[1], alias == null ? "" : alias,
              Instant.now()));
      LibvirtNative.DeviceCallback failed = (c, dom, alias, opaque) -> deliver(hub, dom,
          d -> DomainEvent.device(DomainEvent.Type.DEVICE_REMOVAL_FAILED, uri, d[0], d[1],
              alias == null ? "" : alias, Instant.now()));
      LibvirtNative.SizeChangeCallback size = (c, dom, alias, kib, opaque) -> deliver(hub, dom,
          d -> DomainEvent.memorySizeChanged(uri, d[0], d[1], alias == null ? "" : alias, MemorySize.ofKiB(kib),
              Instant.now()));
      register(conn, LibvirtNative.EVENT_LIFECYCLE, lifecycle);
      register(conn, LibvirtNative.EVENT_DEVICE_ADDED, added);
      register(conn, LibvirtNative.EVENT_DEVICE_REMOVED, removed);
      register(conn, LibvirtNative.EVENT_DEVICE_REMOVAL_FAILED, failed);
      register(conn, LibvirtNative.EVENT_MEMORY_DEVICE_SIZE_CHANGE, size);
      eventsRegistered = true;
      eventsError = null;
      return null;
    } catch (IllegalStateException e) {
      eventsError = e.getMessage();
      return eventsError;
    }
  }

  private void register(Pointer conn, int eventId, com.sun.jna.Callback cb) {
    int id = LibvirtNative.INSTANCE.virConnectDomainEventRegisterAny(conn, null, eventId, cb, null, null);
    if (id < 0) {
      throw new IllegalStateException("virConnectDomainEventRegisterAny(event " + eventId + ") failed: "
          + LibvirtNative.Pointers.lastError("no libvirt error"));
    }
    synchronized (this) {
      callbacks.add(cb);
      callbackIds.add(id);
    }
  }

  @FunctionalInterface
  private interface EventMaker {
    DomainEvent make(String[] nameAndUuid);
  }

  /** Runs on libvirt's event loop thread: names the domain (no round trip) and hands off. Never throws. */
  private static void deliver(EventHub hub, Pointer dom, EventMaker maker) {
    try {
      String uuid = LibvirtNative.Pointers.uuid(dom);
      String name = dom == null ? null : LibvirtNative.INSTANCE.virDomainGetName(dom);
      if (uuid == null || name == null) {
        return;
      }
      hub.onEvent(maker.make(new String[] {name, uuid}));
    } catch (RuntimeException | Error e) {
      LOG.warn("op=event dropped an event that could not be read: {}", e.toString());
    }
  }

  private void dispose() {
    Pointer conn = LibvirtNative.Pointers.of(connect);
    List<Integer> ids;
    List<Domain> toFree;
    synchronized (this) {
      ids = new ArrayList<>(callbackIds);
      callbackIds.clear();
      toFree = new ArrayList<>(domains);
      domains.clear();
    }
    if (conn != null) {
      for (int id : ids) {
        if (LibvirtNative.INSTANCE.virConnectDomainEventDeregisterAny(conn, id) < 0) {
          LOG.debug("op=deregisterEvent id={} failed: {}", id, LibvirtNative.Pointers.lastError("?"));
        }
      }
    }
    for (Domain d : toFree) {
      free(d);
    }
    if (owned) {
      try {
        connect.unregisterCloseListener();
      } catch (org.libvirt.LibvirtException | RuntimeException e) {
        LOG.debug("op=unregisterCloseListener failed: {}", e.getMessage());
      }
      try {
        connect.close();
      } catch (org.libvirt.LibvirtException | RuntimeException e) {
        LOG.debug("op=close generation={} failed: {}", generation, e.getMessage());
      }
    }
    synchronized (this) {
      callbacks.clear(); // only now: libvirt holds no pointer to them any more
    }
  }

  static void free(Domain d) {
    try {
      d.free();
    } catch (org.libvirt.LibvirtException | RuntimeException e) {
      LOG.debug("op=free failed: {}", e.getMessage());
    }
  }
}
