package dev.vmhotplug.xml;

import dev.vmhotplug.xml.PreparationRefusedException.Refusal;
import java.util.Objects;

/**
 * The limits a domain is prepared for: the most vCPUs and the most memory it may be raised to
 * while running, and the number of memory slots (DIMMs) it can take.
 *
 * <p>Immutable; build with {@link #builder()}. All three values are required. The guide's
 * example is {@code maxVcpus(32)}, {@code maxMemory(MemorySize.ofKiB(16777216))} (16 GiB),
 * {@code slots(16)}.
 */
public final class HotplugLimits {

    /** Most vCPUs: libvirt's vCPU masks hold ids 0..16383 ({@code VIR_DOMAIN_CPUMASK_LEN}). */
    public static final int MAX_VCPUS = CpuSet.MAX_CPU + 1;
    /** Fewest memory slots: libvirt needs at least one with {@code <maxMemory>}. */
    public static final int MIN_SLOTS = 1;
    /** Most memory slots QEMU accepts on x86 ({@code ACPI_MAX_RAM_SLOTS} in QEMU's pc machine). */
    public static final int MAX_SLOTS = 256;

    private final int maxVcpus;
    private final MemorySize maxMemory;
    private final int slots;
    private final boolean virtioMem;
    private final MemorySize virtioMemBlock;

    private HotplugLimits(Builder b) {
        this.maxVcpus = b.maxVcpus;
        this.maxMemory = b.maxMemory;
        this.slots = b.slots;
        this.virtioMem = b.virtioMem;
        this.virtioMemBlock = b.virtioMemBlock;
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with no value set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this object's values.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder().maxVcpus(maxVcpus).maxMemory(maxMemory).slots(slots).virtioMem(virtioMem)
                .virtioMemBlock(virtioMemBlock);
    }

    /**
     * Tells whether preparation adds one virtio-mem device per NUMA cell (see
     * {@link Builder#virtioMem(boolean)}).
     *
     * @return true for virtio-mem, false for DIMM slots only (the guide's way, the default)
     */
    public boolean virtioMem() {
        return virtioMem;
    }

    /**
     * Returns the block size of the virtio-mem devices preparation adds.
     *
     * @return the block, 2 MiB unless set ({@link MemoryDevice#VIRTIO_MEM_X86_BLOCK})
     */
    public MemorySize virtioMemBlock() {
        return virtioMemBlock;
    }

    /**
     * Returns the most vCPUs the domain may have while running (the value of {@code <vcpu>}).
     *
     * @return the maximum vCPU count, {@code >= 1}
     */
    public int maxVcpus() {
        return maxVcpus;
    }

    /**
     * Returns the most memory the domain may reach (the value of {@code <maxMemory>}).
     *
     * @return the maximum memory, a whole number of KiB, more than zero
     */
    public MemorySize maxMemory() {
        return maxMemory;
    }

