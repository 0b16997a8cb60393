package dev.vmhotplug.xml;

import java.util.Objects;

/**
 * Thrown when {@link HotplugPreparer#prepare(DomainXml, HotplugLimits)} (or
 * {@link HotplugLimits.Builder#build()}) refuses to prepare a domain for hotplug.
 *
 * <p>A refusal happens before anything is produced: the input document is never changed. The
 * message says what was found, why it blocks and what to do; {@link #refusal()} tells callers
 * which rule refused without parsing the message. {@link #reason()} is always
 * {@link DomainXmlException.Reason#REFUSED}.
 */
public final class PreparationRefusedException extends DomainXmlException {

    private static final long serialVersionUID = 1L;

    /** The rule that refused the preparation. */
    public enum Refusal {
        /** The requested maximum vCPU count is below the vCPUs the domain runs (or lists) now. */
        MAX_VCPUS_BELOW_CURRENT,
        /** The requested maximum memory is below the domain's memory (boot memory + memory devices). */
        MAX_MEMORY_BELOW_CURRENT,
        /**
         * The slot count is outside 1..256 (QEMU's limit for DIMM slots on x86, ACPI_MAX_RAM_SLOTS),
         * or below the number of memory devices the domain already has.
         */
        SLOTS_OUT_OF_RANGE,
        /**
         * No socket count makes {@code <cpu><topology>} describe the vCPU maximum (the maximum is not a
         * multiple of dies × clusters × cores × threads); the message names the valid maxima around it.
         */
        TOPOLOGY_MISMATCH,
        /** A size (the requested maximum or one in the domain) is not a whole number of KiB. */
        NOT_WHOLE_KIB,
        /**
         * The domain type is not one libvirt can hotplug with (only {@code kvm} and {@code qemu} can;
         * {@code test}, libvirt's test driver, is prepared for tests, see {@link PreparedDomain#notes()}).
         */
        DOMAIN_TYPE_CANNOT_HOTPLUG,
        /**
         * The NUMA cells cannot take the vCPUs or memory devices sensibly: cells whose cpus overlap
         * or leave vCPUs out, a cell that would lose all its vCPUs, a memory device on a missing node.
         */
        NUMA_UNASSIGNABLE,
        /**
         * virtio-mem was asked for ({@link HotplugLimits#virtioMem()}) but the domain cannot have it:
         * not an x86_64 guest, or a machine without PCI (only pc and q35 machines take virtio-mem-pci).
         */
        VIRTIO_MEM_UNSUPPORTED,
        /**
         * The domain itself is not one libvirt accepts in the respects preparation depends on
         * (no memory size, memory devices larger than the memory, current vCPUs above the maximum, ...).
         */
        INVALID_DOMAIN
    }

    /** The rule that refused. */
    private final Refusal refusal;

    /**
     * Creates a refusal.
     *
     * @param refusal the rule that refused, not null
     * @param message what was found, why it blocks and what to do
     */
    public PreparationRefusedException(Refusal refusal, String message) {
        super(Reason.REFUSED, message);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    /** Creates a refusal that keeps the failure that led to it. */
    PreparationRefusedException(Refusal refusal, String message, Throwable cause) {
        super(Reason.REFUSED, message, cause);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
    }

    /**
     * Returns the rule that refused.
     *
     * @return the refusal, never null
     */
    public Refusal refusal() {
        return refusal;
    }
}
