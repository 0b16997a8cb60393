package dev.vmhotplug.xml;

import jakarta.xml.bind.Unmarshaller;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.xml.namespace.QName;

/**
 * The domain's {@code <memory unit='U'>N</memory>} (boot memory, including memory devices present at
 * boot) or {@code <currentMemory unit='U'>N</currentMemory>} (the balloon target).
 *
 * <p>A JAXB-bound value (not a root element: {@code <memory>} alone is a memory device in libvirt's
 * APIs, see {@link MemoryDevice}; name it with {@link PartXml#toXml(Object, String)}). Immutable,
 * compared by value (1 GiB equals 1048576 KiB); the text and unit stay as written until the size
 * changes. Write it with {@link DomainXml#setMemory(MemorySize)} or
 * {@link DomainXml#setCurrentMemory(MemorySize)}.
 */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "memoryAmount")
public final class MemoryAmount {

    static final Set<String> MODELLED = Set.of("unit");

    @XmlAttribute
    private String unit;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    @XmlValue
    private String value;
    private transient String element = "memory";
    private transient boolean carried;

    private MemoryAmount() {
    }

    @SuppressWarnings("unused") // JAXB callback
    private void afterUnmarshal(Unmarshaller u, Object parent) {
        carried = true;
    }

    boolean carriesUnmodelled() {
        return carried;
    }

    MemoryAmount named(String name) {
        this.element = name;
        return this;
    }

    void validate() {
        size();
    }

    /**
     * Returns a new amount, written in KiB.
     *
     * @param size a whole number of KiB
     * @return the amount
     * @throws DomainXmlException (INVALID_VALUE) if not a whole number of KiB
     */
    public static MemoryAmount of(MemorySize size) {
        return new MemoryAmount().withSize(size, "<memory>");
    }

    /**
     * Returns this amount with another size: the same text when equal, else this unit when exact,
     * else KiB; unmodelled attributes kept.
     *
     * @param size a whole number of KiB
     * @return the new amount
     * @throws DomainXmlException (INVALID_VALUE) if not a whole number of KiB
     */
    public MemoryAmount withSize(MemorySize size) {
        return withSize(size, "<" + element + ">");
    }

    private MemoryAmount withSize(MemorySize size, String what) {
        Objects.requireNonNull(size, "size");
        String[] vu = value == null ? Parts.valueAndUnit(size, null, what) : Parts.sizeText(size, value, unit, what);
        MemoryAmount m = new MemoryAmount();
        m.value = vu[0];
        m.unit = vu[1];
        m.otherAttributes = new LinkedHashMap<>(otherAttributes);
        m.element = element;
        m.carried = carried;
        return m;
    }

    /**
     * Returns the amount.
     *
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if the text or unit is invalid
     */
    public MemorySize size() {
        return Parts.size(value, unit, "<" + element + ">");
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
     * Returns the attributes this type does not model (for example {@code dumpCore}).
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemoryAmount)) {
            return false;
        }
        MemoryAmount m = (MemoryAmount) o;
        return Parts.sameSize(value, unit, m.value, m.unit) && otherAttributes.equals(m.otherAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.sizeHash(value, unit), otherAttributes);
    }

    @Override
    public String toString() {
        try {
            return size().toString();
        } catch (DomainXmlException e) {
            return "MemoryAmount{invalid: " + dev.vmhotplug.xml.internal.SafeText.quote(value) + "}";
        }
    }

}
