package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a memory change will do, computed before anything changes: the model ({@link #model()}: DIMMs
 * or virtio-mem), the libvirt calls to make, in order (each a {@link Step} holding the hotplug-xml
 * {@link MemoryDevice} whose XML is sent, and the reason it was chosen), the scope, and the memory
 * totals before and after for each scope that the change touches.
 *
 * <p>For DIMMs the totals are {@code <memory>} (which grows and shrinks with the DIMMs). For
 * virtio-mem they are the memory given to the guest: {@code <memory>} counts each virtio-mem
 * device's whole {@code <size>} whatever is plugged, so the plan counts its {@code <requested>}
 * size instead (boot memory + DIMMs + every virtio-mem device's requested size). A virtio-mem plan
 * has one {@link Action#UPDATE} step per scope whose requested size changes (libvirt 9.0 refuses
 * live and config in one call), each with the device as that side's XML has it; it has no step when
 * the devices already have the requested size.
 *
 * <p>A plan is an immutable value. {@link MemoryChange#plan()} returns it without changing the
 * domain (dry run); {@link MemoryChange#apply()} makes the same plan from the same reads and then
 * executes exactly its steps.
 */
public final class MemoryPlan {

  /** Whether memory is added, removed, or a virtio-mem device set to a requested size. */
  public enum Operation {
    /** Hot-add: {@code virsh attach-device} (DIMM), or a virtio-mem device's requested size grows by the amount. */
    ADD,
    /** Hot-remove: {@code virsh detach-device} (DIMM), or a virtio-mem device's requested size shrinks by the amount. */
    REMOVE,
    /** A virtio-mem device's requested size is set ({@code virsh update-memory-device --requested-size}). */
    RESIZE
  }

  /** The libvirt call of a step. */
  public enum Action {
    /** {@code virDomainAttachDeviceFlags} with the device's XML. */
    ATTACH("attachDeviceFlags"),
    /** {@code virDomainDetachDeviceFlags} with the device's (minimal) XML. */
    DETACH("detachDeviceFlags"),
    /**
     * {@code virDomainUpdateDeviceFlags} with the virtio-mem device as its side's XML has it (alias
     * and address kept), only {@code <requested>} changed; one scope per call.
     */
    UPDATE("updateDeviceFlags");

    private final String libvirtCall;

    Action(String libvirtCall) {
      this.libvirtCall = libvirtCall;
    }

    /** {@return the libvirt call, as {@link OperationStep#action()} names it} */
    public String libvirtCall() {
      return libvirtCall;
    }
  }

  /**
   * One libvirt call of the plan.
   *
   * @param action attach, detach or update
   * @param device the memory device: for an attach the device added (its {@link MemoryDevice#toXml()}
   *     is the guide's DIMM XML), for a detach the minimal form libvirt matches (model, size, node),
   *     for an update the virtio-mem device with its new {@code <requested>} size, as its side's XML
   *     has it otherwise (alias, address)
   * @param slot for a detach, the slot of the DIMM libvirt will remove (absent when unknown); for an
   *     attach or update absent
   * @param reason why this device (size, node, choice) was planned, in words
   * @param scope the scope of this call when it differs from the plan's: present for every update
   *     ({@code LIVE} or {@code CONFIG}, one call each), empty for attach and detach (the plan's scope)
   * @param from for an update, the device's requested size before the call; empty otherwise
   */
  public record Step(Action action, MemoryDevice device, OptionalInt slot, String reason, Optional<Scope> scope,
      Optional<MemorySize> from) {
    /**
     * Validates that no component is null, that the device has a size, and that an update names
     * one side and its size before, on a virtio-mem device with a requested size.
     *
     * @param action attach, detach or update
     * @param device the memory device: for an attach the device added (its {@link MemoryDevice#toXml()}
     *     is the guide's DIMM XML), for a detach the minimal form libvirt matches (model, size, node),
     *     for an update the virtio-mem device with its new {@code <requested>} size, as its side's XML
     *     has it otherwise (alias, address)
     * @param slot for a detach, the slot of the DIMM libvirt will remove (absent when unknown); for an
     *     attach or update absent
     * @param reason why this device (size, node, choice) was planned, in words
     * @param scope the scope of this call when it differs from the plan's: present for every update
     *     ({@code LIVE} or {@code CONFIG}, one call each), empty for attach and detach (the plan's scope)
     * @param from for an update, the device's requested size before the call; empty otherwise
     */
    public Step {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(slot, "slot");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(from, "from");
      if (device.targetSize().isEmpty()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a memory plan step needs a device with a"
            + " <target><size>, got " + device);
      }
      if (action == Action.UPDATE) {
        if (!"virtio-mem".equals(device.model()) || device.requestedSize().isEmpty()) {
          throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "an update step needs a virtio-mem device"
              + " with a <target><requested> size, got " + device);
        }
        if (scope.isEmpty() || scope.get() == Scope.LIVE_AND_CONFIG || from.isEmpty()) {
          throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "an update step needs one scope (LIVE or"
              + " CONFIG: libvirt 9.0 refuses both in one call) and the requested size before, got scope " + scope
              + " from " + from);
        }
      }
    }

    /**
     * An attach or detach step in the plan's scope.
     *
     * @param action attach or detach
     * @param device the device
     * @param slot the slot (detach), or empty
     * @param reason why
     */
    public Step(Action action, MemoryDevice device, OptionalInt slot, String reason) {
      this(action, device, slot, reason, Optional.empty(), Optional.empty());
    }

    /**
     * An update of a virtio-mem device's requested size on one side.
     *
     * @param device the device as its side's XML has it, with the new requested size
     *     ({@link MemoryDevice#withRequested(MemorySize)})
     * @param side {@link Scope#LIVE} or {@link Scope#CONFIG}
     * @param from the requested size before
     * @param reason why
     * @return the step
     * @throws InvalidArgumentException when the device is not a virtio-mem device with a requested
     *     size, or the side is both
     */
    public static Step update(MemoryDevice device, Scope side, MemorySize from, String reason) {
      return new Step(Action.UPDATE, device, OptionalInt.empty(), reason, Optional.of(side), Optional.of(from));
    }

    /** {@return the device's size ({@code <target><size>}): the DIMM's size, or the virtio-mem device's maximum} */
    public MemorySize size() {
      return device.targetSize().orElseThrow();
    }

    /** {@return the device's guest NUMA node ({@code <target><node>}, 0 when absent)} */
    public int node() {
      return device.targetNode().orElse(0);
    }

    /** {@return for an update, the requested size the call sets; empty for attach and detach} */
    public Optional<MemorySize> requestedAfter() {
      return action == Action.UPDATE ? device.requestedSize() : Optional.empty();
    }

    /**
     * The scope of this call.
     *
     * @param planScope the plan's scope
     * @return the step's own scope when it has one, else the plan's
     */
    public Scope scopeIn(Scope planScope) {
      return scope.orElse(planScope);
    }

    /**
     * {@return the exact device XML passed to {@code attachDeviceFlags} / {@code detachDeviceFlags} /
     * {@code updateDeviceFlags}}
     */
    public String xml() {
      return device.toXml();
    }

    /**
     * {@return the step in words: {@code attach DIMM 256 MiB node 0}, {@code detach DIMM 256 MiB node 0 (slot 1)},
     * {@code update virtio-mem node 0 (virtiomem0) requested 256 MiB -> 768 MiB}}
     */
    public String detail() {
      if (action == Action.UPDATE) {
        return "update virtio-mem node " + node() + device.alias().map(a -> " (" + SafeText.escape(a, 40) + ")")
            .orElse("") + " requested " + from.orElseThrow() + " -> " + device.requestedSize().orElseThrow();
      }
      return (action == Action.ATTACH ? "attach " : "detach ") + label(device) + " " + size() + " node " + node()
          + (slot.isPresent() ? " (slot " + slot.getAsInt() + ")" : "");
    }

    private static String label(MemoryDevice d) {
      return "dimm".equals(d.model()) ? "DIMM" : d.model();
    }
  }

  private final String domain;
  private final MemoryModel model;
  private final Operation operation;
  private final Scope scope;
  private final MemorySize requested;
  private final List<Step> steps;
  private final Optional<MemorySize> liveBefore;
  private final Optional<MemorySize> configBefore;
  private final Optional<MemorySize> liveAfter;
  private final Optional<MemorySize> configAfter;
  private final List<String> notes;

  /**
   * Creates a DIMM plan (normally done by the planner; public so that tests and tools can build one).
   *
   * @param domain the domain name
   * @param operation add or remove
   * @param scope the scope the change applies to
   * @param requested the amount the caller asked for
   * @param steps the libvirt calls, in order (at least one)
   * @param liveBefore the live {@code <memory>} total, present when the scope includes live
   * @param configBefore the persistent {@code <memory>} total, present when the scope includes config
   * @param notes explanation lines (how the devices were chosen)
   * @throws InvalidArgumentException when {@code steps} is empty, or the operation is RESIZE
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
    this(domain, MemoryModel.DIMM, operation, scope, requested, steps, liveBefore, configBefore,
        Objects.requireNonNull(liveBefore, "liveBefore").map(m -> dimmAfter(operation, m, steps)),
        Objects.requireNonNull(configBefore, "configBefore").map(m -> dimmAfter(operation, m, steps)), notes);
  }

  /**
   * Creates a plan of either model with its totals after the change given (normally done by the
   * planner).
   *
   * @param domain the domain name
   * @param model DIMM or virtio-mem
   * @param operation add, remove, or (virtio-mem) resize
   * @param scope the scope the change applies to
   * @param requested the amount the caller asked to add or remove, or (resize) the requested size asked for
   * @param steps the libvirt calls, in order: at least one for DIMMs; for virtio-mem only updates,
   *     possibly none (nothing to change)
   * @param liveBefore the live total before (see the class comment), present when the scope includes live
   * @param configBefore the persistent total before, present when the scope includes config
   * @param liveAfter the live total after, present exactly when {@code liveBefore} is
   * @param configAfter the persistent total after, present exactly when {@code configBefore} is
   * @param notes explanation lines (the model and the devices chosen)
   * @throws InvalidArgumentException when the steps do not fit the model (a DIMM plan without a step
   *     or with an update; a virtio-mem plan with an attach or detach; RESIZE for DIMMs), or an after
   *     total is missing or superfluous
   * @throws NullPointerException when an argument is null
   */
  public MemoryPlan(
      String domain,
      MemoryModel model,
      Operation operation,
      Scope scope,
      MemorySize requested,
      List<Step> steps,
      Optional<MemorySize> liveBefore,
      Optional<MemorySize> configBefore,
      Optional<MemorySize> liveAfter,
      Optional<MemorySize> configAfter,
      List<String> notes) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.model = Objects.requireNonNull(model, "model");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.requested = Objects.requireNonNull(requested, "requested");
    this.steps = List.copyOf(steps);
    this.liveBefore = Objects.requireNonNull(liveBefore, "liveBefore");
    this.configBefore = Objects.requireNonNull(configBefore, "configBefore");
    this.liveAfter = Objects.requireNonNull(liveAfter, "liveAfter");
    this.configAfter = Objects.requireNonNull(configAfter, "configAfter");
    this.notes = List.copyOf(notes);
    if (model == MemoryModel.DIMM) {
      if (this.steps.isEmpty()) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a memory plan needs at least one step");
      }
      if (operation == Operation.RESIZE || this.steps.stream().anyMatch(x -> x.action() == Action.UPDATE)) {
        throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a DIMM plan attaches or detaches DIMMs;"
            + " resizing (update) is for virtio-mem plans");
      }
    } else if (this.steps.stream().anyMatch(x -> x.action() != Action.UPDATE)) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a virtio-mem plan only updates the devices'"
          + " requested size; DIMMs are attached and detached by DIMM plans");
    }
    if (liveBefore.isPresent() != liveAfter.isPresent() || configBefore.isPresent() != configAfter.isPresent()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "a memory plan needs the total after for each"
          + " side it has the total before (live " + liveBefore.isPresent() + "/" + liveAfter.isPresent()
          + ", config " + configBefore.isPresent() + "/" + configAfter.isPresent() + ")");
    }
  }

  private static MemorySize dimmAfter(Operation operation, MemorySize before, List<Step> steps) {
    MemorySize sum = MemorySize.ofBytes(0);
    for (Step s : steps) {
      sum = sum.plus(s.size());
    }
    return operation == Operation.ADD ? before.plus(sum) : before.minus(sum);
  }

  /** {@return the domain name} */
  public String domain() {
    return domain;
  }

  /** {@return DIMMs or virtio-mem: how the change is made (the notes say why this one)} */
  public MemoryModel model() {
    return model;
  }

  /** {@return add, remove, or (virtio-mem) resize to a requested size} */
  public Operation operation() {
    return operation;
  }

  /**
   * {@return the scope: live, config, or both (DIMMs: one libvirt call with both flags per step; virtio-mem:
   * one call per side, {@link Step#scope()})}
   */
  public Scope scope() {
    return scope;
  }

  /**
   * {@return the amount the caller asked to add or remove; for {@link Operation#RESIZE}, the requested size
   * the device is to have}
   */
  public MemorySize requested() {
    return requested;
  }

  /** {@return the libvirt calls, in execution order (a virtio-mem plan that changes nothing has none)} */
  public List<Step> steps() {
    return steps;
  }

  /** {@return whether the plan changes anything (always true for DIMM plans)} */
  public boolean changes() {
    return !steps.isEmpty();
  }

  /**
   * {@return the amount the change adds or removes: for DIMMs the sum of the step sizes (always equal to
   * {@link #requested()}); for virtio-mem the change of the requested size on the live side (on the
   * persistent side when the scope has no live part)}
   */
  public MemorySize total() {
    if (model == MemoryModel.DIMM) {
      MemorySize sum = MemorySize.ofBytes(0);
      for (Step s : steps) {
        sum = sum.plus(s.size());
      }
      return sum;
    }
    MemorySize before = liveBefore.orElseGet(() -> configBefore.orElseThrow());
    MemorySize after = liveAfter.orElseGet(() -> configAfter.orElseThrow());
    return after.compareTo(before) >= 0 ? after.minus(before) : before.minus(after);
  }

  /** {@return the live total before the change (see the class comment); empty when the scope has no live part} */
  public Optional<MemorySize> liveMemoryBefore() {
    return liveBefore;
  }

  /** {@return the live total expected after the change; empty when not live} */
  public Optional<MemorySize> liveMemoryAfter() {
    return liveAfter;
  }

  /** {@return the persistent total before the change; empty when the scope has no config part} */
  public Optional<MemorySize> configMemoryBefore() {
    return configBefore;
  }

  /** {@return the persistent total expected after the change; empty when not config} */
  public Optional<MemorySize> configMemoryAfter() {
    return configAfter;
  }

  /** This plan with a note in front of the others (the model choice). */
  MemoryPlan withFirstNote(String note) {
    List<String> n = new java.util.ArrayList<>(notes.size() + 1);
    n.add(note);
    n.addAll(notes);
    return new MemoryPlan(domain, model, operation, scope, requested, steps, liveBefore, configBefore, liveAfter,
        configAfter, n);
  }

  /** {@return how the model and the devices were chosen, one line each} */
  public List<String> notes() {
    return notes;
  }

  /** A readable summary: the operation, totals, each step with its reason and XML. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (model == MemoryModel.DIMM) {
      b.append(operation == Operation.ADD ? "attach " : "detach ")
          .append(steps.size())
          .append(steps.size() == 1 ? " DIMM" : " DIMMs")
          .append(" (")
          .append(total())
          .append(") ")
          .append(operation == Operation.ADD ? "to" : "from");
    } else {
      b.append("resize virtio-mem (")
          .append(operation == Operation.ADD ? "grow by " + requested : operation == Operation.REMOVE
              ? "shrink by " + requested : "requested " + requested)
          .append(steps.isEmpty() ? ", nothing to change" : ", " + steps.size() + (steps.size() == 1 ? " call" : " calls"))
          .append(") of");
    }
    b.append(" domain ")
        .append(SafeText.quote(domain))
        .append(", scope ")
        .append(scope)
        .append('\n');
    String unit = model == MemoryModel.DIMM ? "memory" : "memory given";
    liveBefore.ifPresent(m -> b.append("  live " + unit + ":   ").append(m).append(" -> ").append(liveAfter.orElseThrow())
        .append('\n'));
    configBefore.ifPresent(m -> b.append("  config " + unit + ": ").append(m).append(" -> ")
        .append(configAfter.orElseThrow()).append('\n'));
    for (String n : notes) {
      b.append("  note: ").append(n).append('\n');
    }
    int i = 1;
    for (Step s : steps) {
      if (s.action() == Action.UPDATE) {
        b.append("  call ").append(i++).append(": updateDeviceFlags ").append(s.scopeIn(scope).virshFlags())
            .append(": ").append(s.detail()).append(" (").append(s.reason()).append(")\n");
      } else {
        b.append("  DIMM ").append(i++).append(": ").append(s.size()).append(" on node ").append(s.node());
        s.slot().ifPresent(x -> b.append(", slot ").append(x));
        b.append(" (").append(s.reason()).append(")\n");
      }
      for (String line : s.xml().split("\n")) {
        b.append("    ").append(line).append('\n');
      }
    }
    return b.toString();
  }
}
