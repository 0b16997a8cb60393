package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.SafeText;
import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * The domain's {@code <vcpu placement='…' cpuset='…' current='N'>MAX</vcpu>}: the maximum number of
 * vCPUs (the text), the number present at boot ({@code current}, absent means all), and pinning.
 *
 * <p>A JAXB-bound value ({@code @XmlRootElement(name = "vcpu")}): marshal and unmarshal it alone with
 * {@link PartXml}, or put it into your own JAXB context. Immutable (no setters; change it with
 * {@link #toBuilder()}), compared by value. Values are kept as written ({@code current=' 2'} stays
 * so until changed) and read when asked; attributes this class does not model are kept
 * ({@link #otherAttributes()}). A value read from a document writes its other attributes back
 * unchanged; a value built with {@link #builder()} leaves those of the element it replaces in place.
 */
@XmlRootElement(name = "vcpu")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "vcpu")
public final class Vcpu {

    static final Set<String> MODELLED = Set.of("placement", "cpuset", "current");

    @XmlAttribute
    private String placement;
    @XmlAttribute
    private String cpuset;
    @XmlAttribute
    private String current;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    @XmlValue
    private String value;
    /** True when the value carries the unmodelled content of an element (read, or derived from a read one). */
    private transient boolean carried;

    private Vcpu() {
    }

    @SuppressWarnings("unused") // JAXB callback
    private void afterUnmarshal(Unmarshaller u, Object parent) {
        carried = true;
    }

    boolean carriesUnmodelled() {
        return carried;
    }

    /**
     * Checks every value (the way {@link DomainXml#vcpu()} reads it).
     *
     * @throws DomainXmlException INVALID_VALUE for a number that is not one, INCONSISTENT when
     *     {@code current} exceeds the maximum (libvirt refuses such a domain)
     */
    void validate() {
        int max = maximum();
        OptionalInt cur = current();
        if (cur.isPresent() && cur.getAsInt() > max) {
            throw new DomainXmlException(Reason.INCONSISTENT,
                    "<vcpu current='" + cur.getAsInt() + "'>" + max + "</vcpu> is inconsistent: " + cur.getAsInt()
                            + " vCPUs present at boot but a maximum of " + max + " (libvirt refuses it too);"
                            + " raise the maximum (the text) or lower current");
        }
    }

    /**
     * Returns the maximum number of vCPUs (the element's text).
     *
     * @return the maximum
     * @throws DomainXmlException (INVALID_VALUE) if the text is not a whole number
     */
    public int maximum() {
        return Parts.uint(value, "<vcpu> maximum (its text)");
    }

    /**
     * Returns the {@code current} attribute: the vCPUs present at boot.
     *
     * @return the count, empty when the attribute is absent (then all {@link #maximum()} are present)
     * @throws DomainXmlException (INVALID_VALUE) if the attribute is not a whole number
     */
    public OptionalInt current() {
        return Parts.optUint(current, "<vcpu current>");
    }

    /**
     * Returns the number of vCPUs present at boot: {@code current} when given, else the maximum.
     *
     * @return the effective count
     */
    public int effectiveCurrent() {
        OptionalInt c = current();
        return c.isPresent() ? c.getAsInt() : maximum();
    }

    /**
     * Returns the {@code placement} attribute ({@code static} or {@code auto}).
     *
     * @return the placement, empty when absent
     */
    public Optional<String> placement() {
        return Optional.ofNullable(placement);
    }

    /**
     * Returns the {@code cpuset} attribute as written (host CPUs the vCPUs may run on).
     *
     * @return the text, empty when absent; parse it with {@link CpuSet#parse(String)}
     */
    public Optional<String> cpuset() {
        return Optional.ofNullable(cpuset);
    }

    /**
     * Returns the attributes this type does not model, as read (qualified name to value).
     *
     * @return an unmodifiable map in document order, empty for a built value
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
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
     * Returns a builder holding this value (and its unmodelled content).
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Vcpu)) {
            return false;
        }
        Vcpu v = (Vcpu) o;
        return Objects.equals(Parts.norm(value), Parts.norm(v.value)) && Objects.equals(Parts.norm(current), Parts.norm(v.current))
                && Objects.equals(placement, v.placement) && Objects.equals(cpuset, v.cpuset)
                && otherAttributes.equals(v.otherAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.norm(value), Parts.norm(current), placement, cpuset, otherAttributes);
    }

    @Override
    public String toString() {
        return "Vcpu{maximum=" + SafeText.escape(String.valueOf(value).strip(), 20)
                + (current == null ? "" : ", current=" + SafeText.escape(current, 20))
                + (placement == null ? "" : ", placement=" + SafeText.escape(placement, 20))
                + (cpuset == null ? "" : ", cpuset=" + SafeText.escape(cpuset, 40)) + "}";
    }

    /** Builds a {@link Vcpu}; {@link #build()} validates. */
    public static final class Builder {
        private final Vcpu from;
        private int maximum;
        private Integer current;
        private String placement;
        private String cpuset;
        private Map<QName, String> others;
        private boolean explicitOthers;

        private Builder(Vcpu from) {
            this.from = from;
            if (from != null) {
                this.maximum = Parts.uint(from.value, "<vcpu> maximum (its text)");
                this.current = Parts.boxed(from.current());
                this.placement = from.placement;
                this.cpuset = from.cpuset;
                this.others = new LinkedHashMap<>(from.otherAttributes);
            }
        }

        /**
         * Sets the maximum number of vCPUs.
         *
         * @param maximum at least 1
         * @return this builder
         */
        public Builder maximum(int maximum) {
            this.maximum = maximum;
            return this;
        }

        /**
         * Sets the number of vCPUs present at boot.
         *
         * @param current between 1 and the maximum
         * @return this builder
         */
        public Builder current(int current) {
            this.current = current;
            return this;
        }

        /**
         * Removes the {@code current} attribute (all vCPUs present at boot).
         *
         * @return this builder
         */
        public Builder clearCurrent() {
            this.current = null;
            return this;
        }

        /**
         * Sets the placement ({@code static} or {@code auto}); null removes it.
         *
         * @param placement the placement or null
         * @return this builder
         */
        public Builder placement(String placement) {
            this.placement = placement;
            return this;
        }

        /**
         * Sets the host cpuset in libvirt's range syntax; null removes it.
         *
         * @param cpuset the text or null
         * @return this builder
         */
        public Builder cpuset(String cpuset) {
            this.cpuset = cpuset;
            return this;
        }

        /**
         * Sets the attributes this type does not model (they are then written as given, replacing
         * those of the element the value is written over).
         *
         * @param attributes name (without a namespace prefix) to value, in the order to write them
         * @return this builder
         * @throws IllegalArgumentException for a prefixed or blank name
         */
        public Builder otherAttributes(Map<String, String> attributes) {
            this.others = Parts.qnames(attributes);
            this.explicitOthers = true;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the value
         * @throws DomainXmlException (INVALID_VALUE) if the maximum is below 1, current is outside
         *     1..maximum, the placement is not static/auto or the cpuset is not valid
         */
        public Vcpu build() {
            if (maximum < 1) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<vcpu> maximum " + maximum + " is invalid: a domain needs at least 1 vCPU");
            }
            if (current != null && (current < 1 || current > maximum)) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<vcpu current='" + current + "'> is invalid: it must be between 1 and the maximum "
                                + maximum + "; raise the maximum or lower current");
            }
            if (placement != null && !placement.equals("static") && !placement.equals("auto")) {
                throw new DomainXmlException(Reason.INVALID_VALUE,
                        "<vcpu placement=" + SafeText.quote(placement) + "> is invalid: libvirt accepts 'static' or 'auto'");
            }
            if (cpuset != null) {
                CpuSet.parse(cpuset);
            }
            Vcpu v = new Vcpu();
            v.value = from != null && Parts.uint(from.value, "<vcpu>") == maximum ? from.value : Integer.toString(maximum);
            v.current = current == null ? null
                    : from != null && from.current != null && current.equals(Parts.boxed(from.current())) ? from.current
                    : current.toString();
            v.placement = placement;
            v.cpuset = cpuset;
            if (others != null) {
                v.otherAttributes = new LinkedHashMap<>(others);
            }
            v.carried = from != null && from.carried || explicitOthers;
            return v;
        }
    }
}
