package dev.vmhotplug.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a desired-state apply did: the plan, the vCPU and memory results of the steps it ran (in
 * order), and the elapsed time. {@link #changed()} is false when the domain already was in the
 * desired state.
 *
 * @param plan the plan that was executed
 * @param vcpuResults results of the vCPU steps
 * @param memoryResults results of the memory steps
 * @param elapsed total time
 */
public record EnsureResult(EnsurePlan plan, List<VcpuResult> vcpuResults, List<MemoryResult> memoryResults,
    Duration elapsed) {

  /** Copies the lists and checks for nulls. */
  public EnsureResult {
    Objects.requireNonNull(plan, "plan");
    vcpuResults = List.copyOf(vcpuResults);
    memoryResults = List.copyOf(memoryResults);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Whether any step ran. */
  public boolean changed() {
    return !plan.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(plan.toString());
    b.append(changed() ? "applied in " + elapsed.toMillis() + " ms\n" : "nothing changed\n");
    return b.toString();
  }
}
