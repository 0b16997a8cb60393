package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a memory change will do, computed before anything changes: the libvirt calls to make, in
 * order (each a {@link Step} holding the hotplug-xml {@link MemoryDevice} whose XML is sent, and the
 * reason it was chosen), the scope, and the memory totals ({@code <memory>}) before and after for
 * each scope that the change touches.
 *
 * <p>A plan is an immutable value. {@link MemoryChange#plan()} returns it without changing the
 * domain (dry run); {@link MemoryChange#apply()} makes the same plan from the same reads and then
 * executes exactly its steps.
 */
public final class MemoryPlan {

  /** Whether memory is added or removed. */
  public enum Operation {
    /** Hot-add: {@code virsh attach-device}. */
    ADD,
    /** Hot-remove: {@code virsh detach-device}. */
    REMOVE
  }

  /** The libvirt call of a step. */
  public enum Action {
    /** {@code virDomainAttachDeviceFlags} with the device's XML. */
    ATTACH("attachDeviceFlags"),
    /** {@code virDomainDetachDeviceFlags} with the device's (minimal) XML. */
    DETACH("detachDeviceFlags");

    private final String libvirtCall;

    Action(String libvirtCall) {
      this.libvirtCall = libvirtCall;
    }

    /** The libvirt call, as {@link OperationStep#action()} names it. */
    public String libvirtCall() {
      return libvirtCall;
    }
  }

  /**
   * One libvirt call of the plan.
   *
   * @param action attach or detach
   * @param device the memory device: for an attach the device added (its {@link MemoryDevice#toXml()}
   *     is the guide's DIMM XML), for a detach the minimal form libvirt matches (model, size, node)
   * @param slot for a detach, the slot of the DIMM libvirt will remove (absent when unknown); for an
   *     attach absent (libvirt chooses the slot)
   * @param reason why this device (size, node, choice) was planned, in words
   */
  public record Step(Action action, MemoryDevice device, OptionalInt slot, String reason) {
    /** Validates that no component is null and that the device has a size. */
    public Step {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(slot, "slot");
      Objects.requireNonNull(reason, "reason");
      if (device.targetSize().isEmpty()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a memory plan step needs a device with a"
            + " <target><size>, got " + device);
      }
    }

    /** The device's size ({@code <target><size>}). */
    public MemorySize size() {
      return device.targetSize().orElseThrow();
    }

    /** The device's guest NUMA node ({@code <target><node>}, 0 when absent). */
    public int node() {
      return device.targetNode().orElse(0);
    }

    /** The exact device XML passed to {@code attachDeviceFlags} / {@code detachDeviceFlags}. */
    public String xml() {
      return device.toXml();
    }

    /** The step in words: {@code attach DIMM 256 MiB node 0}, {@code detach DIMM 256 MiB node 0 (slot 1)}. */
    public String detail() {
      return (action == Action.ATTACH ? "attach " : "detach ") + label(device) + " " + size() + " node " + node()
          + (slot.isPresent() ? " (slot " + slot.getAsInt() + ")" : "");
    }

    private static String label(MemoryDevice d) {
      return "dimm".equals(d.model()) ? "DIMM" : d.model();
    }
  }

  private final String domain;
  private final Operation operation;
  private final Scope scope;
  private final MemorySize requested;
  private final List<Step> steps;
  private final Optional<MemorySize> liveBefore;
  private final Optional<MemorySize> configBefore;
  private final List<String> notes;

  /**
   * Creates a plan (normally done by the planner; public so that tests and tools can build one).
   *
   * @param domain the domain name
   * @param operation add or remove
   * @param scope the scope the change applies to
   * @param requested the amount the caller asked for
   * @param steps the libvirt calls, in order (at least one)
   * @param liveBefore the live {@code <memory>} total, present when the scope includes live
   * @param configBefore the persistent {@code <memory>} total, present when the scope includes config
   * @param notes explanation lines (how the devices were chosen)
   * @throws InvalidArgumentException when {@code steps} is empty
   * @throws NullPointerException when an argument is null
   */
  public MemoryPlan(
      String domain,
      Operation operation,
      Scope scope,
      MemorySize requested,
      List<Step> steps,
      Optional<MemorySize> liveBefore,
      Optional<MemorySize> configBefore,
      List<String> notes) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.requested = Objects.requireNonNull(requested, "requested");
    this.steps = List.copyOf(steps);
    if (this.steps.isEmpty()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a memory plan needs at least one step");
    }
    this.liveBefore = Objects.requireNonNull(liveBefore, "liveBefore");
    this.configBefore = Objects.requireNonNull(configBefore, "configBefore");
    this.notes = List.copyOf(notes);
  }

  /** The domain name. */
  public String domain() {
    return domain;
  }

  /** Add or remove. */
  public Operation operation() {
    return operation;
  }

  /** The scope: live, config, or both (one libvirt call with both flags per step). */
  public Scope scope() {
    return scope;
  }

  /** The amount the caller asked to add or remove. */
  public MemorySize requested() {
    return requested;
  }

  /** The libvirt calls, in execution order. */
  public List<Step> steps() {
    return steps;
  }

  /** The sum of the step sizes (always equal to {@link #requested()}). */
  public MemorySize total() {
    MemorySize sum = MemorySize.ofBytes(0);
    for (Step s : steps) {
      sum = sum.plus(s.size());
    }
    return sum;
  }

  /** The live {@code <memory>} total before the change; empty when the scope has no live part. */
  public Optional<MemorySize> liveMemoryBefore() {
    return liveBefore;
  }

  /** The live {@code <memory>} total expected after the change; empty when not live. */
  public Optional<MemorySize> liveMemoryAfter() {
    return liveBefore.map(this::after);
  }

  /** The persistent {@code <memory>} total before the change; empty when the scope has no config part. */
  public Optional<MemorySize> configMemoryBefore() {
    return configBefore;
  }

  /** The persistent {@code <memory>} total expected after the change; empty when not config. */
  public Optional<MemorySize> configMemoryAfter() {
    return configBefore.map(this::after);
  }

  private MemorySize after(MemorySize before) {
    return operation == Operation.ADD ? before.plus(total()) : before.minus(total());
  }

  /** How the devices were chosen, one line each. */
  public List<String> notes() {
    return notes;
  }

  /** A readable summary: the operation, totals, each step with its reason and XML. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(operation == Operation.ADD ? "attach " : "detach ")
        .append(steps.size())
        .append(steps.size() == 1 ? " DIMM" : " DIMMs")
        .append(" (")
        .append(total())
        .append(") ")
        .append(operation == Operation.ADD ? "to" : "from")
        .append(" domain ")
        .append(SafeText.quote(domain))
        .append(", scope ")
        .append(scope)
        .append('\n');
    liveBefore.ifPresent(
        m -> b.append("  live memory:   ").append(m).append(" -> ").append(after(m)).append('\n'));
    configBefore.ifPresent(
        m -> b.append("  config memory: ").append(m).append(" -> ").append(after(m)).append('\n'));
    for (String n : notes) {
      b.append("  note: ").append(n).append('\n');
    }
    int i = 1;
    for (Step s : steps) {
      b.append("  DIMM ").append(i++).append(": ").append(s.size()).append(" on node ").append(s.node());
      s.slot().ifPresent(x -> b.append(", slot ").append(x));
      b.append(" (").append(s.reason()).append(")\n");
      for (String line : s.xml().split("\n")) {
        b.append("    ").append(line).append('\n');
      }
    }
    return b.toString();
  }
}
