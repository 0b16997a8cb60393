package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SafeText;
import dev.vmhotplug.xml.internal.XmlWriter;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAnyAttribute;
import jakarta.xml.bind.annotation.XmlAnyElement;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.xml.namespace.QName;
import org.w3c.dom.Element;

/**
 * A memory device, {@code <devices><memory model='dimm|nvdimm|virtio-mem|virtio-pmem|…'>}, with its
 * source ({@code pagesize}, {@code nodemask}, {@code path}), target ({@code size}, {@code node},
 * {@code label}, {@code block}, {@code requested}, {@code current}, {@code address}), alias and
 * address.
 *
 * <p>A JAXB-bound value ({@code @XmlRootElement(name = "memory")}: the element libvirt's
 * {@code virDomainAttachDeviceFlags}, {@code virDomainDetachDeviceFlags} and
 * {@code virDomainUpdateDeviceFlags} take). Immutable, compared by value over its full content
 * ({@link #equals(Object)}; sizes by bytes) and, for matching a device libvirt has changed, by
 * {@link #sameDevice(MemoryDevice)}. Unknown attributes and children at every level are kept;
 * written alone ({@link #toXml()}, {@link PartXml}) unknown children come after the known ones of the
 * same element, while {@link DomainXml} keeps them where they were.
 *
 * <p>Built with {@link #dimm(MemorySize, int)} (the guide's hotplug DIMM),
 * {@link #virtioMem(MemorySize, int, MemorySize, MemorySize)} or {@link #builder(String)}; a
 * virtio-mem device is resized by sending {@link #withRequested(MemorySize)}'s {@link #toXml()} to
 * {@code virDomainUpdateDeviceFlags}.
 */
@XmlRootElement(name = "memory")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "memoryDevice", propOrder = {"source", "target", "alias", "address", "others"})
public final class MemoryDevice {

    /** The virtio-mem block size QEMU uses by default on x86_64 (the transparent huge page size): 2 MiB. */
    public static final MemorySize VIRTIO_MEM_X86_BLOCK = MemorySize.ofMiB(2);

    static final Set<String> MODELLED = Set.of("model", "access", "discard");

    @XmlAttribute
    private String model;
    @XmlAttribute
    private String access;
    @XmlAttribute
    private String discard;
    @XmlAnyAttribute
    private Map<QName, String> otherAttributes = new LinkedHashMap<>();
    @XmlElement
    private Source source;
    @XmlElement
    private Target target;
    @XmlElement
    private Alias alias;
    @XmlElement
    private Address address;
    @XmlAnyElement
    private List<Element> others = new ArrayList<>();

    private MemoryDevice() {
    }