    /**
     * Returns the number of memory slots ({@code <maxMemory slots=…>}).
     *
     * @return the slots, 1..256
     */
    public int slots() {
        return slots;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HotplugLimits other
                && maxVcpus == other.maxVcpus
                && maxMemory.equals(other.maxMemory)
                && slots == other.slots
                && virtioMem == other.virtioMem
                && virtioMemBlock.equals(other.virtioMemBlock);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxVcpus, maxMemory, slots, virtioMem, virtioMemBlock);
    }

    @Override
    public String toString() {
        return "HotplugLimits[maxVcpus=" + maxVcpus + ", maxMemory=" + maxMemory + ", slots=" + slots
                + (virtioMem ? ", virtio-mem (block " + virtioMemBlock + ")" : "") + "]";
    }

    /** Builds {@link HotplugLimits}; {@link #build()} checks every value. */
    public static final class Builder {
        private int maxVcpus;
        private MemorySize maxMemory;
        private int slots;
        private boolean virtioMem;
        private MemorySize virtioMemBlock = MemoryDevice.VIRTIO_MEM_X86_BLOCK;

        private Builder() {
        }

        /**
         * Asks for virtio-mem: preparation adds one {@code <memory model='virtio-mem'>} device to each
         * NUMA cell that has none, all the same size, together taking the headroom from the domain's
         * memory up to {@link #maxMemory(MemorySize)} in whole blocks, with {@code requested} 0 (the
         * guest starts with its boot memory; memory is added by raising {@code <requested>}). Each
         * device takes one of the {@link #slots(int) slots}, so DIMMs can no longer be added once the
         * headroom is given to virtio-mem. Refused for guests that are not x86_64 or whose machine is
         * not pc or q35.
         *
         * @param virtioMem true for virtio-mem
         * @return this builder
         */
        public Builder virtioMem(boolean virtioMem) {
            this.virtioMem = virtioMem;
            return this;
        }

        /**
         * Sets the virtio-mem block size (default 2 MiB, the x86_64 transparent huge page size and the
         * smallest block libvirt accepts there).
         *
         * @param block a power of two, at least 2 MiB
         * @return this builder
         */
        public Builder virtioMemBlock(MemorySize block) {
            this.virtioMemBlock = block;
            return this;
        }

        /**
         * Sets the most vCPUs the domain may have while running.
         *
         * @param maxVcpus the maximum vCPU count, 1..16384
         * @return this builder
         */
        public Builder maxVcpus(int maxVcpus) {
            this.maxVcpus = maxVcpus;
            return this;
        }

        /**
         * Sets the most memory the domain may reach.
         *
         * @param maxMemory the maximum memory, a whole number of KiB
         * @return this builder
         */
        public Builder maxMemory(MemorySize maxMemory) {
            this.maxMemory = maxMemory;
            return this;
        }

        /**
         * Sets the number of memory slots.
         *
         * @param slots the slot count, 1..256
         * @return this builder
         */
        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        /**
         * Checks the values and builds the limits.
         *
         * @return the limits
         * @throws DomainXmlException (INVALID_VALUE) if maxVcpus is outside 1..16384, maxMemory is unset or
         *     zero, or the virtio-mem block is not a power of two of at least 2 MiB
         * @throws PreparationRefusedException (SLOTS_OUT_OF_RANGE) if slots is outside 1..256;
         *     (NOT_WHOLE_KIB) if maxMemory is not a whole number of KiB
         */
        public HotplugLimits build() {
            if (maxVcpus < 1 || maxVcpus > MAX_VCPUS) {
                throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                        "maxVcpus is " + maxVcpus + "; it must be 1.." + MAX_VCPUS + " (the most vCPUs the"
                                + " domain may run, e.g. maxVcpus(32))");
            }
            if (maxMemory == null || maxMemory.bytes() == 0) {
                throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                        "maxMemory is " + (maxMemory == null ? "not set" : "zero")
                                + "; set the most memory the domain may reach, e.g. maxMemory(MemorySize.ofGiB(16))");
            }
            if (slots < MIN_SLOTS || slots > MAX_SLOTS) {
                throw new PreparationRefusedException(Refusal.SLOTS_OUT_OF_RANGE,
                        "slots is " + slots + "; QEMU accepts " + MIN_SLOTS + ".." + MAX_SLOTS
                                + " memory slots on x86 (each hot-added DIMM takes one): use e.g. slots(16)");
            }
            if (!maxMemory.isWholeKiB()) {
                long kib = maxMemory.toKiB();
                throw new PreparationRefusedException(Refusal.NOT_WHOLE_KIB,
                        "maxMemory is " + maxMemory.bytes() + " bytes, not a whole number of KiB; libvirt keeps"
                                + " memory sizes in KiB: use " + (kib - 1) + " KiB or " + kib + " KiB");
            }
            if (virtioMemBlock == null || virtioMemBlock.compareTo(MemoryDevice.VIRTIO_MEM_X86_BLOCK) < 0
                    || Long.bitCount(virtioMemBlock.bytes()) != 1) {
                throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                        "virtioMemBlock is " + virtioMemBlock + "; it must be a power of two of at least 2 MiB"
                                + " (libvirt's minimum on x86_64), e.g. virtioMemBlock(MemorySize.ofMiB(2))");
            }
            return new HotplugLimits(this);
        }
    }
}
