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
 * @param kernelPolicyFromImage whether {@link Advice#forRoot} replaces the environment's
 *     {@code auto_online_blocks} with what the image's kernel configuration or command line says
 *     (default true; false when the caller set it on purpose)
 */
public record AdviceOptions(
    Optional<String> systemdVersion, boolean movableMemory, UdevEnvironment environment, boolean kernelPolicyFromImage) {

  /**
   * Validates.
   *
   * @param systemdVersion the installed systemd (or udev) package version, e.g.
   *     {@code 219-19.el7_2.9}; empty when unknown
   * @param movableMemory whether the user wants {@code online_movable} memory
   * @param environment the machine the rules run on (default: x86_64 KVM guest)
   * @param kernelPolicyFromImage whether {@link Advice#forRoot} replaces the environment's
   *     {@code auto_online_blocks} with what the image's kernel configuration or command line says
   *     (default true; false when the caller set it on purpose)
   */
  public AdviceOptions {
    Objects.requireNonNull(systemdVersion, "systemdVersion");
    Objects.requireNonNull(environment, "environment");
  }

  /**
   * Options that take the kernel policy from the image when it says one.
   *
   * @param systemdVersion installed systemd version, empty when unknown
   * @param movableMemory whether memory should be online_movable
   * @param environment the machine
   */
  public AdviceOptions(Optional<String> systemdVersion, boolean movableMemory, UdevEnvironment environment) {
    this(systemdVersion, movableMemory, environment, true);
  }

  /**
   * {@return the defaults: no systemd version, {@code online} memory, an x86_64 KVM guest, the kernel
   * policy taken from the image}
   */
  public static AdviceOptions defaults() {
    return new AdviceOptions(Optional.empty(), false, UdevEnvironment.kvmGuest(), true);
  }

  /**
   * A copy with the systemd version set (null or blank = unknown).
   *
   * @param v the installed systemd (or udev) package version, e.g. {@code 219-19.el7_2.9}; null or blank when unknown
   * @return a copy with the systemd version set (null or blank = unknown)
   */
  public AdviceOptions withSystemdVersion(String v) {
    return new AdviceOptions(v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip()),
        movableMemory, environment, kernelPolicyFromImage);
  }

  /**
   * A copy with movable memory set.
   *
   * @param movable whether hot-added memory should be onlined {@code online_movable}
   * @return a copy with movable memory set
   */
  public AdviceOptions withMovableMemory(boolean movable) {
    return new AdviceOptions(systemdVersion, movable, environment, kernelPolicyFromImage);
  }

  /**
   * A copy with the machine set; {@code kernelPolicyFromImage} false keeps its auto_online_blocks.
   *
   * @param env the machine the rules run on
   * @param kernelPolicyFromImage whether {@link Advice#forRoot} replaces the environment's {@code auto_online_blocks} with what the image says
   * @return a copy with the machine set; {@code kernelPolicyFromImage} false keeps its auto_online_blocks
   */
  public AdviceOptions withEnvironment(UdevEnvironment env, boolean kernelPolicyFromImage) {
    return new AdviceOptions(systemdVersion, movableMemory, env, kernelPolicyFromImage);
  }
}
