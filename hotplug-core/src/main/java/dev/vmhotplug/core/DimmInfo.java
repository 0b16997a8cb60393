package dev.vmhotplug.core;

import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One memory device of a domain as libvirt reports it (a {@code <devices><memory model=…>} element).
 *
 * @param model the libvirt model: {@code dimm}, {@code nvdimm}, {@code virtio-mem}, {@code virtio-pmem}
 * @param size the target size ({@code <target><size>}), absent when libvirt wrote none
 * @param node the guest NUMA node ({@code <target><node>}), absent when not given
 * @param slot the DIMM slot ({@code <address type='dimm' slot=…>}), absent in a definition that has
 *     no address yet
 * @param alias libvirt's device alias (e.g. {@code dimm0}), present in the live XML only
 */
public record DimmInfo(
    String model, Optional<MemorySize> size, OptionalInt node, OptionalInt slot, Optional<String> alias) {

  /** Validates that no component is null. */
  public DimmInfo {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(alias, "alias");
  }

  /** Reads the parts of a parsed memory device. */
  public static DimmInfo of(MemoryDevice device) {
    return new DimmInfo(
        device.model(), device.targetSize(), device.targetNode(), device.slot(), device.alias());
  }

  /**
   * Whether this device occupies one of the {@code <maxMemory slots=…>}: {@code dimm} and
   * {@code nvdimm} do; {@code virtio-mem}, {@code virtio-pmem} and {@code sgx-epc} are PCI (or
   * special) devices and do not (libvirt's qemuDomainDefValidateMemoryHotplug).
   */
  public boolean takesSlot() {
    return takesSlot(model);
  }

  static boolean takesSlot(String model) {
    return "dimm".equals(model) || "nvdimm".equals(model);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(model);
    size.ifPresent(s -> b.append(' ').append(s));
    node.ifPresent(n -> b.append(" node ").append(n));
    slot.ifPresent(s -> b.append(" slot ").append(s));
    alias.ifPresent(a -> b.append(" alias ").append(a));
    return b.toString();
  }
}
