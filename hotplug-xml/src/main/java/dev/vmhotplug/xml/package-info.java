/**
 * Typed parts of libvirt domain XML and a lossless editor for whole domain documents.
 *
 * <ul>
 *   <li>{@link dev.vmhotplug.xml.MemorySize}: sizes as bytes, with libvirt's unit table exactly
 *       (as {@code virScaleInteger}), equality by value.</li>
 *   <li>{@link dev.vmhotplug.xml.CpuSet}: libvirt's CPU range syntax ({@code 0-3,8}, {@code ^2}).</li>
 *   <li>{@link dev.vmhotplug.xml.DomainXml}: parse (hardened: no DOCTYPE, entities, external
 *       references or absurd nesting), read typed parts ({@link dev.vmhotplug.xml.Vcpu},
 *       {@link dev.vmhotplug.xml.VcpuEntry}, {@link dev.vmhotplug.xml.MaxMemory},
 *       {@link dev.vmhotplug.xml.MemoryAmount}, {@link dev.vmhotplug.xml.NumaCell},
 *       {@link dev.vmhotplug.xml.CpuTopology}, {@link dev.vmhotplug.xml.MemoryDevice}), change them,
 *       and write the document back with everything else as it was; read-only views of the root's
 *       {@code id} (set for a running domain) and the guest channels
 *       ({@link dev.vmhotplug.xml.Channel}, the QEMU guest agent's among them).</li>
 *   <li>{@link dev.vmhotplug.xml.HotplugPreparer}: prepares a definition for CPU and memory hotplug
 *       (DIMM slots or virtio-mem, CPU topologies, libvirt's test driver).</li>
 * </ul>
 *
 * <h2>JAXB binds the parts, the DOM editor writes the document</h2>
 * The typed parts are JAXB-annotated value classes (jakarta.xml.bind 4, GlassFish jaxb-runtime 4):
 * {@code Vcpu}, {@code MaxMemory}, {@code NumaCell} and {@code MemoryDevice} are
 * {@code @XmlRootElement}s ({@code vcpu}, {@code maxMemory}, {@code cell}, {@code memory}), the others
 * are bound types; unknown attributes and children are kept ({@code @XmlAnyAttribute},
 * {@code @XmlAnyElement}). Marshal and unmarshal one alone with {@link dev.vmhotplug.xml.PartXml}, or
 * put them into your own {@code JAXBContext} next to your own domain class. One context per process
 * is created lazily (started on a second thread while the first document is parsed) and shared.
 *
 * <p>The whole document is a DOM (the JDK's hardened DOM parser, 4 MiB limit, as fast as a plain JDK
 * DOM parse of the same bytes). A part is read by unmarshalling its element; a change is written by patching into the DOM only what differs (attributes, text and
 * children, matched by name and occurrence), so unknown attributes, unknown children, their order,
 * comments and processing instructions stay untouched; new elements go where libvirt's formatter
 * writes them and are indented like their neighbours. The writer keeps the XML declaration (or its
 * absence), each element's attribute order and the document's quote style; 1,012 of libvirt's 1,070
 * test domains come back byte-identical and all of them structurally identical. Written alone, a part's
 * children come in libvirt's order with unknown ones last, and comments inside it are not kept.
 * Details and measurements: {@code docs/xml-design.md}.
 */
package dev.vmhotplug.xml;
