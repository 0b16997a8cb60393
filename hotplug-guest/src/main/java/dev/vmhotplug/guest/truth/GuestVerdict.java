package dev.vmhotplug.guest.truth;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link GuestCheck#check}: a status and the findings behind it, problems first.
 *
 * <p>Immutable.
 */
public final class GuestVerdict {

  /** What the check concluded. */
  public enum Status {
    /** The guest has online what the hypervisor gave it. */
    OK,
    /** The guest did not online (or did not see) something that was added. */
    NOT_ONLINE,
    /** Facts are missing or contradict the expectation; the findings say which. */
    CANNOT_TELL
  }

  private final Status status;
  private final List<String> findings;

  /**
   * Creates a verdict.
   *
   * @param status the status
   * @param findings the findings, problems first
   */
  public GuestVerdict(Status status, List<String> findings) {
    this.status = Objects.requireNonNull(status, "status");
    this.findings = List.copyOf(findings);
  }

  /** {@return the status} */
  public Status status() {
    return status;
  }

  /** {@return the findings, problems first, then what could not be told, then what is fine} */
  public List<String> findings() {
    return findings;
  }

  /** {@return one line: the status and the first finding} */
  public String summary() {
    return status + (findings.isEmpty() ? "" : ": " + findings.get(0));
  }

  @Override
  public String toString() {
    return summary();
  }
}
