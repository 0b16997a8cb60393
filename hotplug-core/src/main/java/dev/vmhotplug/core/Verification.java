package dev.vmhotplug.core;

import java.util.Objects;
import java.util.Optional;

/**
 * How an operation proves that its change happened.
 *
 * <ul>
 *   <li>{@link #NONE}: trust libvirt's return code; read nothing back.
 *   <li>{@link #HOST} (the default): re-read the live and/or inactive domain XML until the new
 *       value shows (hot-unplug completes asynchronously), with a timeout.
 *   <li>{@link #guest(GuestProbe)}: {@code HOST}, then ask the guest through the probe until it
 *       sees the change (CPUs online); when it does not, hotplug-guest's {@code GuestCheck} says why.
 * </ul>
 */
public final class Verification {

  /** The kind of verification. */
  public enum Kind {
    /** No verification. */
    NONE,
    /** Host side: the domain XML. */
    HOST,
    /** Host side, then inside the guest through a {@link GuestProbe}. */
    GUEST
  }

  /** No verification: trust libvirt's return code. */
  public static final Verification NONE = new Verification(Kind.NONE, null);
  /** Host-side verification from the domain XML (the default). */
  public static final Verification HOST = new Verification(Kind.HOST, null);

  private final Kind kind;
  private final GuestProbe probe;

  private Verification(Kind kind, GuestProbe probe) {
    this.kind = kind;
    this.probe = probe;
  }

  /**
   * Host-side verification followed by guest-side verification through a probe.
   *
   * @param probe reads what the guest sees (e.g. {@link AgentGuestProbe}, or one over SSH)
   * @return the policy
   * @throws NullPointerException if probe is null
   */
  public static Verification guest(GuestProbe probe) {
    return new Verification(Kind.GUEST, Objects.requireNonNull(probe, "probe"));
  }

  /** {@return the kind} */
  public Kind kind() {
    return kind;
  }

  /** {@return the guest probe, present for {@link Kind#GUEST}} */
  public Optional<GuestProbe> probe() {
    return Optional.ofNullable(probe);
  }

  /** {@return whether the domain XML is read back} */
  public boolean host() {
    return kind != Kind.NONE;
  }

  @Override
  public String toString() {
    return kind == Kind.GUEST ? "GUEST(" + probe + ")" : kind.name();
  }
}
