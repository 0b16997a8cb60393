package dev.vmhotplug.testkit;

import java.util.Objects;
import java.util.Optional;

/**
 * One libvirt call a client made through a {@link LibvirtSeam}, as recorded: its number, the
 * connection URI, the operation, the domain, whether it changes something, what it carried (device
 * XML, vCPU count, domain XML, agent command) and how it ended.
 *
 * @param index the call's number, from 1, in the order the seam saw the calls
 * @param uri the connection's URI
 * @param operation the gateway operation, e.g. {@code attachDevice(LIVE)} (see {@link Fault})
 * @param domain the domain name, or {@code "-"} for connection-level calls
 * @param change whether the call changes something
 * @param argument what the call carried, empty when nothing
 * @param outcome how it ended
 * @param error the message of the exception it ended with, empty when it returned
 */
public record RecordedCall(int index, String uri, String operation, String domain, boolean change,
    Optional<String> argument, Outcome outcome, Optional<String> error) {

  /** How a recorded call ended. */
  public enum Outcome {
    /** The real libvirt call was made and returned. */
    RETURNED,
    /** The real libvirt call was made and failed. */
    FAILED,
    /** The seam emulated the call (a memory device change): libvirt was not called. */
    EMULATED,
    /** The emulation refused the call with a libvirt error, as libvirt would. */
    EMULATION_REFUSED,
    /** An injected {@link Fault} ended it (the real call was made first for {@link Fault.Timing#AFTER_CALL}). */
    INJECTED
  }

  /**
   * Checks for nulls.
   *
   * @param index the call's number
   * @param uri the connection's URI
   * @param operation the gateway operation
   * @param domain the domain name, or {@code "-"}
   * @param change whether the call changes something
   * @param argument what the call carried
   * @param outcome how it ended
   * @param error the message of the exception it ended with
   */
  public RecordedCall {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(argument, "argument");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(error, "error");
  }

  /** A line: number, operation, domain, outcome, and the argument's first line. */
  @Override
  public String toString() {
    return "#" + index + " " + operation + " " + domain + " " + outcome
        + argument.map(a -> " " + a.strip().lines().findFirst().orElse("")).orElse("")
        + error.map(e -> " (" + e + ")").orElse("");
  }
}
