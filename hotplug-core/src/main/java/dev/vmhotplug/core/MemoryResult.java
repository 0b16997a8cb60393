package dev.vmhotplug.core;

import dev.vmhotplug.guest.truth.GuestVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an applied memory change did: the plan (what was asked and how), the memory view before and
 * after, the libvirt steps made, how many times the state was read while verifying, how long it
 * all took, warnings (e.g. a live-only change that the next boot will lose), and — with guest
 * verification — the guest's verdict.
 *
 * @param plan the plan that was executed (what was asked; its steps are the calls made, in order)
 * @param before the memory view read before the change, for the sides in scope (a live-only change
 *     does not read the persistent definition: its config column is absent; use
 *     {@link DomainHandle#memoryView()} for both)
 * @param after the memory view built from the verification reads, for the sides in scope; with
 *     {@code Verification.NONE} the view from before (not read back; a warning says so)
 * @param steps the libvirt calls made, in order
 * @param attempts how many times the state was read while verifying (host and guest)
 * @param elapsed the time from the first libvirt call to the end of verification
 * @param warnings things the caller should know; empty when none
 * @param guest the guest's verdict, present with {@code Verification.GUEST}
 */
public record MemoryResult(
    MemoryPlan plan,
    MemoryView before,
    MemoryView after,
    List<OperationStep> steps,
    int attempts,
    Duration elapsed,
    List<String> warnings,
    Optional<GuestVerdict> guest) {

  /**
   * Copies the lists and checks for nulls.
   *
   * @param plan the plan that was executed (what was asked; its steps are the calls made, in order)
   * @param before the memory view read before the change, for the sides in scope (a live-only change
   *     does not read the persistent definition: its config column is absent; use
   *     {@link DomainHandle#memoryView()} for both)
   * @param after the memory view built from the verification reads, for the sides in scope; with
   *     {@code Verification.NONE} the view from before (not read back; a warning says so)
   * @param steps the libvirt calls made, in order
   * @param attempts how many times the state was read while verifying (host and guest)
   * @param elapsed the time from the first libvirt call to the end of verification
   * @param warnings things the caller should know; empty when none
   * @param guest the guest's verdict, present with {@code Verification.GUEST}
   */
  public MemoryResult {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    steps = List.copyOf(steps);
    Objects.requireNonNull(elapsed, "elapsed");
    warnings = List.copyOf(warnings);
    Objects.requireNonNull(guest, "guest");
  }

  /** A short report: the plan's first line, steps, attempts, elapsed, warnings, guest verdict. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(plan.toString().lines().findFirst().orElse("")).append('\n');
    for (OperationStep s : steps) {
      b.append("  done: ").append(s).append('\n');
    }
    b.append("  verified after ").append(attempts).append(" read(s), ").append(elapsed.toMillis()).append(" ms\n");
    for (String w : warnings) {
      b.append("  warning: ").append(w).append('\n');
    }
    guest.ifPresent(g -> b.append("  guest: ").append(g.summary()).append('\n'));
    return b.toString();
  }
}
