package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.MemoryModel;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Pure planning of virtio-mem resizes and of the choice between DIMMs and virtio-mem: parsed domain
 * XML + request → {@link MemoryPlan} (model {@link MemoryModel#VIRTIO_MEM}) or a
 * {@link PreconditionException} that says what was found, why it blocks and what to do. No libvirt
 * in here.
 *
 * <p>What it knows from libvirt 9.0 + QEMU 7.2 (docs/lab-virtio-mem.md): one device per NUMA node;
 * {@code <requested>} must be a multiple of the device's {@code <block>} and at most its
 * {@code <size>}; a resize is {@code virDomainUpdateDeviceFlags} with the device as that side's XML
 * has it (libvirt finds it by its address, and resizes it in QEMU through its alias), only
 * {@code <requested>} changed, one call per scope (live and config in one call fail).
 */
public final class VirtioMemPlanner {

  /** The {@code <memory model>} value of virtio-mem. */
  public static final String MODEL = "virtio-mem";

  private VirtioMemPlanner() {}

  /**
   * A virtio-mem resize request.
   *
   * @param operation ADD (grow the requested size by {@code size}), REMOVE (shrink it by {@code size})
   *     or RESIZE (set it to {@code size})
   * @param size the amount, or (RESIZE) the requested size wanted
   * @param node the device's NUMA node; empty = the only device (or the one the alias names)
   * @param alias the device's {@code <alias name>} (live XML); empty = by node
   * @param scope where the change goes
   */
  public record Request(MemoryPlan.Operation operation, MemorySize size, OptionalInt node, Optional<String> alias,
      Scope scope) {
    /**
     * Validates that no component is null.
     *
     * @param operation ADD (grow the requested size by {@code size}), REMOVE (shrink it by {@code size})
     *     or RESIZE (set it to {@code size})
     * @param size the amount, or (RESIZE) the requested size wanted
     * @param node the device's NUMA node; empty = the only device (or the one the alias names)
     * @param alias the device's {@code <alias name>} (live XML); empty = by node
     * @param scope where the change goes
     */
    public Request {
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(scope, "scope");
    }
  }

  /**
   * The virtio-mem devices of a definition, in document order.
   *
   * @param xml the parsed XML
   * @return the devices with {@code model='virtio-mem'}
   */
  public static List<MemoryDevice> devices(DomainXml xml) {
    List<MemoryDevice> out = new ArrayList<>();
    for (MemoryDevice d : xml.memoryDevices()) {
      if (MODEL.equals(d.model())) {
        out.add(d);
      }
    }
    return out;
  }

  /**
   * {@return whether the definition has at least one virtio-mem device}
   *
   * @param xml the domain definition
   */
  public static boolean hasVirtioMem(DomainXml xml) {
    return !devices(xml).isEmpty();
  }

  /**
   * The memory given to the guest: {@code <memory>} (which counts each virtio-mem device's whole
   * size) with every virtio-mem device counted at its requested size instead. Equal to
   * {@link MemoryPlanner#totalMemory(DomainXml)} for a domain without virtio-mem.
   *
   * @param xml the parsed XML
   * @return boot memory + DIMMs + the virtio-mem devices' requested sizes
   */
  public static MemorySize pluggedMemory(DomainXml xml) {
    MemorySize total = MemoryPlanner.totalMemory(xml);
    for (MemoryDevice d : devices(xml)) {
      MemorySize size = d.targetSize().orElse(MemorySize.ZERO);
      MemorySize req = d.requestedSize().orElse(MemorySize.ZERO);
      total = total.compareTo(size) >= 0 ? total.minus(size).plus(req) : total;
    }
    return total;
  }

  /**
   * Chooses the model of a memory change.
   *
   * @param asked the model the caller named, empty for the automatic choice
   * @param live the live XML when the scope includes live
   * @param config the inactive XML when the scope includes config
   * @return the model: the one asked, else virtio-mem when a definition in scope has a virtio-mem
   *     device, else DIMM
   */
  public static MemoryModel choose(Optional<MemoryModel> asked, Optional<DomainXml> live, Optional<DomainXml> config) {
    if (asked.isPresent()) {
      return asked.get();
    }
    boolean any = live.map(VirtioMemPlanner::hasVirtioMem).orElse(false)
        || config.map(VirtioMemPlanner::hasVirtioMem).orElse(false);
    return any ? MemoryModel.VIRTIO_MEM : MemoryModel.DIMM;
  }

  /**
   * The plan note that says which model was used and why.
   *
   * @param model the model chosen
   * @param asked whether the caller named it
   * @param live the live XML when read
   * @param config the inactive XML when read
   * @return one line
   */
  public static String modelNote(MemoryModel model, boolean asked, Optional<DomainXml> live,
      Optional<DomainXml> config) {
    DomainXml x = live.orElseGet(() -> config.orElseThrow());
    List<MemoryDevice> vms = devices(x);
    if (model == MemoryModel.VIRTIO_MEM) {
      return "model virtio-mem" + (asked ? " (as asked)" : "") + ": the domain has " + vms.size()
          + " virtio-mem device(s) (" + describe(vms) + "); resized with updateDeviceFlags, no DIMM slot used"
          + (asked ? "" : "; model(MemoryModel.DIMM) hot-plugs DIMMs instead");
    }
    return "model DIMM" + (asked ? " (as asked)" : "") + ": "
        + (vms.isEmpty() ? "the domain has no virtio-mem device" : "DIMMs although the domain has " + vms.size()
            + " virtio-mem device(s)") + "; each DIMM is attached with attachDeviceFlags and takes a slot";
  }

  /**
   * Plans a virtio-mem resize.
   *
   * @param request what to change
   * @param live the parsed live XML; required when the scope includes live
   * @param config the parsed inactive XML; required when the scope includes config
   * @return the plan: one update per side whose requested size changes (none when nothing changes)
   * @throws PreconditionException NOT_PREPARED (no virtio-mem device), NOT_SUPPORTED (a domain type,
   *     architecture or machine that cannot have one), NODE_OUT_OF_RANGE (no device on that node),
   *     INVALID_REQUEST (several devices and neither node nor alias; an unknown alias),
   *     ABOVE_MAX_MEMORY (above the device's size), NOT_BLOCK_ALIGNED (not a multiple of the
   *     device's block), NOTHING_TO_REMOVE (a shrink below 0)
   */
  public static MemoryPlan plan(Request request, Optional<DomainXml> live, Optional<DomainXml> config) {
    Scope scope = request.scope();
    List<Side> sides = new ArrayList<>(2);
    if (scope.includesLive()) {
      sides.add(new Side(Scope.LIVE, live.orElseThrow(() -> new IllegalArgumentException("scope " + scope
          + " needs the live XML"))));
    }
    if (scope.includesConfig()) {
      sides.add(new Side(Scope.CONFIG, config.orElseThrow(() -> new IllegalArgumentException("scope " + scope
          + " needs the inactive XML"))));
    }
    String name = sides.get(0).xml.name();
    for (Side s : sides) {
      if (!hasVirtioMem(s.xml)) {
        throw noDevice(s, name);
      }
    }
    // the device: chosen on the first side (live when in scope), the same device on the other
    MemoryDevice first = select(sides.get(0), name, request.node(), request.alias());
    List<MemoryDevice> chosen = new ArrayList<>();
    chosen.add(first);
    if (sides.size() == 2) {
      chosen.add(match(sides.get(0), first, sides.get(1), name));
    }

    List<MemoryPlan.Step> steps = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Optional<MemorySize> liveBefore = Optional.empty();
    Optional<MemorySize> liveAfter = Optional.empty();
    Optional<MemorySize> configBefore = Optional.empty();
    Optional<MemorySize> configAfter = Optional.empty();
    String how = request.alias().isPresent() ? "alias(" + SafeText.quote(request.alias().get()) + ") as asked"
        : request.node().isPresent() ? "node(" + request.node().getAsInt() + ") as asked"
        : "the domain's only virtio-mem device";
    for (int i = 0; i < sides.size(); i++) {
      Side s = sides.get(i);
      MemoryDevice d = chosen.get(i);
      MemorySize from = d.requestedSize().orElse(MemorySize.ZERO);
      MemorySize to = target(request, s, d, from, name);
      MemorySize plugged = pluggedMemory(s.xml);
      MemorySize after = plugged.minus(from).plus(to);
      if (s.side == Scope.LIVE) {
        liveBefore = Optional.of(plugged);
        liveAfter = Optional.of(after);
      } else {
        configBefore = Optional.of(plugged);
        configAfter = Optional.of(after);
      }
      if (to.equals(from)) {
        notes.add("the " + s.label() + " device on node " + d.targetNode().orElse(0) + " already has requested "
            + to + ": no call for " + s.side.virshFlags());
        continue;
      }
      String reason = how + "; the device as the " + s.label() + " XML has it"
          + (s.side == Scope.LIVE ? " (alias " + d.alias().map(a -> SafeText.quote(a)).orElse("none")
              + " and address: libvirt finds the device by its address and resizes it in QEMU through its alias)"
              : " (libvirt finds the device by its address)")
          + ", only <requested> changed";
      steps.add(MemoryPlan.Step.update(d.withRequested(to), s.side, from, reason));
      if (s.side == Scope.LIVE && d.alias().isEmpty()) {
        notes.add("the live device has no <alias>: libvirt's QEMU driver needs it to resize the device (without"
            + " it: qom-set on /machine/peripheral/(null)); drivers other than QEMU may not resize virtio-mem at all");
      }
      if (s.side == Scope.LIVE) {
        d.currentSize().ifPresent(c -> notes.add("the guest has plugged " + c + " of the " + from
            + " requested now (live <current>); the wait ends when <current> reaches " + to));
      }
    }
    if (steps.size() == 2) {
      notes.add("one updateDeviceFlags call per scope: libvirt 9.0 refuses --live --config in one update"
          + " ('memory not found'); live first, then the persistent definition");
    }
    boolean shrinks = steps.stream().anyMatch(x -> x.requestedAfter().orElseThrow().compareTo(x.from().orElseThrow()) < 0);
    if (shrinks) {
      notes.add("a shrink reaches the request only if the guest can unplug the memory: memory onlined"
          + " online_movable (memhp_default_state=online_movable or the MOVABLE udev rule) goes completely; memory"
          + " onlined 'online' (ZONE_NORMAL) may keep some blocks (in the lab a shrink to 0 stopped at 4 MiB), which"
          + " is reported with the numbers, not waited for forever");
    }
    if (steps.isEmpty()) {
      notes.add("nothing to change in scope " + scope.virshFlags());
    }
    return new MemoryPlan(name, MemoryModel.VIRTIO_MEM, request.operation(), scope, request.size(), steps,
        liveBefore, configBefore, liveAfter, configAfter, notes);
  }

  // ---------------------------------------------------------------- internals

  private record Side(Scope side, DomainXml xml) {
    String label() {
      return side == Scope.LIVE ? "live" : "persistent";
    }
  }

  private static MemorySize target(Request r, Side s, MemoryDevice d, MemorySize from, String name) {
    String q = SafeText.quote(name);
    int node = d.targetNode().orElse(0);
    MemorySize size = d.targetSize().orElseThrow(() -> refuse(Refusal.NOT_SUPPORTED, "the virtio-mem device on node "
        + node + " of domain " + q + " has no <target><size> in its " + s.label() + " definition: libvirt requires"
        + " one; check virsh dumpxml"));
    MemorySize block = d.blockSize().orElse(MemoryDevice.VIRTIO_MEM_X86_BLOCK);
    String dev = "the virtio-mem device on node " + node + d.alias().map(a -> " (" + SafeText.quote(a) + ")").orElse("")
        + " of domain " + q + " (" + s.label() + ")";
    MemorySize room = size.compareTo(from) > 0 ? size.minus(from) : MemorySize.ZERO;
    MemorySize to;
    switch (r.operation()) {
      case ADD:
        if (r.size().compareTo(room) > 0) {
          throw refuse(Refusal.ABOVE_MAX_MEMORY, "cannot add " + r.size() + " to " + dev + ": too large, "
              + from.plus(r.size()) + " would be above the device's size " + size + " (the most it can ever plug;"
              + " requested now " + from + ", room for " + room + "). Add at most " + room + ", or give the domain a"
              + " larger device: its size is fixed in the definition, so remove the device from the persistent XML,"
              + " raise maxMemory and prepare again (domain.prepare(HotplugLimits…maxMemory(…).virtioMem(true))),"
              + " then cold-boot");
        }
        to = from.plus(r.size());
        checkAligned(r.size(), block, dev, "the amount to add");
        break;
      case REMOVE:
        if (r.size().compareTo(from) > 0) {
          throw refuse(Refusal.NOTHING_TO_REMOVE, "cannot remove " + r.size() + " from " + dev + ": it has only "
              + from + " requested, and a virtio-mem device cannot shrink below 0. Remove at most " + from
              + (from.bytes() > 0 ? " (remove(" + from + ") or requested(0 B))" : " (nothing is plugged)")
              + "; memory that is not virtio-mem's (boot memory, DIMMs) is not removed this way");
        }
        to = from.minus(r.size());
        checkAligned(r.size(), block, dev, "the amount to remove");
        break;
      default:
        if (r.size().compareTo(size) > 0) {
          throw refuse(Refusal.ABOVE_MAX_MEMORY, "cannot set a requested size of " + r.size() + " on " + dev
              + ": too large, above the device's size " + size + " (the most it can ever plug). Ask for at most "
              + size + ", or give the domain a larger device (its size is fixed in the definition: remove the device"
              + " from the persistent XML, raise maxMemory, prepare again with virtioMem(true), cold boot)");
        }
        to = r.size();
        checkAligned(r.size(), block, dev, "the requested size");
    }
    return to;
  }

  private static void checkAligned(MemorySize s, MemorySize block, String dev, String what) {
    if (!s.isMultipleOf(block)) {
      long b = block.bytes();
      long down = s.bytes() / b * b;
      boolean upFits = down <= Long.MAX_VALUE - b;
      String suggestion = (down > 0 ? MemorySize.ofBytes(down) + (upFits ? " or " : "") : "")
          + (upFits ? MemorySize.ofBytes(down + b).toString() : "");
      throw refuse(Refusal.NOT_BLOCK_ALIGNED, what + " " + s + " for " + dev + " is not a multiple of the device's"
          + " block size " + block + " (<target><block>): virtio-mem plugs whole blocks and libvirt refuses it"
          + " ('requested size must be an integer multiple of block size'). Use " + suggestion);
    }
  }

  /** The device of the first side: by alias, by node, or the only one. */
  private static MemoryDevice select(Side s, String name, OptionalInt node, Optional<String> alias) {
    String q = SafeText.quote(name);
    List<MemoryDevice> vms = devices(s.xml);
    if (alias.isPresent()) {
      List<MemoryDevice> byAlias = new ArrayList<>();
      for (MemoryDevice d : vms) {
        if (alias.get().equals(d.alias().orElse(null))) {
          byAlias.add(d);
        }
      }
      if (byAlias.size() != 1) {
        throw refuse(Refusal.INVALID_REQUEST, "domain " + q + " has no virtio-mem device with alias "
            + SafeText.quote(alias.get()) + " in its " + s.label() + " definition (its virtio-mem devices: "
            + describe(vms) + ")" + (s.side == Scope.CONFIG ? "; the persistent definition usually has no aliases:"
                + " choose the device with node(N) instead" : "") + ". Use one of the aliases listed, or node(N)");
      }
      MemoryDevice d = byAlias.get(0);
      if (node.isPresent() && d.targetNode().orElse(0) != node.getAsInt()) {
        throw refuse(Refusal.INVALID_REQUEST, "the virtio-mem device " + SafeText.quote(alias.get()) + " of domain "
            + q + " is on node " + d.targetNode().orElse(0) + ", not on node " + node.getAsInt()
            + ": give node(N) or alias(A), not two that disagree");
      }
      return d;
    }
    if (node.isPresent()) {
      List<MemoryDevice> onNode = new ArrayList<>();
      for (MemoryDevice d : vms) {
        if (d.targetNode().orElse(0) == node.getAsInt()) {
          onNode.add(d);
        }
      }
      if (onNode.isEmpty()) {
        throw refuse(Refusal.NODE_OUT_OF_RANGE, "domain " + q + " has no virtio-mem device on NUMA node "
            + node.getAsInt() + " in its " + s.label() + " definition (virtio-mem devices: " + describe(vms)
            + "): use node(" + vms.get(0).targetNode().orElse(0) + ")"
            + (vms.size() > 1 ? " or another listed node" : "") + ". A node gets its device from"
            + " domain.prepare(HotplugLimits…virtioMem(true)) (one per NUMA cell that has none) and a cold boot");
      }
      if (onNode.size() > 1) {
        throw refuse(Refusal.INVALID_REQUEST, "domain " + q + " has " + onNode.size() + " virtio-mem devices on node "
            + node.getAsInt() + " (" + describe(onNode) + "): choose one with alias(A)");
      }
      return onNode.get(0);
    }
    if (vms.size() > 1) {
      throw refuse(Refusal.INVALID_REQUEST, "domain " + q + " has " + vms.size() + " virtio-mem devices ("
          + describe(vms) + "): choose one with node(N) or alias(A), as virsh update-memory-device asks for --node"
          + " or --alias");
    }
    return vms.get(0);
  }

  /** The device of the second side that is the first side's device: same node and size, same rank. */
  private static MemoryDevice match(Side a, MemoryDevice d, Side b, String name) {
    int rank = 0;
    for (MemoryDevice x : devices(a.xml)) {
      if (x == d || x.equals(d)) {
        break;
      }
      if (x.sameDevice(d)) {
        rank++;
      }
    }
    List<MemoryDevice> same = new ArrayList<>();
    for (MemoryDevice x : devices(b.xml)) {
      if (x.sameDevice(d)) {
        same.add(x);
      }
    }
    if (same.size() <= rank) {
      throw refuse(Refusal.INVALID_REQUEST, "the virtio-mem device on node " + d.targetNode().orElse(0) + " ("
          + d.targetSize().map(String::valueOf).orElse("?") + ") of domain " + SafeText.quote(name) + " is in the "
          + a.label() + " definition but not in the " + b.label() + " one (its virtio-mem devices: "
          + describe(devices(b.xml)) + "): resize each side alone (live() or config()), see drift()");
    }
    return same.get(rank);
  }

  private static PreconditionException noDevice(Side s, String name) {
    DomainXml x = s.xml;
    String q = SafeText.quote(name);
    String type = x.type();
    if (!(type.equals("kvm") || type.equals("qemu") || type.equals("test"))) {
      return refuse(Refusal.NOT_SUPPORTED, "domain " + q + " is of type " + SafeText.quote(type) + ", which cannot"
          + " have virtio-mem (a QEMU/KVM device): hot-plug memory the way its hypervisor does, nothing was changed");
    }
    if (!type.equals("test")) {
      String arch = x.osArch().orElse("x86_64");
      if (!arch.equals("x86_64")) {
        return refuse(Refusal.NOT_SUPPORTED, "domain " + q + " has no virtio-mem device and cannot get one here: its"
            + " <os><type arch> is " + SafeText.quote(arch) + " (the SDK supports virtio-mem on x86_64 guests, as"
            + " QEMU 7.2 and Linux's virtio_mem driver do). Hot-plug DIMMs instead: memory().model(MemoryModel.DIMM)");
      }
      String machine = x.machine().orElse("pc");
      if (!(machine.equals("pc") || machine.startsWith("pc-") || machine.equals("q35"))) {
        return refuse(Refusal.NOT_SUPPORTED, "domain " + q + " has no virtio-mem device and cannot get one: its"
            + " machine " + SafeText.quote(machine) + " is not pc or q35 (virtio-mem is a PCI device). Hot-plug"
            + " DIMMs instead (memory().model(MemoryModel.DIMM)), or change the machine to q35");
      }
    }
    return refuse(Refusal.NOT_PREPARED, "domain " + q + " has no virtio-mem device in its " + s.label()
        + " definition: virtio-mem memory is resized, not attached. Give it one device per NUMA cell with"
        + " domain.prepare(HotplugLimits.builder().maxVcpus(N).maxMemory(SIZE).slots(S).virtioMem(true).build())"
        + " and a cold boot (domain.coldBoot().after(result)), or hot-plug DIMMs: memory().model(MemoryModel.DIMM)");
  }

  static String describe(List<MemoryDevice> vms) {
    StringBuilder b = new StringBuilder();
    for (MemoryDevice d : vms) {
      b.append(b.length() == 0 ? "" : ", ").append("node ").append(d.targetNode().orElse(0));
      d.alias().ifPresent(a -> b.append(" alias ").append(SafeText.escape(a, 40)));
      d.targetSize().ifPresent(x -> b.append(" size ").append(x));
      b.append(" requested ").append(d.requestedSize().orElse(MemorySize.ZERO));
      d.currentSize().ifPresent(c -> b.append(" current ").append(c));
    }
    return b.length() == 0 ? "none" : b.toString();
  }

  private static PreconditionException refuse(Refusal r, String message) {
    return new PreconditionException(r, message);
  }
}
