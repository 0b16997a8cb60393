package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The steps a desired-state call ({@link DesiredState}) takes to reach the wanted vCPU count and
 * memory total from what the domain has now. Empty when the domain is already there: applying it
 * changes nothing. An immutable value; computing it changes nothing (dry run).
 *
 * <p>The plan is what runs: {@link DesiredState#apply(EnsurePlan)} executes exactly its
 * {@link #calls()}, in order, and refuses with {@link Refusal#STALE_PLAN} when the domain changed
 * since the plan was made in anything the plan read ({@link #fingerprint()}: vCPU counts, memory
 * totals and maximum, memory devices (a virtio-mem device's requested and current size included),
 * NUMA cells, running and persistent).
 */
public final class EnsurePlan {

  /** What a step does. */
  public enum Kind {
    /** Set the vCPU count ({@code virsh setvcpus}). */
    SET_VCPUS,
    /** Hot-add DIMM(s) ({@code virsh attach-device}). */
    ADD_MEMORY,
    /** Hot-remove DIMM(s) ({@code virsh detach-device}). */
    REMOVE_MEMORY,
    /**
     * Grow or shrink a virtio-mem device's requested size ({@code virsh update-memory-device
     * --requested-size}), one {@code updateDeviceFlags} per scope.
     */
    RESIZE_MEMORY
  }

  /**
   * One step.
   *
   * @param kind what it does
   * @param scope where it applies (only the sides that differ from the target)
   * @param vcpus the vCPU count set, for {@link Kind#SET_VCPUS}
   * @param memory the memory plan, for the memory kinds
   * @param description in words, e.g. {@code "vCPUs 2 -> 4 (setvcpus --live --config)"}
   */
  public record Step(Kind kind, Scope scope, OptionalInt vcpus, Optional<MemoryPlan> memory, String description) {
    /**
     * Validates that no component is null.
     *
     * @param kind what it does
     * @param scope where it applies (only the sides that differ from the target)
     * @param vcpus the vCPU count set, for {@link Kind#SET_VCPUS}
     * @param memory the memory plan, for the memory kinds
     * @param description in words, e.g. {@code "vCPUs 2 -> 4 (setvcpus --live --config)"}
     */
    public Step {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(vcpus, "vcpus");
      Objects.requireNonNull(memory, "memory");
      Objects.requireNonNull(description, "description");
    }

    @Override
    public String toString() {
      return description;
    }
  }

  private final String domain;
  private final String uuid;
  private final Scope scope;
  private final OptionalInt wantedVcpus;
  private final Optional<MemorySize> wantedMemory;
  private final List<Step> steps;
  private final List<OperationStep> calls;
  private final List<String> satisfied;
  private final String fingerprint;

  EnsurePlan(String domain, String uuid, Scope scope, OptionalInt wantedVcpus, Optional<MemorySize> wantedMemory,
      List<Step> steps, List<OperationStep> calls, List<String> satisfied, String fingerprint) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.uuid = Objects.requireNonNull(uuid, "uuid");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.wantedVcpus = Objects.requireNonNull(wantedVcpus, "wantedVcpus");
    this.wantedMemory = Objects.requireNonNull(wantedMemory, "wantedMemory");
    this.steps = List.copyOf(steps);
    this.calls = List.copyOf(calls);
    this.satisfied = List.copyOf(satisfied);
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** {@return the domain name} */
  public String domain() {
    return domain;
  }

  /** {@return the domain's UUID (a plan applies to this domain only)} */
  public String uuid() {
    return uuid;
  }

  /** {@return the scope asked for} */
  public Scope scope() {
    return scope;
  }

  /** {@return the vCPU count asked for (the total wanted); empty when only memory was asked} */
  public OptionalInt wantedVcpus() {
    return wantedVcpus;
  }

  /** {@return the memory total asked for; empty when only vCPUs were asked} */
  public Optional<MemorySize> wantedMemory() {
    return wantedMemory;
  }

  /** {@return the steps, in execution order (vCPUs first, then memory); empty when nothing is to do} */
  public List<Step> steps() {
    return steps;
  }

  /**
   * {@return the libvirt calls the steps make, in order: what {@link EnsureResult#steps()} holds after a
   * successful apply (one {@code setVcpusFlags}; one {@code attachDeviceFlags} or
   * {@code detachDeviceFlags} per DIMM; one {@code updateDeviceFlags} per scope for virtio-mem)}
   */
  public List<OperationStep> calls() {
    return calls;
  }

  /** {@return whether the domain already is in the desired state} */
  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /** {@return what already matches, one line each (e.g. {@code "vCPUs already 4 (live)"})} */
  public List<String> satisfied() {
    return satisfied;
  }

  /**
   * {@return a fingerprint (hex) of what the plan read from the domain; applying the plan re-reads the
   * domain and refuses when the fingerprint differs}
   */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ensure plan for " + SafeText.quote(domain) + " (" + scope.virshFlags() + "): ");
    b.append(steps.isEmpty() ? "nothing to do" : steps.size() + " step(s)").append('\n');
    for (String s : satisfied) {
      b.append("  ok: ").append(s).append('\n');
    }
    int i = 1;
    for (Step s : steps) {
      b.append("  ").append(i++).append(". ").append(s.description()).append('\n');
      if (s.memory().isPresent()) {
        for (String line : s.memory().get().toString().split("\n")) {
          b.append("     ").append(line).append('\n');
        }
      }
    }
    return b.toString();
  }
}
