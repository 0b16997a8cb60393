package dev.vmhotplug.testkit;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Emulates what libvirt and QEMU do with memory devices, on top of a driver that cannot attach them
 * (libvirt's test driver): it keeps, per domain and per side (live, persistent), the memory device
 * changes it accepted, and applies them to every domain XML read afterwards: a DIMM attach adds the
 * device (with a free slot and an alias) and grows {@code <memory>} and {@code <currentMemory>}; a
 * detach removes the first matching device; a virtio-mem update sets {@code <requested>} and, live,
 * {@code <current>}. Checks what libvirt checks before accepting (a live change on a domain that is
 * not running, a persistent change on a transient one, no {@code <maxMemory>}, no free slot, more
 * than {@code <maxMemory>}, no matching device) and refuses with libvirt's error names.
 */
final class MemoryEmulator {
  private static final Pattern NAME = Pattern.compile("<name>\\s*([^<]+?)\\s*</name>");
  private static final Pattern CURRENT = Pattern.compile("<current unit='[A-Za-z]+'>\\d+</current>\\s*");
  private static final Pattern REQUESTED_END = Pattern.compile("(<requested[^>]*>[^<]*</requested>)");

  /** A change libvirt would refuse: error name and libvirt's message. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String errorName;

    Refused(String errorName, String message) {
      super(message, null, false, false);
      this.errorName = errorName;
    }
  }

  private enum Kind { ATTACH, DETACH, UPDATE }

  private record Op(Kind kind, MemoryDevice device) {}

  private static final class Sides {
    final List<Op> live = new ArrayList<>();
    final List<Op> config = new ArrayList<>();
    String lastLiveBase;
    String lastConfigBase;
    Boolean active;
    Boolean persistent;
  }

  private final LibvirtSeam.MemoryGuest guest;
  private final Map<String, Sides> domains = new HashMap<>();

  MemoryEmulator(LibvirtSeam.MemoryGuest guest) {
    this.guest = guest;
  }

  LibvirtSeam.MemoryGuest guest() {
    return guest;
  }

  static boolean isMemoryDevice(String argument) {
    return argument != null && argument.stripLeading().startsWith("<memory");
  }

  private Sides sides(String domain) {
    return domains.computeIfAbsent(domain, k -> new Sides());
  }

  /** Notes what the SDK learnt about a domain (isActive, isPersistent results). */
  synchronized void observe(String op, String domain, Object result) {
    if (result instanceof Boolean b) {
      if (op.equals("isActive")) {
        sides(domain).active = b;
      } else if (op.equals("isPersistent")) {
        sides(domain).persistent = b;
      }
    }
  }

  /**
   * Takes a memory device change of operation {@code attachDevice(SCOPE)}, {@code detachDevice(SCOPE)}
   * or {@code updateDevice(SCOPE)}.
   *
   * @throws Refused when libvirt would refuse it (nothing recorded)
   */
  synchronized void change(String op, String domain, String deviceXml) {
    Kind kind = op.startsWith("attach") ? Kind.ATTACH : op.startsWith("detach") ? Kind.DETACH : Kind.UPDATE;
    String scope = op.substring(op.indexOf('(') + 1, op.length() - 1);
    boolean live = scope.contains("LIVE");
    boolean config = scope.contains("CONFIG");
    MemoryDevice device;
    try {
      device = PartXml.fromXml(deviceXml, MemoryDevice.class);
    } catch (RuntimeException e) {
      throw new Refused("VIR_ERR_XML_ERROR", "XML error: cannot read the memory device: " + e.getMessage());
    }
    Sides s = sides(domain);
    boolean running = s.active != null ? s.active : s.lastLiveBase == null || hasId(s.lastLiveBase);
    if (live && !running) {
      throw new Refused("VIR_ERR_OPERATION_INVALID", "Requested operation is not valid: domain is not running");
    }
    if (config && Boolean.FALSE.equals(s.persistent)) {
      throw new Refused("VIR_ERR_OPERATION_INVALID",
          "Requested operation is not valid: transient domains do not have any persistent config");
    }
    Op o = new Op(kind, device);
    // check against what each side shows now (the last read of it, with the changes so far)
    if (live && s.lastLiveBase != null) {
      List<Op> next = new ArrayList<>(s.live);
      next.add(o);
      apply(DomainXml.parse(s.lastLiveBase), next, true, true);
    }
    if (config && s.lastConfigBase != null) {
      List<Op> next = new ArrayList<>(s.config);
      next.add(o);
      apply(DomainXml.parse(s.lastConfigBase), next, false, true);
    }
    if (live && !(kind == Kind.DETACH && guest == LibvirtSeam.MemoryGuest.KEEPS_DIMMS)) {
      s.live.add(o);
    }
    if (config) {
      s.config.add(o);
    }
  }

  /** The XML a read returns: the real one with the accepted changes of its side applied. */
  synchronized String read(String op, String domain, String xml) {
    Sides s = sides(domain);
    boolean liveSide = op.equals("xml(live)") && hasId(xml);
    if (liveSide) {
      s.lastLiveBase = xml;
    } else {
      s.lastConfigBase = xml;
      if (op.equals("xml(live)")) {
        s.lastLiveBase = xml; // a shut-off domain's "live" XML is its definition
      }
    }
    List<Op> ops = liveSide ? s.live : s.config;
    if (ops.isEmpty()) {
      return xml;
    }
    DomainXml x = DomainXml.parse(xml);
    apply(x, ops, liveSide, false);
    return x.toXml();
  }

  /** After a real defineXML: the new definition is the truth (it was built from what the SDK read). */
  synchronized void defined(String domainXml) {
    if (domainXml == null) {
      return;
    }
    Matcher m = NAME.matcher(domainXml);
    if (m.find()) {
      sides(m.group(1)).config.clear();
    }
  }

  /** After a real start, shutdown or destroy: the live side starts again from the definition. */
  synchronized void lifecycle(String op, String domain) {
    Sides s = sides(domain);
    s.live.clear();
    if (op.equals("create")) {
      s.live.addAll(s.config);
      s.active = true;
    } else {
      s.active = false;
    }
  }

  private void apply(DomainXml x, List<Op> ops, boolean live, boolean strict) {
    for (Op o : ops) {
      try {
        applyOne(x, o, live);
      } catch (Refused r) {
        if (strict) {
          throw r;
        }
      }
    }
  }

  private void applyOne(DomainXml x, Op o, boolean live) {
    List<MemoryDevice> present = x.memoryDevices();
    MemorySize total = x.memory().map(m -> m.size()).orElse(MemorySize.ZERO);
    MemorySize current = x.currentMemory().map(m -> m.size()).orElse(total);
    MemoryDevice d = o.device();
    switch (o.kind()) {
      case ATTACH -> {
        if (x.maxMemory().isEmpty()) {
          throw new Refused("VIR_ERR_XML_ERROR", "XML error: cannot use/hotplug a memory device when domain"
              + " 'maxMemory' is not defined");
        }
        int slots = x.maxMemory().get().slots().orElse(0);
        if (d.model().equals("dimm") && present.size() >= slots) {
          throw new Refused("VIR_ERR_OPERATION_INVALID", "Requested operation is not valid: no free memory device"
              + " slot available");
        }
        MemorySize size = d.targetSize().orElseThrow(() -> new Refused("VIR_ERR_XML_ERROR",
            "XML error: missing memory device target size"));
        MemorySize max = x.maxMemory().get().size();
        if (total.plus(size).compareTo(max) > 0) {
          throw new Refused("VIR_ERR_CONFIG_UNSUPPORTED", "unsupported configuration: Attaching memory device with"
              + " size '" + size.toKiB() + "' would exceed domain's maxMemory config size '" + max.toKiB() + "'");
        }
        MemoryDevice placed = d;
        if (d.model().equals("dimm")) {
          placed = place(d, present, live);
          current = current.plus(size);
        }
        x.addMemoryDevice(placed);
        x.setMemory(total.plus(size));
        x.setCurrentMemory(current);
      }
      case DETACH -> {
        int idx = find(present, d);
        if (idx < 0) {
          throw new Refused("VIR_ERR_OPERATION_FAILED", "operation failed: matching memory device was not found");
        }
        MemoryDevice gone = present.get(idx);
        MemorySize size = gone.targetSize().orElse(MemorySize.ZERO);
        x.removeMemoryDevice(idx);
        x.setMemory(total.minus(size));
        if (gone.model().equals("dimm")) {
          x.setCurrentMemory(current.minus(size));
        }
      }
      case UPDATE -> {
        int idx = find(present, d);
        if (idx < 0 || !present.get(idx).model().equals("virtio-mem")) {
          throw new Refused("VIR_ERR_OPERATION_FAILED", "operation failed: matching memory device was not found");
        }
        MemorySize requested = d.requestedSize().orElseThrow(() -> new Refused("VIR_ERR_OPERATION_UNSUPPORTED",
            "Operation not supported: only <requested> of a virtio-mem device can be updated"));
        MemoryDevice now = present.get(idx).withRequested(requested);
        if (live) {
          MemorySize plugged = guest == LibvirtSeam.MemoryGuest.NO_VIRTIO_MEM_DRIVER
              ? present.get(idx).currentSize().orElse(MemorySize.ZERO) : requested;
          now = withCurrent(now, plugged);
        }
        x.setMemoryDevice(idx, now);
      }
      default -> throw new IllegalStateException(o.kind().name());
    }
  }

  /** libvirt's match: same model, size and node; alias and slot too when the request gives them. */
  private static int find(List<MemoryDevice> present, MemoryDevice spec) {
    for (int i = 0; i < present.size(); i++) {
      MemoryDevice m = present.get(i);
      boolean same = m.model().equals(spec.model())
          && (spec.targetSize().isEmpty() || spec.targetSize().equals(m.targetSize())
              || spec.model().equals("virtio-mem"))
          && (spec.targetNode().isEmpty() || spec.targetNode().equals(m.targetNode()))
          && (spec.alias().isEmpty() || spec.alias().equals(m.alias()))
          && (spec.slot().isEmpty() || spec.slot().equals(m.slot()));
      if (same) {
        return i;
      }
    }
    return -1;
  }

  /** The DIMM with the lowest free slot and, live, the lowest free {@code dimmN} alias. */
  private static MemoryDevice place(MemoryDevice d, List<MemoryDevice> present, boolean live) {
    Set<Integer> slots = new HashSet<>();
    Set<String> aliases = new HashSet<>();
    for (MemoryDevice m : present) {
      m.slot().ifPresent(slots::add);
      m.alias().ifPresent(aliases::add);
    }
    int slot = 0;
    while (slots.contains(slot)) {
      slot++;
    }
    MemoryDevice.Builder b = d.toBuilder();
    if (live && d.alias().isEmpty()) {
      int n = 0;
      while (aliases.contains("dimm" + n)) {
        n++;
      }
      b.alias("dimm" + n);
    }
    String xml = b.build().toXml();
    if (d.slot().isEmpty()) {
      xml = xml.replaceFirst("</memory>\\s*$", "  <address type='dimm' slot='" + slot + "'/>\n</memory>\n");
    }
    return PartXml.fromXml(xml, MemoryDevice.class);
  }

  private static MemoryDevice withCurrent(MemoryDevice d, MemorySize current) {
    String xml = CURRENT.matcher(d.toXml()).replaceAll("");
    Matcher m = REQUESTED_END.matcher(xml);
    if (!m.find()) {
      return d;
    }
    String out = xml.substring(0, m.end()) + "\n<current unit='KiB'>" + current.toKiB() + "</current>"
        + xml.substring(m.end());
    return PartXml.fromXml(out, MemoryDevice.class);
  }

  private static boolean hasId(String xml) {
    int end = xml.indexOf('>', xml.indexOf("<domain"));
    return end > 0 && xml.substring(0, end).matches("(?s).*\\sid=['\"]\\d+['\"].*");
  }

  /** What the emulation holds for a domain, for messages: the accepted changes per side. */
  synchronized Optional<String> describe(String domain) {
    Sides s = domains.get(domain);
    if (s == null || s.live.isEmpty() && s.config.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("live " + s.live.size() + " change(s), persistent " + s.config.size() + " change(s)");
  }
}
