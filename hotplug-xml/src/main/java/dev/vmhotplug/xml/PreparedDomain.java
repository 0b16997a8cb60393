package dev.vmhotplug.xml;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link HotplugPreparer#prepare(DomainXml, HotplugLimits)}: the prepared domain, its
 * XML and what changed.
 *
 * <p>Immutable. The changes take effect at the next cold boot of the domain: define the XML
 * ({@code virsh define}), then shut the domain down and start it again; a reboot from inside the
 * guest keeps running the old definition.
 */
public final class PreparedDomain {

    /** When the changes take effect, in words. */
    public static final String TAKES_EFFECT = "the changes take effect at the next cold boot"
            + " (define the XML, then shut the domain down and start it; a guest reboot is not enough)";

    private final DomainXml domain;
    private final String xml;
    private final List<String> changes;
    private final List<String> notes;

    PreparedDomain(DomainXml domain, String xml, List<String> changes) {
        this(domain, xml, changes, List.of());
    }

    PreparedDomain(DomainXml domain, String xml, List<String> changes, List<String> notes) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.xml = Objects.requireNonNull(xml, "xml");
        this.changes = List.copyOf(changes);
        this.notes = List.copyOf(notes);
    }

    /**
     * Returns what the caller should know about the prepared domain beyond the changes, for example
     * that a {@code type='test'} domain (libvirt's test driver) hot-plugs no memory, or how a
     * virtio-mem device is resized.
     *
     * @return the notes, one sentence each, unmodifiable; empty when there is nothing to add
     */
    public List<String> notes() {
        return notes;
    }

    /**
     * Returns the prepared domain, as a new copy on each call (the input of the preparation is never
     * this object; changing the returned copy changes neither this result nor the input).
     *
     * @return an independent copy of the prepared domain
     */
    public DomainXml domain() {
        return domain.copy();
    }

    /**
     * Returns the prepared domain's XML, ready for {@code virsh define}.
     *
     * @return the XML text
     */
    public String xml() {
        return xml;
    }

    /**
     * Returns what changed, one human-readable line per element, for example
     * {@code "<maxMemory>: added, 16 GiB with 16 slots"}. Empty when the domain was already prepared
     * for the same limits.
     *
     * @return the changes, unmodifiable
     */
    public List<String> changes() {
        return changes;
    }

    /**
     * Tells whether anything changed.
     *
     * @return false when the domain was already prepared for these limits (then {@link #xml()} is the
     *     input's XML)
     */
    public boolean changed() {
        return !changes.isEmpty();
    }

    /**
     * Returns the changes in one paragraph and when they take effect.
     *
     * @return the summary
     */
    public String summary() {
        String noted = notes.isEmpty() ? "" : " Note: " + String.join("; ", notes) + ".";
        if (!changed()) {
            return "already prepared for these limits; nothing changed." + noted;
        }
        return changes.size() + " change(s): " + String.join("; ", changes) + ". " + capitalize(TAKES_EFFECT) + "." + noted;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public String toString() {
        return "PreparedDomain[" + summary() + "]";
    }
}
