package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * One {@code <vcpus><vcpu id='N' enabled='yes|no' hotpluggable='yes|no' order='K'/></vcpus>} entry:
 * the per-vCPU state libvirt writes for hotpluggable vCPUs.
 *
 * <p>A JAXB-bound value (not a root element: its name {@code vcpu} is the domain's {@code <vcpu>};
 * use {@link PartXml#toXml(Object, String)}). Immutable, compared by value, unmodelled attributes kept.
 */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "vcpusEntry")
public final class VcpuEntry {

    static final Set<String> MODELLED = Set.of("id", "enabled", "hotpluggable", "order");

    @XmlAttribute
    private String id;
    @XmlAttribute
    private String enabled;
    @XmlAttribute
    private String hotpluggable;
    @XmlAttribute
    private String order;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();

    private VcpuEntry() {
    }

    /**
     * Checks every value the way {@link DomainXml#vcpus()} reads them.
     *
     * @throws DomainXmlException MISSING_ELEMENT for a missing id or enabled, INVALID_VALUE for a bad value
     */
    void validate() {
        if (id == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT, "<vcpus><vcpu> has no 'id' attribute; libvirt requires one");
        }
        if (enabled == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<vcpus><vcpu id=" + dev.vmhotplug.xml.internal.SafeText.quote(id)
                            + "> has no 'enabled' attribute; libvirt requires yes or no");
        }
        id();
        enabled();
        hotpluggable();
        order();
    }

    /**
     * Returns the vCPU id.
     *
     * @return the id, {@code >= 0}
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if absent or not a number
     */
    public int id() {
        if (id == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT, "<vcpus><vcpu> has no 'id' attribute; libvirt requires one");
        }
        return Parts.uint(id, "<vcpus><vcpu id>");
    }

    /**
     * Tells whether the vCPU is enabled (present).
     *
     * @return true for {@code enabled='yes'}
     * @throws DomainXmlException (INVALID_VALUE) if the attribute is neither yes nor no
     */
    public boolean enabled() {
        return Parts.yesNo(enabled, "<vcpus><vcpu enabled>").orElse(Boolean.FALSE);
    }

    /**
     * Returns whether the vCPU can be unplugged.
     *
     * @return the flag, empty when the attribute is absent
     */
    public Optional<Boolean> hotpluggable() {
        return Parts.yesNo(hotpluggable, "<vcpus><vcpu hotpluggable>");
    }

    /**
     * Returns the order in which the vCPU is brought online.
     *
     * @return the order, empty when absent
     */
    public OptionalInt order() {
        return Parts.optUint(order, "<vcpus><vcpu order>");
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
    }

    /**
     * Returns a builder for a new entry.
     *
     * @param id the vCPU id, {@code >= 0}
     * @param enabled whether the vCPU is present
     * @return the builder
     */
    public static Builder builder(int id, boolean enabled) {
        return new Builder(null).id(id).enabled(enabled);
    }

    /**
     * Returns a builder holding this entry.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VcpuEntry)) {
            return false;
        }
        VcpuEntry e = (VcpuEntry) o;
        return Objects.equals(Parts.norm(id), Parts.norm(e.id)) && Objects.equals(enabled, e.enabled)
                && Objects.equals(hotpluggable, e.hotpluggable) && Objects.equals(Parts.norm(order), Parts.norm(e.order))
                && otherAttributes.equals(e.otherAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.norm(id), enabled, hotpluggable, Parts.norm(order), otherAttributes);
    }

    @Override
    public String toString() {
        return "VcpuEntry{id=" + id + ", enabled=" + enabled
                + (hotpluggable == null ? "" : ", hotpluggable=" + hotpluggable)
                + (order == null ? "" : ", order=" + order) + "}";
    }

    /** Builds a {@link VcpuEntry}. */
    public static final class Builder {
        private final VcpuEntry v = new VcpuEntry();

        private Builder(VcpuEntry from) {
            if (from != null) {
                v.id = from.id;
                v.enabled = from.enabled;
                v.hotpluggable = from.hotpluggable;
                v.order = from.order;
                v.otherAttributes = new LinkedHashMap<>(from.otherAttributes);
            }
        }

        /**
         * Sets the id.
         *
         * @param id the vCPU id, {@code >= 0}
         * @return this builder
         */
        public Builder id(int id) {
            v.id = Integer.toString(id);
            return this;
        }

        /**
         * Sets whether the vCPU is present.
         *
         * @param enabled the state
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            v.enabled = enabled ? "yes" : "no";
            return this;
        }

        /**
         * Sets whether the vCPU can be unplugged; null removes the attribute.
         *
         * @param hotpluggable the flag or null
         * @return this builder
         */
        public Builder hotpluggable(Boolean hotpluggable) {
            v.hotpluggable = hotpluggable == null ? null : hotpluggable ? "yes" : "no";
            return this;
        }

        /**
         * Sets the order; null removes it.
         *
         * @param order the order ({@code >= 1}) or null
         * @return this builder
         */
        public Builder order(Integer order) {
            v.order = order == null ? null : order.toString();
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the entry
         * @throws DomainXmlException (INVALID_VALUE) for a negative id or an order below 1
         */
        public VcpuEntry build() {
            if (Integer.parseInt(v.id) < 0) {
                throw new DomainXmlException(Reason.INVALID_VALUE, "<vcpus><vcpu id='" + v.id + "'> is negative");
            }
            if (v.order != null && Integer.parseInt(v.order) < 1) {
                throw new DomainXmlException(Reason.INVALID_VALUE, "<vcpus><vcpu order='" + v.order + "'> must be 1 or more");
            }
            VcpuEntry out = new VcpuEntry();
            out.id = v.id;
            out.enabled = v.enabled;
            out.hotpluggable = v.hotpluggable;
            out.order = v.order;
            out.otherAttributes = new LinkedHashMap<>(v.otherAttributes);
            return out;
        }
    }
}
