package dev.vmhotplug.core;

/**
 * How memory is hot-plugged: as DIMMs ({@code <memory model='dimm'>}, one device and one slot per
 * addition, attached and detached) or by resizing a virtio-mem device ({@code <memory
 * model='virtio-mem'>}, one per NUMA node, whose {@code <requested>} size changes in blocks of 2 MiB
 * on x86_64).
 *
 * <p>A request that names no model ({@link MemoryChange#model(MemoryModel)},
 * {@link DesiredState#model(MemoryModel)}) uses virtio-mem when the definitions it touches have a
 * virtio-mem device, DIMMs otherwise; the plan says which and why ({@link MemoryPlan#model()},
 * {@link MemoryPlan#notes()}).
 */
public enum MemoryModel {
  /** DIMMs: {@code virDomainAttachDeviceFlags} / {@code virDomainDetachDeviceFlags} ({@code virsh attach-device}). */
  DIMM("dimm"),
  /**
   * virtio-mem: {@code virDomainUpdateDeviceFlags} with a new {@code <requested>} size, one call per
   * scope ({@code virsh update-memory-device --requested-size}).
   */
  VIRTIO_MEM("virtio-mem");

  private final String xmlModel;

  MemoryModel(String xmlModel) {
    this.xmlModel = xmlModel;
  }

  /** {@return the {@code <memory model=…>} value: {@code dimm} or {@code virtio-mem}} */
  public String xmlModel() {
    return xmlModel;
  }
}
