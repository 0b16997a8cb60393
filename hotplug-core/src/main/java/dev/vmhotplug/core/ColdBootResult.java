package dev.vmhotplug.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link ColdBoot#apply()} did: the outcome and each step with its timing. Immutable.
 */
public final class ColdBootResult {

  /** How the cold boot ended. */
  public enum Outcome {
    /** The guest powered off by itself after the shutdown request; the domain was started again. */
    BOOTED,
    /** The guest did not power off in time; it was forced off (as asked) and started again. */
    FORCED_OFF_AND_STARTED,
    /** No cold boot was needed ({@link ColdBoot#after(PrepareResult)}); the domain was not touched. */
    SKIPPED
  }

  /**
   * One step of the cold boot.
   *
   * @param action what happened: {@code shutdown requested}, {@code shut off}, {@code still running},
   *     {@code forced off}, {@code started} or {@code skipped}
   * @param at when the step ended, counted from the start of the cold boot
   * @param took how long the step took
   * @param detail the libvirt call or what was observed
   */
  public record Step(String action, Duration at, Duration took, String detail) {
    /**
     * Canonical constructor: no nulls.
     *
     * @param action what happened: {@code shutdown requested}, {@code shut off}, {@code still running},
     *     {@code forced off}, {@code started} or {@code skipped}
     * @param at when the step ended, counted from the start of the cold boot
     * @param took how long the step took
     * @param detail the libvirt call or what was observed
     */
    public Step {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(took, "took");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%7.2f s  %-18s (%.2f s) %s", at.toNanos() / 1e9, action,
          took.toNanos() / 1e9, detail);
    }
  }

  private final String domain;
  private final Outcome outcome;
  private final List<Step> steps;
  private final Duration elapsed;

  ColdBootResult(String domain, Outcome outcome, List<Step> steps, Duration elapsed) {
    this.domain = Objects.requireNonNull(domain);
    this.outcome = Objects.requireNonNull(outcome);
    this.steps = List.copyOf(steps);
    this.elapsed = Objects.requireNonNull(elapsed);
  }

  /** {@return the domain's name} */
  public String domain() {
    return domain;
  }

  /** {@return how it ended} */
  public Outcome outcome() {
    return outcome;
  }

  /** {@return whether the domain was forced off} */
  public boolean forced() {
    return outcome == Outcome.FORCED_OFF_AND_STARTED;
  }

  /** {@return whether the domain was shut down and started (forced or not)} */
  public boolean booted() {
    return outcome != Outcome.SKIPPED;
  }

  /** {@return the steps in order} */
  public List<Step> steps() {
    return steps;
  }

  /** {@return wall time of the whole cold boot} */
  public Duration elapsed() {
    return elapsed;
  }

  /** {@return one line per step, then the outcome} */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    for (Step s : steps) {
      sb.append(s).append('\n');
    }
    sb.append("domain '").append(domain).append("': ");
    switch (outcome) {
      case BOOTED:
        sb.append("cold boot done");
        break;
      case FORCED_OFF_AND_STARTED:
        sb.append("cold boot done, the domain was forced off");
        break;
      default:
        return sb.append("no cold boot needed, nothing done\n").toString();
    }
    return sb.append(String.format(Locale.ROOT, " in %.1f s; it runs its persistent definition now%n",
        elapsed.toNanos() / 1e9)).toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
