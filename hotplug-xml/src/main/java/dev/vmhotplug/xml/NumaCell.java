package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * One guest NUMA node, {@code <cpu><numa><cell id='0' cpus='0-3' memory='1048576' unit='KiB'
 * memAccess='shared' discard='yes'>…</cell></numa></cpu>}. Children such as {@code <distances>} and
 * {@code <cache>} are not modelled but kept.
 *
 * <p>Immutable. A value read from a document (and values derived from it with
 * {@link #toBuilder()}) carries the cell's other attributes and children and writes them back; a value
 * built with {@link #builder()} carries none and, when it replaces an existing cell, leaves that cell's
 * other attributes and children in place.
 */
public final class NumaCell {

    static final Set<String> MODELLED = Set.of("id", "cpus", "memory", "unit", "memAccess", "discard");

    private final Integer id;
    private final CpuSet cpus;
    private final MemorySize memory;
    private final String memAccess;
    private final String discard;
    private final Element raw;

    private NumaCell(Integer id, CpuSet cpus, MemorySize memory, String memAccess, String discard, Element raw) {
        this.id = id;
        this.cpus = cpus;
        this.memory = memory;
        this.memAccess = memAccess;
        this.discard = discard;
        this.raw = raw;
    }

    static NumaCell read(Element e) {
        OptionalInt id = Parts.optUint(e, "id", "<numa><cell id>");
        String where = "<numa><cell" + (id.isPresent() ? " id='" + id.getAsInt() + "'" : "") + ">";
        String cpus = Dom.attr(e, "cpus");
        CpuSet set;
        try {
            set = cpus == null || cpus.isEmpty() ? CpuSet.empty() : CpuSet.parse(cpus);
        } catch (DomainXmlException x) {
            throw new DomainXmlException(Reason.INVALID_VALUE, where + " cpus: " + x.getMessage(), x);
        }
        String mem = Dom.attr(e, "memory");
        if (mem == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    where + " has no 'memory' attribute; libvirt requires the cell's memory size");
        }
        MemorySize size = Parts.size(mem, Dom.attr(e, "unit"), where + " memory");
        return new NumaCell(id.isPresent() ? id.getAsInt() : null, set, size,
                Dom.attr(e, "memAccess"), Dom.attr(e, "discard"), Parts.snapshot(e));
    }

    /**
     * Returns the cell id.
     *
     * @return the id, empty when the attribute is absent
     */
    public OptionalInt id() {
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * Returns the guest vCPUs of this node.
     *
     * @return the set, empty when the {@code cpus} attribute is absent
     */
    public CpuSet cpus() {
        return cpus;
    }

    /**
     * Returns the node's memory.
     *
     * @return the size
     */
    public MemorySize memory() {
        return memory;
    }

    /**
     * Returns the {@code memAccess} attribute ({@code shared} or {@code private}).
     *
     * @return the value, empty when absent
     */
    public Optional<String> memAccess() {
        return Optional.ofNullable(memAccess);
    }

    /**
     * Returns the {@code discard} attribute ({@code yes} or {@code no}).
     *
     * @return the value, empty when absent
     */
    public Optional<String> discard() {
        return Optional.ofNullable(discard);
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value), empty for a built value
     */
    public Map<String, String> otherAttributes() {
        return Parts.otherAttributes(raw, MODELLED);
    }

    /**
     * Tells whether the cell has child elements ({@code <distances>}, {@code <cache>}, ...), which are
     * kept as read.
     *
     * @return true if the cell read from the document had child elements
     */
    public boolean hasChildren() {
        if (raw == null) {
            return false;
        }
        for (org.w3c.dom.Node c = raw.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == org.w3c.dom.Node.ELEMENT_NODE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns a new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this value and its unmodelled content.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.cpus = cpus;
        b.memory = memory;
        b.memAccess = memAccess;
        b.discard = discard;
        b.raw = raw;
        return b;
    }

    Element createElement(Document doc) {
        Element e = raw != null ? (Element) doc.importNode(raw, true) : Dom.create(doc, "cell");
        applyTo(e);
        Dom.stripWhitespace(e);
        return e;
    }

    void applyTo(Element e) {
        Parts.applyOtherAttributes(e, raw, MODELLED);
        Parts.applyChildren(e, raw);
        Dom.setAttr(e, "id", id == null ? null : id.toString());
        if (!sameCpus(Dom.attr(e, "cpus"))) {
            // an equal set keeps its text as written ("0-4,^4" stays; libvirt reads it as 0-3)
            Dom.setAttr(e, "cpus", cpus.isEmpty() ? null : cpus.format());
        }
        String unit = Dom.attr(e, "unit");
        boolean same = false;
        String oldMem = Dom.attr(e, "memory");
        if (oldMem != null) {
            try {
                same = MemorySize.ofText(oldMem, unit).equals(memory);
            } catch (DomainXmlException ignored) {
                same = false;
            }
        }
        if (!same) {
            String[] vu = Parts.valueAndUnit(memory, oldMem == null ? null : (unit == null ? "" : unit),
                    "<numa><cell> memory");
            Dom.setAttr(e, "memory", vu[0]);
            Dom.setAttr(e, "unit", vu[1].isEmpty() ? null : vu[1]);
        }
        Dom.setAttr(e, "memAccess", memAccess);
        Dom.setAttr(e, "discard", discard);
        Parts.adoptAttributeOrder(e, raw);
    }

    private boolean sameCpus(String written) {
        if (written == null) {
            return false;
        }
        if (written.isEmpty()) {
            return cpus.isEmpty();
        }
        try {
            return CpuSet.parse(written).equals(cpus);
        } catch (DomainXmlException ignored) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NumaCell)) {
            return false;
        }
        NumaCell c = (NumaCell) o;
        return Objects.equals(id, c.id) && cpus.equals(c.cpus) && memory.equals(c.memory)
                && Objects.equals(memAccess, c.memAccess) && Objects.equals(discard, c.discard);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, cpus, memory, memAccess, discard);
    }

    @Override
    public String toString() {
        return "NumaCell{" + (id == null ? "" : "id=" + id + ", ") + "cpus=" + cpus.format() + ", memory=" + memory
                + (memAccess == null ? "" : ", memAccess=" + memAccess)
                + (discard == null ? "" : ", discard=" + discard) + "}";
    }

    /** Builds a {@link NumaCell}; {@link #build()} validates. */
    public static final class Builder {
        private Integer id;
        private CpuSet cpus = CpuSet.empty();
        private MemorySize memory;
        private String memAccess;
        private String discard;
        private Element raw;

        private Builder() {
        }

        /**
         * Sets the cell id.
         *
         * @param id the id, {@code >= 0}
         * @return this builder
         */
        public Builder id(int id) {
            this.id = id;
            return this;
        }

        /**
         * Removes the cell id.
         *
         * @return this builder
         */
        public Builder clearId() {
            this.id = null;
            return this;
        }

        /**
         * Sets the guest vCPUs of the node (empty: the {@code cpus} attribute is left out).
         *
         * @param cpus the set
         * @return this builder
         */
        public Builder cpus(CpuSet cpus) {
            this.cpus = Objects.requireNonNull(cpus, "cpus");
            return this;
        }

        /**
         * Sets the node's memory.
         *
         * @param memory a whole number of KiB
         * @return this builder
         */
        public Builder memory(MemorySize memory) {
            this.memory = memory;
            return this;
        }

        /**
         * Sets {@code memAccess} ({@code shared} or {@code private}); null removes it.
         *
         * @param memAccess the value or null
         * @return this builder
         */
        public Builder memAccess(String memAccess) {
            this.memAccess = memAccess;
            return this;
        }

        /**
         * Sets {@code discard} ({@code yes} or {@code no}); null removes it.
         *
         * @param discard the value or null
         * @return this builder
         */
        public Builder discard(String discard) {
            this.discard = discard;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the cell
         * @throws DomainXmlException (INVALID_VALUE) if the id is negative, the memory is missing
         *     or not a whole number of KiB
         */
        public NumaCell build() {
            if (id != null && id < 0) {
                throw new DomainXmlException(Reason.INVALID_VALUE, "<numa><cell id='" + id + "'> is negative");
            }
            if (memory == null) {
                throw new DomainXmlException(Reason.MISSING_ELEMENT,
                        "<numa><cell> needs a memory size; call memory(MemorySize) on the builder");
            }
            if (!memory.isWholeKiB()) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<numa><cell> memory " + memory.bytes() + " bytes is not a whole number of KiB;"
                                + " round it to " + memory.toKiB() + " KiB");
            }
            return new NumaCell(id, cpus, memory, memAccess, discard, raw);
        }
    }
}
