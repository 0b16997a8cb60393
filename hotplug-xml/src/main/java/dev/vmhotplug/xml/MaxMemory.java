package dev.vmhotplug.xml;

import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The domain's {@code <maxMemory slots='S' unit='U'>N</maxMemory>}: the most memory the domain can
 * reach by hotplug, and the number of memory slots. Immutable, read from a document; write it with
 * {@link DomainXml#setMaxMemory(MemorySize, int)}.
 */
public final class MaxMemory {

    static final Set<String> MODELLED = Set.of("slots", "unit");

    private final MemorySize size;
    private final Integer slots;
    private final String unit;
    private final Map<String, String> other;

    private MaxMemory(MemorySize size, Integer slots, String unit, Map<String, String> other) {
        this.size = size;
        this.slots = slots;
        this.unit = unit;
        this.other = other;
    }

    static MaxMemory read(Element e) {
        String unit = Dom.attr(e, "unit");
        MemorySize size = Parts.size(Dom.text(e), unit, "<maxMemory>");
        OptionalInt slots = Parts.optUint(e, "slots", "<maxMemory slots>");
        return new MaxMemory(size, slots.isPresent() ? slots.getAsInt() : null,
                unit == null ? "KiB" : unit, Parts.otherAttributes(e, MODELLED));
    }

    /**
     * Returns the maximum memory.
     *
     * @return the size
     */
    public MemorySize size() {
        return size;
    }

    /**
     * Returns the number of memory slots.
     *
     * @return the slots, empty when the attribute is absent
     */
    public OptionalInt slots() {
        return slots == null ? OptionalInt.empty() : OptionalInt.of(slots);
    }

    /**
     * Returns the unit as written in the document, or {@code "KiB"} (libvirt's default) when absent.
     *
     * @return the unit
     */
    public String unit() {
        return unit;
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
        return "MaxMemory{" + size + (slots == null ? "" : ", slots=" + slots) + "}";
    }
}
