package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
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
import java.util.OptionalInt;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * The domain's {@code <maxMemory slots='S' unit='U'>N</maxMemory>}: the most memory the domain can
 * reach by hotplug, and the number of memory slots.
 *
 * <p>A JAXB-bound value ({@code @XmlRootElement(name = "maxMemory")}). Immutable, compared by value
 * (sizes by bytes); the text and unit stay as written until the size changes. Build one with
 * {@link #of(MemorySize, int)} or derive one with {@link #withSize(MemorySize)} and
 * {@link #withSlots(int)}; write it with {@link DomainXml#setMaxMemory(MemorySize, int)}.
 */
@XmlRootElement(name = "maxMemory")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "maxMemory")
public final class MaxMemory {

    static final Set<String> MODELLED = Set.of("slots", "unit");

    @XmlAttribute
    private String slots;
    @XmlAttribute
    private String unit;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    @XmlValue
    private String value;
    private transient boolean carried;

    private MaxMemory() {
    }

    @SuppressWarnings("unused") // JAXB callback
    private void afterUnmarshal(Unmarshaller u, Object parent) {
        carried = true;
    }

    boolean carriesUnmodelled() {
        return carried;
    }

    void validate() {
        size();
        slots();
    }

    /**
     * Returns a new maximum, written in KiB ({@code <maxMemory slots='16' unit='KiB'>16777216</maxMemory>}).
     *
     * @param size the maximum memory, a whole number of KiB
     * @param slots the number of memory slots, {@code >= 0}
     * @return the value
     * @throws DomainXmlException (INVALID_VALUE) if the size is not a whole number of KiB or slots is negative
     */
    public static MaxMemory of(MemorySize size, int slots) {
        return new MaxMemory().withSize(size).withSlots(slots);
    }

    /**
     * Returns this maximum with another size: the same text when equal, else this unit when exact, else KiB.
     *
     * @param size a whole number of KiB
     * @return the new value
     * @throws DomainXmlException (INVALID_VALUE) if the size is not a whole number of KiB
     */
    public MaxMemory withSize(MemorySize size) {
        Objects.requireNonNull(size, "size");
        String[] vu = value == null ? Parts.valueAndUnit(size, null, "<maxMemory>")
                : Parts.sizeText(size, value, unit, "<maxMemory>");
        MaxMemory m = copy();
        m.value = vu[0];
        m.unit = vu[1];
        return m;
    }

    /**
     * Returns this maximum with another slot count.
     *
     * @param slots the number of memory slots, {@code >= 0}
     * @return the new value
     * @throws DomainXmlException (INVALID_VALUE) if negative
     */
    public MaxMemory withSlots(int slots) {
        if (slots < 0) {
            throw new DomainXmlException(Reason.INVALID_VALUE, "<maxMemory slots='" + slots + "'> is negative; use 0 or more");
        }
        MaxMemory m = copy();
        m.slots = this.slots != null && Parts.optUint(this.slots, "").equals(OptionalInt.of(slots)) ? this.slots
                : Integer.toString(slots);
        return m;
    }

    private MaxMemory copy() {
        MaxMemory m = new MaxMemory();
        m.slots = slots;
        m.unit = unit;
        m.value = value;
        m.otherAttributes = new LinkedHashMap<>(otherAttributes);
        m.carried = carried;
        return m;
    }

    /**
     * Returns the maximum memory.
     *
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if the text or unit is invalid
     */
    public MemorySize size() {
        return Parts.size(value, unit, "<maxMemory>");
    }

    /**
     * Returns the number of memory slots.
     *
     * @return the slots, empty when the attribute is absent
     * @throws DomainXmlException (INVALID_VALUE) if the attribute is not a whole number
     */
    public OptionalInt slots() {
        return Parts.optUint(slots, "<maxMemory slots>");
    }

    /**
     * Returns the unit as written in the document, or {@code "KiB"} (libvirt's default) when absent.
     *
     * @return the unit
     */
    public String unit() {
        return unit == null ? "KiB" : unit;
    }

    /**
     * Returns the attributes this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MaxMemory)) {
            return false;
        }
        MaxMemory m = (MaxMemory) o;
        return Parts.sameSize(value, unit, m.value, m.unit) && Objects.equals(Parts.norm(slots), Parts.norm(m.slots))
                && otherAttributes.equals(m.otherAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.sizeHash(value, unit), Parts.norm(slots), otherAttributes);
    }

    @Override
    public String toString() {
        String s;
        try {
            s = size().toString();
        } catch (DomainXmlException e) {
            s = "invalid " + dev.vmhotplug.xml.internal.SafeText.quote(value);
        }
        return "MaxMemory{" + s + (slots == null ? "" : ", slots=" + Parts.norm(slots)) + "}";
    }
}
