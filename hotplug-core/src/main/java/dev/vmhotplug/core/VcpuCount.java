package dev.vmhotplug.core;

import java.util.OptionalInt;

/**
 * The {@code virsh vcpucount} table: maximum and current vCPUs of the persistent definition
 * (config) and of the running domain (live), read from the inactive and the live domain XML.
 *
 * <p>A value is absent when that side does not exist: a transient domain has no config, a shut-off
 * domain has no live state. {@link #toString()} prints virsh's layout:
 * <pre>
 * maximum      config         4
 * maximum      live           4
 * current      config         4
 * current      live           4
 * </pre>
 */
public final class VcpuCount {
  private static final int ABSENT = -1;

  private final int maximumConfig;
  private final int maximumLive;
  private final int currentConfig;
  private final int currentLive;

  private VcpuCount(int maximumConfig, int maximumLive, int currentConfig, int currentLive) {
    this.maximumConfig = maximumConfig;
    this.maximumLive = maximumLive;
    this.currentConfig = currentConfig;
    this.currentLive = currentLive;
  }

  /** {@return a builder; leave a side unset when it does not exist (transient: no config; shut off: no live)} */
  public static Builder builder() {
    return new Builder();
  }

  private static void check(String side, int maximum, int current) {
    if (maximum < 1 || current < 1 || current > maximum) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, side + " vCPUs must satisfy maximum >= 1 and 1 <= current <= maximum, got maximum="
          + maximum + " current=" + current);
    }
  }

  /** Builds a {@link VcpuCount}. */
  public static final class Builder {
    private int maximumConfig = ABSENT;
    private int currentConfig = ABSENT;
    private int maximumLive = ABSENT;
    private int currentLive = ABSENT;

    private Builder() {}

    /**
     * Sets the persistent definition's counts.
     *
     * @param maximum {@code <vcpu>} of the inactive XML
     * @param current {@code <vcpu current=...>} of the inactive XML (the maximum when absent)
     * @return this builder
     * @throws InvalidArgumentException if maximum is below 1 or current is not within 1..maximum
     */
    public Builder config(int maximum, int current) {
      check("config", maximum, current);
      this.maximumConfig = maximum;
      this.currentConfig = current;
      return this;
    }

    /**
     * Sets the running domain's counts.
     *
     * @param maximum {@code <vcpu>} of the live XML
     * @param current {@code <vcpu current=...>} of the live XML (the maximum when absent)
     * @return this builder
     * @throws InvalidArgumentException if maximum is below 1 or current is not within 1..maximum
     */
    public Builder live(int maximum, int current) {
      check("live", maximum, current);
      this.maximumLive = maximum;
      this.currentLive = current;
      return this;
    }

    /**
     * Builds the table.
     *
     * @return the vCPU counts
     */
    public VcpuCount build() {
      return new VcpuCount(maximumConfig, maximumLive, currentConfig, currentLive);
    }
  }

  /** {@return maximum vCPUs of the persistent definition; empty for a transient domain} */
  public OptionalInt maximumConfig() {
    return opt(maximumConfig);
  }

  /** {@return maximum vCPUs of the running domain; empty when the domain is not running} */
  public OptionalInt maximumLive() {
    return opt(maximumLive);
  }

  /** {@return current vCPUs of the persistent definition; empty for a transient domain} */
  public OptionalInt currentConfig() {
    return opt(currentConfig);
  }

  /** {@return current (plugged) vCPUs of the running domain; empty when the domain is not running} */
  public OptionalInt currentLive() {
    return opt(currentLive);
  }

  /** {@return whether the running domain's current count differs from the persistent one (both present)} */
  public boolean drifts() {
    return currentLive != ABSENT && currentConfig != ABSENT && currentLive != currentConfig;
  }

  private static OptionalInt opt(int v) {
    return v == ABSENT ? OptionalInt.empty() : OptionalInt.of(v);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof VcpuCount)) {
      return false;
    }
    VcpuCount c = (VcpuCount) o;
    return maximumConfig == c.maximumConfig && maximumLive == c.maximumLive
        && currentConfig == c.currentConfig && currentLive == c.currentLive;
  }

  @Override
  public int hashCode() {
    return ((maximumConfig * 31 + maximumLive) * 31 + currentConfig) * 31 + currentLive;
  }

  /** virsh's layout, one line per present value, lines separated by {@code \n}, no trailing newline. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(128);
    row(sb, "maximum", "config", maximumConfig);
    row(sb, "maximum", "live", maximumLive);
    row(sb, "current", "config", currentConfig);
    row(sb, "current", "live", currentLive);
    if (sb.length() > 0) {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String what, String side, int value) {
    if (value != ABSENT) {
      sb.append(String.format("%-12s %-12s %3d", what, side, value)).append('\n');
    }
  }
}
