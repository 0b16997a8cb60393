package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SecureXml;
import dev.vmhotplug.xml.internal.XmlWriter;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A memory device, {@code <devices><memory model='dimm|nvdimm|virtio-mem|virtio-pmem|…'>}, with its
 * source ({@code pagesize}, {@code nodemask}, {@code path}), target ({@code size}, {@code node},
 * {@code label}, {@code block}, {@code requested}, {@code current}), alias and DIMM address.
 *
 * <p>Immutable. A device read from a document keeps the whole element, so that adding it to another
 * document ({@link DomainXml#addMemoryDevice(MemoryDevice)}) or writing it ({@link #toXml()}) loses
 * nothing. {@link #dimm(MemorySize, int)} builds the guide's hotplug DIMM.
 */
public final class MemoryDevice {

    private final String model;
    private final String access;
    private final MemorySize targetSize;
    private final Integer targetNode;
    private final String alias;
    private final Integer slot;
    private final String base;
    private final Element raw;

    private MemoryDevice(String model, String access, MemorySize targetSize, Integer targetNode, String alias,
            Integer slot, String base, Element raw) {
        this.model = model;
        this.access = access;
        this.targetSize = targetSize;
        this.targetNode = targetNode;
        this.alias = alias;
        this.slot = slot;
        this.base = base;
        this.raw = raw;
    }

    static MemoryDevice read(Element e) {
        String model = Dom.attr(e, "model");
        if (model == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<devices><memory> has no 'model' attribute; libvirt requires dimm, nvdimm, virtio-mem, virtio-pmem or sgx-epc");
        }
        String where = "<memory model='" + model + "'>";
        Element target = Dom.child(e, "target");
        MemorySize size = Parts.optSizeElement(Dom.child(target, "size"), where + " <target><size>").orElse(null);
        Element node = Dom.child(target, "node");
        Integer nodeId = node == null ? null : Parts.uint(Dom.text(node), where + " <target><node>");
        Element address = Dom.child(e, "address");
        Integer slot = null;
        String base = null;
        if (address != null && "dimm".equals(Dom.attr(address, "type"))) {
            OptionalInt s = Parts.optUint(address, "slot", where + " <address slot>");
            slot = s.isPresent() ? s.getAsInt() : null;
            base = Dom.attr(address, "base");
        }
        Element aliasEl = Dom.child(e, "alias");
        MemoryDevice d = new MemoryDevice(model, Dom.attr(e, "access"), size, nodeId,
                Dom.attr(aliasEl, "name"), slot, base, Parts.snapshot(e));
        // validate the other sizes eagerly so that a bad value is reported where it is read
        d.sourcePageSize();
        d.requestedSize();
        d.currentSize();
        d.blockSize();
        d.labelSize();
        return d;
    }

    /**
     * Returns the hotplug DIMM of the guide: {@code <memory model='dimm'><target><size unit='MiB'>…
     * </size><node>N</node></target></memory>}.
     *
     * @param size the DIMM size: more than 0 and a whole number of KiB (x86 guests need a multiple of
     *     their memory block, usually 128 MiB, to use all of it)
     * @param node the guest NUMA node, {@code >= 0}
     * @return the device
     * @throws DomainXmlException (INVALID_VALUE) for a zero or not whole-KiB size or a negative node
     */
    public static MemoryDevice dimm(MemorySize size, int node) {
        Objects.requireNonNull(size, "size");
        if (size.bytes() == 0) {
            throw new DomainXmlException(Reason.INVALID_VALUE, "a DIMM of 0 B is invalid; give a size such as 1GiB");
        }
        if (!size.isWholeKiB()) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "a DIMM of " + size.bytes() + " bytes is not a whole number of KiB; libvirt sizes memory in KiB,"
                            + " use " + size.toKiB() + " KiB or a multiple of 128 MiB");
        }
        if (node < 0) {
            throw new DomainXmlException(Reason.INVALID_VALUE, "DIMM NUMA node " + node + " is negative; use 0 or more");
        }
        return new MemoryDevice("dimm", null, size, node, null, null, null, null);
    }

    /** @return the model attribute ({@code dimm}, {@code nvdimm}, {@code virtio-mem}, {@code virtio-pmem}, ...) */
    public String model() {
        return model;
    }

    /** @return the {@code access} attribute ({@code shared} or {@code private}), empty when absent */
    public Optional<String> access() {
        return Optional.ofNullable(access);
    }

    /** @return {@code <target><size>}, empty when absent */
    public Optional<MemorySize> targetSize() {
        return Optional.ofNullable(targetSize);
    }

    /** @return {@code <target><node>}, the guest NUMA node, empty when absent */
    public OptionalInt targetNode() {
        return targetNode == null ? OptionalInt.empty() : OptionalInt.of(targetNode);
    }

    /** @return {@code <alias name>}, present for devices of a running domain */
    public Optional<String> alias() {
        return Optional.ofNullable(alias);
    }

    /** @return {@code <address type='dimm' slot>}, empty when absent */
    public OptionalInt slot() {
        return slot == null ? OptionalInt.empty() : OptionalInt.of(slot);
    }

    /** @return {@code <address type='dimm' base>} as written (hexadecimal), empty when absent */
    public Optional<String> base() {
        return Optional.ofNullable(base);
    }

    /** @return {@code <source><pagesize>}, empty when absent */
    public Optional<MemorySize> sourcePageSize() {
        return sizeAt("source", "pagesize");
    }

    /** @return {@code <source><nodemask>} as written, empty when absent */
    public Optional<String> sourceNodemask() {
        return textAt("source", "nodemask");
    }

    /** @return {@code <source><path>} (nvdimm, virtio-pmem backing file), empty when absent */
    public Optional<String> sourcePath() {
        return textAt("source", "path");
    }

    /** @return {@code <target><label><size>} (nvdimm label area), empty when absent */
    public Optional<MemorySize> labelSize() {
        if (raw == null) {
            return Optional.empty();
        }
        Element label = Dom.child(Dom.child(raw, "target"), "label");
        return Parts.optSizeElement(Dom.child(label, "size"), "<memory model='" + model + "'> <target><label><size>");
    }

    /** @return {@code <target><block>} (virtio-mem block size), empty when absent */
    public Optional<MemorySize> blockSize() {
        return sizeAt("target", "block");
    }

    /** @return {@code <target><requested>} (virtio-mem requested size), empty when absent */
    public Optional<MemorySize> requestedSize() {
        return sizeAt("target", "requested");
    }

    /** @return {@code <target><current>} (virtio-mem size plugged now, live XML only), empty when absent */
    public Optional<MemorySize> currentSize() {
        return sizeAt("target", "current");
    }

    private Optional<MemorySize> sizeAt(String parent, String name) {
        if (raw == null) {
            return Optional.empty();
        }
        return Parts.optSizeElement(Dom.child(Dom.child(raw, parent), name),
                "<memory model='" + model + "'> <" + parent + "><" + name + ">");
    }

    private Optional<String> textAt(String parent, String name) {
        if (raw == null) {
            return Optional.empty();
        }
        Element e = Dom.child(Dom.child(raw, parent), name);
        return e == null ? Optional.empty() : Optional.of(Dom.text(e).strip());
    }

    /**
     * Tells whether {@code other} is the same device for matching purposes: same model, target size
     * and target node (alias, address and source are ignored, since libvirt adds them when attaching).
     *
     * @param other the other device
     * @return true if they match
     */
    public boolean sameDevice(MemoryDevice other) {
        return other != null && model.equals(other.model) && Objects.equals(targetSize, other.targetSize)
                && Objects.equals(targetNode, other.targetNode);
    }

    /**
     * Creates the element in {@code doc}, without whitespace (the caller indents it).
     */
    Element createElement(Document doc) {
        if (raw != null) {
            Element e = (Element) doc.importNode(raw, true);
            Dom.stripWhitespace(e);
            return e;
        }
        Element e = Dom.create(doc, "memory");
        Dom.setAttr(e, "model", model);
        Element target = Dom.appendChild(e, "target", null);
        String[] vu = sizeText(targetSize);
        Element size = Dom.appendChild(target, "size", vu[0]);
        Dom.setAttr(size, "unit", vu[1]);
        Dom.appendChild(target, "node", Integer.toString(targetNode));
        return e;
    }

    private static String[] sizeText(MemorySize size) {
        if (size.isMultipleOf(MemorySize.ofMiB(1))) {
            return new String[] {Long.toString(size.bytes() / (1024 * 1024)), "MiB"};
        }
        return new String[] {Long.toString(size.toKiB()), "KiB"};
    }

    /**
     * Writes the device as an XML fragment for {@code virsh attach-device} or
     * {@code virDomainAttachDeviceFlags}: single-quoted attributes, indented with two spaces, ending
     * with a newline. For a device from {@link #dimm(MemorySize, int)} this is exactly the guide's
     * form, with the size in MiB when it is a whole number of MiB and in KiB otherwise:
     * <pre>
     * &lt;memory model='dimm'&gt;
     *   &lt;target&gt;
     *     &lt;size unit='MiB'&gt;256&lt;/size&gt;
     *     &lt;node&gt;0&lt;/node&gt;
     *   &lt;/target&gt;
     * &lt;/memory&gt;
     * </pre>
     * A device read from a document is written with all its content, re-indented the same way.
     *
     * @return the XML text
     */
    public String toXml() {
        Document doc = SecureXml.newDocument();
        Element e = createElement(doc);
        doc.appendChild(e);
        Dom.indentDocumentElement(e);
        return XmlWriter.write(e) + "\n";
    }

    @Override
    public String toString() {
        return "MemoryDevice{model=" + model + (targetSize == null ? "" : ", size=" + targetSize)
                + (targetNode == null ? "" : ", node=" + targetNode) + (alias == null ? "" : ", alias=" + alias)
                + (slot == null ? "" : ", slot=" + slot) + "}";
    }
}
