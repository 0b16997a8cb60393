package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.Instrumentation;
import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.MemoryPlanner;
import dev.vmhotplug.core.internal.ScopeCheck;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MaxMemory;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.NumaCell;
import dev.vmhotplug.xml.Vcpu;
import dev.vmhotplug.xml.internal.SafeText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The inspect step of every operation: what one moment's reads of a domain returned, each XML read
 * once and parsed once (through the core's one parse entry point). Only what the operation needs is
 * read:
 *
 * <ul>
 *   <li>the live XML when the scope includes live: its {@link DomainXml#id()} also tells whether the
 *       domain runs (libvirt writes {@code <domain id=…>} only for a running domain), so no
 *       {@code isActive} call;
 *   <li>{@code isPersistent} and the inactive XML when the scope includes config;
 *   <li>the other flag only when the operation reports on it (memory changes warn that a live-only
 *       change is lost at the next boot).
 * </ul>
 *
 * <p>Package-private plumbing; not thread-safe (the parsed documents are mutable DOMs, never handed out).
 */
final class Inspection {
  private final String name;
  private final Boolean running;
  private final Boolean persistent;
  private final DomainXml live;
  private final DomainXml config;

  private Inspection(String name, Boolean running, Boolean persistent, DomainXml live, DomainXml config) {
    this.name = name;
    this.running = running;
    this.persistent = persistent;
    this.live = live;
    this.config = config;
  }

  /**
   * Reads what a change in {@code scope} needs.
   *
   * @param d the domain
   * @param scope the sides the change touches
   * @param bothFlags also read the running/persistent flag of the side outside the scope
   * @return the inspection
   */
  static Inspection forScope(DomainHandle d, Scope scope, boolean bothFlags) {
    LibvirtGateway gw = d.gateway();
    Boolean running = null;
    Boolean persistent = null;
    DomainXml live = null;
    DomainXml config = null;
    if (scope.includesLive()) {
      DomainXml x = parse(d, gw.xml(d.ref(), false), true);
      running = isRunning(d, x);
      if (running) {
        live = x;
      }
    }
    if (scope.includesConfig() || bothFlags) {
      persistent = gw.isPersistent(d.ref());
    }
    if (running == null && bothFlags) {
      running = gw.isActive(d.ref());
    }
    if (scope.includesConfig() && persistent) {
      config = parse(d, gw.xml(d.ref(), true), false);
    }
    return new Inspection(d.name(), running, persistent, live, config);
  }

  /**
   * Reads both sides (for views: vcpucount, memory view, drift): the live XML, {@code isPersistent},
   * and the inactive XML when the domain runs and is persistent. A shut-off domain's live XML is its
   * definition, so it serves as the config side without a second read.
   *
   * @param d the domain
   * @return the inspection
   */
  static Inspection whole(DomainHandle d) {
    LibvirtGateway gw = d.gateway();
    DomainXml x = parse(d, gw.xml(d.ref(), false), true);
    boolean running = isRunning(d, x);
    boolean persistent = gw.isPersistent(d.ref());
    DomainXml live = running ? x : null;
    DomainXml config = !persistent ? null : running ? parse(d, gw.xml(d.ref(), true), false) : x;
    return new Inspection(d.name(), running, persistent, live, config);
  }

  /**
   * Whether the domain runs, from its live XML: libvirt writes {@code <domain id=…>} for a running
   * (or paused) domain only.
   */
  private static boolean isRunning(DomainHandle d, DomainXml liveXml) {
    try {
      return liveXml.id().isPresent();
    } catch (DomainXmlException e) {
      throw unreadable(d.name(), "live XML that libvirt returned", e);
    }
  }

  /** Reads and parses the live XML (verification reads). */
  static DomainXml readLive(DomainHandle d) {
    return parse(d, d.gateway().xml(d.ref(), false), true);
  }

  /** Reads and parses the inactive XML (verification reads). */
  static DomainXml readConfig(DomainHandle d) {
    return parse(d, d.gateway().xml(d.ref(), true), false);
  }

  /**
   * Parses a document libvirt returned; hotplug-xml's exception becomes the core's.
   *
   * @throws HotplugException naming the domain and the document, the hotplug-xml error as cause
   */
  static DomainXml parse(DomainHandle d, String xml, boolean live) {
    try {
      return Instrumentation.parseDomain(xml);
    } catch (DomainXmlException e) {
      throw unreadable(d.name(), live ? "live XML that libvirt returned" : "inactive XML that libvirt returned", e);
    }
  }

  static HotplugException unreadable(String domain, String what, DomainXmlException e) {
    return new HotplugException("the " + what + " for domain " + SafeText.quote(domain)
        + " cannot be read: " + SafeText.escape(String.valueOf(e.getMessage()), 400) + " (" + e.reason() + "). This is not a domain definition the SDK"
        + " can change safely; check it with virsh dumpxml and report it if libvirt wrote it", e);
  }

  String name() {
    return name;
  }

  /** Refuses a scope this domain's state cannot take (see {@link ScopeCheck}). */
  void checkScope(Scope scope, String what) {
    ScopeCheck.check(name, scope, running == null || running, persistent == null || persistent, what);
  }

  /** Whether the domain runs; only known when read. */
  boolean running() {
    if (running == null) {
      throw new IllegalStateException("running state not read");
    }
    return running;
  }

  /** Whether the domain is persistent; only known when read. */
  boolean persistent() {
    if (persistent == null) {
      throw new IllegalStateException("persistence not read");
    }
    return persistent;
  }

  /** Whether the running state was read. */
  boolean knowsRunning() {
    return running != null;
  }

  /** Whether the persistence was read. */
  boolean knowsPersistent() {
    return persistent != null;
  }

  /** The parsed live XML; empty when not running or not read. */
  Optional<DomainXml> live() {
    return Optional.ofNullable(live);
  }

  /** The parsed inactive XML; empty when transient or not read. */
  Optional<DomainXml> config() {
    return Optional.ofNullable(config);
  }

  /** {@code <vcpu>} of the live XML, empty when the live side was not read (or has none). */
  Optional<Vcpu> liveVcpu() {
    return live == null ? Optional.empty() : live.vcpu();
  }

  /** {@code <vcpu>} of the inactive XML, empty when the config side was not read (or has none). */
  Optional<Vcpu> configVcpu() {
    return config == null ? Optional.empty() : config.vcpu();
  }

  /** The vcpucount table of the sides in {@code sides} (which must have been read). */
  VcpuCount vcpuCount(Scope sides) {
    VcpuCount.Builder b = VcpuCount.builder();
    if (sides.includesConfig()) {
      Vcpu v = configVcpu().orElse(null);
      b.config(v == null ? 1 : v.maximum(), v == null ? 1 : v.effectiveCurrent());
    }
    if (sides.includesLive()) {
      Vcpu v = liveVcpu().orElse(null);
      b.live(v == null ? 1 : v.maximum(), v == null ? 1 : v.effectiveCurrent());
    }
    return b.build();
  }

  /** The vcpucount table of the sides read. */
  VcpuCount vcpuCount() {
    VcpuCount.Builder b = VcpuCount.builder();
    if (config != null) {
      Vcpu v = config.vcpu().orElse(null);
      b.config(v == null ? 1 : v.maximum(), v == null ? 1 : v.effectiveCurrent());
    }
    if (live != null) {
      Vcpu v = live.vcpu().orElse(null);
      b.live(v == null ? 1 : v.maximum(), v == null ? 1 : v.effectiveCurrent());
    }
    return b.build();
  }

  /** The memory view of the sides read. */
  MemoryView memoryView() {
    return MemoryView.of(name, live(), config());
  }

  /**
   * A fingerprint of what plans read: the flags and, per side read, the vCPU counts, the memory
   * total and maximum, the memory devices and the NUMA cells. Equal fingerprints mean a plan made
   * from one inspection is still valid for the other.
   */
  String fingerprint() {
    StringBuilder b = new StringBuilder(256);
    b.append("running=").append(running).append(";persistent=").append(persistent);
    side(b, "live", live);
    side(b, "config", config);
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static void side(StringBuilder b, String label, DomainXml x) {
    b.append(';').append(label).append('=');
    if (x == null) {
      b.append('-');
      return;
    }
    x.vcpu().ifPresent(v -> b.append("vcpu ").append(v.maximum()).append('/').append(v.effectiveCurrent()));
    b.append(" memory ").append(MemoryPlanner.totalMemory(x).bytes());
    Optional<MaxMemory> max = x.maxMemory();
    max.ifPresent(m -> b.append(" max ").append(m.size().bytes()).append(" slots ").append(m.slots()));
    for (NumaCell c : x.numaCells()) {
      b.append(" cell ").append(c.id()).append(' ').append(c.cpus()).append(' ').append(c.memory().bytes());
    }
    for (MemoryDevice m : x.memoryDevices()) {
      b.append(" dev ").append(m.model()).append(' ').append(m.targetSize().map(s -> s.bytes()).orElse(-1L))
          .append(' ').append(m.targetNode()).append(' ').append(m.slot()).append(' ').append(m.alias().orElse("-"))
          .append(' ').append(m.requestedSize().map(s -> s.bytes()).orElse(-1L))
          .append(' ').append(m.currentSize().map(s -> s.bytes()).orElse(-1L));
    }
  }
}
