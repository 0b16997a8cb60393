package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemorySize;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An event libvirt reported for a domain: a device was added, removed, or its removal failed; a
 * memory device changed size; or the domain's lifecycle changed (started, stopped, …). Immutable.
 *
 * <p>What QEMU 7.2 with libvirt 9.0 emits (observed on the VM lab, {@code DeviceEventsIT}): a DIMM
 * attach gives {@link Type#DEVICE_ADDED} whose alias is the memory <em>backend</em>'s
 * ({@code memdimm0}), not the device's ({@code dimm0}); a completed DIMM unplug gives
 * {@link Type#DEVICE_REMOVED} with the device alias ({@code dimm0}); a guest that refuses the unplug
 * gives {@link Type#DEVICE_REMOVAL_FAILED} ({@code dimm0}, within 0.5-1.5 s, while the detach
 * call fails with "unplug of device was rejected by the guest"); a vCPU hot-add gives no device
 * event at all. See the README section "Running in a service".
 */
public final class DomainEvent {
  /** The kind of event. */
  public enum Type {
    /** A device was added to the running domain ({@code VIR_DOMAIN_EVENT_ID_DEVICE_ADDED}). */
    DEVICE_ADDED,
    /** A device was removed from the running domain ({@code VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED}). */
    DEVICE_REMOVED,
    /** The guest refused or failed to release a device ({@code VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED}). */
    DEVICE_REMOVAL_FAILED,
    /** A memory device (virtio-mem) changed its guest-visible size ({@code ..._MEMORY_DEVICE_SIZE_CHANGE}). */
    MEMORY_DEVICE_SIZE_CHANGED,
    /** The domain's lifecycle changed ({@code VIR_DOMAIN_EVENT_ID_LIFECYCLE}). */
    LIFECYCLE
  }

  /** The lifecycle change of a {@link Type#LIFECYCLE} event ({@code virDomainEventType}). */
  public enum Lifecycle {
    /** Defined or redefined. */
    DEFINED,
    /** Undefined. */
    UNDEFINED,
    /** Started (booted, restored, migrated in). */
    STARTED,
    /** Paused. */
    SUSPENDED,
    /** Resumed. */
    RESUMED,
    /** Stopped (shut off, destroyed, crashed, migrated away). */
    STOPPED,
    /** The guest is shutting down. */
    SHUTDOWN,
    /** The guest entered a power-management suspend state. */
    PMSUSPENDED,
    /** The guest crashed. */
    CRASHED,
    /** A value this SDK does not know. */
    UNKNOWN;

    /**
     * The constant for libvirt's lifecycle event code.
     *
     * @param code libvirt's {@code virDomainEventType} value
     * @return the constant, {@link #UNKNOWN} for values this SDK does not know
     */
    public static Lifecycle ofCode(int code) {
      Lifecycle[] v = values();
      return code >= 0 && code < v.length - 1 ? v[code] : UNKNOWN;
    }
  }

  private final Type type;
  private final String uri;
  private final String domainName;
  private final String domainUuid;
  private final String deviceAlias;
  private final MemorySize size;
  private final Lifecycle lifecycle;
  private final int detail;
  private final Instant receivedAt;

  private DomainEvent(Type type, String uri, String domainName, String domainUuid, String deviceAlias,
      MemorySize size, Lifecycle lifecycle, int detail, Instant receivedAt) {
    this.type = Objects.requireNonNull(type, "type");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.domainName = Objects.requireNonNull(domainName, "domainName");
    this.domainUuid = Objects.requireNonNull(domainUuid, "domainUuid");
    this.deviceAlias = deviceAlias;
    this.size = size;
    this.lifecycle = lifecycle;
    this.detail = detail;
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
  }

  /**
   * A device event ({@link Type#DEVICE_ADDED}, {@link Type#DEVICE_REMOVED}, {@link Type#DEVICE_REMOVAL_FAILED}).
   *
   * @param type one of the three device types
   * @param uri the connection's URI
   * @param domainName the domain's name
   * @param domainUuid the domain's UUID
   * @param alias the device alias libvirt reported, e.g. {@code dimm0}
   * @param receivedAt when the SDK received it
   * @return the event
   * @throws IllegalArgumentException if type is not a device type
   */
  public static DomainEvent device(Type type, String uri, String domainName, String domainUuid, String alias,
      Instant receivedAt) {
    if (type != Type.DEVICE_ADDED && type != Type.DEVICE_REMOVED && type != Type.DEVICE_REMOVAL_FAILED) {
      throw new IllegalArgumentException("not a device event type: " + type);
    }
    return new DomainEvent(type, uri, domainName, domainUuid, Objects.requireNonNull(alias, "alias"), null, null, 0,
        receivedAt);
  }

  /**
   * A {@link Type#MEMORY_DEVICE_SIZE_CHANGED} event.
   *
   * @param uri the connection's URI
   * @param domainName the domain's name
   * @param domainUuid the domain's UUID
   * @param alias the memory device's alias
   * @param size the new guest-visible size
   * @param receivedAt when the SDK received it
   * @return the event
   */
  public static DomainEvent memorySizeChanged(String uri, String domainName, String domainUuid, String alias,
      MemorySize size, Instant receivedAt) {
    return new DomainEvent(Type.MEMORY_DEVICE_SIZE_CHANGED, uri, domainName, domainUuid,
        Objects.requireNonNull(alias, "alias"), Objects.requireNonNull(size, "size"), null, 0, receivedAt);
  }

  /**
   * A {@link Type#LIFECYCLE} event.
   *
   * @param uri the connection's URI
   * @param domainName the domain's name
   * @param domainUuid the domain's UUID
   * @param lifecycle what changed
   * @param detail libvirt's detail value (e.g. {@code VIR_DOMAIN_EVENT_STOPPED_DESTROYED} = 1)
   * @param receivedAt when the SDK received it
   * @return the event
   */
  public static DomainEvent lifecycle(String uri, String domainName, String domainUuid, Lifecycle lifecycle,
      int detail, Instant receivedAt) {
    return new DomainEvent(Type.LIFECYCLE, uri, domainName, domainUuid, null, null,
        Objects.requireNonNull(lifecycle, "lifecycle"), detail, receivedAt);
  }

  /** {@return the kind of event} */
  public Type type() {
    return type;
  }

  /** {@return the URI of the connection that received it} */
  public String uri() {
    return uri;
  }

  /** {@return the domain's name} */
  public String domainName() {
    return domainName;
  }

  /** {@return the domain's UUID (with dashes)} */
  public String domainUuid() {
    return domainUuid;
  }

  /** {@return the device alias ({@code dimm0}, {@code virtiomem1}, …) of a device or memory size event} */
  public Optional<String> deviceAlias() {
    return Optional.ofNullable(deviceAlias);
  }

  /** {@return the new size of a {@link Type#MEMORY_DEVICE_SIZE_CHANGED} event} */
  public Optional<MemorySize> size() {
    return Optional.ofNullable(size);
  }

  /** {@return the lifecycle change of a {@link Type#LIFECYCLE} event} */
  public Optional<Lifecycle> lifecycle() {
    return Optional.ofNullable(lifecycle);
  }

  /** {@return libvirt's detail value of a lifecycle event (0 for other events)} */
  public int lifecycleDetail() {
    return detail;
  }

  /** {@return when the SDK received the event} */
  public Instant receivedAt() {
    return receivedAt;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(type.name()).append(" domain=").append(domainName);
    if (deviceAlias != null) {
      s.append(" alias=").append(deviceAlias);
    }
    if (size != null) {
      s.append(" size=").append(size);
    }
    if (lifecycle != null) {
      s.append(' ').append(lifecycle).append(" detail=").append(detail);
    }
    return s.toString();
  }
}
