package dev.vmhotplug.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a desired-state apply did: the plan (what was asked: {@link EnsurePlan#wantedVcpus()},
 * {@link EnsurePlan#wantedMemory()}; the steps), the vCPU and memory results of the steps it ran (in
 * order, each with its before/after, attempts and warnings; summed up by {@link #steps()},
 * {@link #attempts()} and {@link #warnings()}), and the elapsed time. {@link #changed()} is false when the domain already was in the
 * desired state.
 *
 * @param plan the plan that was executed
 * @param vcpuResults results of the vCPU steps
 * @param memoryResults results of the memory steps
 * @param elapsed total time
 */
public record EnsureResult(EnsurePlan plan, List<VcpuResult> vcpuResults, List<MemoryResult> memoryResults,
    Duration elapsed) {

  /**
   * Copies the lists and checks for nulls.
   *
   * @param plan the plan that was executed
   * @param vcpuResults results of the vCPU steps
   * @param memoryResults results of the memory steps
   * @param elapsed total time
   */
  public EnsureResult {
    Objects.requireNonNull(plan, "plan");
    vcpuResults = List.copyOf(vcpuResults);
    memoryResults = List.copyOf(memoryResults);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** {@return the libvirt calls made by all steps, in order; empty when nothing changed} */
  public List<OperationStep> steps() {
    List<OperationStep> out = new ArrayList<>();
    vcpuResults.forEach(r -> out.addAll(r.steps()));
    memoryResults.forEach(r -> out.addAll(r.steps()));
    return List.copyOf(out);
  }

  /** {@return how many times the state was read while verifying, summed over all steps} */
  public int attempts() {
    return vcpuResults.stream().mapToInt(VcpuResult::attempts).sum()
        + memoryResults.stream().mapToInt(MemoryResult::attempts).sum();
  }

  /** {@return the warnings of all steps, in order; empty when none} */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    vcpuResults.forEach(r -> out.addAll(r.warnings()));
    memoryResults.forEach(r -> out.addAll(r.warnings()));
    return List.copyOf(out);
  }

  /** {@return whether any step ran} */
  public boolean changed() {
    return !plan.isEmpty();
  }

  /** The plan, then "applied in N ms" or "nothing changed", then one "warning: …" line per warning. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(plan.toString());
    b.append(changed() ? "applied in " + elapsed.toMillis() + " ms\n" : "nothing changed\n");
    for (String w : warnings()) {
      b.append("warning: ").append(w).append('\n');
    }
    return b.toString();
  }
}
