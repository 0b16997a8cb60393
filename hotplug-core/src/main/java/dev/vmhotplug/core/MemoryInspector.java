package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.xml.DomainXml;
import java.util.Optional;

/** Reads the memory side of a domain (package-private plumbing behind {@link DomainHandle}). */
final class MemoryInspector {

  private MemoryInspector() {}

  /**
   * The parsed state of a domain at one moment.
   *
   * @param name the domain name
   * @param running whether the domain is active
   * @param persistent whether it has a persistent definition
   * @param live the parsed live XML, present when running
   * @param config the parsed inactive XML, present when persistent
   */
  record State(String name, boolean running, boolean persistent, Optional<DomainXml> live, Optional<DomainXml> config) {

    MemoryView view() {
      return MemoryView.of(name, live, config);
    }
  }

  static State read(DomainHandle d) {
    LibvirtGateway gw = d.gateway();
    boolean running = gw.isActive(d.ref());
    boolean persistent = gw.isPersistent(d.ref());
    Optional<DomainXml> live = running ? Optional.of(DomainXml.parse(gw.xml(d.ref(), false))) : Optional.empty();
    Optional<DomainXml> config = persistent ? Optional.of(DomainXml.parse(gw.xml(d.ref(), true))) : Optional.empty();
    return new State(d.name(), running, persistent, live, config);
  }

  static DomainXml readLive(DomainHandle d) {
    return DomainXml.parse(d.gateway().xml(d.ref(), false));
  }

  static DomainXml readConfig(DomainHandle d) {
    return DomainXml.parse(d.gateway().xml(d.ref(), true));
  }

  static MemoryView view(DomainHandle d) {
    return read(d).view();
  }

  static MemoryStats stats(DomainHandle d) {
    if (!d.gateway().isActive(d.ref())) {
      throw new PreconditionException(Refusal.NOT_RUNNING, "domain '" + d.name()
          + "' is shut off: memory statistics (virsh dommemstat) exist only for a running domain; start it first"
          + " (virsh start " + d.name() + ")");
    }
    return MemoryStats.of(d.gateway().memoryStats(d.ref()));
  }

  static Drift drift(DomainHandle d) {
    State s = read(d);
    if (!s.running()) {
      return Drift.notApplicable(s.name(), "the domain is shut off: there is no live definition to compare");
    }
    if (!s.persistent()) {
      return Drift.notApplicable(s.name(), "the domain is transient: there is no persistent definition to compare");
    }
    return Drift.compare(s.live().orElseThrow(), s.config().orElseThrow());
  }

  /** Refuses a scope the domain's state cannot take (shut off for live, transient for config). */
  static void checkScope(State s, Scope scope, String what) {
    if (scope.includesLive() && !s.running()) {
      throw new PreconditionException(Refusal.NOT_RUNNING, "cannot " + what + " domain '" + s.name()
          + "' live: it is shut off. Start it first (virsh start " + s.name() + "), or change only the persistent"
          + " definition with config() / --config (effective at the next boot)");
    }
    if (scope.includesConfig() && !s.persistent()) {
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "cannot " + what + " domain '" + s.name()
          + "' in its persistent definition (config): the domain is transient. Change it live() / --live only, or"
          + " make it persistent first (virsh dumpxml " + s.name() + " > d.xml; virsh define d.xml)");
    }
  }
}
