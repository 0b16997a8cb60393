package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.ConnectionOptions;
import dev.vmhotplug.core.internal.DomainLocks;
import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entry point of the SDK: one libvirt connection, from which {@link DomainHandle}s are taken.
 *
 * <pre>{@code
 * try (HotplugClient client = HotplugClient.connect("qemu:///system")) {
 *   VcpuResult r = client.domain("web-1").vcpus().set(4).live().config().apply();
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe. Operations that change a domain are serialized per domain through
 * one client (two threads changing "web-1" run one after the other; "web-1" and "web-2" run in
 * parallel). Reads are not serialized. Two clients, or a client and virsh, are not coordinated.
 *
 * <p>libvirt's habit of printing every error on stderr is switched off (process-wide) when the
 * first client is made: errors reach the caller only as exceptions.
 *
 * <p><b>In a service</b> a client lives for weeks (see the README, "Running in a service"):
 * <ul>
 *   <li>One libvirt event loop thread per process ({@code vmhotplug-libvirt-event-loop}, a daemon
 *       thread) is started before the first connection, unless
 *       {@link Builder#externalEventLoop(boolean)} says the application runs its own.</li>
 *   <li>Keepalive is on by default (5 s × 5): a frozen host or a silent network fails every call
 *       in flight within 30 s with a {@link ConnectionLostException}, never a hang; opening a
 *       connection is bounded by {@link Builder#connectTimeout(Duration)}.</li>
 *   <li>After a lost connection the next call reconnects (jittered exponential backoff between
 *       failed attempts); {@link DomainHandle}s stay valid. Reads are retried once on the new
 *       connection (not after a keepalive timeout); changes never are.</li>
 *   <li>{@link #health()} reports state, last close reason, reconnects and the last error.</li>
 *   <li>Credentials come from the builder ({@link Builder#credentials(CredentialCallback)}); the
 *       SDK never prompts.</li>
 *   <li>{@link #subscribe(EventFilter, DomainEventListener)} delivers domain events on SDK threads
 *       and survives reconnects.</li>
 * </ul>
 *
 * <p>{@link #close()} is idempotent and closes only what the client opened: a connection passed to
 * {@link #wrap(org.libvirt.Connect)} stays open (and is never reopened after a loss).
 */
public final class HotplugClient implements AutoCloseable {
  /** Default pause between two verification reads (doubles up to 1 s). */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);
  /** Default time to wait for a change to show (hot-unplug can take long). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** Default guest memory block size: 128 MiB, the x86_64 Linux default. */
  public static final MemorySize DEFAULT_MEMORY_BLOCK_SIZE = MemorySize.ofMiB(128);

  private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(1);

  private final LibvirtGateway gateway;
  private final Duration pollInterval;
  private final Duration defaultTimeout;
  private final MemorySize memoryBlockSize;
  private final boolean readOnly;
  private final boolean deviceEvents;
  private final HotplugListener listener;
  private final Listening listening;
  private final DomainLocks locks = new DomainLocks();

  private HotplugClient(LibvirtGateway gateway, Builder b, Listening listening) {
    this.gateway = gateway;
    this.pollInterval = b.pollInterval;
    this.defaultTimeout = b.defaultTimeout;
    this.memoryBlockSize = b.memoryBlockSize;
    this.readOnly = b.readOnly;
    this.deviceEvents = b.deviceEvents;
    this.listener = b.listener;
    this.listening = listening;
  }

  /**
   * Connects to a libvirt URI with default settings.
   *
   * @param uri any libvirt URI: {@code qemu:///system}, {@code qemu+tcp://host/system},
   *     {@code qemu+ssh://user@host/system}, {@code test:///default}
   * @return a client that owns the connection
   * @throws ConnectionException if the URI cannot be connected to
   */
  public static HotplugClient connect(String uri) {
    return builder().connect(uri);
  }

  /**
   * Wraps a libvirt-java connection the caller owns (the bridge for code that already has one).
   * The client never closes it. This is the only public signature with a libvirt-java type.
   *
   * @param connect an open connection
   * @return a client over it
   * @throws ConnectionException if the connection is not usable
   */
  public static HotplugClient wrap(org.libvirt.Connect connect) {
    return builder().wrap(connect);
  }

  /** {@return a builder for clients with non-default settings} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A handle for one domain.
   *
   * @param nameOrUuid the domain's name or UUID
   * @return the handle
   * @throws DomainNotFoundException if no such domain exists on this connection (names the URI)
   * @throws LibvirtException if libvirt fails
   */
  public DomainHandle domain(String nameOrUuid) {
    Objects.requireNonNull(nameOrUuid, "nameOrUuid");
    return new DomainHandle(this, gateway.lookup(nameOrUuid));
  }

  /** {@return the connection's URI} */
  public String uri() {
    return gateway.uri();
  }

  /** {@return the first pause between two verification reads} */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** {@return how long operations wait for a change to show unless the request sets its own timeout} */
  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** {@return the guest's memory block size; memory sizes must be multiples of it} */
  public MemorySize memoryBlockSize() {
    return memoryBlockSize;
  }

  /**
   * {@return whether the client was opened read-only ({@link Builder#readOnly(boolean)}): every change is
   * then refused with {@link Refusal#READ_ONLY} before any libvirt call}
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * {@return whether verification waits on libvirt's device events ({@link Builder#deviceEvents(boolean)},
   * default true) or only polls}
   */
  public boolean usesDeviceEvents() {
    return deviceEvents;
  }

  /** {@return the listener given to {@link Builder#listener(HotplugListener)}; {@link HotplugListener#NONE} by default} */
  public HotplugListener listener() {
    return listener;
  }

  /**
   * Whether the connection is open and libvirt considers it alive (a local check, no round trip).
   * False while disconnected (the next call reconnects) and after {@link #close()}.
   *
   * @return true when calls go straight to libvirt
   */
  public boolean isAlive() {
    return gateway.isAlive();
  }

  /** {@return whether {@link #close()} was called} */
  public boolean isClosed() {
    return gateway.isClosed();
  }

  /**
   * A snapshot of the connection's health for a service's health endpoint: state, when connected,
   * last close and its reason, reconnects, consecutive failed attempts and when the next is due,
   * the last error, keepalive, event loop, subscriptions. No round trip to libvirt.
   *
   * @return the snapshot
   */
  public ConnectionHealth health() {
    return gateway.health();
  }

  /**
   * Subscribes to domain events: device added / removed / removal failed, memory device size
   * change, lifecycle. The listener runs on an SDK delivery thread (never libvirt's event loop
   * thread), one event at a time per subscription. The subscription survives reconnects: it is
   * registered again on every new connection (and while subscriptions are open the client
   * reconnects in the background); events of the gap are lost and
   * {@link DomainEventListener#onEventsMissed} says so. It is open even while disconnected.
   *
   * @param filter which events (see {@link EventFilter})
   * @param listener receives them
   * @return the subscription; close it to stop
   * @throws HotplugException if the client is closed, or the connection's driver cannot deliver
   *     domain events
   */
  public EventSubscription subscribe(EventFilter filter, DomainEventListener listener) {
    return gateway.subscribe(filter, listener);
  }

  /**
   * Subscribes to every event of every domain; see {@link #subscribe(EventFilter, DomainEventListener)}.
   *
   * @param listener receives them
   * @return the subscription
   * @throws HotplugException if the client is closed or the driver cannot deliver events
   */
  public EventSubscription subscribe(DomainEventListener listener) {
    return gateway.subscribe(EventFilter.all(), listener);
  }

  /** Ends subscriptions and closes the connection if this client opened it; idempotent. */
  @Override
  public void close() {
    gateway.close();
  }

  // package-private plumbing for the operations in this package

  LibvirtGateway gateway() {
    return gateway;
  }

  DomainLocks locks() {
    return locks;
  }

  /** The listener at work, or null when none is set. */
  Listening listening() {
    return listening;
  }

  Poller poller(Duration timeout) {
    return new Poller(timeout == null ? defaultTimeout : timeout, pollInterval,
        pollInterval.compareTo(MAX_POLL_INTERVAL) > 0 ? pollInterval : MAX_POLL_INTERVAL);
  }

  @Override
  public String toString() {
    return "HotplugClient[" + uri() + "]";
  }

  /** Builds a {@link HotplugClient}. Not thread-safe; the client it builds is. */
  public static final class Builder {
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration defaultTimeout = DEFAULT_TIMEOUT;
    private MemorySize memoryBlockSize = DEFAULT_MEMORY_BLOCK_SIZE;
    private CallInterceptor interceptor;
    private boolean readOnly;
    private int keepaliveInterval = ConnectionOptions.DEFAULT_KEEPALIVE_INTERVAL_SECONDS;
    private int keepaliveCount = ConnectionOptions.DEFAULT_KEEPALIVE_COUNT;
    private Duration connectTimeout;
    private Duration backoffInitial = ConnectionOptions.DEFAULT_BACKOFF_INITIAL;
    private Duration backoffMax = ConnectionOptions.DEFAULT_BACKOFF_MAX;
    private boolean externalEventLoop;
    private CredentialCallback credentials;
    private Path pkiPath;
    private boolean deviceEvents = true;
    private HotplugListener listener = HotplugListener.NONE;

    private Builder() {}

    /**
     * Whether verification waits on libvirt's device events (default true). With events, a memory
     * change's verification opens a watch for {@code DEVICE_ADDED} / {@code DEVICE_REMOVED} +
     * {@code DEVICE_REMOVAL_FAILED} / {@code MEMORY_DEVICE_SIZE_CHANGE} on the domain before the change
     * call, re-reads the domain when one arrives, and keeps polling at the {@link #pollInterval(Duration)}
     * backoff as the fallback; a removal the guest refuses ({@code DEVICE_REMOVAL_FAILED}) ends the wait
     * at once with a {@link GuestRefusedException} instead of at the timeout. Where the connection
     * delivers no events (the callbacks cannot be registered, or the connection was lost since the
     * change) it polls. vCPU changes never wait on events (libvirt emits none for them). {@code false}
     * polls only (for comparisons, or a connection whose event loop the application does not run).
     *
     * @param on true for event-based verification
     * @return this builder
     */
    public Builder deviceEvents(boolean on) {
      this.deviceEvents = on;
      return this;
    }

    /**
     * Sets the listener that sees every operation, libvirt call, applied step, verification,
     * refusal and failure of the clients this builder makes (see {@link HotplugListener}; one listener,
     * {@link HotplugListener#composite(HotplugListener...)} for several). Callbacks run on the thread
     * that calls the operation; a listener that throws is logged at DEBUG and ignored. Default
     * {@link HotplugListener#NONE}, which costs nothing.
     *
     * @param listener the listener
     * @return this builder
     * @throws NullPointerException if listener is null (use {@link HotplugListener#NONE})
     */
    public Builder listener(HotplugListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Keepalive of remote connections: libvirt sends a probe after {@code interval} without
     * traffic and closes the connection after {@code count} unanswered probes, so a silent host is
     * noticed within interval × (count + 1); every call in flight then fails with a
     * {@link ConnectionLostException}. Default 5 s × 5 (30 s). Local drivers ({@code test:///},
     * {@code qemu:///embed}) have no keepalive.
     *
     * @param interval time between probes, whole seconds, at least 1 s
     * @param count unanswered probes before closing, at least 1
     * @return this builder
     * @throws InvalidArgumentException if interval is below 1 s or not whole seconds, or count below 1
     */
    public Builder keepalive(Duration interval, int count) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 1000 || interval.toMillis() % 1000 != 0) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "keepalive interval " + interval
            + " is not a whole number of seconds of at least 1 s (libvirt counts in seconds):"
            + " e.g. keepalive(Duration.ofSeconds(5), 5), or keepaliveOff()");
      }
      if (count < 1) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "keepalive count " + count
            + " is below 1: give the number of unanswered probes before the connection is closed, e.g. 5");
      }
      this.keepaliveInterval = (int) Math.min(Integer.MAX_VALUE, interval.toSeconds());
      this.keepaliveCount = count;
      return this;
    }

    /**
     * Switches keepalive off: a frozen host or a silent network then blocks calls until the
     * operating system gives up on the TCP connection (which can take hours). Only for
     * connections whose other side is known to stay responsive.
     *
     * @return this builder
     */
    public Builder keepaliveOff() {
      this.keepaliveInterval = 0;
      return this;
    }

    /**
     * Bound of one connect attempt (socket, handshake, authentication). A daemon that is frozen
     * accepts the socket but never answers; the attempt then fails with a
     * {@link ConnectionException} after this time. Default: the keepalive window (30 s), or 30 s
     * with keepalive off.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws InvalidArgumentException if not positive
     */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "connectTimeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "connectTimeout must be positive, got "
            + timeout + ": e.g. Duration.ofSeconds(30)");
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Pauses between failed reconnect attempts: after the n-th consecutive failure the next attempt
     * waits min(max, initial × 2^(n-1)), jittered down by up to half. Calls in between fail at
     * once with a {@link ConnectionException} saying when the next attempt is due. Default 100 ms
     * to 5 s. The first attempt after a loss is never delayed.
     *
     * @param initial the first pause, positive
     * @param max the longest pause, at least initial
     * @return this builder
     * @throws InvalidArgumentException if initial is not positive or max is below initial
     */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "reconnect backoff " + initial + " .. " + max
            + " is not valid: initial must be positive and max at least initial, e.g. 100 ms .. 5 s");
      }
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    /**
     * Says that the application registers and runs its own libvirt event loop (for example
     * {@code org.libvirt.Library.initEventLoop()} and a thread in {@code runEventLoop()}) before
     * its first connection. The SDK then starts no event loop thread of its own. Without a running
     * loop, keepalive, close detection and events silently do not work. Has no effect when the
     * SDK's loop already runs in this process (there is one per process).
     *
     * @param external true when the application runs the loop
     * @return this builder
     */
    public Builder externalEventLoop(boolean external) {
      this.externalEventLoop = external;
      return this;
    }

    /**
     * Answers libvirt's authentication requests (SASL user name and password, realm, …) without
     * prompting: {@link Credentials#password(String, char[])} for the usual SASL setup, or your own
     * {@link CredentialCallback}. Used for the first connect and every reconnect. When the server
     * asks for something the callback does not answer, the connect fails with a
     * {@link ConnectionException} naming it; a refused password fails with one saying so (the
     * password never appears in a message or log).
     *
     * @param callback the credentials, or null for none
     * @return this builder
     */
    public Builder credentials(CredentialCallback callback) {
      this.credentials = callback;
      return this;
    }

    /**
     * For {@code qemu+tls://} (and {@code test+tls://}) URIs: the directory with this client's
     * certificates, added to the URI as libvirt's {@code pkipath} parameter. It must hold
     * {@code cacert.pem} (the CA that signed the server's certificate), {@code clientcert.pem} and
     * {@code clientkey.pem}. Without it libvirt reads {@code /etc/pki/CA/cacert.pem} and
     * {@code /etc/pki/libvirt/}.
     *
     * @param dir the directory
     * @return this builder
     * @throws InvalidArgumentException if a file is missing or unreadable (checked here, before any connection)
     */
    public Builder pkiPath(Path dir) {
      Objects.requireNonNull(dir, "dir");
      List<String> missing = new ArrayList<>();
      for (String f : List.of("cacert.pem", "clientcert.pem", "clientkey.pem")) {
        if (!Files.isReadable(dir.resolve(f))) {
          missing.add(f);
        }
      }
      if (!missing.isEmpty()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the TLS directory "
            + SafeText.quote(dir.toString()) + " lacks " + String.join(", ", missing) + " (or they are unreadable):"
            + " it needs cacert.pem (the CA of the server's certificate), clientcert.pem and clientkey.pem");
      }
      this.pkiPath = dir.toAbsolutePath();
      return this;
    }

    /**
     * Opens the connection read-only ({@code VIR_CONNECT_RO}, what {@code virsh -r} does): inspecting
     * works, every change is refused with {@link Refusal#READ_ONLY} before any libvirt call (by the
     * operations, and again by the gateway for any change call that reaches it).
     *
     * @param readOnly true for a read-only client
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * The first pause between two verification reads (doubles up to 1 s).
     *
     * @param interval a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "pollInterval");
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("pollInterval must be positive, got " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * How long to wait for a change to show when a request does not say.
     *
     * @param timeout zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder defaultTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "defaultTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("defaultTimeout must not be negative, got " + timeout);
      }
      this.defaultTimeout = timeout;
      return this;
    }

    /**
     * The guest's memory block size (Linux: {@code /sys/devices/system/memory/block_size_bytes};
     * 128 MiB on x86_64 by default, larger on big hosts).
     *
     * @param blockSize a positive size
     * @return this builder
     * @throws IllegalArgumentException if zero
     */
    public Builder memoryBlockSize(MemorySize blockSize) {
      Objects.requireNonNull(blockSize, "memoryBlockSize");
      if (blockSize.bytes() <= 0) {
        throw new IllegalArgumentException("memoryBlockSize must be positive, got " + blockSize);
      }
      this.memoryBlockSize = blockSize;
      return this;
    }

    /** Test hook: sees every libvirt call (package-private, not API). */
    Builder interceptor(CallInterceptor interceptor) {
      this.interceptor = interceptor;
      return this;
    }

    /**
     * Connects.
     *
     * @param uri any libvirt URI
     * @return a client that owns the connection
     * @throws ConnectionException if the URI cannot be connected to
     */
    public HotplugClient connect(String uri) {
      Objects.requireNonNull(uri, "uri");
      Listening l = Listening.of(listener);
      return new HotplugClient(LibvirtGateway.open(withPkiPath(uri), options(), calls(l)), this, l);
    }

    private String withPkiPath(String uri) {
      if (pkiPath == null || uri.contains("pkipath=")) {
        return uri;
      }
      return uri + (uri.indexOf('?') >= 0 ? "&" : "?") + "pkipath=" + encode(pkiPath.toString());
    }

    private static String encode(String path) {
      StringBuilder b = new StringBuilder();
      for (byte x : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
        char c = (char) (x & 0xff);
        if (c < 0x80 && (Character.isLetterOrDigit(c) || "/._-~".indexOf(c) >= 0)) {
          b.append(c);
        } else {
          b.append('%').append(String.format("%02X", x & 0xff));
        }
      }
      return b.toString();
    }

    ConnectionOptions options() {
      Duration timeout = connectTimeout != null ? connectTimeout
          : keepaliveInterval > 0 ? Duration.ofSeconds(keepaliveInterval * (keepaliveCount + 1L)) : Duration.ofSeconds(30);
      return new ConnectionOptions(readOnly, keepaliveInterval, keepaliveCount, timeout, backoffInitial, backoffMax,
          externalEventLoop, credentials);
    }

    /**
     * Wraps a connection the caller owns; the client never closes it.
     *
     * @param connect an open connection
     * @return a client over it
     * @throws ConnectionException if the connection is not usable
     */
    public HotplugClient wrap(org.libvirt.Connect connect) {
      Listening l = Listening.of(listener);
      return new HotplugClient(LibvirtGateway.wrap(connect, options(), calls(l)), this, l);
    }

    /** The gateway's interceptor: the test hook, inside the listener's call reports when a listener is set. */
    private CallInterceptor calls(Listening l) {
      return l == null ? interceptor : l.interceptor(interceptor);
    }
  }
}
