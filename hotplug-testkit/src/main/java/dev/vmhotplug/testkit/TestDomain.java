package dev.vmhotplug.testkit;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One domain of a libvirt test-driver node file, described by a small fluent spec: name, vCPUs and
 * their maximum, memory, prepared for hotplug or not, running or shut off, persistent or transient,
 * and the DIMMs or virtio-mem devices it already has.
 *
 * <pre>{@code
 * TestDomain web = TestDomain.named("web").vcpus(2, 8).memory(MemorySize.ofGiB(1))
 *     .memoryHotplug(MemorySize.ofGiB(16), 16).dimm(MemorySize.ofMiB(256), 0).build();
 * TestDomain off = TestDomain.named("off").prepared(limits).shutOff().build();
 * }</pre>
 *
 * <p>Defaults: type {@code test}, 1 of 1 vCPU, 1 GiB, not prepared for memory hotplug, running,
 * persistent, no memory devices. What libvirt's test driver does with each part (verified by the
 * kit's own tests, libvirt 9.0):
 *
 * <ul>
 *   <li>running and paused domains take vCPU changes live and persistently (live, config or both);
 *       a shut-off domain only persistently: the SDK refuses a live change before any libvirt call;
 *   <li>a transient domain has no persistent definition: the SDK refuses a config change;
 *   <li>the vCPU count stays within the maximum ({@code <vcpu>}): the SDK refuses more;
 *   <li>every connection starts from the node file: changes are per client;
 *   <li>memory devices given here are in the definition and the live XML, but the test driver cannot
 *       attach, detach or update memory devices: use {@link LibvirtSeam#emulateMemoryDevices()} to
 *       run that path, or the VM lab to prove it for real;
 *   <li>{@link Builder#type(String) type} {@code test} (the default) and {@code kvm} are both accepted by
 *       the test driver and by {@code DomainHandle.prepare(…)}.
 * </ul>
 *
 * <p>Immutable; {@link Builder#build()} checks the spec and says what is wrong and how to fix it.
 */
public final class TestDomain {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The run state a domain starts in. */
  public enum State {
    /** Running (the test driver's default). */
    RUNNING(1),
    /** Paused: active, so live changes apply, but not running. */
    PAUSED(3),
    /** Shut off: only its persistent definition exists. */
    SHUT_OFF(5);

    private final int runstate;

    State(int runstate) {
      this.runstate = runstate;
    }

    int runstate() {
      return runstate;
    }
  }

  private final String name;
  private final String type;
  private final Optional<String> uuid;
  private final int vcpus;
  private final int maxVcpus;
  private final MemorySize memory;
  private final Optional<MemorySize> maxMemory;
  private final int slots;
  private final int numaNodes;
  private final Optional<HotplugLimits> prepared;
  private final State state;
  private final boolean persistent;
  private final boolean guestAgent;
  private final List<MemoryDevice> devices;
  private final String xml;

  private TestDomain(Builder b) {
    this.name = b.name;
    this.type = b.type;
    this.uuid = b.uuid;
    this.vcpus = b.vcpus;
    this.maxVcpus = b.maxVcpus;
    this.memory = b.memory;
    this.maxMemory = b.maxMemory;
    this.slots = b.slots;
    this.numaNodes = b.numaNodes;
    this.prepared = b.prepared;
    this.state = b.state;
    this.persistent = b.persistent;
    this.guestAgent = b.guestAgent;
    this.devices = List.copyOf(b.devices);
    this.xml = render();
  }

  /**
   * Starts a spec for a domain of this name.
   *
   * @param name the domain name: letters, digits, {@code .}, {@code _} and {@code -}, up to 64
   *     characters, starting with a letter or digit
   * @return a builder with the defaults
   * @throws IllegalArgumentException if the name is not of that form (the message names it)
   * @throws NullPointerException if name is null
   */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /**
   * Returns a builder holding this spec's values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.type = type;
    b.uuid = uuid;
    b.vcpus = vcpus;
    b.maxVcpus = maxVcpus;
    b.memory = memory;
    b.maxMemory = maxMemory;
    b.slots = slots;
    b.numaNodes = numaNodes;
    b.prepared = prepared;
    b.state = state;
    b.persistent = persistent;
    b.guestAgent = guestAgent;
    b.devices.addAll(devices);
    return b;
  }

  /**
   * Returns the domain name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the run state the domain starts in.
   *
   * @return the state
   */
  public State state() {
    return state;
  }

  /**
   * Tells whether the domain has a persistent definition.
   *
   * @return true unless built with {@code persistent(false)}
   */
  public boolean persistent() {
    return persistent;
  }

  /**
   * Returns the memory devices the domain starts with, in document order.
   *
   * @return the DIMMs and virtio-mem devices; empty when none
   */
  public List<MemoryDevice> memoryDevices() {
    return devices;
  }

  /**
   * Returns the domain XML this spec stands for, as it is written into the node file (without the
   * test driver's run-state elements).
   *
   * @return the domain XML
   */
  public String domainXml() {
    return xml;
  }

  /** The {@code <domain>} element for the node file, with the test driver's run-state elements. */
  String nodeEntry() {
    String open = xml.substring(0, xml.indexOf('>'));
    String extra = (state == State.RUNNING ? "" : "  <test:runstate>" + state.runstate() + "</test:runstate>\n")
        + (persistent ? "" : "  <test:transient/>\n");
    String body = xml.substring(xml.indexOf('>') + 1, xml.lastIndexOf("</domain>"));
    return open + " xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>" + body + extra + "</domain>\n";
  }

  private String render() {
    StringBuilder sb = new StringBuilder();
    long baseKiB = memory.toKiB();
    sb.append("<domain type='").append(type).append("'>\n");
    sb.append("  <name>").append(name).append("</name>\n");
    uuid.ifPresent(u -> sb.append("  <uuid>").append(u).append("</uuid>\n"));
    maxMemory.ifPresent(m -> sb.append("  <maxMemory slots='").append(slots).append("' unit='KiB'>")
        .append(m.toKiB()).append("</maxMemory>\n"));
    sb.append("  <memory unit='KiB'>").append(baseKiB).append("</memory>\n");
    sb.append("  <currentMemory unit='KiB'>").append(baseKiB).append("</currentMemory>\n");
    sb.append("  <vcpu placement='static'").append(vcpus == maxVcpus ? "" : " current='" + vcpus + "'")
        .append('>').append(maxVcpus).append("</vcpu>\n");
    sb.append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n");
    if (maxMemory.isPresent()) {
      sb.append("  <cpu>\n    <numa>\n");
      long perNode = baseKiB / numaNodes;
      for (int i = 0; i < numaNodes; i++) {
        int first = i * maxVcpus / numaNodes;
        int last = (i + 1) * maxVcpus / numaNodes - 1;
        sb.append("      <cell id='").append(i).append("' cpus='").append(first)
            .append(last > first ? "-" + last : "").append("' memory='").append(perNode).append("' unit='KiB'/>\n");
      }
      sb.append("    </numa>\n  </cpu>\n");
    }
    sb.append("  <devices>\n");
    if (guestAgent) {
      sb.append("    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
          + "    </channel>\n");
    }
    sb.append("  </devices>\n");
    sb.append("</domain>\n");
    String out = sb.toString();
    if (prepared.isPresent()) {
      out = HotplugPreparer.prepare(DomainXml.parse(out), prepared.get()).xml();
    }
    if (devices.isEmpty()) {
      return out;
    }
    DomainXml x = DomainXml.parse(out);
    MemorySize total = x.memory().orElseThrow().size();
    MemorySize current = x.currentMemory().map(m -> m.size()).orElse(total);
    int slot = 0;
    for (MemoryDevice d : devices) {
      if (d.model().equals("dimm")) {
        // as libvirt shows a DIMM of a running domain: in a slot, the lowest free one first
        x.addMemoryDevice(PartXml.fromXml(d.toXml().replaceFirst("</memory>\\s*$",
            "  <address type='dimm' slot='" + slot++ + "'/>\n</memory>\n"), MemoryDevice.class));
      } else {
        x.addMemoryDevice(d);
      }
      total = total.plus(d.targetSize().orElseThrow());
      if (d.model().equals("dimm")) {
        current = current.plus(d.targetSize().orElseThrow());
      } else if (d.requestedSize().isPresent()) {
        current = current.plus(d.requestedSize().get());
      }
    }
    x.setMemory(total);
    x.setCurrentMemory(current);
    return x.toXml();
  }

  @Override
  public String toString() {
    return "TestDomain[" + name + ", " + state + (persistent ? ", persistent" : ", transient") + ", vCPUs " + vcpus
        + "/" + maxVcpus + ", memory " + memory + (maxMemory.map(m -> ", maxMemory " + m + "/" + slots).orElse(""))
        + (prepared.isPresent() ? ", prepared" : "") + ", " + devices.size() + " memory device(s)]";
  }

  /** Builds a {@link TestDomain}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private String type = "test";
    private Optional<String> uuid = Optional.empty();
    private int vcpus = 1;
    private int maxVcpus = 1;
    private MemorySize memory = MemorySize.ofGiB(1);
    private Optional<MemorySize> maxMemory = Optional.empty();
    private int slots;
    private int numaNodes = 1;
    private Optional<HotplugLimits> prepared = Optional.empty();
    private State state = State.RUNNING;
    private boolean persistent = true;
    private boolean guestAgent;
    private final List<MemoryDevice> devices = new ArrayList<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("TestDomain name " + quote(name) + " is not a plain domain name: use"
            + " letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit), e.g. \"web-1\"");
      }
      this.name = name;
    }

    /**
     * Sets the domain type.
     *
     * @param type {@code test} (the default) or {@code kvm}; the test driver accepts both
     * @return this builder
     * @throws IllegalArgumentException for another type
     * @throws NullPointerException if type is null
     */
    public Builder type(String type) {
      Objects.requireNonNull(type, "type");
      if (!type.equals("test") && !type.equals("kvm") && !type.equals("qemu")) {
        throw new IllegalArgumentException("TestDomain type " + quote(type) + " is not one the kit writes: use"
            + " \"test\", \"kvm\" or \"qemu\"");
      }
      this.type = type;
      return this;
    }

    /**
     * Sets the domain UUID (otherwise the test driver makes one up).
     *
     * @param uuid a UUID with dashes, e.g. {@code 6f1b2d9e-3c4a-4b7e-9a51-0d2c8e7f1a01}
     * @return this builder
     * @throws IllegalArgumentException if it is not a UUID with dashes
     * @throws NullPointerException if uuid is null
     */
    public Builder uuid(String uuid) {
      Objects.requireNonNull(uuid, "uuid");
      if (!UUID.matcher(uuid).matches()) {
        throw new IllegalArgumentException("TestDomain uuid " + quote(uuid) + " is not a UUID with dashes,"
            + " e.g. \"6f1b2d9e-3c4a-4b7e-9a51-0d2c8e7f1a01\"");
      }
      this.uuid = Optional.of(uuid);
      return this;
    }

    /**
     * Sets the vCPUs: {@code <vcpu current='current'>maximum</vcpu>}. A domain is prepared for vCPU
     * hotplug when current is below maximum.
     *
     * @param current the vCPUs the domain starts with, at least 1
     * @param maximum the most it may have, at least current
     * @return this builder
     * @throws IllegalArgumentException if current is below 1 or above maximum
     */
    public Builder vcpus(int current, int maximum) {
      if (current < 1 || maximum < current) {
        throw new IllegalArgumentException("TestDomain " + quote(name) + ": vcpus(" + current + ", " + maximum
            + ") needs 1 <= current <= maximum, e.g. vcpus(2, 8)");
      }
      this.vcpus = current;
      this.maxVcpus = maximum;
      return this;
    }

    /**
     * Sets the memory the domain boots with, without memory devices (spread over the NUMA cells
     * when the domain is prepared for memory hotplug). Devices given with {@link #dimm} and
     * {@link #virtioMem} come on top, as libvirt counts them.
     *
     * @param size the boot memory, at least 1 MiB
     * @return this builder
     * @throws IllegalArgumentException if it is below 1 MiB
     * @throws NullPointerException if size is null
     */
    public Builder memory(MemorySize size) {
      Objects.requireNonNull(size, "size");
      if (size.compareTo(MemorySize.ofMiB(1)) < 0) {
        throw new IllegalArgumentException("TestDomain " + quote(name) + ": memory " + size + " is below 1 MiB");
      }
      this.memory = size;
      return this;
    }

    /**
     * Prepares the domain for memory hotplug by hand: {@code <maxMemory slots='slots'>max</maxMemory>}
     * and NUMA cells covering all vCPUs and the boot memory.
     *
     * @param max the most memory the domain may have, above the boot memory
     * @param slots the memory slots (DIMMs), 1 to 256
     * @return this builder
     * @throws IllegalArgumentException if slots is out of range
     * @throws NullPointerException if max is null
     */
    public Builder memoryHotplug(MemorySize max, int slots) {
      Objects.requireNonNull(max, "max");
      if (slots < HotplugLimits.MIN_SLOTS || slots > HotplugLimits.MAX_SLOTS) {
        throw new IllegalArgumentException("TestDomain " + quote(name) + ": " + slots + " memory slots is out of"
            + " range: give 1 to 256");
      }
      this.maxMemory = Optional.of(max);
      this.slots = slots;
      return this;
    }

    /**
     * Sets how many NUMA cells {@link #memoryHotplug} writes (vCPUs and boot memory split evenly).
     *
     * @param nodes 1 (the default) or more, at most the maximum vCPUs
     * @return this builder
     * @throws IllegalArgumentException if nodes is below 1
     */
    public Builder numaNodes(int nodes) {
      if (nodes < 1) {
        throw new IllegalArgumentException("TestDomain " + quote(name) + ": numaNodes(" + nodes + ") needs 1 or more");
      }
      this.numaNodes = nodes;
      return this;
    }

    /**
     * Prepares the domain the way the SDK does ({@code HotplugPreparer.prepare} with these limits):
     * the vCPU maximum, {@code <maxMemory>} with the slots, a NUMA cell, and virtio-mem devices when
     * the limits ask for them.
     *
     * @param limits the limits to prepare for
     * @return this builder
     * @throws NullPointerException if limits is null
     */
    public Builder prepared(HotplugLimits limits) {
      this.prepared = Optional.of(Objects.requireNonNull(limits, "limits"));
      return this;
    }

    /**
     * Starts the domain running (the default).
     *
     * @return this builder
     */
    public Builder running() {
      this.state = State.RUNNING;
      return this;
    }

    /**
     * Starts the domain paused.
     *
     * @return this builder
     */
    public Builder paused() {
      this.state = State.PAUSED;
      return this;
    }

    /**
     * Starts the domain shut off (defined, not running).
     *
     * @return this builder
     */
    public Builder shutOff() {
      this.state = State.SHUT_OFF;
      return this;
    }

    /**
     * Sets whether the domain has a persistent definition; {@code false} makes it transient.
     *
     * @param persistent true (the default) for a defined domain
     * @return this builder
     */
    public Builder persistent(boolean persistent) {
      this.persistent = persistent;
      return this;
    }

    /**
     * Gives the domain a QEMU guest agent channel in its definition (the test driver has no agent
     * behind it: agent commands fail as with an agent that is not running).
     *
     * @return this builder
     */
    public Builder guestAgentChannel() {
      this.guestAgent = true;
      return this;
    }

    /**
     * Adds a DIMM the domain already has, in the next DIMM slot (0, 1, ... in the order given).
     *
     * @param size its size
     * @param node its NUMA node
     * @return this builder
     * @throws NullPointerException if size is null
     * @throws IllegalArgumentException if the size or node is not valid for a DIMM
     */
    public Builder dimm(MemorySize size, int node) {
      devices.add(MemoryDevice.dimm(Objects.requireNonNull(size, "size"), node));
      return this;
    }

    /**
     * Adds a virtio-mem device the domain already has, with a 2 MiB block.
     *
     * @param size its maximum size (target size)
     * @param node its NUMA node
     * @param requested how much of it is requested (plugged) at start
     * @return this builder
     * @throws NullPointerException if size or requested is null
     * @throws IllegalArgumentException if the sizes or node are not valid for a virtio-mem device
     */
    public Builder virtioMem(MemorySize size, int node, MemorySize requested) {
      devices.add(MemoryDevice.virtioMem(Objects.requireNonNull(size, "size"), node,
          MemoryDevice.VIRTIO_MEM_X86_BLOCK, Objects.requireNonNull(requested, "requested")));
      return this;
    }

    /**
     * Checks the spec and builds it.
     *
     * @return the domain spec
     * @throws IllegalArgumentException when parts contradict each other: a transient domain that is
     *     shut off, memory devices without memory hotplug prepared, a maximum memory not above the
     *     memory, more devices than slots, more NUMA cells than vCPUs, a device on a node that does
     *     not exist (the message says which and how to fix it)
     */
    public TestDomain build() {
      String who = "TestDomain " + quote(name) + ": ";
      if (!persistent && state == State.SHUT_OFF) {
        throw new IllegalArgumentException(who + "a transient domain cannot be shut off (it would not exist):"
            + " use persistent(true) or running()");
      }
      if (maxMemory.isPresent() && prepared.isPresent()) {
        throw new IllegalArgumentException(who + "memoryHotplug(…) and prepared(…) both prepare memory: give one");
      }
      boolean memoryReady = maxMemory.isPresent() || prepared.isPresent();
      if (!devices.isEmpty() && !memoryReady) {
        throw new IllegalArgumentException(who + "memory devices need a domain prepared for memory hotplug: add"
            + " memoryHotplug(max, slots) or prepared(limits)");
      }
      if (maxMemory.isPresent()) {
        MemorySize total = memory;
        for (MemoryDevice d : devices) {
          total = total.plus(d.targetSize().orElseThrow());
        }
        if (maxMemory.get().compareTo(total) <= 0) {
          throw new IllegalArgumentException(who + "maxMemory " + maxMemory.get() + " must be above the memory with"
              + " its devices (" + total + "): raise memoryHotplug(max, …)");
        }
        long dimms = devices.stream().filter(d -> d.model().equals("dimm")).count();
        if (devices.size() > slots || dimms > slots) {
          throw new IllegalArgumentException(who + devices.size() + " memory device(s) do not fit " + slots
              + " slot(s): raise memoryHotplug(…, slots)");
        }
        if (numaNodes > maxVcpus) {
          throw new IllegalArgumentException(who + numaNodes + " NUMA cells need at least as many vCPUs (maximum "
              + maxVcpus + "): raise vcpus(…, maximum) or lower numaNodes(…)");
        }
      }
      int cells = maxMemory.isPresent() ? numaNodes : 1;
      for (MemoryDevice d : devices) {
        int node = d.targetNode().orElse(0);
        if (node >= cells) {
          throw new IllegalArgumentException(who + "a memory device on NUMA node " + node + " but the domain has "
              + cells + " cell(s) (0.." + (cells - 1) + "): use a node in range or raise numaNodes(…)");
        }
      }
      return new TestDomain(this);
    }
  }

  static String quote(String s) {
    return dev.vmhotplug.xml.internal.SafeText.quote(s);
  }
}
