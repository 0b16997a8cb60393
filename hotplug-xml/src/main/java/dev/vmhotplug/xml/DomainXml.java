package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SecureXml;
import dev.vmhotplug.xml.internal.XmlWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A libvirt domain definition ({@code <domain>} XML) opened for lossless editing.
 *
 * <p>The whole document is held as a DOM parsed by a hardened parser: a DOCTYPE (and with it any
 * entity declaration, entity expansion or external DTD) is refused with
 * {@link DomainXmlException.Reason#HOSTILE}. Typed parts ({@link Vcpu}, {@link MaxMemory},
 * {@link MemoryAmount}, {@link NumaCell}, {@link CpuTopology}, {@link MemoryDevice}, ...) are read
 * on demand from the elements they model; the setters patch only the elements they target, in
 * place, and insert new elements where libvirt writes them. Everything else (element order,
 * attributes, comments, processing instructions, foreign-namespace metadata, text) is written back
 * by {@link #toXml()} as it was read, attributes in their original order (new attributes after
 * them). Attribute values are quoted the way the document's root element is (libvirt writes single
 * quotes; then text escapes {@code '} and {@code "} as libvirt does).
 *
 * <p>Reading is lenient: {@link #parse(String)} only requires a well-formed {@code <domain>}; a part
 * with an invalid value (a negative number, an unknown unit) fails when that part is read, with
 * {@link DomainXmlException.Reason#INVALID_VALUE} naming the element. A domain without
 * {@code <vcpu>} is accepted ({@link #vcpu()} is empty; libvirt then gives the domain 1 vCPU).
 *
 * <p>Not thread-safe; {@link #copy()} gives an independent copy.
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

    private DomainXml(Document doc, String declaration, boolean trailingNewline, char quote) {
        this.doc = doc;
        this.declaration = declaration;
        this.trailingNewline = trailingNewline;
        this.quote = quote;
    }

    /**
     * Parses a domain XML document with the hardened parser.
     *
     * @param xml the text, as written by {@code virsh dumpxml} or by hand
     * @return the editable document
     * @throws DomainXmlException HOSTILE for a DOCTYPE or entity; MALFORMED for text that is not
     *     well-formed XML (the message has the line and column); MISSING_ELEMENT if the root is not
     *     {@code <domain>}
     */
    public static DomainXml parse(String xml) {
        Objects.requireNonNull(xml, "xml");
        Document doc = SecureXml.parseKeepingOrder(xml);
        Element root = doc.getDocumentElement();
        if ("domain".equals(root.getLocalName()) && root.getNamespaceURI() != null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "the root <domain> is in namespace '" + root.getNamespaceURI() + "'; libvirt domain XML has no"
                            + " namespace on <domain>, remove the xmlns declaration");
        }
        if (!Dom.is(root, "domain")) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "the root element is <" + root.getNodeName() + ">, not <domain>; pass a libvirt domain definition"
                            + " (virsh dumpxml NAME)");
        }
        return new DomainXml(doc, declarationOf(xml), xml.endsWith("\n"), quoteOf(xml, root));
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
        return XmlWriter.write(doc, declaration, trailingNewline, quote);
    }

    /**
     * Returns an independent copy of this document.
     *
     * @return the copy
     */
    public DomainXml copy() {
        return new DomainXml((Document) doc.cloneNode(true), declaration, trailingNewline, quote);
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

    /** @return the text of {@code <uuid>}, stripped, empty when absent */
    public Optional<String> uuid() {
        Element u = Dom.child(root(), "uuid");
        return u == null ? Optional.empty() : Optional.of(Dom.text(u).strip());
    }

    /** @return {@code <os><type arch>}, empty when absent */
    public Optional<String> osArch() {
        return Optional.ofNullable(Dom.attr(Dom.child(Dom.child(root(), "os"), "type"), "arch"));
    }

    /** @return {@code <os><type machine>}, empty when absent */
    public Optional<String> machine() {
        return Optional.ofNullable(Dom.attr(Dom.child(Dom.child(root(), "os"), "type"), "machine"));
    }

    /**
     * Returns {@code <vcpu>}.
     *
     * @return the part, empty when the domain has no {@code <vcpu>} (libvirt then gives it 1 vCPU)
     * @throws DomainXmlException (INVALID_VALUE) if a number in it is invalid
     */
    public Optional<Vcpu> vcpu() {
        Element e = Dom.child(root(), "vcpu");
        return e == null ? Optional.empty() : Optional.of(Vcpu.read(e));
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
            out.add(VcpuEntry.read(e));
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
        return e == null ? Optional.empty() : Optional.of(MaxMemory.read(e));
    }

    /**
     * Returns {@code <memory>}: the boot memory, including memory devices present at boot.
     *
     * @return the part, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if its size or unit are invalid
     */
    public Optional<MemoryAmount> memory() {
        Element e = Dom.child(root(), "memory");
        return e == null ? Optional.empty() : Optional.of(MemoryAmount.read(e));
    }

    /**
     * Returns {@code <currentMemory>}: the balloon target.
     *
     * @return the part, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if its size or unit are invalid
     */
    public Optional<MemoryAmount> currentMemory() {
        Element e = Dom.child(root(), "currentMemory");
        return e == null ? Optional.empty() : Optional.of(MemoryAmount.read(e));
    }

    /**
     * Returns the cells of {@code <cpu><numa>}.
     *
     * @return the cells in document order, empty when there is no NUMA topology
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if a cell is invalid
     */
    public List<NumaCell> numaCells() {
        List<NumaCell> out = new ArrayList<>();
        for (Element e : Dom.children(Dom.child(Dom.child(root(), "cpu"), "numa"), "cell")) {
            out.add(NumaCell.read(e));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Returns {@code <cpu><topology>}.
     *
     * @return the topology, empty when absent
     * @throws DomainXmlException (INVALID_VALUE, MISSING_ELEMENT) if it is invalid
     */
    public Optional<CpuTopology> topology() {
        Element e = Dom.child(Dom.child(root(), "cpu"), "topology");
        return e == null ? Optional.empty() : Optional.of(CpuTopology.read(e));
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
            out.add(MemoryDevice.read(e));
        }
        return Collections.unmodifiableList(out);
    }

    private List<Element> memoryDeviceElements() {
        return Dom.children(Dom.child(root(), "devices"), "memory");
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
        Objects.requireNonNull(vcpu, "vcpu");
        Element e = Dom.child(root(), "vcpu");
        if (e != null) {
            vcpu.applyTo(e);
        } else {
            insertTop(vcpu.createElement(doc));
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
        Objects.requireNonNull(max, "max");
        if (slots < 1) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "<maxMemory slots='" + slots + "'> is invalid: give at least 1 memory slot");
        }
        Element e = Dom.child(root(), "maxMemory");
        writeSize(e, "maxMemory", max, Integer.toString(slots));
        Dom.setAttr(Dom.child(root(), "maxMemory"), "slots", Integer.toString(slots));
    }

    /**
     * Sets {@code <memory>} (boot memory), in place or as a new element; see
     * {@link #setMaxMemory(MemorySize, int)} for the unit rule.
     *
     * @param size a whole number of KiB
     * @throws DomainXmlException (INVALID_VALUE) if the size is not whole KiB; the document is then unchanged
     */
    public void setMemory(MemorySize size) {
        Objects.requireNonNull(size, "size");
        writeSize(Dom.child(root(), "memory"), "memory", size, null);
    }

    /**
     * Sets {@code <currentMemory>} (balloon target), in place or as a new element; see
     * {@link #setMaxMemory(MemorySize, int)} for the unit rule.
     *
     * @param size a whole number of KiB
     * @throws DomainXmlException (INVALID_VALUE) if the size is not whole KiB; the document is then unchanged
     */
    public void setCurrentMemory(MemorySize size) {
        Objects.requireNonNull(size, "size");
        writeSize(Dom.child(root(), "currentMemory"), "currentMemory", size, null);
    }

    private void writeSize(Element e, String name, MemorySize size, String slots) {
        if (e != null) {
            String unit = Dom.attr(e, "unit");
            try {
                if (MemorySize.ofText(Dom.text(e), unit).equals(size)) {
                    return;
                }
            } catch (DomainXmlException unreadable) {
                // replaced below
            }
            String[] vu = Parts.valueAndUnit(size, unit == null ? "" : unit, "<" + name + ">");
            Dom.setText(e, vu[0]);
            Dom.setAttr(e, "unit", vu[1].isEmpty() ? null : vu[1]);
            return;
        }
        String[] vu = Parts.valueAndUnit(size, null, "<" + name + ">");
        Element n = Dom.create(doc, name);
        Dom.setAttr(n, "slots", slots);
        Dom.setAttr(n, "unit", vu[1]);
        n.appendChild(doc.createTextNode(vu[0]));
        insertTop(n);
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
                newNuma.appendChild(c.createElement(doc));
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
                    if (id.equals(Dom.attr(x, "id"))) {
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
                list.get(i).applyTo(match[i]);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            if (match[i] == null) {
                List<Element> now = Dom.children(numa, "cell");
                Node ref = now.isEmpty() ? firstElementChild(numa) : nextElementSibling(now.get(now.size() - 1));
                Dom.insert(numa, list.get(i).createElement(doc), ref);
            }
        }
    }

    /**
     * Adds a memory device to {@code <devices>} after the last existing {@code <memory>} device (or
     * at the end of {@code <devices>}), indented like its neighbours.
     *
     * @param device the device
     */
    public void addMemoryDevice(MemoryDevice device) {
        Objects.requireNonNull(device, "device");
        Element e = device.createElement(doc);
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
     * Removes a memory device.
     *
     * @param indexInMemoryDevicesList the index in {@link #memoryDevices()}
     * @throws IndexOutOfBoundsException if there is no device at that index; the document is then unchanged
     */
    public void removeMemoryDevice(int indexInMemoryDevicesList) {
        List<Element> mems = memoryDeviceElements();
        if (indexInMemoryDevicesList < 0 || indexInMemoryDevicesList >= mems.size()) {
            throw new IndexOutOfBoundsException("no memory device at index " + indexInMemoryDevicesList
                    + ": the domain has " + mems.size() + " memory device(s)");
        }
        Dom.remove(mems.get(indexInMemoryDevicesList));
    }

    private void insertTop(Element e) {
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
