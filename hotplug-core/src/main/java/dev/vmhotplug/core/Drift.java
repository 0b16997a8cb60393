package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.VirtioMemPlanner;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MaxMemory;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.Vcpu;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the running domain and its persistent definition differ in what hotplug touches: vCPU
 * maximum and current count, memory total, maximum memory and slots, memory devices (a DIMM
 * added with {@code --live} only is lost at the next shutdown; one added with {@code --config}
 * only appears at the next boot), a virtio-mem device's requested size (live vs persistent), and a
 * live virtio-mem device whose plugged size ({@code <current>}) is not its requested size (still
 * resizing, or a shrink that ended short).
 *
 * <p>Drift is only defined for a running, persistent domain; otherwise {@link #applicable()} is
 * false and {@link #reason()} says why.
 */
public final class Drift {

  /** What kind of difference. */
  public enum Kind {
    /** {@code <vcpu>} maximum differs. */
    VCPU_MAXIMUM,
    /** {@code <vcpu current=…>} differs. */
    VCPU_CURRENT,
    /** {@code <memory>} total differs. */
    MEMORY,
    /** {@code <maxMemory>} size or slots differ. */
    MAX_MEMORY,
    /** A memory device exists in only one of the two definitions. */
    MEMORY_DEVICE,
    /** A virtio-mem device's {@code <requested>} size differs between the live and the persistent definition. */
    VIRTIO_MEM_REQUESTED,
    /**
     * A live virtio-mem device has plugged ({@code <current>}) more or less than its requested size:
     * the guest is still resizing, or stopped (no driver; memory it cannot unplug).
     */
    VIRTIO_MEM_CURRENT
  }

  /**
   * One difference.
   *
   * @param kind what differs
   * @param live the live value, in words ({@code "-"} when absent)
   * @param config the persistent value, in words ({@code "-"} when absent)
   * @param consequence what it means for the next boot
   */
  public record Item(Kind kind, String live, String config, String consequence) {
    /**
     * Validates that no component is null.
     *
     * @param kind what differs
     * @param live the live value, in words ({@code "-"} when absent)
     * @param config the persistent value, in words ({@code "-"} when absent)
     * @param consequence what it means for the next boot
     */
    public Item {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(live, "live");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(consequence, "consequence");
    }

    @Override
    public String toString() {
      return kind + ": live " + live + ", config " + config + " (" + consequence + ")";
    }
  }

  private final String domain;
  private final List<Item> items;
  private final Optional<String> notApplicable;

  private Drift(String domain, List<Item> items, Optional<String> notApplicable) {
    this.domain = domain;
    this.items = List.copyOf(items);
    this.notApplicable = notApplicable;
  }

  /**
   * A drift that cannot be computed (domain shut off or transient).
   *
   * @param domain the domain name
   * @param reason why
   * @return an empty, non-applicable drift
   */
  public static Drift notApplicable(String domain, String reason) {
    return new Drift(domain, List.of(), Optional.of(reason));
  }

  /**
   * Compares the live and the persistent definition.
   *
   * @param live the parsed live XML
   * @param config the parsed inactive XML
   * @return the differences (empty when none)
   * @throws HotplugException if a part of either XML cannot be read (hotplug-xml's error is the cause)
   */
  public static Drift compare(DomainXml live, DomainXml config) {
    java.util.Objects.requireNonNull(live, "live");
    java.util.Objects.requireNonNull(config, "config");
    return OpContext.guard(MemoryView.nameOf(live), () -> read(live, config));
  }

  private static Drift read(DomainXml live, DomainXml config) {
    List<Item> items = new ArrayList<>();
    Optional<Vcpu> lv = live.vcpu();
    Optional<Vcpu> cv = config.vcpu();
    String lmax = lv.map(v -> String.valueOf(v.maximum())).orElse("-");
    String cmax = cv.map(v -> String.valueOf(v.maximum())).orElse("-");
    if (!lmax.equals(cmax)) {
      items.add(new Item(Kind.VCPU_MAXIMUM, lmax, cmax, "the maximum changes at the next cold boot"));
    }
    String lcur = lv.map(v -> String.valueOf(v.effectiveCurrent())).orElse("-");
    String ccur = cv.map(v -> String.valueOf(v.effectiveCurrent())).orElse("-");
    if (!lcur.equals(ccur)) {
      items.add(new Item(Kind.VCPU_CURRENT, lcur, ccur,
          "the next boot starts with " + ccur + " vCPUs; use --live --config (Scope.LIVE_AND_CONFIG) to keep both equal"));
    }
    String lmem = MemoryPlanner.totalMemory(live).toString();
    String cmem = MemoryPlanner.totalMemory(config).toString();
    if (!lmem.equals(cmem)) {
      items.add(new Item(Kind.MEMORY, lmem, cmem, "the next boot starts with " + cmem));
    }
    String lmm = maxMemory(live.maxMemory());
    String cmm = maxMemory(config.maxMemory());
    if (!lmm.equals(cmm)) {
      items.add(new Item(Kind.MAX_MEMORY, lmm, cmm, "the new maximum applies after the next cold boot"));
    }
    List<MemoryDevice> configOnly = new ArrayList<>(config.memoryDevices());
    List<MemoryDevice> liveOnly = new ArrayList<>();
    for (MemoryDevice d : live.memoryDevices()) {
      int idx = -1;
      for (int i = 0; i < configOnly.size(); i++) {
        if (configOnly.get(i).sameDevice(d)) {
          idx = i;
          break;
        }
      }
      if (idx >= 0) {
        configOnly.remove(idx);
      } else {
        liveOnly.add(d);
      }
    }
    for (MemoryDevice d : liveOnly) {
      items.add(new Item(Kind.MEMORY_DEVICE, MemoryView.describe(d), "-",
          "added live only: lost at the next shutdown; attach it with --config too to keep it"));
    }
    for (MemoryDevice d : configOnly) {
      items.add(new Item(Kind.MEMORY_DEVICE, "-", MemoryView.describe(d),
          "in the persistent definition only: appears at the next boot"));
    }
    List<MemoryDevice> configVm = new ArrayList<>(VirtioMemPlanner.devices(config));
    for (MemoryDevice l : VirtioMemPlanner.devices(live)) {
      MemoryDevice c = null;
      for (MemoryDevice x : configVm) {
        if (x.sameDevice(l)) {
          c = x;
          break;
        }
      }
      configVm.remove(c);
      MemorySize lreq = l.requestedSize().orElse(MemorySize.ZERO);
      String where = "virtio-mem node " + l.targetNode().orElse(0) + l.alias().map(a -> " (" + a + ")").orElse("");
      if (c != null && !c.requestedSize().orElse(MemorySize.ZERO).equals(lreq)) {
        MemorySize creq = c.requestedSize().orElse(MemorySize.ZERO);
        String cwhere = "virtio-mem node " + c.targetNode().orElse(0) + c.alias().map(a -> " (" + a + ")").orElse("");
        items.add(new Item(Kind.VIRTIO_MEM_REQUESTED, where + " requested " + lreq, cwhere + " requested " + creq,
            "the next boot starts with " + creq + " plugged; resize with live().config() to keep both equal"));
      }
      Optional<MemorySize> cur = l.currentSize();
      if (cur.isPresent() && !cur.get().equals(lreq)) {
        items.add(new Item(Kind.VIRTIO_MEM_CURRENT, where + " plugged " + cur.get() + " of requested " + lreq, "-",
            "the guest has " + (cur.get().compareTo(lreq) < 0 ? lreq.minus(cur.get()) + " less" : cur.get().minus(lreq)
                + " more") + " than requested: still resizing, or it stopped (no virtio-mem driver; memory it cannot"
                + " unplug, see online_movable)"));
      }
    }
    return new Drift(live.name(), items, Optional.empty());
  }

  private static String maxMemory(Optional<MaxMemory> m) {
    return m.map(x -> x.size() + (x.slots().isPresent() ? " slots " + x.slots().getAsInt() : " no slots"))
        .orElse("none");
  }

  /** {@return the domain name} */
  public String domain() {
    return domain;
  }

  /** {@return the differences; empty when live and config agree (or drift is not applicable)} */
  public List<Item> items() {
    return items;
  }

  /** {@return whether live and config agree on everything compared} */
  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** {@return whether both definitions exist (running and persistent), so drift could be computed} */
  public boolean applicable() {
    return notApplicable.isEmpty();
  }

  /** {@return why drift is not applicable; empty when it is} */
  public Optional<String> reason() {
    return notApplicable;
  }

  @Override
  public String toString() {
    if (notApplicable.isPresent()) {
      return "drift of " + SafeText.quote(domain) + ": not applicable (" + notApplicable.get() + ")\n";
    }
    if (items.isEmpty()) {
      return "drift of " + SafeText.quote(domain) + ": none (live and config agree)\n";
    }
    StringBuilder b = new StringBuilder("drift of " + SafeText.quote(domain) + ": " + items.size() + " difference(s)\n");
    for (Item i : items) {
      b.append("  ").append(i).append('\n');
    }
    return b.toString();
  }
}