    /** {@code <source>}: the backing of the device. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceSource", propOrder = {"pagesize", "nodemask", "path", "others"})
    static final class Source {
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();
        @XmlElement
        SizeValue pagesize;
        @XmlElement
        String nodemask;
        @XmlElement
        String path;
        @XmlAnyElement
        List<Element> others = new ArrayList<>();

        Source copy() {
            Source s = new Source();
            s.otherAttributes = new LinkedHashMap<>(otherAttributes);
            s.pagesize = pagesize;
            s.nodemask = nodemask;
            s.path = path;
            s.others = Parts.copy(others);
            return s;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Source s && otherAttributes.equals(s.otherAttributes) && Objects.equals(pagesize, s.pagesize)
                    && Objects.equals(Parts.norm(nodemask), Parts.norm(s.nodemask))
                    && Objects.equals(Parts.norm(path), Parts.norm(s.path)) && Parts.sameElements(others, s.others);
        }

        @Override
        public int hashCode() {
            return Objects.hash(otherAttributes, pagesize, Parts.norm(nodemask), Parts.norm(path), Parts.elementsHash(others));
        }
    }

    /** {@code <target>}: what the guest sees. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceTarget",
            propOrder = {"size", "node", "label", "block", "requested", "current", "address", "others"})
    static final class Target {
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();
        @XmlElement
        SizeValue size;
        @XmlElement
        String node;
        @XmlElement
        Label label;
        @XmlElement
        SizeValue block;
        @XmlElement
        SizeValue requested;
        @XmlElement
        SizeValue current;
        @XmlElement
        TargetAddress address;
        @XmlAnyElement
        List<Element> others = new ArrayList<>();

        Target copy() {
            Target t = new Target();
            t.otherAttributes = new LinkedHashMap<>(otherAttributes);
            t.size = size;
            t.node = node;
            t.label = label == null ? null : label.copy();
            t.block = block;
            t.requested = requested;
            t.current = current;
            t.address = address == null ? null : address.copy();
            t.others = Parts.copy(others);
            return t;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Target t && otherAttributes.equals(t.otherAttributes) && Objects.equals(size, t.size)
                    && Objects.equals(Parts.norm(node), Parts.norm(t.node)) && Objects.equals(label, t.label)
                    && Objects.equals(block, t.block) && Objects.equals(requested, t.requested)
                    && Objects.equals(current, t.current) && Objects.equals(address, t.address)
                    && Parts.sameElements(others, t.others);
        }

        @Override
        public int hashCode() {
            return Objects.hash(otherAttributes, size, Parts.norm(node), label, block, requested, current, address,
                    Parts.elementsHash(others));
        }
    }

    /** {@code <target><label>} of an nvdimm. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceLabel", propOrder = {"size", "others"})
    static final class Label {
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();
        @XmlElement
        SizeValue size;
        @XmlAnyElement
        List<Element> others = new ArrayList<>();

        Label copy() {
            Label l = new Label();
            l.otherAttributes = new LinkedHashMap<>(otherAttributes);
            l.size = size;
            l.others = Parts.copy(others);
            return l;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Label l && otherAttributes.equals(l.otherAttributes) && Objects.equals(size, l.size)
                    && Parts.sameElements(others, l.others);
        }

        @Override
        public int hashCode() {
            return Objects.hash(otherAttributes, size, Parts.elementsHash(others));
        }
    }

    /** {@code <target><address base='0x…'/>} of a virtio-mem device. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceTargetAddress")
    static final class TargetAddress {
        @XmlAttribute
        String base;
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();

        TargetAddress copy() {
            TargetAddress a = new TargetAddress();
            a.base = base;
            a.otherAttributes = new LinkedHashMap<>(otherAttributes);
            return a;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TargetAddress a && Objects.equals(base, a.base) && otherAttributes.equals(a.otherAttributes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(base, otherAttributes);
        }
    }

    /** {@code <alias name='…'/>}: the device name libvirt gives a running domain's device. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceAlias")
    static final class Alias {
        @XmlAttribute
        String name;
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();

        @Override
        public boolean equals(Object o) {
            return o instanceof Alias a && Objects.equals(name, a.name) && otherAttributes.equals(a.otherAttributes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, otherAttributes);
        }
    }

    /** {@code <address type='dimm' slot base/>} or {@code <address type='pci' domain bus slot function/>}. */
    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(name = "memoryDeviceAddress")
    static final class Address {
        @XmlAttribute
        String type;
        @XmlAttribute
        String domain;
        @XmlAttribute
        String bus;
        @XmlAttribute
        String slot;
        @XmlAttribute
        String function;
        @XmlAttribute
        String base;
        @XmlAnyAttribute
        Map<QName, String> otherAttributes = new LinkedHashMap<>();

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && Objects.equals(type, a.type) && Objects.equals(domain, a.domain)
                    && Objects.equals(bus, a.bus) && Objects.equals(slot, a.slot) && Objects.equals(function, a.function)
                    && Objects.equals(base, a.base) && otherAttributes.equals(a.otherAttributes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, domain, bus, slot, function, base, otherAttributes);
        }
    }

    private String where() {
        return "<memory model=" + (model == null ? "(none)" : SafeText.quote(model)) + ">";
    }

    /** Reads every value once, so that a bad one is reported where the device is read. */
    void validate() {
        if (model == null) {
            throw new DomainXmlException(Reason.MISSING_ELEMENT,
                    "<devices><memory> has no 'model' attribute; libvirt requires dimm, nvdimm, virtio-mem, virtio-pmem or sgx-epc");
        }
        targetSize();
        targetNode();
        slot();
        sourcePageSize();
        requestedSize();
        currentSize();
        blockSize();
        labelSize();
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
        return builder("dimm").targetSize(size).targetNode(node).build();
    }

    /**
     * Returns a virtio-mem device: {@code <memory model='virtio-mem'><target><size/><node/><block/>
     * <requested/></target></memory>}, sizes in MiB when whole MiB.
     *
     * @param size the most memory the device can ever give the guest: a multiple of {@code block}, more than 0
     * @param node the guest NUMA node, {@code >= 0} (QEMU requires one for virtio-mem)
     * @param block the block size, a power of two of at least 2 MiB on x86_64
     *     ({@link #VIRTIO_MEM_X86_BLOCK})
     * @param requested the memory to give the guest now: a multiple of {@code block}, at most {@code size}
     * @return the device
     * @throws DomainXmlException (INVALID_VALUE) when a value breaks one of these rules
     */
    public static MemoryDevice virtioMem(MemorySize size, int node, MemorySize block, MemorySize requested) {
        return builder("virtio-mem").targetSize(size).targetNode(node).blockSize(block).requestedSize(requested).build();
    }

    /**
     * Returns a builder for a new device of a model.
     *
     * @param model {@code dimm}, {@code nvdimm}, {@code virtio-mem}, {@code virtio-pmem}, ...
     * @return the builder
     */
    public static Builder builder(String model) {
        return new Builder(null).model(model);
    }

    /**
     * Returns a builder holding this device, all content included.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns this virtio-mem device with another {@code <requested>} and nothing else changed: its
     * {@link #toXml()} is the device XML {@code virDomainUpdateDeviceFlags} takes to resize it (what
     * {@code virsh update-memory-device --requested-size} sends). Start from the device as the live
     * (or, for the config, the inactive) XML has it, so that it keeps its alias and address: libvirt
     * finds the device to update from them and refuses a change of anything but {@code <requested>}.
     * A {@code <current>} of the live XML is dropped (libvirt never parses it).
     *
     * @param requested a multiple of the block size, at most the device size
     * @return the changed device
     * @throws DomainXmlException (REFUSED) if this is not a virtio-mem device; (INVALID_VALUE) if the
     *     size is not a multiple of the block or larger than the device
     */
    public MemoryDevice withRequested(MemorySize requested) {
        Objects.requireNonNull(requested, "requested");
        if (!"virtio-mem".equals(model)) {
            throw new DomainXmlException(Reason.REFUSED, "only a virtio-mem device has a <requested> size; this is a "
                    + where() + " device: resize DIMMs by attaching or detaching them");
        }
        MemoryDevice d = toBuilder().requestedSize(requested).build();
        d.target.current = null;
        return d;
    }

    /** {@return the model attribute ({@code dimm}, {@code nvdimm}, {@code virtio-mem}, {@code virtio-pmem}, ...)} */
    public String model() {
        return model;
    }

    /** {@return the {@code access} attribute ({@code shared} or {@code private}), empty when absent} */
    public Optional<String> access() {
        return Optional.ofNullable(access);
    }

    /** {@return the {@code discard} attribute ({@code yes} or {@code no}), empty when absent} */
    public Optional<String> discard() {
        return Optional.ofNullable(discard);
    }

    /**
     * Returns {@code <target><size>}.
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> targetSize() {
        return Parts.optSize(target == null ? null : target.size, where() + " <target><size>");
    }

    /**
     * Returns {@code <target><node>}, the guest NUMA node.
     *
     * @return the node, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is not a whole number
     */
    public OptionalInt targetNode() {
        return Parts.optUint(target == null ? null : target.node, where() + " <target><node>");
    }

    /** {@return {@code <alias name>}, present for devices of a running domain} */
    public Optional<String> alias() {
        return Optional.ofNullable(alias == null ? null : alias.name);
    }

    /** {@return {@code <address type>} ({@code dimm} for DIMMs, {@code pci} for virtio models), empty when absent} */
    public Optional<String> addressType() {
        return Optional.ofNullable(address == null ? null : address.type);
    }

    /**
     * Returns {@code <address type='dimm' slot>}.
     *
     * @return the slot, empty when absent or the address is not a DIMM address
     * @throws DomainXmlException (INVALID_VALUE) if it is not a whole number
     */
    public OptionalInt slot() {
        if (address == null || !"dimm".equals(address.type)) {
            return OptionalInt.empty();
        }
        return Parts.optUint(address.slot, where() + " <address slot>");
    }

    /** {@return {@code <address type='dimm' base>} as written (hexadecimal), empty when absent} */
    public Optional<String> base() {
        return Optional.ofNullable(address == null || !"dimm".equals(address.type) ? null : address.base);
    }

    /** {@return {@code <target><address base>} (virtio-mem) as written, empty when absent} */
    public Optional<String> targetAddressBase() {
        return Optional.ofNullable(target == null || target.address == null ? null : target.address.base);
    }

    /**
     * Returns {@code <source><pagesize>}.
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> sourcePageSize() {
        return Parts.optSize(source == null ? null : source.pagesize, where() + " <source><pagesize>");
    }

    /** {@return {@code <source><nodemask>} as written, empty when absent} */
    public Optional<String> sourceNodemask() {
        return Optional.ofNullable(source == null || source.nodemask == null ? null : source.nodemask.strip());
    }

    /** {@return {@code <source><path>} (nvdimm, virtio-pmem backing file), empty when absent} */
    public Optional<String> sourcePath() {
        return Optional.ofNullable(source == null || source.path == null ? null : source.path.strip());
    }

    /**
     * Returns {@code <target><label><size>} (nvdimm label area).
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> labelSize() {
        return Parts.optSize(target == null || target.label == null ? null : target.label.size,
                where() + " <target><label><size>");
    }

    /**
     * Returns {@code <target><block>} (virtio-mem block size).
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> blockSize() {
        return Parts.optSize(target == null ? null : target.block, where() + " <target><block>");
    }

    /**
     * Returns {@code <target><requested>} (virtio-mem: the memory asked of the guest).
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> requestedSize() {
        return Parts.optSize(target == null ? null : target.requested, where() + " <target><requested>");
    }

    /**
     * Returns {@code <target><current>} (virtio-mem: the memory the guest has plugged now; live XML only).
     *
     * @return the size, empty when absent
     * @throws DomainXmlException (INVALID_VALUE) if it is invalid
     */
    public Optional<MemorySize> currentSize() {
        return Parts.optSize(target == null ? null : target.current, where() + " <target><current>");
    }

    /**
     * Returns the attributes of {@code <memory>} this type does not model.
     *
     * @return an unmodifiable map (qualified name to value)
     */
    public Map<String, String> otherAttributes() {
        return Parts.names(otherAttributes);
    }

    /**
     * Tells whether {@code other} is the same device for matching purposes: same model, target size
     * and target node (alias, address and source are ignored, since libvirt adds them when attaching).
     *
     * @param other the other device
     * @return true if they match
     */
    public boolean sameDevice(MemoryDevice other) {
        return other != null && Objects.equals(model, other.model) && targetSize().equals(other.targetSize())
                && targetNode().equals(other.targetNode());
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
     * A device read from a document is written with all its content, re-indented the same way
     * (comments inside it are not kept; unknown children follow the known ones).
     *
     * @return the XML text
     */
    public String toXml() {
        Element e = Jaxb.write(this, "memory");
        Dom.stripWhitespace(e);
        Dom.indentDocumentElement(e);
        return XmlWriter.write(e) + "\n";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemoryDevice)) {
            return false;
        }
        MemoryDevice d = (MemoryDevice) o;
        return Objects.equals(model, d.model) && Objects.equals(access, d.access) && Objects.equals(discard, d.discard)
                && otherAttributes.equals(d.otherAttributes) && Objects.equals(source, d.source)
                && Objects.equals(target, d.target) && Objects.equals(alias, d.alias) && Objects.equals(address, d.address)
                && Parts.sameElements(others, d.others);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, access, discard, otherAttributes, source, target, alias, address,
                Parts.elementsHash(others));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("MemoryDevice{model=").append(SafeText.escape(String.valueOf(model), 30));
        try {
            targetSize().ifPresent(s -> b.append(", size=").append(s));
            targetNode().ifPresent(n -> b.append(", node=").append(n));
            blockSize().ifPresent(s -> b.append(", block=").append(s));
            requestedSize().ifPresent(s -> b.append(", requested=").append(s));
            currentSize().ifPresent(s -> b.append(", current=").append(s));
            alias().ifPresent(a -> b.append(", alias=").append(SafeText.escape(a, 40)));
            slot().ifPresent(s -> b.append(", slot=").append(s));
        } catch (DomainXmlException e) {
            b.append(", invalid");
        }
        return b.append('}').toString();
    }

    /** Builds a {@link MemoryDevice}; {@link #build()} validates. */
    public static final class Builder {
        private final MemoryDevice d = new MemoryDevice();

        private Builder(MemoryDevice from) {
            if (from != null) {
                d.model = from.model;
                d.access = from.access;
                d.discard = from.discard;
                d.otherAttributes = new LinkedHashMap<>(from.otherAttributes);
                d.source = from.source == null ? null : from.source.copy();
                d.target = from.target == null ? null : from.target.copy();
                d.alias = from.alias;
                d.address = from.address;
                d.others = Parts.copy(from.others);
            }
        }

        private Target target() {
            if (d.target == null) {
                d.target = new Target();
            }
            return d.target;
        }

        /**
         * Sets the model.
         *
         * @param model {@code dimm}, {@code nvdimm}, {@code virtio-mem}, {@code virtio-pmem}, ...
         * @return this builder
         */
        public Builder model(String model) {
            d.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets {@code access} ({@code shared} or {@code private}); null removes it.
         *
         * @param access the value or null
         * @return this builder
         */
        public Builder access(String access) {
            d.access = access;
            return this;
        }

        /**
         * Sets {@code <target><size>} (the same text when equal, else this unit when exact, else MiB or KiB).
         *
         * @param size a whole number of KiB
         * @return this builder
         */
        public Builder targetSize(MemorySize size) {
            target().size = SizeValue.update(target().size, Objects.requireNonNull(size, "size"), "<target><size>");
            return this;
        }

        /**
         * Sets {@code <target><node>}.
         *
         * @param node the guest NUMA node, {@code >= 0}
         * @return this builder
         */
        public Builder targetNode(int node) {
            if (node < 0) {
                throw new DomainXmlException(Reason.INVALID_VALUE, "memory device NUMA node " + node + " is negative; use 0 or more");
            }
            String old = target().node;
            target().node = old != null && old.strip().equals(Integer.toString(node)) ? old : Integer.toString(node);
            return this;
        }

        /**
         * Removes {@code <target><node>}.
         *
         * @return this builder
         */
        public Builder clearTargetNode() {
            target().node = null;
            return this;
        }

        /**
         * Sets {@code <target><block>} (virtio-mem).
         *
         * @param block a whole number of KiB
         * @return this builder
         */
        public Builder blockSize(MemorySize block) {
            target().block = SizeValue.update(target().block, Objects.requireNonNull(block, "block"), "<target><block>");
            return this;
        }

        /**
         * Sets {@code <target><requested>} (virtio-mem).
         *
         * @param requested a whole number of KiB
         * @return this builder
         */
        public Builder requestedSize(MemorySize requested) {
            target().requested = SizeValue.update(target().requested, Objects.requireNonNull(requested, "requested"),
                    "<target><requested>");
            return this;
        }

        /**
         * Sets {@code <alias name>}; null removes the alias. Libvirt only accepts user aliases that
         * start with {@code ua-}.
         *
         * @param name the alias or null
         * @return this builder
         */
        public Builder alias(String name) {
            if (name == null) {
                d.alias = null;
            } else {
                Alias a = new Alias();
                a.name = name;
                d.alias = a;
            }
            return this;
        }

        /**
         * Removes {@code <address>} (libvirt assigns one when the device is attached or defined).
         *
         * @return this builder
         */
        public Builder clearAddress() {
            d.address = null;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the device
         * @throws DomainXmlException (INVALID_VALUE) for sizes that are not whole KiB or zero, and for
         *     a virtio-mem device whose size or requested size is not a multiple of the block or whose
         *     requested size exceeds its size
         */
        public MemoryDevice build() {
            MemoryDevice out = new MemoryDevice();
            out.model = d.model;
            out.access = d.access;
            out.discard = d.discard;
            out.otherAttributes = new LinkedHashMap<>(d.otherAttributes);
            out.source = d.source == null ? null : d.source.copy();
            out.target = d.target == null ? null : d.target.copy();
            out.alias = d.alias;
            out.address = d.address;
            out.others = Parts.copy(d.others);
            out.validate();
            String w = out.where();
            Optional<MemorySize> size = out.targetSize();
            for (Optional<MemorySize> s : List.of(size, out.blockSize(), out.requestedSize())) {
                if (s.isPresent() && !s.get().isWholeKiB()) {
                    throw new DomainXmlException(Reason.INVALID_VALUE, w + ": " + s.get().bytes()
                            + " bytes is not a whole number of KiB; libvirt sizes memory in KiB");
                }
            }
            if (size.isPresent() && size.get().bytes() == 0) {
                throw new DomainXmlException(Reason.INVALID_VALUE, w + " of 0 B is invalid; give a size such as 1GiB");
            }
            if ("virtio-mem".equals(out.model)) {
                MemorySize block = out.blockSize().orElseThrow(() -> new DomainXmlException(Reason.MISSING_ELEMENT,
                        w + " needs a <target><block> size; use 2 MiB on x86_64 (MemoryDevice.VIRTIO_MEM_X86_BLOCK)"));
                MemorySize total = size.orElseThrow(() -> new DomainXmlException(Reason.MISSING_ELEMENT,
                        w + " needs a <target><size>: the most memory it can give the guest"));
                if (block.bytes() == 0 || Long.bitCount(block.bytes()) != 1) {
                    throw new DomainXmlException(Reason.INVALID_VALUE, w + " block size " + block
                            + " is not a power of two; QEMU requires one (2 MiB on x86_64)");
                }
                if (!total.isMultipleOf(block)) {
                    throw new DomainXmlException(Reason.INVALID_VALUE, w + " size " + total
                            + " is not a multiple of its block size " + block + "; round it to a multiple of " + block);
                }
                MemorySize req = out.requestedSize().orElse(MemorySize.ZERO);
                if (!req.isMultipleOf(block)) {
                    throw new DomainXmlException(Reason.INVALID_VALUE, w + " requested size " + req
                            + " is not a multiple of its block size " + block + "; libvirt refuses that: round it to "
                            + MemorySize.ofBytes(req.bytes() / block.bytes() * block.bytes()) + " or "
                            + block.times(req.bytes() / block.bytes() + 1));
                }
                if (req.compareTo(total) > 0) {
                    throw new DomainXmlException(Reason.INVALID_VALUE, w + " requested size " + req
                            + " is larger than the device (" + total + "); ask for at most " + total
                            + " or give the device a larger <target><size> (a cold boot)");
                }
            }
            return out;
        }
    }
}
