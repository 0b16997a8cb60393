package dev.vmhotplug.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which domain events a subscription wants: some or all {@link DomainEvent.Type}s, of one domain
 * (by name or UUID) or of all. Immutable.
 *
 * <pre>{@code
 * EventFilter.all()                                       // everything, every domain
 * EventFilter.domain("web-1")                             // everything of web-1
 * EventFilter.domain("web-1").types(DEVICE_REMOVED, DEVICE_REMOVAL_FAILED)
 * }</pre>
 */
public final class EventFilter {
  private final String domain;
  private final Set<DomainEvent.Type> types;

  private EventFilter(String domain, Set<DomainEvent.Type> types) {
    this.domain = domain;
    this.types = types;
  }

  /** {@return every event of every domain} */
  public static EventFilter all() {
    return new EventFilter(null, Collections.unmodifiableSet(EnumSet.allOf(DomainEvent.Type.class)));
  }

  /**
   * Every event of one domain.
   *
   * @param nameOrUuid the domain's name or UUID (with or without dashes)
   * @return the filter
   * @throws InvalidArgumentException if blank
   */
  public static EventFilter domain(String nameOrUuid) {
    Objects.requireNonNull(nameOrUuid, "nameOrUuid");
    if (nameOrUuid.isBlank()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST,
          "an event filter needs a domain name or UUID, got a blank one: pass one, or use EventFilter.all()");
    }
    return new EventFilter(nameOrUuid, all().types);
  }

  /**
   * The same filter restricted to some types.
   *
   * @param first a type
   * @param more more types
   * @return a new filter
   */
  public EventFilter types(DomainEvent.Type first, DomainEvent.Type... more) {
    EnumSet<DomainEvent.Type> s = EnumSet.of(Objects.requireNonNull(first, "first"));
    s.addAll(Arrays.asList(more));
    return new EventFilter(domain, Collections.unmodifiableSet(s));
  }

  /** {@return the domain name or UUID, or null for all domains} */
  public String domainOrNull() {
    return domain;
  }

  /** {@return the wanted types} */
  public Set<DomainEvent.Type> types() {
    return types;
  }

  /**
   * Whether an event passes the filter (name or UUID compared; UUIDs without regard to dashes and case).
   *
   * @param e the event
   * @return true when it passes
   */
  public boolean matches(DomainEvent e) {
    if (!types.contains(e.type())) {
      return false;
    }
    if (domain == null) {
      return true;
    }
    return domain.equals(e.domainName()) || normalize(domain).equals(normalize(e.domainUuid()));
  }

  private static String normalize(String s) {
    return s.replace("-", "").toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return "EventFilter[" + (domain == null ? "all domains" : domain) + ", " + types + "]";
  }
}
