package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.VcpuXml;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.PreparationRefusedException;
import dev.vmhotplug.xml.PreparedDomain;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A handle for one libvirt domain, taken from {@link HotplugClient#domain(String)}: inspect it,
 * change its vCPUs and memory, prepare its definition.
 *
 * <p>Thread-safe. Changes through handles of the same client on the same domain are serialized;
 * reads are not. The handle stays valid as long as its client is open and the domain exists.
 */
public final class DomainHandle {
  private final HotplugClient client;
  private final LibvirtGateway.DomainRef ref;

  DomainHandle(HotplugClient client, LibvirtGateway.DomainRef ref) {
    this.client = Objects.requireNonNull(client, "client");
    this.ref = Objects.requireNonNull(ref, "ref");
  }

  /** The domain's name. */
  public String name() {
    return ref.name();
  }

  /** The domain's UUID (with dashes). */
  public String uuid() {
    return ref.uuid();
  }

  /** The client this handle belongs to. */
  public HotplugClient client() {
    return client;
  }

  /**
   * Whether the domain is running (or paused): live changes need this.
   *
   * @return true if active
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails
   */
  public boolean isRunning() {
    return client.gateway().isActive(ref);
  }

  /**
   * Whether the domain has a persistent definition: config changes need this.
   *
   * @return true if persistent
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails
   */
  public boolean isPersistent() {
    return client.gateway().isPersistent(ref);
  }

  /**
   * The domain XML as libvirt returns it. It may contain secrets (passwords of graphics
   * consoles…): do not log it.
   *
   * @param inactive true for the persistent definition, false for the live one (for a shut-off
   *     domain both are the definition)
   * @return the XML
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails
   */
  public String xml(boolean inactive) {
    return client.gateway().xml(ref, inactive);
  }

  /**
   * The {@code virsh vcpucount} table, read from the live and the inactive XML.
   *
   * @return maximum and current vCPUs, config and live (absent where that side does not exist)
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails
   */
  public VcpuCount vcpuCount() {
    LibvirtGateway gw = client.gateway();
    // the live XML of a running domain carries <domain id=…>; a shut-off domain's "live" XML is its
    // definition, so it serves as the config side without a second read
    String live = gw.xml(ref, false);
    boolean active = VcpuXml.hasDomainId(live);
    boolean persistent = gw.isPersistent(ref);
    VcpuCount.Builder b = VcpuCount.builder();
    if (persistent) {
      int[] c = VcpuXml.read(active ? gw.xml(ref, true) : live);
      b.config(c[0], c[1]);
    }
    if (active) {
      int[] l = VcpuXml.read(live);
      b.live(l[0], l[1]);
    }
    return b.build();
  }

  VcpuCount readVcpuCount(boolean active, boolean persistent) {
    LibvirtGateway gw = client.gateway();
    VcpuCount.Builder b = VcpuCount.builder();
    if (persistent) {
      int[] c = VcpuXml.read(gw.xml(ref, true));
      b.config(c[0], c[1]);
    }
    if (active) {
      int[] l = VcpuXml.read(gw.xml(ref, false));
      b.live(l[0], l[1]);
    }
    return b.build();
  }

  /**
   * Starts a vCPU change: {@code vcpus().set(4).live().config().apply()}. Without a scope the
   * change is live, like {@code virsh setvcpus}.
   *
   * @return an empty request for this domain
   */
  public VcpuChange vcpus() {
    return new VcpuChange(this);
  }

  /**
   * Prepares the persistent definition for hotplug up to the limits: reads the inactive XML,
   * applies hotplug-xml's {@link HotplugPreparer} (vCPU maximum, maxMemory with slots, a NUMA
   * cell), and defines the result. Nothing is defined when the domain is already prepared. The
   * running domain is not touched: the changes take effect at the next cold boot (shutdown + start),
   * which {@link PrepareResult#summary()} says.
   *
   * @param limits the maximum vCPUs, maximum memory and memory slots to prepare for
   * @return what changed
   * @throws PreconditionException {@link Refusal#NOT_PERSISTENT} for a transient domain;
   *     {@link Refusal#PREPARATION_REFUSED} when hotplug-xml refuses the definition (the message
   *     says which rule and how to fix it; the cause is the {@code PreparationRefusedException})
   * @throws VerificationTimeoutException if the redefined XML does not show the new vCPU maximum
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt refuses the new definition
   */
  public PrepareResult prepare(HotplugLimits limits) {
    Objects.requireNonNull(limits, "limits");
    return locked(() -> doPrepare(limits));
  }

  private PrepareResult doPrepare(HotplugLimits limits) {
    long t0 = System.nanoTime();
    LibvirtGateway gw = client.gateway();
    String name = ref.name();
    if (!gw.isPersistent(ref)) {
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "domain '" + name + "' is transient (it has no"
          + " persistent definition): preparing changes the definition used at the next start. Make it persistent"
          + " first (virsh dumpxml " + name + " > " + name + ".xml; virsh define " + name + ".xml)");
    }
    boolean running = gw.isActive(ref);
    PreparedDomain prepared;
    try {
      prepared = HotplugPreparer.prepare(DomainXml.parse(gw.xmlForRedefine(ref)), limits);
    } catch (PreparationRefusedException e) {
      throw new PreconditionException(Refusal.PREPARATION_REFUSED, "cannot prepare domain '" + name
          + "' for " + limits + ": " + e.getMessage(), e);
    } catch (DomainXmlException e) {
      throw new HotplugException("cannot read the definition of domain '" + name + "' that libvirt returned: "
          + e.getMessage(), e);
    }
    if (prepared.changed()) {
      gw.defineXml(prepared.xml());
      int[] v = VcpuXml.read(gw.xml(ref, true));
      if (v[0] != limits.maxVcpus()) {
        throw new VerificationTimeoutException("domain '" + name + "' was redefined but its definition shows a"
            + " vCPU maximum of " + v[0] + " instead of " + limits.maxVcpus() + ": check `virsh dumpxml --inactive "
            + name + "`", "config maximum vCPUs = " + limits.maxVcpus(), "config maximum vCPUs = " + v[0], 1,
            Duration.ofNanos(System.nanoTime() - t0), null);
      }
    }
    return new PrepareResult(name, limits, prepared.changes(), running, Duration.ofNanos(System.nanoTime() - t0));
  }

  /**
   * The memory layout: max memory and slots (config and live), slots used and free, memory total,
   * current memory, memory devices (DIMMs with size, node, slot, alias), NUMA cells.
   *
   * @return the view
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt fails
   */
  public MemoryView memoryView() {
    return MemoryInspector.view(this);
  }

  /**
   * {@code virsh dommemstat}: the memory statistics of the running domain.
   *
   * @return the statistics, tags named as virsh names them
   * @throws PreconditionException NOT_RUNNING when the domain is shut off
   * @throws LibvirtException if libvirt fails
   */
  public MemoryStats memoryStats() {
    return MemoryInspector.stats(this);
  }

  /**
   * Where the live domain and its persistent definition differ (vCPUs, memory, DIMMs).
   *
   * @return the differences, or a non-applicable drift for a shut-off or transient domain
   * @throws LibvirtException if libvirt fails
   */
  public Drift drift() {
    return MemoryInspector.drift(this);
  }

  /**
   * Starts a memory change: {@code memory().add(MemorySize.ofGiB(8)).node(0).live().config().apply()}.
   *
   * @return an empty request for this domain
   */
  public MemoryChange memory() {
    return new MemoryChange(this);
  }

  /**
   * Starts a desired-state request: {@code ensure().vcpus(4).memory(MemorySize.ofGiB(8)).plan()/apply()}.
   *
   * @return an empty request for this domain
   */
  public DesiredState ensure() {
    return new DesiredState(this);
  }

  /**
   * The domain's QEMU guest agent, to online hot-added vCPUs and memory in a guest without udev rules:
   * {@code guestAgent().online()}.
   *
   * @return the agent view (5-second bound per agent command)
   */
  public GuestAgent guestAgent() {
    return new GuestAgent(this);
  }

  /**
   * Starts a cold boot (graceful shutdown, wait, start): {@code coldBoot().after(prepare(limits)).apply()}.
   *
   * @return a request with a 60-second shutdown timeout and no forced power off
   */
  public ColdBoot coldBoot() {
    return new ColdBoot(this);
  }

  /** Sends a QEMU guest agent command (for {@link AgentGuestProbe}). */
  String agentCommand(String json, int timeoutSeconds) {
    return client.gateway().qemuAgentCommand(ref, json, timeoutSeconds);
  }

  // package-private plumbing for the operations of this package

  LibvirtGateway gateway() {
    return client.gateway();
  }

  LibvirtGateway.DomainRef ref() {
    return ref;
  }

  /** Runs a change while holding this domain's lock (per-domain serialization). */
  <T> T locked(Supplier<T> action) {
    return client.locks().withLock(ref.uuid(), action);
  }

  @Override
  public String toString() {
    return "DomainHandle[" + ref.name() + " on " + client.uri() + "]";
  }
}
