package dev.vmhotplug.guest.udev;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a set of udev rules brings a hot-added CPU or memory block online, with the evidence.
 *
 * @param resource CPU or memory
 * @param status the answer
 * @param onlineValue the value written ({@code 1}, {@code online}, {@code online_movable}) when
 *     onlined; {@code null} otherwise
 * @param evidence the rule(s) that online it (empty when none does)
 * @param explanations what each rule that concerns this resource does, in processing order
 * @param reasons why the answer is what it is (unknowns, skipped files, problems), one per line
 */
public record UdevVerdict(
    HotplugResource resource,
    Status status,
    String onlineValue,
    List<RuleExplanation> evidence,
    List<RuleExplanation> explanations,
    List<String> reasons) {

  /** The answer of a {@link UdevVerdict}. */
  public enum Status {
    /** A rule assigns the online attribute on the add event. */
    ONLINES,
    /** A {@code RUN+=} program looks like it writes the online attribute; not proven. */
    PROBABLY_ONLINES,
    /** No rule onlines it on this machine. */
    DOES_NOT_ONLINE,
    /** The rules depend on something unknown (a program, an attribute) or could not be read. */
    CANNOT_TELL
  }

  /**
   * Validates and copies the lists.
   *
   * @param resource CPU or memory
   * @param status the answer
   * @param onlineValue the value written ({@code 1}, {@code online}, {@code online_movable}) when
   *     onlined; {@code null} otherwise
   * @param evidence the rule(s) that online it (empty when none does)
   * @param explanations what each rule that concerns this resource does, in processing order
   * @param reasons why the answer is what it is (unknowns, skipped files, problems), one per line
   */
  public UdevVerdict {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(status, "status");
    evidence = List.copyOf(evidence);
    explanations = List.copyOf(explanations);
    reasons = List.copyOf(reasons);
  }

  /** {@return whether a hot-added device of this kind comes online (definitely or probably)} */
  public boolean covered() {
    return status == Status.ONLINES || status == Status.PROBABLY_ONLINES;
  }

  /** {@return the first rule that onlines it, if any} */
  public Optional<RuleExplanation> firstEvidence() {
    return evidence.isEmpty() ? Optional.empty() : Optional.of(evidence.get(0));
  }

  /** {@return one line: e.g. {@code CPU: onlined (online=1) by 40-redhat.rules:4}} */
  public String summary() {
    String what = resource.label();
    return switch (status) {
      case ONLINES -> what + ": onlined (" + resource.attribute() + "=" + onlineValue + ") by "
          + evidence.get(0).location();
      case PROBABLY_ONLINES -> what + ": probably onlined by " + evidence.get(0).location()
          + " (a RUN program that seems to write " + resource.attribute() + ")";
      case DOES_NOT_ONLINE -> what + ": NOT onlined: no rule writes " + resource.attribute()
          + " on a hot-add event on this machine";
      case CANNOT_TELL -> what + ": cannot tell" + (reasons.isEmpty() ? "" : ": " + reasons.get(0));
    };
  }
}
