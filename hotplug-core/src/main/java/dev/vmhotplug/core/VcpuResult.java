package dev.vmhotplug.core;

import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a vCPU change did: the request, the counts before and after, the libvirt steps taken,
 * how many verification reads were made, how long it took, and warnings.
 *
 * <p>When the domain already had the count asked, {@link #changed()} is false, {@link #steps()}
 * is empty and {@link #summary()} says so.
 */
public final class VcpuResult {
  private final String domain;
  private final int requested;
  private final Scope scope;
  private final Verification verification;
  private final VcpuCount before;
  private final VcpuCount after;
  private final List<OperationStep> steps;
  private final int attempts;
  private final Duration elapsed;
  private final List<String> warnings;

  VcpuResult(String domain, int requested, Scope scope, Verification verification, VcpuCount before,
      VcpuCount after, List<OperationStep> steps, int attempts, Duration elapsed, List<String> warnings) {
    this.domain = Objects.requireNonNull(domain);
    this.requested = requested;
    this.scope = Objects.requireNonNull(scope);
    this.verification = Objects.requireNonNull(verification);
    this.before = Objects.requireNonNull(before);
    this.after = Objects.requireNonNull(after);
    this.steps = List.copyOf(steps);
    this.attempts = attempts;
    this.elapsed = Objects.requireNonNull(elapsed);
    this.warnings = List.copyOf(warnings);
  }

  /** {@return the domain's name} */
  public String domain() {
    return domain;
  }

  /** {@return the total number of vCPUs asked for} */
  public int requested() {
    return requested;
  }

  /** {@return where the change was asked to apply} */
  public Scope scope() {
    return scope;
  }

  /** {@return the verification policy used} */
  public Verification verification() {
    return verification;
  }

  /**
   * {@return the counts read before any change, for the sides in scope only: a {@link Scope#LIVE} change
   * does not read the persistent definition, so its config rows are absent here (use
   * {@link DomainHandle#vcpuCount()} for the whole table)}
   */
  public VcpuCount before() {
    return before;
  }

  /**
   * {@return the counts after the change, for the sides in scope only (as {@link #before()}): as the
   * verification read them; with {@link Verification#NONE} the counts expected, not read back}
   */
  public VcpuCount after() {
    return after;
  }

  /** {@return the libvirt calls made, in order; empty for a no-op} */
  public List<OperationStep> steps() {
    return steps;
  }

  /** {@return whether anything was changed} */
  public boolean changed() {
    return !steps.isEmpty();
  }

  /** {@return how many times the state was read while verifying (0 with {@link Verification#NONE} or a no-op)} */
  public int attempts() {
    return attempts;
  }

  /** {@return wall time of the whole operation, checks and verification included} */
  public Duration elapsed() {
    return elapsed;
  }

  /** {@return things the caller should know that did not make the operation fail} */
  public List<String> warnings() {
    return warnings;
  }

  /** {@return one line: what changed, or that nothing needed to} */
  public String summary() {
    if (!changed()) {
      return "domain " + SafeText.quote(domain) + " already has " + requested + " vCPU(s) (" + scope.virshFlags()
          + "): nothing changed";
    }
    StringBuilder sb = new StringBuilder("domain ").append(SafeText.quote(domain)).append(": ");
    for (int i = 0; i < steps.size(); i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(steps.get(i).detail()).append(' ').append(steps.get(i).scope().virshFlags());
    }
    sb.append(" (verified: ").append(verification.kind().name().toLowerCase(java.util.Locale.ROOT)).append(')');
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
