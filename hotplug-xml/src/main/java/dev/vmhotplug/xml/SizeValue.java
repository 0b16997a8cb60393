package dev.vmhotplug.xml;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.xml.namespace.QName;

/**
 * A size element such as {@code <size unit='MiB'>512</size>}: digits as written and the unit (absent
 * means KiB). Package-private: the public parts expose {@link MemorySize}.
 */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "vmhotplugSize")
final class SizeValue {

    @XmlAttribute
    private String unit;
    @XmlValue
    private String value;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();

    private SizeValue() {
    }

    private SizeValue(String value, String unit, Map<QName, String> other) {
        this.value = value;
        this.unit = unit;
        this.otherAttributes = new LinkedHashMap<>(other);
    }

    /** A new size, in MiB when it is a whole number of MiB, else in KiB (the guide's form). */
    static SizeValue preferMiB(MemorySize size, String what) {
        if (size.isMultipleOf(MemorySize.ofMiB(1))) {
            return new SizeValue(Long.toString(size.bytes() / (1024 * 1024)), "MiB", Map.of());
        }
        String[] vu = Parts.valueAndUnit(size, null, what);
        return new SizeValue(vu[0], vu[1], Map.of());
    }

    /** This size changed to {@code size}: unchanged when equal, else in this element's unit when exact, else KiB. */
    static SizeValue update(SizeValue old, MemorySize size, String what) {
        if (old == null) {
            return preferMiB(size, what);
        }
        String[] vu = Parts.sizeText(size, old.value, old.unit, what);
        return new SizeValue(vu[0], vu[1], old.otherAttributes);
    }

    MemorySize size(String where) {
        return Parts.size(value, unit, where);
    }

    String unit() {
        return unit;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SizeValue)) {
            return false;
        }
        SizeValue s = (SizeValue) o;
        return Parts.sameSize(value, unit, s.value, s.unit) && otherAttributes.equals(s.otherAttributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Parts.sizeHash(value, unit), otherAttributes);
    }

    @Override
    public String toString() {
        return value + " " + (unit == null ? "KiB" : unit);
    }
}
