package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * One {@code <vcpus><vcpu id='N' enabled='yes|no' hotpluggable='yes|no' order='K'/></vcpus>} entry:
 * the per-vCPU state libvirt writes for hotpluggable vCPUs. Immutable, read-only.
 */
public final class VcpuEntry {

    static final Set<String> MODELLED = Set.of("id", "enabled", "hotpluggable", "order");

    private final int id;
    private final boolean enabled;
    private final Boolean hotpluggable;
    private final Integer order;
    private final Map<String, String> other;

    private VcpuEntry(int id, boolean enabled, Boolean hotpluggable, Integer order, Map<String, String> other) {
        this.id = id;
        this.enabled = enabled;
        this.hotpluggable = hotpluggable;
        this.order = order;
        this.other = other;
    }

    static VcpuEntry read(Element e) {
        String id = Dom.attr(e, "id");
        if (id == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT, "<vcpus><vcpu> has no 'id' attribute; libvirt requires one");
        }
        Optional<Boolean> enabled = Parts.optYesNo(e, "enabled", "<vcpus><vcpu enabled>");
        if (enabled.isEmpty()) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<vcpus><vcpu id='" + id + "'> has no 'enabled' attribute; libvirt requires yes or no");
        }
        OptionalInt order = Parts.optUint(e, "order", "<vcpus><vcpu order>");
        return new VcpuEntry(Parts.uint(id, "<vcpus><vcpu id>"), enabled.get(),
                Parts.optYesNo(e, "hotpluggable", "<vcpus><vcpu hotpluggable>").orElse(null),
                order.isPresent() ? order.getAsInt() : null, Parts.otherAttributes(e, MODELLED));
    }

    /**
     * Returns the vCPU id.
     *
     * @return the id, {@code >= 0}
     */
    public int id() {
        return id;
    }

    /**
     * Tells whether the vCPU is enabled (present).
     *
     * @return true for {@code enabled='yes'}
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Returns whether the vCPU can be unplugged.
     *
     * @return the flag, empty when the attribute is absent
     */
    public Optional<Boolean> hotpluggable() {
        return Optional.ofNullable(hotpluggable);
    }

    /**
     * Returns the order in which the vCPU is brought online.
     *
     * @return the order, empty when absent
     */
    public OptionalInt order() {
        return order == null ? OptionalInt.empty() : OptionalInt.of(order);
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return other;
    }

    @Override
    public String toString() {
        return "VcpuEntry{id=" + id + ", enabled=" + enabled
                + (hotpluggable == null ? "" : ", hotpluggable=" + hotpluggable)
                + (order == null ? "" : ", order=" + order) + "}";
    }
}
