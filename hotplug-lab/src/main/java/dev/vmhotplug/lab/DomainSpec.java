package dev.vmhotplug.lab;

import java.util.Objects;

/**
 * What lab domain to boot: name suffix, guest rules, agent, persistence, the sizes, and optionally a
 * CPU topology, several NUMA nodes and virtio-mem devices. Immutable; build with
 * {@link #builder(String)}.
 */
public final class DomainSpec {
  private final String suffix;
  private final GuestRules rules;
  private final boolean agent;
  private final boolean persistent;
  private final boolean prepared;
  private final int vcpus;
  private final int maxVcpus;
  private final long memoryMiB;
  private final long maxMemoryMiB;
  private final int slots;
  private final String extraCmdline;
  private final int sockets;
  private final int cores;
  private final int threads;
  private final int numaNodes;
  private final long virtioMemMiB;
  private final long virtioMemRequestedMiB;
  private final boolean virtioMemDriver;

  private DomainSpec(Builder b) {
    this.suffix = b.suffix;
    this.rules = b.rules;
    this.agent = b.agent;
    this.persistent = b.persistent;
    this.prepared = b.prepared;
    this.vcpus = b.vcpus;
    this.maxVcpus = b.maxVcpus;
    this.memoryMiB = b.memoryMiB;
    this.maxMemoryMiB = b.maxMemoryMiB;
    this.slots = b.slots;
    this.extraCmdline = b.extraCmdline;
    this.sockets = b.sockets;
    this.cores = b.cores;
    this.threads = b.threads;
    this.numaNodes = b.numaNodes;
    this.virtioMemMiB = b.virtioMemMiB;
    this.virtioMemRequestedMiB = b.virtioMemRequestedMiB;
    this.virtioMemDriver = b.virtioMemDriver;
  }

  /**
   * @param suffix the domain name after the run prefix ({@code hp-RUNID-suffix}); letters, digits, '-'
   * @return a builder with the defaults: STANDARD rules, no agent, transient, prepared, 2 of 4 vCPUs,
   *     512 MiB of at most 2048 MiB, 16 slots, no topology, one NUMA node, no virtio-mem
   */
  public static Builder builder(String suffix) {
    return new Builder(suffix);
  }

  /** @return a builder holding this spec's values */
  public Builder toBuilder() {
    Builder b = new Builder(suffix);
    b.rules = rules;
    b.agent = agent;
    b.persistent = persistent;
    b.prepared = prepared;
    b.vcpus = vcpus;
    b.maxVcpus = maxVcpus;
    b.memoryMiB = memoryMiB;
    b.maxMemoryMiB = maxMemoryMiB;
    b.slots = slots;
    b.extraCmdline = extraCmdline;
    b.sockets = sockets;
    b.cores = cores;
    b.threads = threads;
    b.numaNodes = numaNodes;
    b.virtioMemMiB = virtioMemMiB;
    b.virtioMemRequestedMiB = virtioMemRequestedMiB;
    b.virtioMemDriver = virtioMemDriver;
    return b;
  }

  /** @return the name suffix */
  public String suffix() {
    return suffix;
  }

  /** @return the guest's udev rules */
  public GuestRules rules() {
    return rules;
  }

  /** @return whether the guest runs qemu-guest-agent (and the domain has its channel) */
  public boolean agent() {
    return agent;
  }

  /** @return defined + started (true) or created (transient, false) */
  public boolean persistent() {
    return persistent;
  }

  /** @return whether the XML is prepared for hotplug (vcpu current &lt; max, maxMemory, NUMA cell) */
  public boolean prepared() {
    return prepared;
  }

  /** @return vCPUs at boot */
  public int vcpus() {
    return vcpus;
  }

  /** @return the most vCPUs (prepared domains) */
  public int maxVcpus() {
    return maxVcpus;
  }

  /** @return memory at boot, in MiB */
  public long memoryMiB() {
    return memoryMiB;
  }

  /** @return maxMemory, in MiB (prepared domains) */
  public long maxMemoryMiB() {
    return maxMemoryMiB;
  }

  /** @return memory slots (prepared domains) */
  public int slots() {
    return slots;
  }

  /** @return extra kernel command line parameters (may be empty) */
  public String extraCmdline() {
    return extraCmdline;
  }

  /** @return whether the domain has a {@code <cpu><topology>} */
  public boolean hasTopology() {
    return sockets > 0;
  }

  /** @return sockets of the boot topology (the unprepared domain's), 0 without a topology */
  public int sockets() {
    return sockets;
  }

  /** @return cores per socket of the topology, 0 without a topology */
  public int cores() {
    return cores;
  }

  /** @return threads per core of the topology, 0 without a topology */
  public int threads() {
    return threads;
  }

