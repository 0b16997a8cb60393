package dev.vmhotplug.core;

import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link DomainHandle#prepare(HotplugLimits)} did to the persistent definition: the changes
 * (one human-readable line each), whether it was redefined, and what the caller must do next.
 *
 * <p>The changes take effect at the next <em>cold boot</em> of the domain (shut it down, then
 * start it); a reboot from inside the guest keeps running the old definition. When the domain was
 * already prepared for the limits, nothing is defined and {@link #changed()} is false.
 * {@link #thenColdBoot()} is that cold boot, done only when needed:
 * <pre>{@code
 * domain.prepare(limits).thenColdBoot().shutdownTimeout(Duration.ofMinutes(2)).apply();
 * domain.vcpus().set(16).live().config().apply();
 * }</pre>
 */
public final class PrepareResult {
  private final String domain;
  private final HotplugLimits limits;
  private final List<String> changes;
  private final boolean running;
  private final Duration elapsed;
  private final List<String> warnings;
  private final DomainHandle handle;

  PrepareResult(DomainHandle handle, String domain, HotplugLimits limits, List<String> changes, boolean running,
      Duration elapsed, List<String> warnings) {
    this.handle = Objects.requireNonNull(handle);
    this.domain = Objects.requireNonNull(domain);
    this.limits = Objects.requireNonNull(limits);
    this.changes = List.copyOf(changes);
    this.running = running;
    this.elapsed = Objects.requireNonNull(elapsed);
    this.warnings = List.copyOf(warnings);
  }

  /** {@return the domain's name} */
  public String domain() {
    return domain;
  }

  /** {@return the limits asked for} */
  public HotplugLimits limits() {
    return limits;
  }

  /** {@return what changed in the persistent definition, one line per element; empty when nothing did} */
  public List<String> changes() {
    return changes;
  }

  /** {@return whether the definition was changed (and redefined with {@code virDomainDefineXML})} */
  public boolean changed() {
    return !changes.isEmpty();
  }

  /** {@return whether the domain must be shut down and started for the changes to apply (changed and running)} */
  public boolean coldBootNeeded() {
    return changed() && running;
  }

  /** {@return the libvirt step taken: one {@code defineXML} on the config, or none} */
  public List<OperationStep> steps() {
    return changed()
        ? List.of(new OperationStep("defineXML", Scope.CONFIG, changes.size() + " change(s) for " + limits))
        : List.of();
  }

  /**
   * The cold boot this preparation needs: {@code domain.coldBoot().after(this)}. Its
   * {@link ColdBoot#apply()} shuts the domain down and starts it only when {@link #coldBootNeeded()}
   * (else it returns a {@link ColdBootResult.Outcome#SKIPPED} result without touching the domain);
   * set {@link ColdBoot#shutdownTimeout(Duration)} or {@link ColdBoot#forceOffAfterTimeout()} on it
   * as on any cold boot.
   *
   * @return the cold boot request for the prepared domain
   */
  public ColdBoot thenColdBoot() {
    return handle.coldBoot().after(this);
  }

  /** {@return things the caller should know that did not make the operation fail (e.g. a connection loss that was reconciled)} */
  public List<String> warnings() {
    return warnings;
  }

  /** {@return wall time of the whole operation} */
  public Duration elapsed() {
    return elapsed;
  }

  /** {@return what was done and what to do next, in words} */
  public String summary() {
    if (!changed()) {
      return "domain " + SafeText.quote(domain) + " is already prepared for " + limits + ": nothing changed, nothing defined";
    }
    String next = running
        ? "They take effect at the next cold boot: shut the domain down and start it (virsh shutdown " + domain
            + "; virsh start " + domain + "); a reboot inside the guest is not enough"
        : "They take effect when the domain is next started (virsh start " + domain + ")";
    return "domain " + SafeText.quote(domain) + ": persistent definition changed (" + String.join("; ", changes) + "). " + next + ".";
  }

  @Override
  public String toString() {
    return summary();
  }
}
