package dev.vmhotplug.core;

import java.util.List;
import java.util.Optional;

/**
 * An operation changed part of what was asked and then failed: for example the live change
 * succeeded and the config change was refused. Never a silent half success: this carries both
 * states, the steps that were applied, the step that failed (the cause is its error) and the
 * state observed after the failure.
 */
public class PartialApplyException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The steps applied before the failure. */
  private final List<OperationStep> applied;
  /** The step that failed. */
  private final OperationStep failed;
  /** The state observed after the failure. */
  private final String observedState;
  private final transient VcpuCount vcpuCount;

  /**
   * Creates the exception.
   *
   * @param message what was applied, what failed, and how to bring both sides together
   * @param applied the steps that were applied (they were not rolled back)
   * @param failed the step that failed
   * @param observedState a human-readable description of the state after the failure
   * @param vcpuCount the vCPU counts read after the failure, or null when not about vCPUs
   * @param cause the failure of {@code failed}
   */
  public PartialApplyException(String message, List<OperationStep> applied, OperationStep failed,
      String observedState, VcpuCount vcpuCount, Throwable cause) {
    super(message, cause);
    this.applied = List.copyOf(applied);
    this.failed = failed;
    this.observedState = observedState;
    this.vcpuCount = vcpuCount;
  }

  /** {@return the steps that were applied before the failure (not rolled back)} */
  public List<OperationStep> applied() {
    return applied;
  }

  /** {@return the step that failed; {@link #getCause()} is its error} */
  public OperationStep failed() {
    return failed;
  }

  /** {@return the state observed after the failure, human-readable} */
  public String observedState() {
    return observedState;
  }

  /** {@return the vCPU counts observed after the failure, when the operation was about vCPUs} */
  public Optional<VcpuCount> vcpuCount() {
    return Optional.ofNullable(vcpuCount);
  }
}
