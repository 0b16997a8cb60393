package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.ScopeCheck;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.PreparationRefusedException;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PreparedDomain;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  /** {@return the domain's name} */
  public String name() {
    return ref.name();
  }

  /** {@return the domain's UUID (with dashes)} */
  public String uuid() {
    return ref.uuid();
  }

  /** {@return the client this handle belongs to} */
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
    return OpContext.guard(name(), () -> Inspection.whole(this).vcpuCount());
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
   * which {@link PrepareResult#summary()} says and {@link PrepareResult#thenColdBoot()} does:
   * {@code domain.prepare(limits).thenColdBoot().apply()}.
   *
   * <p>{@link HotplugLimits} is hotplug-xml's value: building it yourself
   * ({@code HotplugLimits.builder()…build()}) throws hotplug-xml's {@code DomainXmlException} for a
   * bad value, outside hotplug-core's exception root. {@link #prepare(int, MemorySize, int)} checks the
   * same rules and throws {@link InvalidArgumentException} instead.
   *
   * @param limits the maximum vCPUs, maximum memory and memory slots to prepare for
   * @return what changed
   * @throws PreconditionException {@link Refusal#NOT_PERSISTENT} for a transient domain;
   *     {@link Refusal#PREPARATION_REFUSED} when hotplug-xml refuses the definition (the message
   *     says which rule and how to fix it; the cause is the {@code PreparationRefusedException});
   *     {@link Refusal#READ_ONLY} for a read-only client
   * @throws VerificationTimeoutException if the redefined XML does not show the new vCPU maximum
   * @throws ConnectionLostException the connection broke during {@code defineXML} and the definition
   *     was not changed (nothing retried)
   * @throws OutcomeUnknownException the connection broke during {@code defineXML} and the definition
   *     read after it is neither the old nor the prepared one
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt refuses the new definition
   * @throws HotplugException if the definition libvirt returned cannot be read
   * @throws NullPointerException if limits is null
   */
  public PrepareResult prepare(HotplugLimits limits) {
    Objects.requireNonNull(limits, "limits");
    return Listening.observe(this, OperationInfo.PREPARE, null, () -> {
      OpContext.refuseReadOnly(this, "prepare");
      return OpContext.guard(name(), () -> locked(() -> doPrepare(limits)));
    }, PrepareResult::changed);
  }

  /**
   * Prepares the persistent definition for hotplug up to the limits, checking them first: the same
   * as {@link #prepare(HotplugLimits)} with the limits built from the arguments, all within
   * hotplug-core's exception root.
   *
   * @param maxVcpus the most vCPUs the domain may run, 1..16384
   * @param maxMemory the most memory it may reach, more than zero and a whole number of KiB
   * @param slots the memory slots (DIMMs), 1..256
   * @return what changed
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} for a value outside those
   *     ranges, before any libvirt call (hotplug-xml's error is the cause)
   * @throws PreconditionException as {@link #prepare(HotplugLimits)}
   * @throws VerificationTimeoutException as {@link #prepare(HotplugLimits)}
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt refuses the new definition
   * @throws NullPointerException if maxMemory is null
   */
  public PrepareResult prepare(int maxVcpus, MemorySize maxMemory, int slots) {
    Objects.requireNonNull(maxMemory, "maxMemory");
    return Listening.observe(this, OperationInfo.PREPARE, null, () -> prepareChecked(maxVcpus, maxMemory, slots),
        PrepareResult::changed);
  }

  private PrepareResult prepareChecked(int maxVcpus, MemorySize maxMemory, int slots) {
    HotplugLimits limits;
    try {
      limits = HotplugLimits.builder().maxVcpus(maxVcpus).maxMemory(maxMemory).slots(slots).build();
    } catch (DomainXmlException e) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "cannot prepare domain " + SafeText.quote(name())
          + ": " + SafeText.escape(e.getMessage(), 400), e);
    }
    return prepare(limits);
  }

  private PrepareResult doPrepare(HotplugLimits limits) {
    long t0 = System.nanoTime();
    LibvirtGateway gw = client.gateway();
    String name = ref.name();
    String q = SafeText.quote(name);
    String d = ScopeCheck.shell(name);
    if (!gw.isPersistent(ref)) {
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "domain " + q + " is transient (it has no"
          + " persistent definition): preparing changes the definition used at the next start. Make it persistent"
          + " first (virsh dumpxml " + d + " > " + d + ".xml; virsh define " + d + ".xml)");
    }
    boolean running = gw.isActive(ref);
    String before = gw.xmlForRedefine(ref);
    PreparedDomain prepared;
    try {
      prepared = HotplugPreparer.prepare(Inspection.parse(this, before, false), limits);
    } catch (PreparationRefusedException e) {
      throw new PreconditionException(Refusal.PREPARATION_REFUSED, "cannot prepare domain " + q
          + " for " + limits + ": " + e.getMessage(), e);
    }
    List<String> warnings = new ArrayList<>(0);
    if (prepared.changed()) {
      OperationStep step = new OperationStep("defineXML", Scope.CONFIG, prepared.changes().size() + " change(s) for "
          + limits);
      try {
        gw.defineXml(prepared.xml());
      } catch (ConnectionLostException lost) {
        warnings.add(definedAfterLoss(step, before, limits, lost));
      }
      Listening.stepApplied(this, step);
      int max = Inspection.readConfig(this).vcpu().map(dev.vmhotplug.xml.Vcpu::maximum).orElse(1);
      if (max != limits.maxVcpus()) {
        throw new VerificationTimeoutException("domain " + q + " was redefined but its definition shows a"
            + " vCPU maximum of " + max + " instead of " + limits.maxVcpus() + ": check `virsh dumpxml --inactive "
            + d + "`", "config maximum vCPUs = " + limits.maxVcpus(), "config maximum vCPUs = " + max, 1,
            Duration.ofNanos(System.nanoTime() - t0), null);
      }
    }
    return new PrepareResult(this, name, limits, prepared.changes(), running, Duration.ofNanos(System.nanoTime() - t0),
        warnings);
  }

  /**
   * {@code defineXML} broke with the connection: the definition is read again (the gateway
   * reconnects) and compared, never redefined blindly.
   */
  private String definedAfterLoss(OperationStep step, String before, HotplugLimits limits,
      ConnectionLostException lost) {
    String uri = client.uri();
    String q = SafeText.quote(name());
    String now;
    try {
      now = client.gateway().xmlForRedefine(ref);
    } catch (HotplugException e) {
      throw new OutcomeUnknownException("the connection to " + uri + " was lost while defining the prepared"
          + " definition of domain " + q + " (" + lost.getMessage() + ") and the definition could not be read again ("
          + e.getMessage() + "): the SDK cannot tell whether it was defined, and did not retry. Read it (virsh dumpxml"
          + " --inactive) and decide", step, "not prepared for " + limits, "not read", "could not be read: "
          + e.getMessage(), null, null, lost);
    }
    if (!HotplugPreparer.prepare(Inspection.parse(this, now, false), limits).changed()) {
      return "the connection to " + uri + " was lost during defineXML (" + lost.getMessage() + "); after"
          + " reconnecting, the definition of domain " + q + " is prepared for " + limits + ": it was defined."
          + " Nothing was retried";
    }
    if (now.equals(before)) {
      throw new ConnectionLostException(uri, "the connection to " + uri + " was lost while defining the prepared"
          + " definition of domain " + q + ": " + lost.getMessage() + ". After reconnecting, the definition is the one"
          + " from before: it was not defined. Nothing was changed and nothing was retried; prepare again when the"
          + " connection is stable", lost);
    }
    throw new OutcomeUnknownException("the connection to " + uri + " was lost while defining the prepared definition"
        + " of domain " + q + " (" + lost.getMessage() + "); after reconnecting, the definition is neither the one from"
        + " before nor prepared for " + limits + " (someone else changed it?): nothing was retried. Read it and decide",
        step, "not prepared for " + limits, "not compared", "changed, not prepared", null, null, lost);
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
    return OpContext.guard(name(), () -> Inspection.whole(this).memoryView());
  }

  /**
   * {@code virsh dommemstat}: the memory statistics of the running domain.
   *
   * @return the statistics, tags named as virsh names them
   * @throws PreconditionException NOT_RUNNING when the domain is shut off
   * @throws LibvirtException if libvirt fails
   */
  public MemoryStats memoryStats() {
    if (!client.gateway().isActive(ref)) {
      throw new PreconditionException(Refusal.NOT_RUNNING, "domain " + SafeText.quote(name())
          + " is shut off: memory statistics (virsh dommemstat) exist only for a running domain; start it first"
          + " (virsh start " + ScopeCheck.shell(name()) + ")");
    }
    return MemoryStats.of(client.gateway().memoryStats(ref));
  }

  /**
   * Where the live domain and its persistent definition differ (vCPUs, memory, DIMMs).
   *
   * @return the differences, or a non-applicable drift for a shut-off or transient domain
   * @throws LibvirtException if libvirt fails
   */
  public Drift drift() {
    return OpContext.guard(name(), () -> {
      Inspection s = Inspection.whole(this);
      if (!s.running()) {
        return Drift.notApplicable(name(), "the domain is shut off: there is no live definition to compare");
      }
      if (!s.persistent()) {
        return Drift.notApplicable(name(), "the domain is transient: there is no persistent definition to compare");
      }
      return Drift.compare(s.live().orElseThrow(), s.config().orElseThrow());
    });
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
