package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.VirtioMemPlanner;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MaxMemory;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.NumaCell;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The memory layout of a domain, from its live XML (running domains) and its persistent XML
 * (persistent domains): maximum memory and slots, slots used and free, the memory total, the
 * current (balloon) memory, the memory devices present, the NUMA cells, and for each virtio-mem
 * device its requested size against what the guest has plugged ({@code <current>}, live only).
 *
 * <p>An immutable snapshot: read it again after a change. {@link #toString()} prints a table with
 * a {@code config} and a {@code live} column.
 */
public final class MemoryView {

  /**
   * The memory part of one definition (live or persistent).
   *
   * @param maxMemory {@code <maxMemory>}: the most memory hot-add may reach; empty when not prepared
   * @param slots {@code <maxMemory slots=…>}; empty when not prepared
   * @param memory {@code <memory>}: the total (initial memory plus all memory devices)
   * @param currentMemory {@code <currentMemory>}: the balloon target; empty when absent
   * @param devices the memory devices ({@code dimm}, {@code nvdimm}, {@code virtio-mem} …) in document
   *     order, as hotplug-xml reads them (size, node, slot, alias, and for virtio-mem requested/current)
   * @param numaCells the guest NUMA cells ({@code <cpu><numa><cell>})
   * @param slotsUsed slots taken by memory devices (every {@code <memory>} device, virtio-mem included:
   *     libvirt counts them all against {@code slots})
   */
  public record Definition(
      Optional<MemorySize> maxMemory,
      OptionalInt slots,
      MemorySize memory,
      Optional<MemorySize> currentMemory,
      List<MemoryDevice> devices,
      List<NumaCell> numaCells,
      int slotsUsed) {

    /**
     * Copies the lists.
     *
     * @param maxMemory {@code <maxMemory>}: the most memory hot-add may reach; empty when not prepared
     * @param slots {@code <maxMemory slots=…>}; empty when not prepared
     * @param memory {@code <memory>}: the total (initial memory plus all memory devices)
     * @param currentMemory {@code <currentMemory>}: the balloon target; empty when absent
     * @param devices the memory devices ({@code dimm}, {@code nvdimm}, {@code virtio-mem} …) in document
     *     order, as hotplug-xml reads them (size, node, slot, alias, and for virtio-mem requested/current)
     * @param numaCells the guest NUMA cells ({@code <cpu><numa><cell>})
     * @param slotsUsed slots taken by memory devices (every {@code <memory>} device, virtio-mem included:
     *     libvirt counts them all against {@code slots})
     */
    public Definition {
      Objects.requireNonNull(maxMemory, "maxMemory");
      Objects.requireNonNull(slots, "slots");
      Objects.requireNonNull(memory, "memory");
      Objects.requireNonNull(currentMemory, "currentMemory");
      devices = List.copyOf(devices);
      numaCells = List.copyOf(numaCells);
    }

    /** {@return free slots ({@code slots - slotsUsed}, never negative); empty when the domain has no slots} */
    public OptionalInt slotsFree() {
      return slots.isPresent() ? OptionalInt.of(Math.max(0, slots.getAsInt() - slotsUsed)) : OptionalInt.empty();
    }

    /** {@return whether memory can be hot-added: {@code <maxMemory slots>} (at least one) and a NUMA cell} */
    public boolean prepared() {
      return maxMemory.isPresent() && slots.isPresent() && slots.getAsInt() > 0 && !numaCells.isEmpty();
    }

    /** {@return room left below {@code <maxMemory>}; empty when not prepared} */
    public Optional<MemorySize> room() {
      return maxMemory.map(m -> m.compareTo(memory) > 0 ? m.minus(memory) : MemorySize.ofBytes(0));
    }

    /** {@return the {@code virtio-mem} devices only, with their requested and (live) current sizes} */
    public List<MemoryDevice> virtioMem() {
      List<MemoryDevice> out = new ArrayList<>();
      for (MemoryDevice d : devices) {
        if (VirtioMemPlanner.MODEL.equals(d.model())) {
          out.add(d);
        }
      }
      return out;
    }

    /**
     * {@return the memory given to the guest: {@link #memory()} with each virtio-mem device counted at its
     * requested size instead of its whole size (equal to {@link #memory()} without virtio-mem)}
     */
    public MemorySize given() {
      MemorySize total = memory;
      for (MemoryDevice d : virtioMem()) {
        MemorySize size = d.targetSize().orElse(MemorySize.ZERO);
        if (total.compareTo(size) >= 0) {
          total = total.minus(size).plus(d.requestedSize().orElse(MemorySize.ZERO));
        }
      }
      return total;
    }

    /** {@return the {@code dimm} devices only} */
    public List<MemoryDevice> dimms() {
      List<MemoryDevice> out = new ArrayList<>();
      for (MemoryDevice d : devices) {
        if ("dimm".equals(d.model())) {
          out.add(d);
        }
      }
      return out;
    }

    /**
     * Reads the memory part of a parsed domain definition.
     *
     * @param xml the parsed XML
     * @return its memory part
     * @throws HotplugException if a part of the XML cannot be read (hotplug-xml's error is the cause)
     */
    public static Definition of(DomainXml xml) {
      Objects.requireNonNull(xml, "xml");
      return OpContext.guard(nameOf(xml), () -> read(xml));
    }

    private static Definition read(DomainXml xml) {
      Optional<MaxMemory> max = xml.maxMemory();
      List<MemoryDevice> devices = xml.memoryDevices();
      return new Definition(
          max.map(MaxMemory::size),
          max.isPresent() ? max.get().slots() : OptionalInt.empty(),
          MemoryPlanner.totalMemory(xml),
          xml.currentMemory().map(c -> c.size()),
          devices,
          xml.numaCells(),
          MemoryPlanner.slotsUsed(xml));
    }
  }

  private final String domain;
  private final Optional<Definition> live;
  private final Optional<Definition> config;

  /**
   * Creates a view.
   *
   * @param domain the domain name
   * @param live the live definition, empty when the domain is not running
   * @param config the persistent definition, empty when the domain is transient
   */
  public MemoryView(String domain, Optional<Definition> live, Optional<Definition> config) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.live = Objects.requireNonNull(live, "live");
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Builds a view from parsed XML.
   *
   * @param domain the domain name
   * @param live the live XML, empty when not running
   * @param config the inactive XML, empty when transient
   * @return the view
   * @throws HotplugException if a part of the XML cannot be read (hotplug-xml's error is the cause)
   */
  public static MemoryView of(String domain, Optional<DomainXml> live, Optional<DomainXml> config) {
    return OpContext.guard(domain, () -> new MemoryView(domain, live.map(Definition::read), config.map(Definition::read)));
  }

  /** The document's domain name for messages, {@code ?} when it has none. */
  static String nameOf(DomainXml xml) {
    try {
      return xml.name();
    } catch (dev.vmhotplug.xml.DomainXmlException e) {
      return "?";
    }
  }

  /** One memory device in words: {@code dimm 256 MiB node 0 slot 1 alias dimm0}. */
  static String describe(MemoryDevice d) {
    StringBuilder b = new StringBuilder(d.model());
    d.targetSize().ifPresent(s -> b.append(' ').append(s));
    d.targetNode().ifPresent(n -> b.append(" node ").append(n));
    d.slot().ifPresent(s -> b.append(" slot ").append(s));
    d.alias().ifPresent(a -> b.append(" alias ").append(a));
    d.requestedSize().ifPresent(s -> b.append(" requested ").append(s));
    d.currentSize().ifPresent(s -> b.append(" current ").append(s));
    return b.toString();
  }

  /** {@return the domain name} */
  public String domain() {
    return domain;
  }

  /** {@return the running domain's memory; empty when the domain is shut off} */
  public Optional<Definition> live() {
    return live;
  }

  /** {@return the persistent definition's memory; empty when the domain is transient} */
  public Optional<Definition> config() {
    return config;
  }

  /** {@return the live definition when running, else the persistent one} */
  public Definition effective() {
    return live.orElseGet(() -> config.orElseThrow());
  }

  /** The table: one row per property, columns {@code config} and {@code live} ({@code -} when absent). */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    row(b, "", "config", "live");
    row(b, "max memory", col(config, d -> d.maxMemory().map(String::valueOf).orElse("none")),
        col(live, d -> d.maxMemory().map(String::valueOf).orElse("none")));
    row(b, "slots", col(config, d -> opt(d.slots())), col(live, d -> opt(d.slots())));
    row(b, "slots used", col(config, d -> String.valueOf(d.slotsUsed())), col(live, d -> String.valueOf(d.slotsUsed())));
    row(b, "slots free", col(config, d -> opt(d.slotsFree())), col(live, d -> opt(d.slotsFree())));
    row(b, "memory", col(config, d -> d.memory().toString()), col(live, d -> d.memory().toString()));
    row(b, "current memory", col(config, d -> d.currentMemory().map(String::valueOf).orElse("-")),
        col(live, d -> d.currentMemory().map(String::valueOf).orElse("-")));
    row(b, "prepared", col(config, d -> d.prepared() ? "yes" : "no"), col(live, d -> d.prepared() ? "yes" : "no"));
    Definition shown = effective();
    for (int i = 0; i < shown.numaCells().size(); i++) {
      NumaCell c = shown.numaCells().get(i);
      b.append("NUMA cell ").append(c.id().orElse(i)).append(": ").append(c.memory());
      if (!c.cpus().isEmpty()) {
        b.append(", cpus ").append(c.cpus());
      }
      b.append('\n');
    }
    devices(b, "config", config);
    devices(b, "live", live);
    virtioMem(b);
    return b.toString();
  }

  /** One line per virtio-mem device: requested (config, live) and what the guest has plugged. */
  private void virtioMem(StringBuilder b) {
    List<MemoryDevice> lv = live.map(Definition::virtioMem).orElse(List.of());
    List<MemoryDevice> cv = config.map(Definition::virtioMem).orElse(List.of());
    if (lv.isEmpty() && cv.isEmpty()) {
      return;
    }
    row(b, "memory given", col(config, d -> d.given().toString()), col(live, d -> d.given().toString()));
    List<MemoryDevice> configLeft = new ArrayList<>(cv);
    for (MemoryDevice l : lv) {
      MemoryDevice c = null;
      for (MemoryDevice x : configLeft) {
        if (x.sameDevice(l)) {
          c = x;
          break;
        }
      }
      configLeft.remove(c);
      b.append(virtioMemLine(l, c)).append('\n');
    }
    for (MemoryDevice c : configLeft) {
      b.append(virtioMemLine(null, c)).append('\n');
    }
  }

  /**
   * {@code virtio-mem node 0 (virtiomem0, size 1 GiB): requested config 256 MiB, live 512 MiB,
   * plugged 384 MiB (128 MiB short of the request)}.
   */
  static String virtioMemLine(MemoryDevice live, MemoryDevice config) {
    MemoryDevice any = live != null ? live : config;
    StringBuilder b = new StringBuilder("virtio-mem node ").append(any.targetNode().orElse(0)).append(" (");
    any.alias().ifPresent(a -> b.append(a).append(", "));
    b.append("size ").append(any.targetSize().map(String::valueOf).orElse("?")).append("): requested");
    if (config != null) {
      b.append(" config ").append(config.requestedSize().orElse(MemorySize.ZERO));
    }
    if (live != null) {
      MemorySize req = live.requestedSize().orElse(MemorySize.ZERO);
      b.append(config != null ? "," : "").append(" live ").append(req);
      live.currentSize().ifPresent(cur -> {
        b.append(", plugged ").append(cur);
        if (cur.compareTo(req) < 0) {
          b.append(" (").append(req.minus(cur)).append(" short of the request)");
        } else if (cur.compareTo(req) > 0) {
          b.append(" (").append(cur.minus(req)).append(" above the request)");
        }
      });
    }
    return b.toString();
  }

  private static void devices(StringBuilder b, String label, Optional<Definition> d) {
    if (d.isEmpty()) {
      return;
    }
    List<MemoryDevice> devs = d.get().devices();
    b.append("memory devices (").append(label).append("):").append(devs.isEmpty() ? " none" : "").append('\n');
    for (MemoryDevice x : devs) {
      b.append("  ").append(describe(x)).append('\n');
    }
  }

  private static String opt(OptionalInt i) {
    return i.isPresent() ? String.valueOf(i.getAsInt()) : "none";
  }

  private static String col(Optional<Definition> d, Function<Definition, String> f) {
    return d.map(f).orElse("-");
  }

  private static void row(StringBuilder b, String name, String config, String live) {
    b.append(String.format("%-16s %-14s %s%n", name, config, live));
  }
}
