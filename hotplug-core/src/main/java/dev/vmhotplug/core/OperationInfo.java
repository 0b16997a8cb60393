package dev.vmhotplug.core;

import dev.vmhotplug.xml.internal.SafeText;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which operation a {@link HotplugListener} callback is about: its name (one of the constants here),
 * the domain, the connection's URI, the scope when the operation has one, when it started and an id.
 * Immutable; equal when the ids are equal.
 */
public final class OperationInfo {
  /** {@code domain.vcpus().set(n)…apply()}. */
  public static final String VCPUS_SET = "vcpus.set";
  /** {@code domain.memory().add(size)…apply()}. */
  public static final String MEMORY_ADD = "memory.add";
  /** {@code domain.memory().remove(size)…apply()}. */
  public static final String MEMORY_REMOVE = "memory.remove";
  /** A virtio-mem resize through {@code domain.memory()…apply()}. */
  public static final String MEMORY_RESIZE = "memory.resize";
  /** {@code domain.ensure()…apply()} and {@code apply(plan)}. */
  public static final String ENSURE = "ensure";
  /** {@code domain.prepare(…)}. */
  public static final String PREPARE = "prepare";
  /** {@code domain.coldBoot()…apply()}. */
  public static final String COLD_BOOT = "coldBoot";
  /** {@code domain.guestAgent().online()}, {@code onlineCpus()}, {@code onlineMemory()}. */
  public static final String GUEST_AGENT_ONLINE = "guestAgent.online";

  private static final AtomicLong IDS = new AtomicLong();

  private final long id;
  private final String name;
  private final String domain;
  private final String uri;
  private final Scope scope;
  private final Instant startedAt;

  private OperationInfo(long id, String name, String domain, String uri, Scope scope, Instant startedAt) {
    this.id = id;
    this.name = Objects.requireNonNull(name, "name");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.scope = scope;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
  }

  /**
   * A new operation with the next id of this process, started now (the SDK makes these; public for
   * users' tests of their own listeners).
   *
   * @param name the operation's name, e.g. {@link #VCPUS_SET}
   * @param domain the domain's name
   * @param uri the connection's URI
   * @param scope the scope, or null when the operation has none
   * @return the value
   * @throws NullPointerException if name, domain or uri is null
   */
  public static OperationInfo of(String name, String domain, String uri, Scope scope) {
    return new OperationInfo(IDS.incrementAndGet(), name, domain, uri, scope, Instant.now());
  }

  /** {@return an id, unique in this process and increasing with each operation} */
  public long id() {
    return id;
  }

  /** {@return the operation's name: one of the constants of this class, e.g. {@code "memory.add"}} */
  public String name() {
    return name;
  }

  /** {@return the domain's name} */
  public String domain() {
    return domain;
  }

  /** {@return the URI of the client's connection} */
  public String uri() {
    return uri;
  }

  /**
   * {@return the scope the operation applies to: the one that {@code apply()} uses ({@code LIVE} when the
   * request gave none); empty for operations without a scope ({@code prepare}, {@code coldBoot},
   * {@code guestAgent.online})}
   */
  public Optional<Scope> scope() {
    return Optional.ofNullable(scope);
  }

  /** {@return when the operation started (wall clock)} */
  public Instant startedAt() {
    return startedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperationInfo && ((OperationInfo) o).id == id;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "OperationInfo[#" + id + " " + name + " domain=" + SafeText.quote(domain) + (scope == null ? "" : " scope=" + scope)
        + " uri=" + uri + "]";
  }
}
