package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemorySize;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a memory change will do, computed before anything changes: the DIMMs to attach or detach
 * (each with the exact device XML sent to libvirt and the reason it was chosen), the scope, and the
 * memory totals ({@code <memory>}) before and after for each scope that the change touches.
 *
 * <p>A plan is an immutable value. {@link MemoryChange#plan()} returns it without changing the
 * domain (dry run); {@link MemoryChange#apply()} computes the same plan and then executes it.
 */
public final class MemoryPlan {

  /** Whether DIMMs are added or removed. */
  public enum Operation {
    /** Hot-add: {@code virsh attach-device}. */
    ADD,
    /** Hot-remove: {@code virsh detach-device}. */
    REMOVE
  }

  /**
   * One DIMM the plan attaches or detaches.
   *
   * @param size the DIMM size
   * @param node the guest NUMA node
   * @param slot for a removal, the slot the DIMM occupies in the live XML (absent when unknown);
   *     for an addition always absent (libvirt chooses the slot)
   * @param xml the exact device XML passed to attachDeviceFlags / detachDeviceFlags
   * @param reason why this DIMM (size, node, choice) was planned, in words
   */
  public record Dimm(MemorySize size, int node, OptionalInt slot, String xml, String reason) {
    /** Validates that no component is null. */
    public Dimm {
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(slot, "slot");
      Objects.requireNonNull(xml, "xml");
      Objects.requireNonNull(reason, "reason");
    }
  }

  private final String domain;
  private final Operation operation;
  private final Scope scope;
  private final MemorySize requested;
  private final List<Dimm> dimms;
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
   * @param dimms the DIMMs, in the order they are attached or detached (at least one)
   * @param liveBefore the live {@code <memory>} total, present when the scope includes live
   * @param configBefore the persistent {@code <memory>} total, present when the scope includes config
   * @param notes explanation lines (how the DIMMs were chosen)
   * @throws IllegalArgumentException when {@code dimms} is empty
   */
  public MemoryPlan(
      String domain,
      Operation operation,
      Scope scope,
      MemorySize requested,
      List<Dimm> dimms,
      Optional<MemorySize> liveBefore,
      Optional<MemorySize> configBefore,
      List<String> notes) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.requested = Objects.requireNonNull(requested, "requested");
    this.dimms = List.copyOf(dimms);
    if (this.dimms.isEmpty()) {
      throw new IllegalArgumentException("a memory plan needs at least one DIMM");
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

  /** The scope: live, config, or both (one libvirt call with both flags per DIMM). */
  public Scope scope() {
    return scope;
  }

  /** The amount the caller asked to add or remove. */
  public MemorySize requested() {
    return requested;
  }

  /** The DIMMs, in execution order. */
  public List<Dimm> dimms() {
    return dimms;
  }

  /** The sum of the DIMM sizes (always equal to {@link #requested()}). */
  public MemorySize total() {
    MemorySize sum = MemorySize.ofBytes(0);
    for (Dimm d : dimms) {
      sum = sum.plus(d.size());
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

  /** How the DIMMs were chosen, one line each. */
  public List<String> notes() {
    return notes;
  }

  /** A readable summary: the operation, totals, each DIMM with its reason and XML. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(operation == Operation.ADD ? "attach " : "detach ")
        .append(dimms.size())
        .append(dimms.size() == 1 ? " DIMM" : " DIMMs")
        .append(" (")
        .append(total())
        .append(") ")
        .append(operation == Operation.ADD ? "to" : "from")
        .append(" domain '")
        .append(domain)
        .append("', scope ")
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
    for (Dimm d : dimms) {
      b.append("  DIMM ").append(i++).append(": ").append(d.size()).append(" on node ").append(d.node());
      d.slot().ifPresent(s -> b.append(", slot ").append(s));
      b.append(" (").append(d.reason()).append(")\n");
      for (String line : d.xml().split("\n")) {
        b.append("    ").append(line).append('\n');
      }
    }
    return b.toString();
  }
}
