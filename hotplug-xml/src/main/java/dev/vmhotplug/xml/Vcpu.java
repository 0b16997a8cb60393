package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The domain's {@code <vcpu placement='…' cpuset='…' current='N'>MAX</vcpu>}: the maximum number of
 * vCPUs (the text), the number present at boot ({@code current}, absent means all), and pinning.
 *
 * <p>Immutable. A value read from a document keeps the element's other attributes and children and
 * writes them back unchanged; a value built with {@link #builder()} leaves those of the element it
 * replaces in place.
 */
public final class Vcpu {

    static final Set<String> MODELLED = Set.of("placement", "cpuset", "current");

    private final int maximum;
    private final Integer current;
    private final String placement;
    private final String cpuset;
    private final Element raw;

    private Vcpu(int maximum, Integer current, String placement, String cpuset, Element raw) {
        this.maximum = maximum;
        this.current = current;
        this.placement = placement;
        this.cpuset = cpuset;
        this.raw = raw;
    }

    static Vcpu read(Element e) {
        int max = Parts.uint(Dom.text(e), "<vcpu> maximum (its text)");
        OptionalInt cur = Parts.optUint(e, "current", "<vcpu current>");
        return new Vcpu(max, cur.isPresent() ? cur.getAsInt() : null, Dom.attr(e, "placement"),
                Dom.attr(e, "cpuset"), Parts.snapshot(e));
    }

    /**
     * Returns the maximum number of vCPUs (the element's text).
     *
     * @return the maximum
     */
    public int maximum() {
        return maximum;
    }

    /**
     * Returns the {@code current} attribute: the vCPUs present at boot.
     *
     * @return the count, empty when the attribute is absent (then all {@link #maximum()} are present)
     */
    public OptionalInt current() {
        return current == null ? OptionalInt.empty() : OptionalInt.of(current);
    }

    /**
     * Returns the number of vCPUs present at boot: {@code current} when given, else the maximum.
     *
     * @return the effective count
     */
    public int effectiveCurrent() {
        return current == null ? maximum : current;
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
     * @return an unmodifiable map, empty for a built value
     */
    public Map<String, String> otherAttributes() {
        return Parts.otherAttributes(raw, MODELLED);
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
     * Returns a builder holding this value (and its unmodelled content).
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maximum = maximum;
        b.current = current;
        b.placement = placement;
        b.cpuset = cpuset;
        b.raw = raw;
        return b;
    }

    Element createElement(org.w3c.dom.Document doc) {
        Element e = raw != null ? (Element) doc.importNode(raw, true) : Dom.create(doc, "vcpu");
        applyTo(e);
        Dom.stripWhitespace(e);
        return e;
    }

    void applyTo(Element e) {
        Parts.applyOtherAttributes(e, raw, MODELLED);
        Dom.setAttr(e, "placement", placement);
        Dom.setAttr(e, "cpuset", cpuset);
        Dom.setAttr(e, "current", current == null ? null : current.toString());
        Dom.setText(e, Integer.toString(maximum));
        Parts.adoptAttributeOrder(e, raw);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Vcpu)) {
            return false;
        }
        Vcpu v = (Vcpu) o;
        return maximum == v.maximum && Objects.equals(current, v.current)
                && Objects.equals(placement, v.placement) && Objects.equals(cpuset, v.cpuset)
                && otherAttributes().equals(v.otherAttributes());
    }

    @Override
    public int hashCode() {
        return Objects.hash(maximum, current, placement, cpuset);
    }

    @Override
    public String toString() {
        return "Vcpu{maximum=" + maximum + (current == null ? "" : ", current=" + current)
                + (placement == null ? "" : ", placement=" + placement)
                + (cpuset == null ? "" : ", cpuset=" + cpuset) + "}";
    }

    /** Builds a {@link Vcpu}; {@link #build()} validates. */
    public static final class Builder {
        private int maximum;
        private Integer current;
        private String placement;
        private String cpuset;
        private Element raw;

        private Builder() {
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
                        "<vcpu placement='" + placement + "'> is invalid: libvirt accepts 'static' or 'auto'");
            }
            if (cpuset != null) {
                CpuSet.parse(cpuset);
            }
            return new Vcpu(maximum, current, placement, cpuset, raw);
        }
    }
}