  /**
   * @return the sockets the prepared domain has: raised so that sockets × cores × threads is
   *     {@link #maxVcpus()} (cores and threads kept), as oVirt and KubeVirt prepare such domains
   */
  public int preparedSockets() {
    return sockets == 0 ? 0 : maxVcpus / (cores * threads);
  }

  /** @return NUMA nodes (cells) of the domain: the vCPUs and the boot memory are split evenly */
  public int numaNodes() {
    return numaNodes;
  }

  /** @return whether the domain has virtio-mem devices (one per NUMA node) */
  public boolean hasVirtioMem() {
    return virtioMemMiB > 0;
  }

  /** @return the {@code <size>} of each node's virtio-mem device in MiB, 0 for none */
  public long virtioMemMiB() {
    return virtioMemMiB;
  }

  /** @return the {@code <requested>} size each virtio-mem device is defined with, in MiB */
  public long virtioMemRequestedMiB() {
    return virtioMemRequestedMiB;
  }

  /** @return whether the guest loads its virtio_mem driver (kernel parameter {@code hp.vmem=1}) */
  public boolean virtioMemDriver() {
    return virtioMemDriver;
  }

  /** Builder of {@link DomainSpec}; {@link #build()} validates. */
  public static final class Builder {
    private final String suffix;
    private GuestRules rules = GuestRules.STANDARD;
    private boolean agent;
    private boolean persistent;
    private boolean prepared = true;
    private int vcpus = 2;
    private int maxVcpus = 4;
    private long memoryMiB = 512;
    private long maxMemoryMiB = 2048;
    private int slots = 16;
    private String extraCmdline = "";
    private int sockets;
    private int cores;
    private int threads;
    private int numaNodes = 1;
    private long virtioMemMiB;
    private long virtioMemRequestedMiB;
    private boolean virtioMemDriver = true;

    private Builder(String suffix) {
      this.suffix = Objects.requireNonNull(suffix, "suffix");
    }

    /** @param v the guest's udev rules */
    public Builder rules(GuestRules v) {
      this.rules = Objects.requireNonNull(v, "rules");
      return this;
    }

    /** @param v whether the guest runs qemu-guest-agent */
    public Builder agent(boolean v) {
      this.agent = v;
      return this;
    }

    /** @param v define + start (true) or create a transient domain (false) */
    public Builder persistent(boolean v) {
      this.persistent = v;
      return this;
    }

    /** @param v false boots the plain XML without the hotplug preparation */
    public Builder prepared(boolean v) {
      this.prepared = v;
      return this;
    }

    /** @param v vCPUs at boot, at least 1 */
    public Builder vcpus(int v) {
      this.vcpus = v;
      return this;
    }

    /** @param v the most vCPUs */
    public Builder maxVcpus(int v) {
      this.maxVcpus = v;
      return this;
    }

    /** @param v memory at boot in MiB, a multiple of 128 */
    public Builder memoryMiB(long v) {
      this.memoryMiB = v;
      return this;
    }

    /** @param v maxMemory in MiB */
    public Builder maxMemoryMiB(long v) {
      this.maxMemoryMiB = v;
      return this;
    }

    /** @param v memory slots */
    public Builder slots(int v) {
      this.slots = v;
      return this;
    }

    /** @param v extra kernel parameters, e.g. "memhp_default_state=online" (letters, digits, =._,-) */
    public Builder extraCmdline(String v) {
      this.extraCmdline = Objects.requireNonNull(v, "extraCmdline");
      return this;
    }

    /**
     * A {@code <cpu><topology sockets dies='1' cores threads>} of the unprepared domain: its product
     * must be {@link #vcpus(int)}; the prepared domain raises the sockets to reach
     * {@link #maxVcpus(int)} (which must be a multiple of cores × threads).
     *
     * @param sockets sockets at boot, at least 1
     * @param cores cores per socket, at least 1
     * @param threads threads per core, at least 1 (QEMU's default CPU model shows threads as cores)
     */
    public Builder topology(int sockets, int cores, int threads) {
      this.sockets = sockets;
      this.cores = cores;
      this.threads = threads;
      return this;
    }

    /** @param v NUMA nodes (cells), 1..4; vCPUs and boot memory are split evenly across them */
    public Builder numaNodes(int v) {
      this.numaNodes = v;
      return this;
    }

    /**
     * One virtio-mem device per NUMA node with this {@code <size>} (block 2 MiB), the domain XML
     * written by the lab (maxMemory, one NUMA cell per node, vCPU current/max) as libvirt needs it,
     * and the guest booted with {@code hp.vmem=1} (load the driver) and
     * {@code memhp_default_state=online_movable} (unless the extra command line sets
     * memhp_default_state itself): the setting under which shrinking reaches the request
     * (docs/lab-virtio-mem.md).
     *
     * @param sizeMiB each device's size in MiB, a multiple of 128; 0 for no virtio-mem
     */
    public Builder virtioMem(long sizeMiB) {
      this.virtioMemMiB = sizeMiB;
      return this;
    }

