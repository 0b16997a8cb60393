package dev.vmhotplug.core;

import java.util.Optional;

/**
 * A change call was sent but its outcome cannot be told: the connection broke while the call was
 * in flight and what could be read afterwards does not say whether libvirt applied it. Nothing was
 * retried. Carries the step, the state before, and the live and config states read after the
 * reconnect (or why they could not be read), so that the caller can decide; reading the domain
 * again later ({@code vcpuCount()}, {@code memoryView()}) settles it.
 */
public class OutcomeUnknownException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The change whose outcome is unknown. */
  private final OperationStep step;
  /** The state before the call. */
  private final String stateBefore;
  /** The live state read after the reconnect, or why it could not be read. */
  private final String liveState;
  /** The persistent state read after the reconnect, or why it could not be read. */
  private final String configState;
  private final transient VcpuCount vcpuCount;
  private final transient MemoryView memoryView;

  /**
   * Creates the exception.
   *
   * @param message what was sent, what broke, what was seen after, what to do
   * @param step the change whose outcome is unknown
   * @param stateBefore the state before the call, human-readable
   * @param liveState the live state after the reconnect, or why it could not be read
   * @param configState the persistent state after the reconnect, or why it could not be read
   * @param vcpuCount the vCPU counts read after the reconnect, null when not read or not about vCPUs
   * @param memoryView the memory view read after the reconnect, null when not read or not about memory
   * @param cause the connection failure
   */
  public OutcomeUnknownException(String message, OperationStep step, String stateBefore, String liveState,
      String configState, VcpuCount vcpuCount, MemoryView memoryView, Throwable cause) {
    super(message, cause);
    this.step = step;
    this.stateBefore = stateBefore;
    this.liveState = liveState;
    this.configState = configState;
    this.vcpuCount = vcpuCount;
    this.memoryView = memoryView;
  }

  /** {@return the change whose outcome is unknown} */
  public OperationStep step() {
    return step;
  }

  /** {@return the state before the call} */
  public String stateBefore() {
    return stateBefore;
  }

  /** {@return the live state read after the reconnect, or why it could not be read} */
  public String liveState() {
    return liveState;
  }

  /** {@return the persistent (config) state read after the reconnect, or why it could not be read} */
  public String configState() {
    return configState;
  }

  /** {@return the vCPU counts read after the reconnect, when the change was about vCPUs and they could be read} */
  public Optional<VcpuCount> vcpuCount() {
    return Optional.ofNullable(vcpuCount);
  }

  /** {@return the memory view read after the reconnect, when the change was about memory and it could be read} */
  public Optional<MemoryView> memoryView() {
    return Optional.ofNullable(memoryView);
  }
}
