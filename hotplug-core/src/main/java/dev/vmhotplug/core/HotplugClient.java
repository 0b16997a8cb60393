package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.DomainLocks;
import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.MemorySize;
import java.time.Duration;
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
 * <p>{@link #close()} is idempotent and closes only what the client opened: a connection passed to
 * {@link #wrap(org.libvirt.Connect)} stays open.
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
  private final DomainLocks locks = new DomainLocks();

  private HotplugClient(LibvirtGateway gateway, Builder b) {
    this.gateway = gateway;
    this.pollInterval = b.pollInterval;
    this.defaultTimeout = b.defaultTimeout;
    this.memoryBlockSize = b.memoryBlockSize;
    this.readOnly = b.readOnly;
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

  /** A builder for clients with non-default settings. */
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

  /** The connection's URI. */
  public String uri() {
    return gateway.uri();
  }

  /** The first pause between two verification reads. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** How long operations wait for a change to show unless the request sets its own timeout. */
  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** The guest's memory block size; memory sizes must be multiples of it. */
  public MemorySize memoryBlockSize() {
    return memoryBlockSize;
  }

  /**
   * Whether the client was opened read-only ({@link Builder#readOnly(boolean)}): every change is
   * then refused with {@link Refusal#READ_ONLY} before any libvirt call.
   */
  public boolean isReadOnly() {
    return readOnly;
  }

  /** Closes the connection if this client opened it; idempotent. */
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

    private Builder() {}

    /**
     * Opens the connection read-only ({@code VIR_CONNECT_RO}, what {@code virsh -r} does): inspecting
     * works, every change is refused with {@link Refusal#READ_ONLY} before any libvirt call.
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
      return new HotplugClient(LibvirtGateway.open(uri, readOnly, interceptor), this);
    }

    /**
     * Wraps a connection the caller owns; the client never closes it.
     *
     * @param connect an open connection
     * @return a client over it
     * @throws ConnectionException if the connection is not usable
     */
    public HotplugClient wrap(org.libvirt.Connect connect) {
      return new HotplugClient(LibvirtGateway.wrap(connect, interceptor), this);
    }
  }
}
