package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.SafeText;
import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAnyElement;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.xml.namespace.QName;
import org.w3c.dom.Element;

/**
 * One guest NUMA node, {@code <cpu><numa><cell id='0' cpus='0-3' memory='1048576' unit='KiB'
 * memAccess='shared' discard='yes'>…</cell></numa></cpu>}. Children such as {@code <distances>} and
 * {@code <cache>} are not modelled but kept ({@link #children()}).
 *
 * <p>A JAXB-bound value ({@code @XmlRootElement(name = "cell")}). Immutable, compared by value (cpus
 * as sets, memory by bytes, unmodelled attributes and children included). A value read from a
 * document (and values derived from it with {@link #toBuilder()}) carries the cell's other
 * attributes and children and writes them back; a value built with {@link #builder()} carries none
 * and, when it replaces an existing cell, leaves that cell's other attributes and children in place.
 * The {@code cpus} and {@code memory} text stay as written while their value is the same.
 */
@XmlRootElement(name = "cell")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "numaCell")
public final class NumaCell {

    static final Set<String> MODELLED = Set.of("id", "cpus", "memory", "unit", "memAccess", "discard");

    @XmlAttribute
    private String id;
    @XmlAttribute
    private String cpus;
    @XmlAttribute
    private String memory;
    @XmlAttribute
    private String unit;
    @XmlAttribute
    private String memAccess;
    @XmlAttribute
    private String discard;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    @XmlAnyElement
    private List<Element> children = new ArrayList<>();
    private transient boolean carried;

    private NumaCell() {
    }

    @SuppressWarnings("unused") // JAXB callback
    private void afterUnmarshal(Unmarshaller u, Object parent) {
        carried = true;
    }

    boolean carriesUnmodelled() {
        return carried;
    }

    private String where() {
        return "<numa><cell" + (id == null ? "" : " id=" + SafeText.quote(id)) + ">";
    }

    void validate() {
        id();
        cpus();
        memory();
    }

    /**
     * Returns the cell id.
     *
     * @return the id, empty when the attribute is absent
     * @throws DomainXmlException (INVALID_VALUE) if it is not a whole number
     */
    public OptionalInt id() {
        return Parts.optUint(id, "<numa><cell id>");
    }

    /**
     * Returns the guest vCPUs of this node.
     *
     * @return the set, empty when the {@code cpus} attribute is absent or empty
     * @throws DomainXmlException (INVALID_VALUE) if the list is not valid
     */
    public CpuSet cpus() {
        if (cpus == null || cpus.isEmpty()) {
            return CpuSet.empty();
        }
        try {
            return CpuSet.parse(cpus);
        } catch (DomainXmlException x) {
            throw new DomainXmlException(Reason.INVALID_VALUE, where() + " cpus: " + x.getMessage(), x);
        }
    }

    /**
     * Returns the node's memory.
     *
     * @return the size
     * @throws DomainXmlException (MISSING_ELEMENT, INVALID_VALUE) if absent or invalid
     */
    public MemorySize memory() {
        if (memory == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    where() + " has no 'memory' attribute; libvirt requires the cell's memory size");
        }
        return Parts.size(memory, unit, where() + " memory");
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
        return Parts.names(otherAttributes);
    }

    /**
     * Returns copies of the child elements ({@code <distances>}, {@code <cache>}, ...), kept as read.
     *
     * @return deep copies, in document order; changing them changes nothing here
     */
    public List<Element> children() {
        return Parts.copy(children);
    }

    /**
     * Tells whether the cell has child elements ({@code <distances>}, {@code <cache>}, ...), which are
     * kept as read.
     *
     * @return true if the cell read from the document had child elements
     */
    public boolean hasChildren() {
        return !children.isEmpty();
    }

    /**
     * Returns a new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder(null);
    }

    /**
     * Returns a builder holding this value and its unmodelled content.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NumaCell)) {
            return false;
        }
        NumaCell c = (NumaCell) o;
        return Objects.equals(Parts.norm(id), Parts.norm(c.id)) && sameCpus(cpus, c.cpus)
                && Parts.sameSize(memory, unit, c.memory, c.unit)
                && Objects.equals(memAccess, c.memAccess) && Objects.equals(discard, c.discard)
                && otherAttributes.equals(c.otherAttributes) && Parts.sameElements(children, c.children);
    }

    private static boolean sameCpus(String a, String b) {
        try {
            return cpuSet(a).equals(cpuSet(b));
        } catch (DomainXmlException e) {
            return Objects.equals(a, b);
        }
    }

    private static CpuSet cpuSet(String s) {
        return s == null || s.isEmpty() ? CpuSet.empty() : CpuSet.parse(s);
    }

    @Override
    public int hashCode() {
        int cpuHash;
        try {
            cpuHash = cpuSet(cpus).hashCode();
        } catch (DomainXmlException e) {
            cpuHash = Objects.hashCode(cpus);
        }
        return Objects.hash(Parts.norm(id), cpuHash, Parts.sizeHash(memory, unit), memAccess, discard, otherAttributes,
                Parts.elementsHash(children));
    }

    @Override
    public String toString() {
        String mem;
        try {
            mem = memory().toString();
        } catch (DomainXmlException e) {
            mem = "invalid " + SafeText.quote(memory);
        }
        return "NumaCell{" + (id == null ? "" : "id=" + Parts.norm(id) + ", ") + "cpus=" + SafeText.escape(String.valueOf(cpus), 60)
                + ", memory=" + mem + (memAccess == null ? "" : ", memAccess=" + memAccess)
                + (discard == null ? "" : ", discard=" + discard) + "}";
    }

    /** Builds a {@link NumaCell}; {@link #build()} validates. */
    public static final class Builder {
        private final NumaCell from;
        private Integer id;
        private CpuSet cpus = CpuSet.empty();
        private MemorySize memory;
        private String memAccess;
        private String discard;

        private Builder(NumaCell from) {
            this.from = from;
            if (from != null) {
                id = Parts.boxed(from.id());
                cpus = from.cpus();
                memory = from.memory();
                memAccess = from.memAccess;
                discard = from.discard;
            }
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
            NumaCell c = new NumaCell();
            c.id = id == null ? null : from != null && from.id != null && id.equals(Parts.boxed(from.id())) ? from.id
                    : id.toString();
            if (from != null && from.cpus != null && sameCpus(from.cpus, cpus.format())) {
                c.cpus = from.cpus; // an equal set keeps its text ("0-4,^4" stays; libvirt reads it as 0-3)
            } else {
                c.cpus = cpus.isEmpty() ? null : cpus.format();
            }
            if (from == null) {
                String[] vu = Parts.valueAndUnit(memory, null, "<numa><cell> memory");
                c.memory = vu[0];
                c.unit = vu[1];
            } else {
                String[] vu = Parts.sizeText(memory, from.memory, from.unit, "<numa><cell> memory");
                c.memory = vu[0];
                c.unit = vu[1];
            }
            c.memAccess = memAccess;
            c.discard = discard;
            if (from != null) {
                c.otherAttributes = new LinkedHashMap<>(from.otherAttributes);
                c.children = Parts.copy(from.children);
                c.carried = from.carried;
            }
            return c;
        }
    }
}
