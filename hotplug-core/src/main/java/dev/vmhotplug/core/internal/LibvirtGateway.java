package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.ConnectionException;
import dev.vmhotplug.core.ConnectionHealth;
import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.ConnectionState;
import dev.vmhotplug.core.Credentials;
import dev.vmhotplug.core.DomainEvent;
import dev.vmhotplug.core.DomainEventListener;
import dev.vmhotplug.core.DomainNotFoundException;
import dev.vmhotplug.core.EventFilter;
import dev.vmhotplug.core.EventSubscription;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.LibvirtException;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error;
import org.libvirt.ErrorCallback;
import org.libvirt.MemoryStatistic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that talks to libvirt (libvirt-java 0.5.4 over JNA): every other class of the SDK
 * goes through here and sees only SDK types and exceptions.
 *
 * <p><b>Connection lifecycle.</b> The gateway holds one libvirt connection at a time (a
 * {@link Session}). Before the first connection the process-wide {@link EventLoop} is started
 * (keepalive and events need it). Each connection gets keepalive (default 5 s × 5: a silent host
 * is noticed within 30 s) and a close callback. Opening is bounded by the connect timeout (a
 * frozen daemon accepts the socket but never answers the handshake). When a connection closes
 * (EOF, keepalive timeout, I/O error) the next call reconnects; failed attempts are spaced by a
 * jittered exponential backoff, and calls in between fail at once with a {@link ConnectionException}
 * saying when the next attempt is due. With event subscriptions open, reconnects also happen in
 * the background. A wrapped connection (not opened here) is never reopened.
 *
 * <p><b>Calls.</b> A call interrupted by a lost connection throws {@link ConnectionLostException}
 * (never a hang, never libvirt's bare "client socket is closed"). A read is retried once on a new
 * connection, except after a keepalive timeout (the host does not answer: retrying would only
 * wait another window). A change ({@code setVcpus}, device attach / detach / update,
 * {@code defineXML}, lifecycle, agent commands) is never retried. {@link DomainRef}s stay valid
 * across reconnects: they are looked up again by UUID. On a read-only client every change is
 * refused with {@link Refusal#READ_ONLY} before any libvirt call.
 *
 * <p><b>Events.</b> Subscriptions and {@link DeviceEventWatch}es are served by libvirt callbacks
 * registered through the SDK's own JNA mapping, again on every new connection.
 *
 * <p>Thread-safe. libvirt's habit of printing every error on stderr is switched off process-wide
 * when this class loads (a no-op {@code virSetErrorFunc} callback); errors reach callers only as
 * exceptions.
 */
public final class LibvirtGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtGateway.class);
  private static final Pattern UUID = Pattern.compile(
      "(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}");
  private static final int XML_SECURE = 1; // VIR_DOMAIN_XML_SECURE
  private static final int XML_INACTIVE = 2; // VIR_DOMAIN_XML_INACTIVE
  private static final int AFFECT_LIVE = 1; // VIR_DOMAIN_AFFECT_LIVE (= VIR_DOMAIN_VCPU_LIVE)
  private static final int AFFECT_CONFIG = 2; // VIR_DOMAIN_AFFECT_CONFIG
  private static final int CONNECT_RO = 1; // VIR_CONNECT_RO
  private static final int MEMORY_STAT_NR = 13;
  private static final String[] MEMORY_STAT_TAGS = {
    "swap_in", "swap_out", "major_fault", "minor_fault", "unused", "available", "actual", "rss",
    "usable", "last_update", "disk_caches", "hugetlb_pgalloc", "hugetlb_pgfail"
  };

  private static final String[] SET_VCPUS_OPS = {"setVcpus(LIVE)", "setVcpus(CONFIG)", "setVcpus(LIVE_AND_CONFIG)"};

  /** Kept strongly reachable: libvirt holds a native pointer to it. */
  private static final ErrorCallback SILENT = new ErrorCallback();
  private static final AtomicBoolean SILENCED = new AtomicBoolean();

  private final String uri;
  private final String connectUri;
  private final boolean owned;
  private final ConnectionOptions options;
  private final CallInterceptor interceptor;
  private final ConcurrentHashMap<String, DomainRef> refs = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventHub events;

  // connection state, guarded by lock
  private final Object lock = new Object();
  private volatile Session session;
  private CompletableFuture<Session> attempt;
  private long generations;
  private int failures;
  private long nextAttemptNanos;
  private String lastError;
  private Instant lastErrorAt;
  private CloseReason lastCloseReason;
  private Instant lastCloseAt;
  private long reconnects;
  private boolean everConnected;
  private boolean backgroundScheduled;

  /** An opaque handle on one libvirt domain; only the gateway can use it. Valid across reconnects. */
  public static final class DomainRef {
    private final String name;
    private final String uuid;
    private final Object bindLock = new Object();
    private volatile Binding binding;

    private DomainRef(String name, String uuid) {
      this.name = name;
      this.uuid = uuid;
    }

    /** {@return the domain's name when it was looked up} */
    public String name() {
      return name;
    }

    /** {@return the domain's UUID (canonical form with dashes)} */
    public String uuid() {
      return uuid;
    }

    @Override
    public String toString() {
      return name + " (" + uuid + ")";
    }
  }

  /** A domain handle valid for one session. */
  private record Binding(Session session, Domain domain) {}

  private LibvirtGateway(String uri, String connectUri, boolean owned, ConnectionOptions options,
      CallInterceptor interceptor) {
    this.uri = uri;
    this.connectUri = connectUri;
    this.owned = owned;
    this.options = options;
    this.interceptor = interceptor == null ? CallInterceptor.NONE : interceptor;
    this.events = new EventHub(uri);
  }

  /** Switches libvirt's stderr error printing off (idempotent). */
  private static void silenceLibvirt() {
    if (SILENCED.compareAndSet(false, true)) {
      try {
        Connect.setErrorCallback(SILENT);
      } catch (org.libvirt.LibvirtException e) {
        SILENCED.set(false);
        LOG.debug("op=silence could not install the libvirt error callback: {}", e.getMessage());
      }
    }
  }

  /**
   * Opens a connection that the gateway owns (and closes), with default keepalive and timeouts.
   *
   * @param uri any libvirt URI ({@code qemu:///system}, {@code qemu+tcp://host/system}, {@code test:///default})
   * @param readOnly open with {@code VIR_CONNECT_RO}
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the URI cannot be connected to or native libvirt is missing
   */
  public static LibvirtGateway open(String uri, boolean readOnly, CallInterceptor interceptor) {
    return open(uri, ConnectionOptions.defaults().withReadOnly(readOnly), interceptor);
  }

  /**
   * Opens a connection that the gateway owns (and closes, and reopens after a loss).
   *
   * @param uri any libvirt URI
   * @param options keepalive, timeouts, backoff, credentials, read-only
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the URI cannot be connected to (bad URI, daemon down, refused
   *     credentials, no answer within the connect timeout) or native libvirt is missing
   */
  public static LibvirtGateway open(String uri, ConnectionOptions options, CallInterceptor interceptor) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    if (uri.isBlank()) {
      throw new ConnectionException(uri, "empty libvirt URI: pass one such as qemu:///system,"
          + " qemu+ssh://user@host/system or test:///default", null);
    }
    checkTestNodeFile(uri);
    silenceLibvirt();
    if (!options.externalEventLoop()) {
      EventLoop.ensureRunning();
    } else {
      EventLoop.useExternal();
    }
    LibvirtGateway gw = new LibvirtGateway(uri, effectiveUri(uri), true, options, interceptor);
    CompletableFuture<Session> f;
    synchronized (gw.lock) {
      f = gw.startAttemptLocked();
    }
    Session s = gw.awaitAttempt(f, "connect");
    LOG.debug("op=connect uri={} generation={} keepalive={}", uri, s.generation, s.keepalive);
    return gw;
  }

  /**
   * For SSH transports adds {@code no_tty=1} (libvirt then runs ssh in batch mode, so it never
   * asks for a password or a host key on the terminal) unless the URI says otherwise.
   */
  static String effectiveUri(String uri) {
    int colon = uri.indexOf("://");
    String scheme = colon < 0 ? "" : uri.substring(0, colon);
    if (!scheme.endsWith("+ssh") || uri.contains("no_tty=")) {
      return uri;
    }
    return uri + (uri.indexOf('?') >= 0 ? "&" : "?") + "no_tty=1";
  }

  /**
   * Refuses a test-driver URI whose node file is missing before libvirt sees it: libvirt would fail
   * with a bare "failed to parse xml document", and libxml2 inside it prints an I/O warning on
   * stderr that no libvirt error callback can silence.
   */
  private static void checkTestNodeFile(String uri) {
    if (!uri.startsWith("test:///") || uri.equals("test:///default") || uri.startsWith("test:///default?")) {
      return;
    }
    String path = uri.substring("test://".length());
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    java.nio.file.Path file = java.nio.file.Path.of(path);
    if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
      throw new ConnectionException(uri, "cannot connect to " + uri + ": the test driver's node file " + path
          + (java.nio.file.Files.exists(file) ? " is not a readable file" : " does not exist")
          + ". Give the absolute path of a node XML file (test:///ABSOLUTE/PATH/node.xml), or test:///default", null);
    }
  }

  /**
   * Wraps a connection the caller owns; {@link #close()} will not close it and a lost connection
   * is not reopened. Its keepalive is left as the caller set it.
   *
   * @param connect an open libvirt-java connection
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the connection is closed or unusable
   */
  public static LibvirtGateway wrap(Connect connect, CallInterceptor interceptor) {
    return wrap(connect, ConnectionOptions.defaults(), interceptor);
  }

  /**
   * Wraps a connection the caller owns, see {@link #wrap(Connect, CallInterceptor)}.
   *
   * @param connect an open libvirt-java connection
   * @param options read-only refusal and event loop choice are used; keepalive and reconnect are not
   * @param interceptor sees every call, null for none
   * @return the gateway
   * @throws ConnectionException if the connection is closed or unusable
   */
  public static LibvirtGateway wrap(Connect connect, ConnectionOptions options, CallInterceptor interceptor) {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(options, "options");
    silenceLibvirt();
    if (options.externalEventLoop()) {
      EventLoop.useExternal();
    } else {
      EventLoop.ensureRunning();
    }
    String u;
    try {
      u = connect.getURI();
    } catch (org.libvirt.LibvirtException e) {
      throw new ConnectionException("?", "the wrapped libvirt connection is not usable: " + message(e)
          + ". Pass an open org.libvirt.Connect", e);
    }
    LibvirtGateway gw = new LibvirtGateway(u, u, false, options, interceptor);
    Session s = new Session(connect, 1, false);
    s.keepalive = "as set by the application";
    synchronized (gw.lock) {
      gw.generations = 1;
      gw.session = s;
      gw.everConnected = true;
    }
    return gw;
  }

  /** {@return the URI of the connection} */
  public String uri() {
    return uri;
  }

  /** {@return whether the gateway opened (and will close) the connection} */
  public boolean ownsConnection() {
    return owned;
  }

  /** {@return the options in effect} */
  public ConnectionOptions options() {
    return options;
  }

  /** {@return whether change calls are refused ({@link ConnectionOptions#readOnly()})} */
  public boolean isReadOnly() {
    return options.readOnly();
  }

  /** {@return whether the gateway was closed} */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Whether the current connection is open and libvirt considers it alive (a local check, no round
   * trip); false while disconnected and after close.
   *
   * @return true when calls go straight to libvirt
   */
  public boolean isAlive() {
    Session s = session;
    return !closed.get() && s != null && !s.isRetired() && s.alive();
  }

  // ---------------------------------------------------------------- reads

  /**
   * Looks a domain up by name or UUID.
   *
   * @param nameOrUuid a name, or a UUID with or without dashes
   * @return a handle, shared per UUID, valid across reconnects
   * @throws DomainNotFoundException if no such domain exists (the message names the URI)
   * @throws ConnectionException if not connected and the reconnect fails
   * @throws LibvirtException if libvirt fails otherwise
   */
  public DomainRef lookup(String nameOrUuid) {
    Objects.requireNonNull(nameOrUuid, "nameOrUuid");
    return run("lookup", nameOrUuid, false, s -> {
      Domain d = null;
      try {
        if (UUID.matcher(nameOrUuid).matches()) {
          try {
            d = s.connect.domainLookupByUUIDString(nameOrUuid);
          } catch (org.libvirt.LibvirtException e) {
            if (!isNoDomain(e)) {
              throw e;
            }
          }
        }
        if (d == null) {
          d = s.connect.domainLookupByName(nameOrUuid);
        }
        String uuid = d.getUUIDString();
        String name = d.getName();
        DomainRef fresh = new DomainRef(name, uuid);
        DomainRef existing = refs.putIfAbsent(uuid, fresh);
        DomainRef ref = fresh;
        if (existing != null && existing.name.equals(name)) {
          ref = existing;
        } else if (existing != null) {
          refs.put(uuid, fresh); // renamed since: a fresh handle under the new name
        }
        Domain owned = d;
        d = null;
        bind(ref, s, owned);
        return ref;
      } catch (org.libvirt.LibvirtException e) {
        if (d != null) {
          Session.free(d);
        }
        throw e;
      }
    });
  }

  /**
   * The domain's XML.
   *
   * @param ref the domain
   * @param inactive true for the persistent definition ({@code VIR_DOMAIN_XML_INACTIVE}), false for the live one
   * @return the XML (may contain secrets: never log it)
   * @throws DomainNotFoundException if the domain disappeared
   * @throws ConnectionException if the connection is lost and cannot be re-established
   * @throws LibvirtException if libvirt fails
   */
  public String xml(DomainRef ref, boolean inactive) {
    return domainCall(inactive ? "xml(inactive)" : "xml(live)", ref, false,
        d -> d.getXMLDesc(inactive ? XML_INACTIVE : 0));
  }

  /**
   * The persistent definition with secrets included ({@code VIR_DOMAIN_XML_INACTIVE | _SECURE}),
   * for editing and redefining without losing passwords; needs a read-write connection.
   *
   * @param ref the domain
   * @return the XML (contains secrets: never log it)
   * @throws DomainNotFoundException if the domain disappeared
   * @throws ConnectionException if the connection is lost and cannot be re-established
   * @throws LibvirtException if libvirt fails
   */
  public String xmlForRedefine(DomainRef ref) {
    return domainCall("xml(inactive,secure)", ref, false, d -> d.getXMLDesc(XML_INACTIVE | XML_SECURE));
  }

  /**
   * Whether the domain is running (or paused).
   *
   * @param ref the domain
   * @return true if active
   * @throws ConnectionException if the connection is lost and cannot be re-established
   * @throws LibvirtException if libvirt fails
   */
  public boolean isActive(DomainRef ref) {
    return domainCall("isActive", ref, false, d -> d.isActive() == 1);
  }

  /**
   * Whether the domain has a persistent definition.
   *
   * @param ref the domain
   * @return true if persistent
   * @throws ConnectionException if the connection is lost and cannot be re-established
   * @throws LibvirtException if libvirt fails
   */
  public boolean isPersistent(DomainRef ref) {
    return domainCall("isPersistent", ref, false, d -> d.isPersistent() == 1);
  }

  /**
   * {@code virDomainMemoryStats}: the balloon statistics, tags named as virsh dommemstat names them
   * ({@code actual}, {@code rss}, {@code available}, …), values in KiB except counters.
   *
   * @param ref the domain
   * @return tag to value, in libvirt's order
   * @throws ConnectionException if the connection is lost and cannot be re-established
   * @throws LibvirtException if libvirt fails
   */
  public Map<String, Long> memoryStats(DomainRef ref) {
    return domainCall("memoryStats", ref, false, d -> {
      MemoryStatistic[] stats = d.memoryStats(MEMORY_STAT_NR);
      Map<String, Long> out = new LinkedHashMap<>();
      if (stats != null) {
        for (MemoryStatistic s : stats) {
          int tag = s.getTag();
          String name = tag >= 0 && tag < MEMORY_STAT_TAGS.length ? MEMORY_STAT_TAGS[tag] : "tag_" + tag;
          out.put(name, s.getValue());
        }
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- changes (never retried)

  /**
   * {@code virDomainSetVcpusFlags} with {@code VIR_DOMAIN_AFFECT_LIVE} and/or {@code _CONFIG}.
   *
   * @param ref the domain
   * @param count the total number of vCPUs wanted
   * @param scope where to apply
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void setVcpus(DomainRef ref, int count, Scope scope) {
    domainCall(SET_VCPUS_OPS[scope.ordinal()], ref, true, Integer.toString(count), d -> {
      d.setVcpusFlags(count, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainAttachDeviceFlags}.
   *
   * @param ref the domain
   * @param deviceXml the device XML
   * @param scope where to apply
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void attachDevice(DomainRef ref, String deviceXml, Scope scope) {
    domainCall("attachDevice(" + scope + ")", ref, true, deviceXml, d -> {
      d.attachDeviceFlags(deviceXml, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainDetachDeviceFlags}. For live detaches libvirt returns once the request is sent;
   * the guest completes it asynchronously (watch {@link DomainEvent.Type#DEVICE_REMOVED}).
   *
   * @param ref the domain
   * @param deviceXml the device XML (minimal form matching the device)
   * @param scope where to apply
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void detachDevice(DomainRef ref, String deviceXml, Scope scope) {
    domainCall("detachDevice(" + scope + ")", ref, true, deviceXml, d -> {
      d.detachDeviceFlags(deviceXml, flags(scope));
      return null;
    });
  }

  /**
   * {@code virDomainUpdateDeviceFlags}: changes a device in place (e.g. a virtio-mem device's
   * {@code <requested>} size; watch {@link DomainEvent.Type#MEMORY_DEVICE_SIZE_CHANGED}).
   *
   * @param ref the domain
   * @param deviceXml the device XML, matching the device to update
   * @param scope where to apply
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt refuses or fails
   */
  public void updateDevice(DomainRef ref, String deviceXml, Scope scope) {
    domainCall("updateDevice(" + scope + ")", ref, true, deviceXml, d -> {
      d.updateDeviceFlags(deviceXml, flags(scope));
      return null;
    });
  }

  /**
   * Sends a command to the QEMU guest agent ({@code virDomainQemuAgentCommand}). Treated as a
   * change: refused on a read-only client, never retried (the SDK cannot tell whether a command
   * changes the guest).
   *
   * @param ref the domain
   * @param json the command, e.g. {@code {"execute":"guest-get-vcpus"}}
   * @param timeoutSeconds how long the agent may take; -2 libvirt default, -1 block, 0 no wait
   * @return the agent's JSON reply
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if the agent is absent, unresponsive or refuses
   */
  public String qemuAgentCommand(DomainRef ref, String json, int timeoutSeconds) {
    return domainCall("qemuAgentCommand", ref, true, json, d -> d.qemuAgentCommand(json, timeoutSeconds, 0));
  }

  /**
   * Defines (or redefines) a persistent domain ({@code virDomainDefineXML}).
   *
   * @param domainXml the full domain XML
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt refuses the definition
   */
  public void defineXml(String domainXml) {
    run("defineXML", "-", true, domainXml, s -> {
      Session.free(s.connect.domainDefineXML(domainXml));
      return null;
    });
  }

  /**
   * Asks the guest to shut down (ACPI); returns before it is off.
   *
   * @param ref the domain
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt fails
   */
  public void shutdown(DomainRef ref) {
    domainCall("shutdown", ref, true, d -> {
      d.shutdown();
      return null;
    });
  }

  /**
   * Starts a defined domain.
   *
   * @param ref the domain
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt fails
   */
  public void create(DomainRef ref) {
    domainCall("create", ref, true, d -> d.create());
  }

  /**
   * Stops a domain at once (power off).
   *
   * @param ref the domain
   * @throws PreconditionException with {@link Refusal#READ_ONLY} on a read-only client (nothing sent)
   * @throws ConnectionLostException if the connection broke during the call (outcome unknown)
   * @throws ConnectionException if not connected and the reconnect fails (nothing sent)
   * @throws LibvirtException if libvirt fails
   */
  public void destroy(DomainRef ref) {
    domainCall("destroy", ref, true, d -> {
      d.destroy();
      return null;
    });
  }

  /**
   * Whether a libvirt failure of an unplug is a timeout: QEMU's driver reports
   * {@code VIR_ERR_OPERATION_TIMEOUT} "Timed out during operation: vcpu unplug request timed out.
   * Unplug result must be manually inspected in the domain" when the guest did not confirm within
   * libvirt's wait; the request was sent and may still complete.
   *
   * @param e an SDK libvirt exception
   * @return true for that error
   */
  public static boolean isUnplugTimeout(LibvirtException e) {
    String m = e.libvirtMessage();
    return "VIR_ERR_OPERATION_TIMEOUT".equals(e.errorName())
        || m != null && m.contains("unplug request timed out");
  }

  // ---------------------------------------------------------------- events

  /**
   * Opens a watch for device events of one domain; open it <em>before</em> the change call. The
   * watch is registered first, then the libvirt callbacks are registered on the current connection
   * if they are not yet (a round trip, reconnecting if needed). When that fails the watch is
   * returned unreliable (with the reason) instead of throwing: verification then polls.
   *
   * @param ref the domain
   * @param alias the device alias to wait for ({@code dimm1}), or null for any device of the domain
   * @param first an event type to wait for
   * @param more more types
   * @return the watch; close it when done
   * @throws HotplugException if the gateway is closed
   */
  public DeviceEventWatch watch(DomainRef ref, String alias, DomainEvent.Type first, DomainEvent.Type... more) {
    Objects.requireNonNull(ref, "ref");
    ensureOpen();
    EnumSet<DomainEvent.Type> types = EnumSet.of(first, more);
    DeviceEventWatch w = events.watch(ref.uuid, ref.name, alias, types, null);
    String problem = ensureEventsRegistered();
    if (problem != null) {
      w.unavailable(problem); // unreliable from the start: its awaits are the pauses of a poll
    }
    return w;
  }

  /**
   * Subscribes a listener. The subscription stays open while disconnected: it is registered on
   * every new connection, and (with subscriptions open) the gateway reconnects in the background.
   *
   * @param filter which events
   * @param listener called on an SDK delivery thread
   * @return the subscription
   * @throws HotplugException if the gateway is closed, or libvirt refuses to register the callbacks
   *     on a working connection (the driver cannot deliver events)
   */
  public EventSubscription subscribe(EventFilter filter, DomainEventListener listener) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    EventSubscription sub = events.subscribe(filter, listener);
    Session s = session;
    String problem = ensureEventsRegistered();
    if (problem != null) {
      Session now = session;
      if (now != null && now.alive() && now.eventsError() != null) {
        sub.close();
        throw new HotplugException("cannot subscribe to domain events on " + uri + ": " + problem
            + ". The connection's driver does not deliver domain events");
      }
      LOG.debug("op=subscribe uri={} not connected now ({}); registered at the next connection", uri, problem);
      scheduleBackground(0);
    } else if (s == null) {
      scheduleBackground(0);
    }
    return sub;
  }

  /**
   * Whether the SDK's event callbacks are registered on the current connection (done by the first
   * {@link #watch} or {@link #subscribe}; for tests that prove an operation opened no watch).
   *
   * @return true when registered
   */
  public boolean eventCallbacksRegistered() {
    Session s = session;
    return s != null && s.eventsRegistered();
  }

  /** @return null when the callbacks are registered on the current connection, else why not */
  private String ensureEventsRegistered() {
    Session s;
    try {
      s = acquire("registerEvents", "-");
    } catch (ConnectionException e) {
      return "not connected: " + e.getMessage();
    }
    try {
      return s.registerEvents(events, uri);
    } finally {
      s.exit();
    }
  }

  // ---------------------------------------------------------------- health and close

  /**
   * A snapshot of the connection's health (no round trip).
   *
   * @return the snapshot
   */
  public ConnectionHealth health() {
    synchronized (lock) {
      Session s = session;
      ConnectionState state;
      if (closed.get()) {
        state = ConnectionState.CLOSED;
      } else if (s != null && !s.isRetired() && s.alive()) {
        state = ConnectionState.CONNECTED;
      } else if (attempt != null) {
        state = ConnectionState.CONNECTING;
      } else {
        state = ConnectionState.DISCONNECTED;
      }
      CloseReason reason = lastCloseReason;
      Instant closedAt = lastCloseAt;
      if (s != null && s.isClosed() && (closedAt == null || s.closedAt().isAfter(closedAt))) {
        reason = s.closeReason();
        closedAt = s.closedAt();
      }
      Instant next = null;
      if (state == ConnectionState.DISCONNECTED && failures > 0 && owned) {
        long left = nextAttemptNanos - System.nanoTime();
        next = Instant.now().plusNanos(Math.max(0, left));
      }
      return ConnectionHealth.builder().uri(uri).state(state)
          .connectedSince(state == ConnectionState.CONNECTED ? s.openedAt : null)
          .lastClose(reason, closedAt).lastError(lastError, lastErrorAt).reconnects(reconnects)
          .failedAttempts(failures).nextAttemptAt(next)
          .keepalive(s != null ? s.keepalive : options.describeKeepalive())
          .eventLoop(EventLoop.describe()).subscriptions(events.subscriptionCount()).build();
    }
  }

  /** Ends subscriptions, frees the domain handles and closes the connection if the gateway opened it; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    events.closeAll("the client was closed");
    Session s;
    synchronized (lock) {
      s = session;
      session = null;
      if (s != null) {
        s.markClosed(CloseReason.CLOSED_BY_CLIENT);
        lastCloseReason = s.closeReason();
        lastCloseAt = s.closedAt();
      }
    }
    if (s != null) {
      LOG.debug("op=close uri={} generation={}", uri, s.generation);
      s.retire();
    }
    refs.clear();
  }

  // ---------------------------------------------------------------- connection machinery

  /** Starts one connect attempt on its own thread, bounded by the connect timeout. Holds lock. */
  private CompletableFuture<Session> startAttemptLocked() {
    long gen = ++generations;
    // raw is completed by the connect thread or the timer; f, which callers wait on, only after
    // onAttemptDone recorded the outcome, so that a caller woken by f sees the session (health()
    // says CONNECTED, not CONNECTING, once connect() returned)
    CompletableFuture<Session> raw = new CompletableFuture<>();
    CompletableFuture<Session> f = new CompletableFuture<>();
    attempt = f;
    Thread t = new Thread(() -> {
      Session s;
      try {
        s = openSession(gen);
      } catch (RuntimeException | java.lang.Error e) {
        raw.completeExceptionally(e);
        return;
      }
      if (!raw.complete(s)) {
        // the caller gave up (connect timeout) or the gateway closed: this late connection is not used
        LOG.debug("op=connect uri={} generation={} answered after the timeout: closed unused", uri, gen);
        s.markClosed(CloseReason.CLOSED_BY_CLIENT);
        s.retire();
      }
    }, "vmhotplug-connect-" + gen);
    t.setDaemon(true);
    long timeoutMs = options.connectTimeout().toMillis();
    ScheduledFuture<?> timer = SdkThreads.scheduler().schedule(
        () -> raw.completeExceptionally(new TimeoutException()), timeoutMs, TimeUnit.MILLISECONDS);
    raw.whenComplete((s, e) -> {
      timer.cancel(false);
      try {
        onAttemptDone(f, s, e);
      } finally {
        if (e == null) {
          f.complete(s);
        } else {
          f.completeExceptionally(e);
        }
      }
    });
    t.start();
    return f;
  }

  private void onAttemptDone(CompletableFuture<Session> f, Session s, Throwable e) {
    Session retireLater = null;
    Instant gapFrom = null;
    CloseReason gapReason = null;
    boolean reschedule = false;
    long rescheduleIn = 0;
    synchronized (lock) {
      if (attempt == f) {
        attempt = null;
      }
      if (e == null) {
        if (closed.get()) {
          retireLater = s;
        } else {
          Session old = session;
          session = s;
          failures = 0;
          if (everConnected) {
            reconnects++;
            gapFrom = lastCloseAt;
            gapReason = lastCloseReason;
          }
          everConnected = true;
          if (old != null && old != s) {
            retireLater = old;
          }
        }
      } else {
        failures++;
        long base = Math.min(options.backoffMax().toNanos(),
            options.backoffInitial().toNanos() << Math.min(30, failures - 1));
        long jittered = (long) (base * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
        nextAttemptNanos = System.nanoTime() + jittered;
        lastError = describeFailure(e);
        lastErrorAt = Instant.now();
        reschedule = events.hasSubscriptions();
        rescheduleIn = jittered;
      }
    }
    if (retireLater != null) {
      retireLater.retire();
    }
    if (e == null && gapFrom != null) {
      LOG.debug("op=reconnect uri={} generation={} reconnects={}", uri, s.generation, reconnects);
      events.onGap(gapFrom, Instant.now(), "connection lost: " + gapReason);
    }
    if (reschedule) {
      scheduleBackground(rescheduleIn);
    }
  }

  private static String describeFailure(Throwable e) {
    Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof TimeoutException) {
      return "no answer within the connect timeout";
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** Opens one connection with keepalive, the close callback and (when wanted) the event callbacks. */
  private Session openSession(long gen) {
    CredentialBridge auth = new CredentialBridge(options.credentials());
    Connect c;
    try {
      c = new Connect(connectUri, auth, options.readOnly() ? CONNECT_RO : 0);
    } catch (org.libvirt.LibvirtException e) {
      throw connectFailure(e, auth);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new ConnectionException(uri, "cannot load the native libvirt library to connect to " + uri
          + ": install it (Debian/Ubuntu: apt-get install libvirt0; Fedora: dnf install libvirt-libs)", e);
    }
    Session s = new Session(c, gen, true);
    try {
      if (options.keepaliveOn()) {
        try {
          boolean on = c.setKeepAlive(options.keepaliveIntervalSeconds(), options.keepaliveCount());
          s.keepalive = on ? options.describeKeepalive() : "not supported by the server";
        } catch (org.libvirt.LibvirtException e) {
          // local drivers (test:///, qemu:///embed) have no keepalive: nothing to lose there
          s.keepalive = "not applicable to this driver (" + message(e) + ")";
        }
      }
      c.registerCloseListener((conn, reason) -> onClosed(s, map(reason)));
      if (events.wanted()) {
        String problem = s.registerEvents(events, uri);
        if (problem != null) {
          LOG.debug("op=registerEvents uri={} failed: {}", uri, problem);
        }
      }
      return s;
    } catch (org.libvirt.LibvirtException | RuntimeException e) {
      s.markClosed(CloseReason.CLOSED_BY_CLIENT);
      s.retire();
      throw e instanceof ConnectionException ? (ConnectionException) e
          : new ConnectionException(uri, "connected to " + uri + " but could not set the connection up: "
              + (e instanceof org.libvirt.LibvirtException ? message((org.libvirt.LibvirtException) e) : e.toString()), e);
    }
  }

  private static CloseReason map(org.libvirt.event.ConnectionCloseReason r) {
    if (r == null) {
      return CloseReason.UNKNOWN;
    }
    switch (r) {
      case KEEPALIVE:
        return CloseReason.KEEPALIVE_TIMEOUT;
      case EOF:
        return CloseReason.CLOSED_BY_SERVER;
      case ERROR:
        return CloseReason.IO_ERROR;
      case CLIENT:
        return CloseReason.CLOSED_BY_CLIENT;
      default:
        return CloseReason.UNKNOWN;
    }
  }

  /**
   * libvirt's close callback: runs on the event loop thread or on the thread whose call noticed the
   * close. Records and hands off only.
   */
  private void onClosed(Session s, CloseReason reason) {
    if (s.markClosed(reason)) {
      noteClosed(s);
    }
  }

  private void noteClosed(Session s) {
    if (s.closeReason() == CloseReason.CLOSED_BY_CLIENT) {
      return;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("op=connectionClosed uri={} generation={} reason={}", uri, s.generation, s.closeReason());
    }
    events.onConnectionClosed("connection lost: " + s.closeReason());
    if (events.hasSubscriptions() && !closed.get()) {
      scheduleBackground(0);
    }
  }

  /**
   * A working session for one call (entered: the caller must {@link Session#exit()} it), reconnecting
   * when the current one is closed.
   */
  private Session acquire(String op, String domain) {
    int dropped = 0;
    while (dropped < 3) {
      ensureOpen();
      Session s = session;
      if (s != null && s.alive() && s.enter()) {
        return s;
      }
      if (!owned) {
        throw wrappedDead(op, domain, s);
      }
      CompletableFuture<Session> f;
      synchronized (lock) {
        s = session;
        if (s != null && !s.isRetired() && s.alive()) {
          continue;
        }
        if (s != null) {
          retireLocked(s);
        }
        if (closed.get()) {
          continue; // ensureOpen throws
        }
        if (attempt == null) {
          long now = System.nanoTime();
          if (failures > 0 && now < nextAttemptNanos) {
            throw notConnected(op, domain, nextAttemptNanos - now);
          }
          f = startAttemptLocked();
        } else {
          f = attempt;
        }
      }
      Session fresh = awaitAttempt(f, op);
      if (fresh.enter()) {
        return fresh;
      }
      dropped++;
    }
    throw new ConnectionException(uri, "the connection to " + uri + " closed again right after each of 3 reconnects"
        + " during " + op + ": the daemon accepts and then drops connections; check its log (and max_clients)", null);
  }

  private void retireLocked(Session s) {
    if (!s.isClosed()) {
      s.markClosed(CloseReason.UNKNOWN);
    }
    if (lastCloseAt == null || s.closedAt().isAfter(lastCloseAt)) {
      lastCloseAt = s.closedAt();
      lastCloseReason = s.closeReason();
    }
    if (session == s) {
      session = null;
    }
    lastError = "connection lost: " + s.closeReason();
    lastErrorAt = s.closedAt();
    // retire off the caller's thread (and off the scheduler, whose timers must not wait); dispose
    // happens when its last call leaves
    SdkThreads.delivery().execute(s::retire);
  }

  private Session awaitAttempt(CompletableFuture<Session> f, String op) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectionException(uri, "interrupted while connecting to " + uri, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof TimeoutException) {
        throw new ConnectionException(uri, "the libvirt daemon at " + uri + " did not answer the connection"
            + " handshake within " + seconds(options.connectTimeout()) + " (connect timeout" + (op.equals("connect")
            ? "" : ", reconnecting for " + op) + "): it is frozen or overloaded, or the network to it is silent."
            + " Check from this machine: virsh -c '" + uri + "' version. Later calls try again with backoff", c);
      }
      if (c instanceof ConnectionException) {
        // a fresh exception on the caller's thread (its stack), keeping libvirt's error as the cause
        ConnectionException ce = (ConnectionException) c;
        return rethrow(new ConnectionException(uri, ce.getMessage(), ce.getCause() == null ? ce : ce.getCause()));
      }
      throw new ConnectionException(uri, "cannot connect to " + uri + ": " + c, c);
    }
  }

  private static <T> T rethrow(ConnectionException e) {
    throw e;
  }

  private ConnectionException notConnected(String op, String domain, long waitNanos) {
    return new ConnectionException(uri, "not connected to " + uri + " (" + op + (domain.equals("-") ? "" : " of domain '"
        + domain + "'") + " not sent): " + failures + " reconnect attempt" + (failures == 1 ? "" : "s")
        + " failed, the last at " + lastErrorAt + ": " + lastError + ". The next attempt is due in "
        + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms (jittered backoff up to " + seconds(options.backoffMax())
        + ")", null);
  }

  private ConnectionException wrappedDead(String op, String domain, Session s) {
    CloseReason r = s == null || s.closeReason() == null ? CloseReason.UNKNOWN : s.closeReason();
    return new ConnectionException(uri, "the wrapped connection to " + uri + " is closed (" + r + ") so " + op
        + (domain.equals("-") ? "" : " of domain '" + domain + "'") + " was not sent. This client wraps a connection"
        + " it did not open and cannot reopen it: open a new org.libvirt.Connect and wrap it again, or use"
        + " HotplugClient.connect(uri), which reconnects by itself", null);
  }

  private void scheduleBackground(long delayNanos) {
    if (!owned || closed.get() || !events.hasSubscriptions()) {
      return;
    }
    synchronized (lock) {
      if (backgroundScheduled) {
        return;
      }
      backgroundScheduled = true;
    }
    SdkThreads.scheduler().schedule(this::backgroundTick, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** Reconnects for the subscriptions' sake when nobody calls. */
  private void backgroundTick() {
    long wait = -1;
    synchronized (lock) {
      backgroundScheduled = false;
      if (closed.get() || !events.hasSubscriptions() || attempt != null) {
        return;
      }
      Session s = session;
      if (s != null && !s.isRetired() && s.alive()) {
        return;
      }
      if (s != null) {
        retireLocked(s);
      }
      long now = System.nanoTime();
      if (failures > 0 && now < nextAttemptNanos) {
        wait = nextAttemptNanos - now;
      } else {
        LOG.debug("op=reconnect uri={} in the background for {} subscription(s)", uri, events.subscriptionCount());
        startAttemptLocked();
      }
    }
    if (wait >= 0) {
      scheduleBackground(wait);
    }
  }

  // ---------------------------------------------------------------- calls

  @FunctionalInterface
  private interface SessionFn<T> {
    T apply(Session s) throws org.libvirt.LibvirtException;
  }

  @FunctionalInterface
  private interface DomainFn<T> {
    T apply(Domain d) throws org.libvirt.LibvirtException;
  }

  private <T> T domainCall(String op, DomainRef ref, boolean change, DomainFn<T> fn) {
    return domainCall(op, ref, change, null, fn);
  }

  /** A domain call whose argument (device XML, vCPU count, agent command) the interceptor sees. */
  private <T> T domainCall(String op, DomainRef ref, boolean change, String argument, DomainFn<T> fn) {
    Objects.requireNonNull(ref, "ref");
    return run(op, ref.name, change, argument, s -> fn.apply(domainFor(ref, s)));
  }

  /** The ref's domain handle for this session: looked up again by UUID after a reconnect. */
  private Domain domainFor(DomainRef ref, Session s) throws org.libvirt.LibvirtException {
    Binding b = ref.binding;
    if (b != null && b.session == s) {
      return b.domain;
    }
    synchronized (ref.bindLock) {
      b = ref.binding;
      if (b != null && b.session == s) {
        return b.domain;
      }
      Domain d = s.connect.domainLookupByUUIDString(ref.uuid);
      ref.binding = new Binding(s, d);
      s.adopt(d);
      if (b != null) {
        LOG.debug("domain={} op=rebind generation={}", ref.name, s.generation);
      }
      return d;
    }
  }

  private void bind(DomainRef ref, Session s, Domain d) {
    synchronized (ref.bindLock) {
      Binding b = ref.binding;
      if (b != null && b.session == s) {
        Session.free(d); // the ref already has a handle on this connection
        return;
      }
      ref.binding = new Binding(s, d);
      s.adopt(d);
    }
  }

  private <T> T run(String op, String domain, boolean change, SessionFn<T> fn) {
    return run(op, domain, change, null, fn);
  }

  private <T> T run(String op, String domain, boolean change, String argument, SessionFn<T> fn) {
    ensureOpen();
    if (change && options.readOnly()) {
      throw new PreconditionException(Refusal.READ_ONLY, "the client for " + uri + " is read-only"
          + " (HotplugClient.builder().readOnly(true)): " + op + (domain.equals("-") ? "" : " of domain '" + domain
          + "'") + " refused before any libvirt call; use a read-write client for changes");
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("domain={} op={}", domain, op);
    }
    Session s = acquire(op, domain);
    ConnectionLostException lost;
    try {
      return attempt(op, domain, change, argument, s, fn);
    } catch (ConnectionLostException e) {
      lost = e;
    } finally {
      s.exit();
    }
    if (change || !owned || lost.reason() == CloseReason.KEEPALIVE_TIMEOUT) {
      throw lost;
    }
    Session again;
    try {
      again = acquire(op, domain);
    } catch (ConnectionException e) {
      lost.addSuppressed(e);
      throw lost;
    }
    try {
      T result = attempt(op, domain, false, argument, again, fn);
      LOG.debug("domain={} op={} retried once after {} on generation {}", domain, op, lost.reason(), again.generation);
      return result;
    } finally {
      again.exit();
    }
  }

  private <T> T attempt(String op, String domain, boolean change, String argument, Session s, SessionFn<T> fn) {
    long t0 = System.nanoTime();
    Supplier<T> real = () -> {
      try {
        return fn.apply(s);
      } catch (org.libvirt.LibvirtException e) {
        if (isLoss(s, e)) {
          CloseReason reason = reasonOf(s, e);
          if (s.markClosed(reason)) {
            noteClosed(s);
          }
          throw lost(op, domain, change, s, s.closeReason(), e, System.nanoTime() - t0);
        }
        if (isNoDomain(e)) {
          throw new DomainNotFoundException(domain, uri, e);
        }
        throw translate(e, op, domain);
      }
    };
    return interceptor.intercept(new CallInterceptor.Call(uri, op, domain, change, argument), real);
  }

  /** vdsm's rule: an RPC/remote system or internal error, or no/invalid connection, on a connection libvirt sees dead. */
  private static boolean isLoss(Session s, org.libvirt.LibvirtException e) {
    Error err = e.getError();
    Error.ErrorNumber code = err == null ? null : err.getCode();
    Error.ErrorDomain from = err == null ? null : err.getDomain();
    boolean transport = from == Error.ErrorDomain.VIR_FROM_RPC || from == Error.ErrorDomain.VIR_FROM_REMOTE;
    boolean suspicious = code == Error.ErrorNumber.VIR_ERR_NO_CONNECT || code == Error.ErrorNumber.VIR_ERR_INVALID_CONN
        || transport && (code == Error.ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == Error.ErrorNumber.VIR_ERR_INTERNAL_ERROR
            || code == Error.ErrorNumber.VIR_ERR_RPC);
    if (!suspicious) {
      return s.isClosed();
    }
    return s.isClosed() || !s.alive();
  }

  private static CloseReason reasonOf(Session s, org.libvirt.LibvirtException e) {
    if (s.closeReason() != null) {
      return s.closeReason();
    }
    String m = message(e).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("keepalive")) {
      return CloseReason.KEEPALIVE_TIMEOUT;
    }
    if (m.contains("end of file") || m.contains("connection reset") || m.contains("socket is closed")) {
      return CloseReason.CLOSED_BY_SERVER;
    }
    return CloseReason.IO_ERROR;
  }

  private ConnectionLostException lost(String op, String domain, boolean change, Session s, CloseReason reason,
      org.libvirt.LibvirtException e, long elapsedNanos) {
    String what = op + (domain.equals("-") ? "" : " of domain '" + domain + "'");
    StringBuilder m = new StringBuilder();
    switch (reason) {
      case KEEPALIVE_TIMEOUT:
        m.append("the libvirt daemon at ").append(uri).append(" stopped answering during ").append(what)
            .append(": no reply for about ").append(seconds(options.keepaliveWindow())).append(" (keepalive ")
            .append(options.keepaliveIntervalSeconds()).append(" s x ").append(options.keepaliveCount())
            .append("), the call failed after ").append(TimeUnit.NANOSECONDS.toMillis(elapsedNanos)).append(" ms.")
            .append(" The host is down, frozen or overloaded, or the network to it is cut. Check from this machine:")
            .append(" virsh -c '").append(uri).append("' version, and the daemon (libvirtd or virtqemud) on the host.");
        break;
      case CLOSED_BY_SERVER:
        m.append("the connection to ").append(uri).append(" was closed by the other side during ").append(what)
            .append(" (end of file): the libvirt daemon was probably restarted or stopped.");
        break;
      default:
        m.append("the connection to ").append(uri).append(" broke during ").append(what).append(" (")
            .append(reason).append("): ").append(message(e)).append('.');
        break;
    }
    if (change) {
      m.append(" The change was sent; whether libvirt applied it is unknown: read the domain again before retrying.");
    }
    if (owned) {
      m.append(" The next call reconnects");
      if (!change && reason == CloseReason.KEEPALIVE_TIMEOUT) {
        m.append(" (this read was not retried: the host is not answering)");
      }
      m.append('.');
    } else {
      m.append(" This client wraps a connection it did not open and cannot reopen it: open a new"
          + " org.libvirt.Connect and wrap it again.");
    }
    return new ConnectionLostException(uri, m.toString(), translate(e, op, domain), reason, op, change);
  }

  private ConnectionException connectFailure(org.libvirt.LibvirtException e, CredentialBridge auth) {
    String msg = message(e);
    Error err = e.getError();
    Error.ErrorNumber code = err == null ? null : err.getCode();
    if (auth.callbackFailure() != null) {
      RuntimeException cb = auth.callbackFailure();
      return new ConnectionException(uri, "cannot connect to " + uri + ": the CredentialCallback failed while"
          + " answering libvirt's authentication requests: " + cb.getClass().getSimpleName()
          + (cb.getMessage() == null ? "" : ": " + cb.getMessage()), cb);
    }
    if (!auth.unanswered().isEmpty()) {
      return new ConnectionException(uri, "cannot connect to " + uri + ": the libvirt daemon asks for credentials"
          + " that " + (auth.hasCallback() ? "the CredentialCallback did not give: " : "were not given: ")
          + String.join(", ", auth.unanswered()) + ". Give them with HotplugClient.builder().credentials("
          + "Credentials.password(user, password)) or a CredentialCallback; the SDK never prompts", e);
    }
    boolean authFailed = code == Error.ErrorNumber.VIR_ERR_AUTH_FAILED || code == Error.ErrorNumber.VIR_ERR_AUTH_CANCELLED
        || code == Error.ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE;
    if (authFailed && auth.wasAsked()) {
      String who = options.credentials() instanceof Credentials
          ? " (user '" + ((Credentials) options.credentials()).username() + "')" : "";
      return new ConnectionException(uri, "authentication to " + uri + " failed: the server refused the credentials"
          + who + ": " + msg + ". Check the user name and password (on the host: sasldblistusers2 -f"
          + " /etc/libvirt/passwd.db lists the users, saslpasswd2 -a libvirt USER sets a password)", e);
    }
    if (authFailed || msg.contains("certificate") || msg.contains("TLS")) {
      return new ConnectionException(uri, "cannot connect to " + uri + ": " + msg + ". For qemu+tls:// the"
          + " directory given as ?pkipath= (default /etc/pki/CA and /etc/pki/libvirt) must hold cacert.pem of the CA"
          + " that signed the server's certificate, and clientcert.pem and clientkey.pem signed by a CA the server"
          + " trusts; the server's certificate must name the host of the URI", e);
    }
    return new ConnectionException(uri, "cannot connect to " + uri + ": " + msg
        + ". Check that the URI is right, that libvirtd (or virtqemud) is running and reachable,"
        + " and that you may use it (for qemu:///system: root or the libvirt group)", e);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new HotplugException("the HotplugClient for " + uri + " is closed: create a new one");
    }
  }

  private static int flags(Scope scope) {
    switch (scope) {
      case LIVE:
        return AFFECT_LIVE;
      case CONFIG:
        return AFFECT_CONFIG;
      default:
        return AFFECT_LIVE | AFFECT_CONFIG;
    }
  }

  private LibvirtException translate(org.libvirt.LibvirtException e, String op, String domain) {
    Error err = e.getError();
    int code = err == null || err.getCode() == null ? -1 : err.getCode().ordinal();
    String name = err == null || err.getCode() == null ? "UNKNOWN" : err.getCode().name();
    String msg = message(e);
    String label = op.equals("lookup") ? "look up domain" : op.equals("defineXML") ? "define the domain" : op;
    return new LibvirtException("libvirt " + label + " failed for domain '" + domain + "' on " + uri + ": "
        + msg + " (" + name + ")", code, name, msg, e);
  }

  private static boolean isNoDomain(org.libvirt.LibvirtException e) {
    Error err = e.getError();
    return err != null && err.getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
  }

  private static String message(org.libvirt.LibvirtException e) {
    Error err = e.getError();
    String m = err == null ? e.getMessage() : err.getMessage();
    return m == null ? "unknown libvirt error" : m;
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  @Override
  public String toString() {
    return "LibvirtGateway[" + uri + (owned ? "" : ", wrapped") + (options.readOnly() ? ", read-only" : "") + "]";
  }

  /** @return the domain handles cached (for tests) */
  List<DomainRef> cachedRefs() {
    return List.copyOf(refs.values());
  }
}
