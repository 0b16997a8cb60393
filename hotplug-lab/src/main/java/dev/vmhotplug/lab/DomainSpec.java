package dev.vmhotplug.lab;

import java.util.Objects;

/**
 * What lab domain to boot: name suffix, guest rules, agent, persistence, and the sizes. Immutable;
 * build with {@link #builder(String)}.
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
  }

  /**
   * @param suffix the domain name after the run prefix ({@code hp-RUNID-suffix}); letters, digits, '-'
   * @return a builder with the defaults: STANDARD rules, no agent, transient, prepared, 2 of 4 vCPUs,
   *     512 MiB of at most 2048 MiB, 16 slots
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
      return new DomainSpec(this);
    }
  }
}
