package dev.vmhotplug.core;

import java.util.Objects;

/**
 * One change an operation made (or would make, in a plan): the libvirt action, its scope and a
 * human-readable detail.
 *
 * @param action the libvirt action, e.g. {@code setVcpusFlags}, {@code attachDeviceFlags}
 * @param scope where it applies
 * @param detail what it does, e.g. {@code "vCPUs 2 -> 4"}
 */
public record OperationStep(String action, Scope scope, String detail) {

  /**
   * Validates the fields.
   *
   * @param action the libvirt action, e.g. {@code setVcpusFlags}, {@code attachDeviceFlags}
   * @param scope where it applies
   * @param detail what it does, e.g. {@code "vCPUs 2 -> 4"}
   */
  public OperationStep {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return action + " (" + scope.virshFlags() + "): " + detail;
  }
}
