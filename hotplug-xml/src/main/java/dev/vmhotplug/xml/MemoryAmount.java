package dev.vmhotplug.xml;

import dev.vmhotplug.xml.internal.Dom;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The domain's {@code <memory unit='U'>N</memory>} (boot memory, including DIMMs present at boot)
 * or {@code <currentMemory unit='U'>N</currentMemory>} (the balloon target). Immutable, read from a
 * document; write it with {@link DomainXml#setMemory(MemorySize)} or
 * {@link DomainXml#setCurrentMemory(MemorySize)}.
 */
public final class MemoryAmount {

    static final Set<String> MODELLED = Set.of("unit");

    private final MemorySize size;
    private final String unit;
    private final Map<String, String> other;

    private MemoryAmount(MemorySize size, String unit, Map<String, String> other) {
        this.size = size;
        this.unit = unit;
        this.other = other;
    }

    static MemoryAmount read(Element e) {
        String unit = Dom.attr(e, "unit");
        return new MemoryAmount(Parts.size(Dom.text(e), unit, "<" + e.getNodeName() + ">"),
                unit == null ? "KiB" : unit, Parts.otherAttributes(e, MODELLED));
    }

    /**
     * Returns the amount.
     *
     * @return the size
     */
    public MemorySize size() {
        return size;
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
     * Returns the attributes this type does not model (for example {@code dumpCore}).
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return other;
    }

    @Override
    public String toString() {
        return size.toString();
    }
}
