package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.AttributeOrder;
import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.DomPatch;
import dev.vmhotplug.xml.internal.SafeText;
import dev.vmhotplug.xml.internal.SecureXml;
import dev.vmhotplug.xml.internal.XmlWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A libvirt domain definition ({@code <domain>} XML) opened for lossless editing.
 *
 * <p>The whole document is held as a DOM parsed by a hardened parser: a DOCTYPE (and with it any
 * entity declaration, entity expansion or external DTD) is refused with
 * {@link DomainXmlException.Reason#HOSTILE}, a document over {@link #DEFAULT_MAX_BYTES} with
 * {@link DomainXmlException.Reason#TOO_LARGE} before it is parsed. Typed parts ({@link Vcpu},
 * {@link MaxMemory}, {@link MemoryAmount}, {@link NumaCell}, {@link CpuTopology},
 * {@link MemoryDevice}, ...) are JAXB-bound values, read on demand by unmarshalling the element they
 * model. A setter marshals the new value and patches into the document only what differs from it
 * (attributes, text, child elements matched by name and occurrence), in place, and inserts new
 * elements where libvirt writes them. Everything else (element order, attributes, comments,
 * processing instructions, foreign-namespace metadata, text, whitespace) is written back by
 * {@link #toXml()} as it was read, attributes in their original order (new attributes after them).
 * Attribute values are quoted the way the document's root element is (libvirt writes single quotes;
 * then text escapes {@code '} and {@code "} as libvirt does).
 *
 * <p>Reading is lenient: {@link #parse(String)} only requires a well-formed {@code <domain>}; a part
 * with an invalid value (a negative number, an unknown unit) fails when that part is read, with
 * {@link DomainXmlException.Reason#INVALID_VALUE} naming the element, and a part that contradicts
 * itself ({@code <vcpu current='9'>2</vcpu>}) with {@link DomainXmlException.Reason#INCONSISTENT};
 * contradictions between parts are listed by {@link #inconsistencies()}. A domain without
 * {@code <vcpu>} is accepted ({@link #vcpu()} is empty; libvirt then gives the domain 1 vCPU).
 *
 * <p>Not thread-safe; {@link #copy()} gives an independent copy. The parts it returns are
 * immutable values that share nothing with the document.
 */
public final class DomainXml {

    /** Top-level elements in the order libvirt's formatter writes them (used to place new ones). */
    private static final List<String> TOP_ORDER = List.of("name", "uuid", "genid", "title", "description",
            "metadata", "maxMemory", "memory", "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu",
            "vcpus", "iothreads", "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "sysinfo",
            "bootloader", "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff",
            "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap",
            "launchSecurity");

    private final Document doc;
    private final String declaration;
    private final boolean trailingNewline;
    private final char quote;
    /**
     * The text the document was parsed from, until the attribute order of its elements has been
     * recovered from it ({@link #ordered()}): only writing and editing need it, so a document that is
     * only read never pays for it.
     */
    private String source;

    private DomainXml(Document doc, String declaration, boolean trailingNewline, char quote, String source) {
        this.doc = doc;
        this.declaration = declaration;
        this.trailingNewline = trailingNewline;
        this.quote = quote;
        this.source = source;
    }

    /** Records the written attribute order before the document is written or changed (once). */
    private void ordered() {
        if (source != null) {
            AttributeOrder.index(doc, source);
            source = null;
        }
    }

    /**
     * The largest document {@link #parse(String)} accepts: 4 MiB (4,194,304 bytes of UTF-8), the
     * longest string libvirt's remote protocol carries ({@code REMOTE_STRING_MAX} in
     * {@code remote_protocol.x}), so no domain XML that {@code virsh define} can send through
     * {@code libvirtd} is larger. ({@code virsh} itself reads files up to 10 MiB,
     * {@code VSH_MAX_XML_FILE}; pass a larger limit to {@link #parse(String, int)} for such files.)
     */
    public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

    /**
     * Parses a domain XML document with the hardened parser, refusing documents larger than
     * {@link #DEFAULT_MAX_BYTES}.
     *
     * @param xml the text, as written by {@code virsh dumpxml} or by hand
     * @return the editable document
     * @throws DomainXmlException TOO_LARGE for a document over the limit (checked before any parsing);
     *     HOSTILE for a DOCTYPE or entity; MALFORMED for text that is not well-formed XML (the message
     *     has the line and column); MISSING_ELEMENT if the root is not {@code <domain>}
     */
    public static DomainXml parse(String xml) {
        return parse(xml, DEFAULT_MAX_BYTES);
    }

    /**
     * Parses a domain XML document with the hardened parser and a size limit of your choice.
     *
     * @param xml the text
     * @param maxBytes the largest document accepted, in bytes of its UTF-8 encoding, at least 1
     * @return the editable document
     * @throws DomainXmlException as {@link #parse(String)}
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public static DomainXml parse(String xml, int maxBytes) {
        Objects.requireNonNull(xml, "xml");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        checkSize(xml, maxBytes);
        Jaxb.prestart(); // the JAXB context is built on a second thread while the DOM is parsed
        Document doc = SecureXml.parse(xml);
        Element root = doc.getDocumentElement();
        if ("domain".equals(root.getLocalName()) && root.getNamespaceURI() != null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "the root <domain> is in namespace " + SafeText.quote(root.getNamespaceURI()) + "; libvirt domain XML"
                            + " has no namespace on <domain>, remove the xmlns declaration");
        }
        if (!Dom.is(root, "domain")) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "the root element is <" + SafeText.escape(root.getNodeName(), 40) + ">, not <domain>; pass a libvirt"
                            + " domain definition (virsh dumpxml NAME)");
        }
        String text = xml.startsWith("\uFEFF") ? xml.substring(1) : xml;
        return new DomainXml(doc, declarationOf(xml), xml.endsWith("\n"), quoteOf(xml, root), text);
    }

    /** Refuses a text whose UTF-8 form exceeds the limit, without encoding it when the length decides. */
    private static void checkSize(String xml, int maxBytes) {
        long chars = xml.length();
        long bytes;
        if (chars > maxBytes) {
            bytes = chars; // at least one byte per char: too large whatever the encoding
        } else if (chars * 3 <= maxBytes) {
            return; // at most three bytes per UTF-16 unit
        } else {
            bytes = utf8Length(xml);
            if (bytes <= maxBytes) {
                return;
            }
        }
        throw new DomainXmlException(Reason.TOO_LARGE,
                "the domain XML has " + (bytes == chars && chars > maxBytes ? "at least " : "") + bytes
                        + " bytes, more than the limit of " + maxBytes + " bytes; libvirt's remote protocol carries at"
                        + " most " + DEFAULT_MAX_BYTES + " bytes (REMOTE_STRING_MAX), so this is not a domain libvirt"
                        + " would accept: pass the output of 'virsh dumpxml NAME', or raise the limit with"
                        + " DomainXml.parse(xml, maxBytes)");
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The quote style of the first attribute of the root element: libvirt's ' unless the input uses ". */
    private static char quoteOf(String xml, Element root) {
        if (root.getAttributes().getLength() == 0) {
            return '\'';
        }
        int start = xml.indexOf("<" + root.getNodeName());
        for (int i = start < 0 ? 0 : start, n = xml.length(); i < n; i++) {
            char c = xml.charAt(i);
            if (c == '\'' || c == '"') {
                return c;
            }
            if (c == '>') {
                break;
            }
        }
        return '\'';
    }

    private static String declarationOf(String xml) {
        int start = xml.startsWith("\uFEFF") ? 1 : 0;
        if (xml.startsWith("<?xml", start) && xml.length() > start + 5
                && Character.isWhitespace(xml.charAt(start + 5))) {
            int end = xml.indexOf("?>", start);
            if (end > 0) {
                return xml.substring(start, end + 2);
            }
        }
        return null;
    }

    /**
     * Writes the document. An unedited document comes back structurally identical to the input
     * (same elements, attributes, text, comments, processing instructions and namespaces) and with
     * the same XML declaration, or none if it had none.
     *
     * @return the XML text
     */
    public String toXml() {
        ordered();
        return XmlWriter.write(doc, declaration, trailingNewline, quote);
    }

    /**
     * Returns an independent copy of this document.
     *
     * @return the copy
     */
    public DomainXml copy() {
        // an unindexed copy recovers the order from the same text when it is first written or changed
        return new DomainXml((Document) doc.cloneNode(true), declaration, trailingNewline, quote, source);
    }

    private Element root() {
        return doc.getDocumentElement();
    }

    /**
     * Returns the domain type ({@code kvm}, {@code qemu}, {@code xen}, ...).
     *
     * @return the {@code type} attribute of {@code <domain>}
     * @throws DomainXmlException (MISSING_ELEMENT) if the attribute is absent
     */
    public String type() {
        String t = Dom.attr(root(), "type");
        if (t == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<domain> has no 'type' attribute; libvirt requires one, for example <domain type='kvm'>");
        }
        return t;
    }

    /**
     * Returns the domain's id, {@code <domain id='N'>}: libvirt writes it into the live XML of a
     * running (or paused) domain and never into the XML of a shut-off one or into the inactive XML,
     * so the live XML alone tells whether the domain runs.
     *
     * @return the id, empty when the root has no {@code id} attribute
     * @throws DomainXmlException (INVALID_VALUE) if the attribute is not a whole non-negative number
     */
    public OptionalInt id() {
        String id = Dom.attr(root(), "id");
        return id == null ? OptionalInt.empty() : OptionalInt.of(Parts.uint(id, "<domain id>"));
    }

    /**
     * Returns the domain name.
     *
     * @return the text of {@code <name>}, stripped
     * @throws DomainXmlException (MISSING_ELEMENT) if {@code <name>} is absent
     */
    public String name() {
        Element n = Dom.child(root(), "name");
        if (n == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT, "<domain> has no <name>; libvirt requires one");
        }
        return Dom.text(n).strip();
    }

    /** {@return the text of {@code <uuid>}, stripped, empty when absent} */
    public Optional<String> uuid() {
        Element u = Dom.child(root(), "uuid");
        return u == null ? Optional.empty() : Optional.of(Dom.text(u).strip());
    }

    /** {@return {@code <os><type arch>}, empty when absent} */
    public Optional<String> osArch() {
        return Optional.ofNullable(Dom.attr(Dom.child(Dom.child(root(), "os"), "type"), "arch"));
    }

    /** {@return {@code <os><type machine>}, empty when absent} */
    public Optional<String> machine() {
        return Optional.ofNullable(Dom.attr(Dom.child(Dom.child(root(), "os"), "type"), "machine"));
    }

    /**
     * Returns {@code <vcpu>}.
     *
     * @return the part, empty when the domain has no {@code <vcpu>} (libvirt then gives it 1 vCPU)
     * @throws DomainXmlException INVALID_VALUE if a number in it is invalid; INCONSISTENT if
     *     {@code current} is above the maximum ({@code <vcpu current='9'>2</vcpu>})
     */
    public Optional<Vcpu> vcpu() {
        Element e = Dom.child(root(), "vcpu");
        if (e == null) {
            return Optional.empty();
        }
        Vcpu v = Jaxb.read(e, Vcpu.class);
        v.validate();
        return Optional.of(v);
    }

    /**
     * Returns the entries of {@code <vcpus>}.
     *
     * @return the entries in document order, empty when {@code <vcpus>} is absent
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if an entry is invalid
     */
    public List<VcpuEntry> vcpus() {
        List<VcpuEntry> out = new ArrayList<>();
        for (Element e : Dom.children(Dom.child(root(), "vcpus"), "vcpu")) {
            VcpuEntry v = Jaxb.read(e, VcpuEntry.class);
            v.validate();
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Returns {@code <maxMemory>}.
     *
     * @return the part, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if its size, unit or slots are invalid
     */
    public Optional<MaxMemory> maxMemory() {
        Element e = Dom.child(root(), "maxMemory");
        if (e == null) {
            return Optional.empty();
        }
        MaxMemory m = Jaxb.read(e, MaxMemory.class);
        m.validate();
        return Optional.of(m);
    }

    /**
     * Returns {@code <memory>}: the boot memory, including memory devices present at boot.
     *
     * @return the part, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if its size or unit are invalid
     */
    public Optional<MemoryAmount> memory() {
        return amount("memory", true);
    }

    /**
     * Returns {@code <currentMemory>}: the balloon target.
     *
     * @return the part, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if its size or unit are invalid
     */
    public Optional<MemoryAmount> currentMemory() {
        return amount("currentMemory", true);
    }

    private Optional<MemoryAmount> amount(String name, boolean validate) {
        Element e = Dom.child(root(), name);
        if (e == null) {
            return Optional.empty();
        }
        MemoryAmount m = Jaxb.read(e, MemoryAmount.class).named(name);
        if (validate) {
            m.validate();
        }
        return Optional.of(m);
    }

    /**
     * Returns the cells of {@code <cpu><numa>}.
     *
     * @return the cells in document order, empty when there is no NUMA topology
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if a cell is invalid
     */
    public List<NumaCell> numaCells() {
        List<NumaCell> out = new ArrayList<>();
        for (Element e : cellElements()) {
            NumaCell c = Jaxb.read(e, NumaCell.class);
            c.validate();
            out.add(c);
        }
        return Collections.unmodifiableList(out);
    }

    private List<Element> cellElements() {
        return Dom.children(Dom.child(Dom.child(root(), "cpu"), "numa"), "cell");
    }

    /**
     * Returns {@code <cpu><topology>}.
     *
     * @return the topology, empty when absent
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if it is invalid
     */
    public Optional<CpuTopology> topology() {
        Element e = Dom.child(Dom.child(root(), "cpu"), "topology");
        if (e == null) {
            return Optional.empty();
        }
        CpuTopology t = Jaxb.read(e, CpuTopology.class);
        t.validate();
        return Optional.of(t);
    }

    /**
     * Returns the memory devices, {@code <devices><memory model=…>}, of every model.
     *
     * @return the devices in document order (the index used by {@link #removeMemoryDevice(int)})
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if a device is invalid
     */
    public List<MemoryDevice> memoryDevices() {
        List<MemoryDevice> out = new ArrayList<>();
        for (Element e : memoryDeviceElements()) {
            MemoryDevice d = Jaxb.read(e, MemoryDevice.class);
            d.validate();
            out.add(d);
        }
        return Collections.unmodifiableList(out);
    }

    private List<Element> memoryDeviceElements() {
        return Dom.children(Dom.child(root(), "devices"), "memory");
    }

    /**
     * Returns the channel devices, {@code <devices><channel>}.
     *
     * @return the channels in document order, empty when there are none
     */
    public List<Channel> channels() {
        List<Channel> out = new ArrayList<>();
        for (Element c : Dom.children(Dom.child(root(), "devices"), "channel")) {
            Element t = Dom.child(c, "target");
            out.add(new Channel(Dom.attr(c, "type"), Dom.attr(t, "type"), Dom.attr(t, "name"), Dom.attr(t, "state")));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Returns the QEMU guest agent's channel, the first {@code <channel>} whose target is
     * {@code <target type='virtio' name='org.qemu.guest_agent.0'/>}.
     *
     * @return the channel, empty when the domain has none (the SDK cannot reach a guest agent then)
     */
    public Optional<Channel> guestAgentChannel() {
        for (Channel c : channels()) {
            if (c.isGuestAgent()) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * Lists the parts that are each valid but contradict each other, as libvirt would refuse them:
     * {@code current} above the vCPU maximum, a NUMA cell listing vCPU ids at or above the maximum,
     * a memory device on a guest node that no cell has (or any node when there are no cells). Parts
     * that cannot be read at all are not listed here: reading them throws.
     *
     * @return one message per contradiction (what, why, the fix), empty when there is none
     */
    public List<String> inconsistencies() {
        List<String> out = new ArrayList<>();
        int max = 1;
        Element ve = Dom.child(root(), "vcpu");
        if (ve != null) {
            try {
                Vcpu v = Jaxb.read(ve, Vcpu.class);
                max = v.maximum();
                v.validate();
            } catch (DomainXmlException e) {
                if (e.reason() == Reason.INCONSISTENT) {
                    out.add(e.getMessage());
                }
            }
        }
        Set<Integer> ids = new HashSet<>();
        List<Element> cells = cellElements();
        for (int i = 0; i < cells.size(); i++) {
            try {
                NumaCell c = Jaxb.read(cells.get(i), NumaCell.class);
                ids.add(c.id().orElse(i));
                CpuSet cpus = c.cpus();
                if (!cpus.isEmpty() && cpus.max() >= max) {
                    out.add("NUMA cell " + c.id().orElse(i) + " lists vCPU " + cpus.max() + " but the <vcpu> maximum is "
                            + max + " (ids 0-" + (max - 1) + "); libvirt refuses that: remove the ids from the cell's"
                            + " cpus or raise the maximum");
                }
            } catch (DomainXmlException ignored) {
                // reported by numaCells()
            }
        }
        List<Element> devices = memoryDeviceElements();
        for (int i = 0; i < devices.size(); i++) {
            try {
                MemoryDevice d = Jaxb.read(devices.get(i), MemoryDevice.class);
                OptionalInt node = d.targetNode();
                if (node.isPresent() && !ids.contains(node.getAsInt())) {
                    out.add("memory device " + (i + 1) + " (" + SafeText.quote(d.model()) + ") is on guest NUMA node "
                            + node.getAsInt() + (cells.isEmpty() ? ", but the domain has no NUMA cell"
                            : ", but the domain's cells are " + new java.util.TreeSet<>(ids))
                            + "; libvirt refuses that: set its <target><node> to an existing cell or add the cell");
                }
            } catch (DomainXmlException ignored) {
                // reported by memoryDevices()
            }
        }
        return List.copyOf(out);
    }

    /**
     * Sets {@code <vcpu>}: patches the existing element in place, or inserts a new one after
     * {@code <memoryBacking>}/{@code <currentMemory>}/{@code <memory>}, where libvirt writes it. The
     * modelled attributes ({@code placement}, {@code cpuset}, {@code current}) and the text become
     * exactly what {@code vcpu} says (absent means removed: start from {@code vcpu().get().toBuilder()}
     * to change one thing); other attributes are kept, or taken from {@code vcpu} when it was read
     * from a document.
     *
     * @param vcpu the new value
     */
    public void setVcpu(Vcpu vcpu) {
        ordered();
        Objects.requireNonNull(vcpu, "vcpu");
        putText(Dom.child(root(), "vcpu"), Jaxb.write(vcpu, "vcpu", doc), vcpu.carriesUnmodelled(), Vcpu.MODELLED);
    }

    /** Patches a text-only part (its unknown child elements, which JAXB cannot hold, always stay). */
    private void putText(Element existing, Element fresh, boolean carried, Set<String> modelled) {
        if (existing != null) {
            DomPatch.patch(existing, fresh, !carried, modelled, true, Set.of());
        } else {
            insertTop(fresh);
        }
    }

    /**
     * Sets {@code <maxMemory slots='S' unit='KiB'>N</maxMemory>}. An existing element keeps its unit
     * when the size is a whole number of it (no change at all when the value is the same); a new
     * element is written in KiB before {@code <memory>}.
     *
     * @param max the maximum memory, a whole number of KiB
     * @param slots the number of memory slots, {@code >= 1}
     * @throws DomainXmlException (INVALID_VALUE) if the size is not whole KiB or slots is below 1;
     *     the document is then unchanged
     */
    public void setMaxMemory(MemorySize max, int slots) {
        ordered();
        Objects.requireNonNull(max, "max");
        if (slots < 1) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "<maxMemory slots='" + slots + "'> is invalid: give at least 1 memory slot");
        }
        Element e = Dom.child(root(), "maxMemory");
        MaxMemory m = e == null ? MaxMemory.of(max, slots)
                : Jaxb.read(e, MaxMemory.class).withSize(max).withSlots(slots);
        setMaxMemory(m);
    }

    /**
     * Sets {@code <maxMemory>} to a value: patched in place, or inserted before {@code <memory>}.
     *
     * @param max the value, e.g. {@code maxMemory().get().withSlots(32)} or {@link MaxMemory#of(MemorySize, int)}
     */
    public void setMaxMemory(MaxMemory max) {
        ordered();
        Objects.requireNonNull(max, "max");
        putText(Dom.child(root(), "maxMemory"), Jaxb.write(max, "maxMemory", doc), max.carriesUnmodelled(),
                MaxMemory.MODELLED);
    }

    /**
     * Sets {@code <memory>} (boot memory), in place or as a new element; see
     * {@link #setMaxMemory(MemorySize, int)} for the unit rule.
     *
     * @param size a whole number of KiB
     * @throws DomainXmlException (INVALID_VALUE) if the size is not whole KiB; the document is then unchanged
     */
    public void setMemory(MemorySize size) {
        ordered();
        Objects.requireNonNull(size, "size");
        writeAmount("memory", size);
    }

    /**
     * Sets {@code <currentMemory>} (balloon target), in place or as a new element; see
     * {@link #setMaxMemory(MemorySize, int)} for the unit rule.
     *
     * @param size a whole number of KiB
     * @throws DomainXmlException (INVALID_VALUE) if the size is not whole KiB; the document is then unchanged
     */
    public void setCurrentMemory(MemorySize size) {
        ordered();
        Objects.requireNonNull(size, "size");
        writeAmount("currentMemory", size);
    }

    private void writeAmount(String name, MemorySize size) {
        Optional<MemoryAmount> old = amount(name, false);
        MemoryAmount m = old.isPresent() ? old.get().withSize(size) : MemoryAmount.of(size);
        putText(Dom.child(root(), name), Jaxb.write(m, name, doc), true, MemoryAmount.MODELLED);
    }

    /**
     * Sets {@code <cpu><topology>}: patched in place, or added as the first child of {@code <cpu>}
     * ({@code <cpu>} is created when absent).
     *
     * @param topology the topology
     */
    public void setTopology(CpuTopology topology) {
        ordered();
        Objects.requireNonNull(topology, "topology");
        Element cpu = Dom.child(root(), "cpu");
        Element fresh = Jaxb.write(topology, "topology", doc);
        Element existing = Dom.child(cpu, "topology");
        if (existing != null) {
            DomPatch.patch(existing, fresh, !topology.carriesUnmodelled(), CpuTopology.MODELLED, true, Set.of());
            return;
        }
        if (cpu == null) {
            Element newCpu = Dom.create(doc, "cpu");
            newCpu.appendChild(fresh);
            insertTop(newCpu);
            return;
        }
        Element ref = null;
        for (String before : List.of("feature", "numa")) {
            ref = ref != null ? ref : Dom.child(cpu, before);
        }
        Element after = null;
        for (String name : List.of("model", "vendor")) {
            Element x = Dom.child(cpu, name);
            after = x != null ? x : after;
        }
        Dom.insert(cpu, fresh, after != null ? nextElementSibling(after) : ref != null ? ref : firstElementChild(cpu));
    }

    /**
     * Replaces the cells of {@code <cpu><numa>}. Cells are matched to the existing ones by id (or by
     * position for cells without id) and patched in place, so that children such as
     * {@code <distances>} stay; existing cells not matched are removed; new ones are appended after
     * the last cell. {@code <numa>} and {@code <cpu>} are created when absent ({@code <numa>} at the
     * end of {@code <cpu>}, {@code <cpu>} after {@code <features>}/{@code <os>}). An empty list removes
     * the cells, and {@code <numa>} if nothing else is in it.
     *
     * @param cells the new cells
     */
    public void setNumaCells(List<NumaCell> cells) {
        ordered();
        List<NumaCell> list = List.copyOf(Objects.requireNonNull(cells, "cells"));
        Element cpu = Dom.child(root(), "cpu");
        Element numa = Dom.child(cpu, "numa");
        if (list.isEmpty()) {
            if (numa != null) {
                for (Element c : Dom.children(numa, "cell")) {
                    Dom.remove(c);
                }
                if (!hasElementChild(numa)) {
                    Dom.remove(numa);
                }
            }
            return;
        }
        if (numa == null) {
            Element newNuma = Dom.create(doc, "numa");
            for (NumaCell c : list) {
                newNuma.appendChild(cellElement(c));
            }
            if (cpu == null) {
                Element newCpu = Dom.create(doc, "cpu");
                newCpu.appendChild(newNuma);
                insertTop(newCpu);
            } else {
                Dom.insert(cpu, newNuma, null);
            }
            return;
        }
        List<Element> existing = Dom.children(numa, "cell");
        Element[] match = new Element[list.size()];
        List<Element> free = new ArrayList<>(existing);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).id().isPresent()) {
                String id = Integer.toString(list.get(i).id().getAsInt());
                for (Element x : free) {
                    String xid = Dom.attr(x, "id");
                    if (xid != null && id.equals(xid.strip())) {
                        match[i] = x;
                        break;
                    }
                }
                free.remove(match[i]);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            if (match[i] == null && list.get(i).id().isEmpty() && !free.isEmpty()) {
                match[i] = free.remove(0);
            }
        }
        for (Element x : free) {
            Dom.remove(x);
        }
        for (int i = 0; i < list.size(); i++) {
            if (match[i] != null) {
                NumaCell c = list.get(i);
                boolean keep = !c.carriesUnmodelled();
                DomPatch.patch(match[i], Jaxb.write(c, "cell", doc), keep, NumaCell.MODELLED, keep, Set.of());
            }
        }
        for (int i = 0; i < list.size(); i++) {
            if (match[i] == null) {
                List<Element> now = Dom.children(numa, "cell");
                Node ref = now.isEmpty() ? firstElementChild(numa) : nextElementSibling(now.get(now.size() - 1));
                Dom.insert(numa, cellElement(list.get(i)), ref);
            }
        }
    }

    private Element cellElement(NumaCell c) {
        Element e = Jaxb.write(c, "cell", doc);
        Dom.stripWhitespace(e);
        return e;
    }

    /**
     * Adds a memory device to {@code <devices>} after the last existing {@code <memory>} device (or
     * at the end of {@code <devices>}), indented like its neighbours.
     *
     * @param device the device
     */
    public void addMemoryDevice(MemoryDevice device) {
        ordered();
        Objects.requireNonNull(device, "device");
        Element e = Jaxb.write(device, "memory", doc);
        Dom.stripWhitespace(e);
        Element devices = Dom.child(root(), "devices");
        if (devices == null) {
            devices = Dom.create(doc, "devices");
            insertTop(devices);
        }
        List<Element> mems = Dom.children(devices, "memory");
        Node ref = null;
        if (!mems.isEmpty()) {
            ref = nextElementSibling(mems.get(mems.size() - 1));
        } else {
            for (String after : List.of("iommu", "vsock", "crypto")) {
                Element x = Dom.child(devices, after);
                if (x != null) {
                    ref = x;
                    break;
                }
            }
        }
        Dom.insert(devices, e, ref);
    }

    /**
     * Replaces a memory device with another value, patching only what differs (for example a
     * virtio-mem device's {@code <requested>}: {@code setMemoryDevice(i, memoryDevices().get(i).withRequested(size))}).
     * The element becomes exactly {@code device}'s content; comments and the order of what stays are kept.
     *
     * @param indexInMemoryDevicesList the index in {@link #memoryDevices()}
     * @param device the new value
     * @throws IndexOutOfBoundsException if there is no device at that index; the document is then unchanged
     */
    public void setMemoryDevice(int indexInMemoryDevicesList, MemoryDevice device) {
        ordered();
        Objects.requireNonNull(device, "device");
        List<Element> mems = memoryDeviceElements();
        if (indexInMemoryDevicesList < 0 || indexInMemoryDevicesList >= mems.size()) {
            throw new IndexOutOfBoundsException("no memory device at index " + indexInMemoryDevicesList
                    + ": the domain has " + mems.size() + " memory device(s)");
        }
        DomPatch.patch(mems.get(indexInMemoryDevicesList), Jaxb.write(device, "memory", doc));
    }

    /**
     * Removes a memory device.
     *
     * @param indexInMemoryDevicesList the index in {@link #memoryDevices()}
     * @throws IndexOutOfBoundsException if there is no device at that index; the document is then unchanged
     */
    public void removeMemoryDevice(int indexInMemoryDevicesList) {
        ordered();
        List<Element> mems = memoryDeviceElements();
        if (indexInMemoryDevicesList < 0 || indexInMemoryDevicesList >= mems.size()) {
            throw new IndexOutOfBoundsException("no memory device at index " + indexInMemoryDevicesList
                    + ": the domain has " + mems.size() + " memory device(s)");
        }
        Dom.remove(mems.get(indexInMemoryDevicesList));
    }

    private void insertTop(Element e) {
        Dom.stripWhitespace(e);
        Element root = root();
        int idx = TOP_ORDER.indexOf(e.getLocalName() != null ? e.getLocalName() : e.getNodeName());
        Element anchorBefore = null;
        for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE && c.getNamespaceURI() == null) {
                int i = TOP_ORDER.indexOf(c.getLocalName());
                if (i >= 0 && i < idx) {
                    anchorBefore = (Element) c;
                }
            }
        }
        Node ref;
        if (anchorBefore != null) {
            ref = nextElementSibling(anchorBefore);
        } else {
            ref = null;
            for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c.getNodeType() == Node.ELEMENT_NODE) {
                    ref = c;
                    break;
                }
            }
        }
        Dom.insert(root, e, ref);
    }

    private static boolean hasElementChild(Element e) {
        return firstElementChild(e) != null;
    }

    private static Element firstElementChild(Element e) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                return (Element) c;
            }
        }
        return null;
    }

    /**
     * The first node after {@code e} that is not whitespace text (an element, a comment, a PI, text):
     * a new element goes right after its anchor, before a comment that belongs to the next element.
     */
    private static Node nextElementSibling(Element e) {
        for (Node c = e.getNextSibling(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() != Node.TEXT_NODE || !c.getNodeValue().isBlank()) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        Element n = Dom.child(root(), "name");
        return "DomainXml{" + (n == null ? "" : Dom.text(n).strip()) + "}";
    }
}
