package dev.vmhotplug.guest;

import dev.vmhotplug.guest.udev.UdevEnvironment;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Advice} should assume: the installed systemd version when known, whether hot-added
 * memory should be onlined movable (so it can be hot-unplugged later), and the machine.
 *
 * @param systemdVersion the installed systemd (or udev) package version, e.g.
 *     {@code 219-19.el7_2.9}; empty when unknown
 * @param movableMemory whether the user wants {@code online_movable} memory
 * @param environment the machine the rules run on (default: x86_64 KVM guest)
 */
public record AdviceOptions(Optional<String> systemdVersion, boolean movableMemory, UdevEnvironment environment) {

  /** Validates. */
  public AdviceOptions {
    Objects.requireNonNull(systemdVersion, "systemdVersion");
    Objects.requireNonNull(environment, "environment");
  }

  /** No systemd version, {@code online} memory, x86_64 KVM guest. */
  public static AdviceOptions defaults() {
    return new AdviceOptions(Optional.empty(), false, UdevEnvironment.kvmGuest());
  }

  /** A copy with the systemd version set (null or blank = unknown). */
  public AdviceOptions withSystemdVersion(String v) {
    return new AdviceOptions(v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip()), movableMemory, environment);
  }

  /** A copy with movable memory set. */
  public AdviceOptions withMovableMemory(boolean movable) {
    return new AdviceOptions(systemdVersion, movable, environment);
  }
}
