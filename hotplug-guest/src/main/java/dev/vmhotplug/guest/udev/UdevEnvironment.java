package dev.vmhotplug.guest.udev;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The machine a udev rule set is evaluated for: architecture, virtualization, DMI strings and the
 * kernel's memory auto-online policy. {@link #kvmGuest()} is the default: an x86_64 KVM guest with
 * QEMU's DMI strings and a kernel that does not auto-online memory.
 *
 * <p>A value set to {@code null} with {@link Builder#dmi(String, String)} or left out makes rules
 * that test it "cannot tell" instead of guessing.
 */
public final class UdevEnvironment {
  private final String arch;
  private final String virt;
  private final Map<String, String> dmi;
  private final String autoOnlineBlocks;
  private final int cpuNumber;
  private final int memoryBlock;

  private UdevEnvironment(Builder b) {
    this.arch = b.arch;
    this.virt = b.virt;
    this.dmi = Map.copyOf(b.dmi);
    this.autoOnlineBlocks = b.autoOnlineBlocks;
    this.cpuNumber = b.cpuNumber;
    this.memoryBlock = b.memoryBlock;
  }

  /**
   * An x86_64 KVM guest as QEMU presents it: {@code CONST{arch}} {@code x86_64},
   * {@code CONST{virt}} {@code kvm}, DMI {@code sys_vendor} {@code QEMU}, {@code product_name}
   * {@code Standard PC (i440FX + PIIX, 1996)}, {@code bios_vendor} {@code SeaBIOS}, kernel
   * {@code auto_online_blocks} {@code offline} (the upstream kernel default), hot-added CPU
   * {@code cpu2} and memory block {@code memory32}.
   *
   * @return an x86_64 KVM guest as QEMU presents it: {@code CONST{arch}} {@code x86_64}, {@code CONST{virt}} {@code kvm}, DMI {@code sys_vendor} {@code QEMU}, {@code product_name} {@code Standard PC (i440FX + PIIX, 1996)}, {@code bios_vendor} {@code SeaBIOS}, kernel {@code auto_online_blocks} {@code offline} (the upstream kernel default), hot-added CPU {@code cpu2} and memory block {@code memory32}
   */
  public static UdevEnvironment kvmGuest() {
    return builder().build();
  }

  /** {@return a builder starting from {@link #kvmGuest()}'s values} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder with this environment's values} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.arch = arch;
    b.virt = virt;
    b.dmi.clear();
    b.dmi.putAll(dmi);
    b.autoOnlineBlocks = autoOnlineBlocks;
    b.cpuNumber = cpuNumber;
    b.memoryBlock = memoryBlock;
    return b;
  }

  /** {@return {@code uname -m} / {@code CONST{arch}}, e.g. {@code x86_64}} */
  public String arch() {
    return arch;
  }

  /** {@return {@code systemd-detect-virt} / {@code CONST{virt}}, e.g. {@code kvm}, {@code microsoft}, {@code none}} */
  public String virt() {
    return virt;
  }

  /**
   * A DMI attribute ({@code sys_vendor}, {@code product_name}, …) if known.
   *
   * @param name the DMI attribute name, e.g. {@code sys_vendor}
   * @return a DMI attribute ({@code sys_vendor}, {@code product_name}, …) if known
   */
  public Optional<String> dmi(String name) {
    return Optional.ofNullable(dmi.get(name));
  }

  /** {@return all known DMI attributes} */
  public Map<String, String> dmi() {
    return dmi;
  }

  /** {@return {@code /sys/devices/system/memory/auto_online_blocks}, e.g. {@code offline}; empty if unknown} */
  public Optional<String> autoOnlineBlocks() {
    return Optional.ofNullable(autoOnlineBlocks);
  }

  /** {@return the number of the hot-added CPU used for the event ({@code cpu2})} */
  public int cpuNumber() {
    return cpuNumber;
  }

  /** {@return the number of the hot-added memory block used for the event ({@code memory32})} */
  public int memoryBlock() {
    return memoryBlock;
  }

  /** {@return one line for reports, e.g. {@code x86_64, virt=kvm, sys_vendor=QEMU}} */
  public String describe() {
    return arch + ", virt=" + virt + ", sys_vendor=" + dmi.getOrDefault("sys_vendor", "(unknown)")
        + ", auto_online_blocks=" + (autoOnlineBlocks == null ? "(unknown)" : autoOnlineBlocks);
  }

  @Override
  public String toString() {
    return "UdevEnvironment[" + describe() + "]";
  }

  /** Builder for {@link UdevEnvironment}; starts from the KVM guest defaults. */
  public static final class Builder {
    private String arch = "x86_64";
    private String virt = "kvm";
    private final Map<String, String> dmi = new LinkedHashMap<>();
    private String autoOnlineBlocks = "offline";
    private int cpuNumber = 2;
    private int memoryBlock = 32;

    private Builder() {
      dmi.put("sys_vendor", "QEMU");
      dmi.put("product_name", "Standard PC (i440FX + PIIX, 1996)");
      dmi.put("bios_vendor", "SeaBIOS");
    }

    /**
     * Sets the architecture ({@code x86_64}, {@code aarch64}, {@code s390x}, {@code ppc64le}).
     *
     * @param arch the architecture as {@code uname -m} prints it
     * @return this builder
     */
    public Builder arch(String arch) {
      this.arch = Objects.requireNonNull(arch, "arch");
      return this;
    }

    /**
     * Sets the virtualization as systemd-detect-virt names it ({@code kvm}, {@code none}, …).
     *
     * @param virt the name {@code systemd-detect-virt} prints
     * @return this builder
     */
    public Builder virt(String virt) {
      this.virt = Objects.requireNonNull(virt, "virt");
      return this;
    }

    /**
     * Sets DMI {@code sys_vendor} (QEMU: {@code QEMU}; Hyper-V: {@code Microsoft Corporation}).
     *
     * @param vendor the DMI {@code sys_vendor} value
     * @return this builder
     */
    public Builder sysVendor(String vendor) {
      return dmi("sys_vendor", vendor);
    }

    /**
     * Sets one DMI attribute; {@code null} makes it unknown.
     *
     * @param name the DMI attribute name, e.g. {@code sys_vendor}
     * @param value the value; {@code null} makes it unknown
     * @return this builder
     */
    public Builder dmi(String name, String value) {
      Objects.requireNonNull(name, "name");
      if (value == null) {
        dmi.remove(name);
      } else {
        dmi.put(name, value);
      }
      return this;
    }

    /**
     * Sets the kernel's {@code auto_online_blocks} ({@code offline}, {@code online}, …); null = unknown.
     *
     * @param value the value; {@code null} makes it unknown
     * @return this builder
     */
    public Builder autoOnlineBlocks(String value) {
      this.autoOnlineBlocks = value;
      return this;
    }

    /**
     * Sets the hot-added CPU's number (default 2).
     *
     * @param n the number, 0 or more
     * @return this builder
     */
    public Builder cpuNumber(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("cpuNumber must be >= 1 (cpu0 is never hot-added), got " + n);
      }
      this.cpuNumber = n;
      return this;
    }

    /**
     * Sets the hot-added memory block's number (default 32).
     *
     * @param n the number, 0 or more
     * @return this builder
     */
    public Builder memoryBlock(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("memoryBlock must be >= 0, got " + n);
      }
      this.memoryBlock = n;
      return this;
    }

    /**
     * Builds the environment.
     *
     * @return the environment
     */
    public UdevEnvironment build() {
      return new UdevEnvironment(this);
    }
  }
}