    /** @param v the {@code <requested>} size each device is defined with, in MiB (multiple of 2, default 0) */
    public Builder virtioMemRequestedMiB(long v) {
      this.virtioMemRequestedMiB = v;
      return this;
    }

    /** @param v false boots the virtio-mem domain without loading the guest's driver (current stays 0) */
    public Builder virtioMemDriver(boolean v) {
      this.virtioMemDriver = v;
      return this;
    }

    /** @return the spec; throws IllegalArgumentException naming the field when a value is invalid */
    public DomainSpec build() {
      if (!suffix.matches("[a-z0-9][a-z0-9-]{0,30}")) {
        throw new IllegalArgumentException("suffix '" + suffix + "' must be 1-31 of [a-z0-9-], starting with a letter or digit");
      }
      if (vcpus < 1 || maxVcpus < vcpus) {
        throw new IllegalArgumentException("vcpus " + vcpus + " must be >= 1 and <= maxVcpus " + maxVcpus);
      }
      if (memoryMiB < 128 || memoryMiB % 128 != 0 || maxMemoryMiB < memoryMiB) {
        throw new IllegalArgumentException("memoryMiB " + memoryMiB + " must be a multiple of 128 and <= maxMemoryMiB "
            + maxMemoryMiB);
      }
      if (slots < 1 || slots > 255) {
        throw new IllegalArgumentException("slots " + slots + " must be 1..255");
      }
      if (!extraCmdline.matches("[A-Za-z0-9=._, -]*")) {
        throw new IllegalArgumentException("extraCmdline '" + extraCmdline + "' may only contain letters, digits and =._,-");
      }
      if (sockets != 0 || cores != 0 || threads != 0) {
        if (sockets < 1 || cores < 1 || threads < 1) {
          throw new IllegalArgumentException("topology " + sockets + "x" + cores + "x" + threads
              + ": sockets, cores and threads must each be at least 1");
        }
        if (sockets * cores * threads != vcpus) {
          throw new IllegalArgumentException("topology " + sockets + "x" + cores + "x" + threads + " has "
              + sockets * cores * threads + " vCPUs but vcpus is " + vcpus + ": they must be equal");
        }
        if (prepared && maxVcpus % (cores * threads) != 0) {
          throw new IllegalArgumentException("maxVcpus " + maxVcpus + " is not a multiple of cores x threads "
              + cores * threads + ": no socket count reaches it");
        }
      }
      if (numaNodes < 1 || numaNodes > 4 || maxVcpus % numaNodes != 0 || memoryMiB % (128L * numaNodes) != 0) {
        throw new IllegalArgumentException("numaNodes " + numaNodes + " must be 1..4 and divide maxVcpus "
            + maxVcpus + " and memoryMiB / 128 (" + memoryMiB / 128 + ")");
      }
      if (numaNodes > 1 && virtioMemMiB == 0 && prepared) {
        throw new IllegalArgumentException("numaNodes " + numaNodes + " needs virtioMem(...): the DIMM"
            + " preparation (hotplug-xml's preparer) writes one NUMA cell");
      }
      if (virtioMemMiB != 0) {
        if (virtioMemMiB < 0 || virtioMemMiB % 128 != 0) {
          throw new IllegalArgumentException("virtioMem " + virtioMemMiB + " MiB must be a positive multiple of 128");
        }
        if (!prepared) {
          throw new IllegalArgumentException("virtioMem needs a prepared domain (maxMemory, NUMA cells): drop prepared(false)");
        }
        if (virtioMemRequestedMiB < 0 || virtioMemRequestedMiB % 2 != 0 || virtioMemRequestedMiB > virtioMemMiB) {
          throw new IllegalArgumentException("virtioMemRequestedMiB " + virtioMemRequestedMiB
              + " must be a multiple of 2 from 0 to the device size " + virtioMemMiB);
        }
        if (memoryMiB + numaNodes * virtioMemMiB > maxMemoryMiB) {
          throw new IllegalArgumentException("memoryMiB " + memoryMiB + " + " + numaNodes + " x virtioMem "
              + virtioMemMiB + " exceeds maxMemoryMiB " + maxMemoryMiB + ": raise maxMemoryMiB");
        }
      } else if (virtioMemRequestedMiB != 0) {
        throw new IllegalArgumentException("virtioMemRequestedMiB " + virtioMemRequestedMiB + " without virtioMem(size)");
      }
      return new DomainSpec(this);
    }
  }
}
