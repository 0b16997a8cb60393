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
 *       and write the document back with everything else as it was.</li>
 * </ul>
 *
 * <h2>How edits stay lossless</h2>
 * The whole document is a DOM. Typed parts are read from the elements they model; the setters patch
 * those elements in place (only the attributes and text they model), so unknown attributes, unknown
 * children, their order, comments and processing instructions inside them stay untouched. New
 * elements go where libvirt's formatter writes them and are indented like their neighbours. The
 * writer keeps the XML declaration (or its absence), each element's attribute order and the
 * document's quote style; 1,012 of libvirt's 1,070 test domains come back byte-identical and all
 * of them structurally identical.
 *
 * <h2>Why no JAXB</h2>
 * The parts are mapped by hand onto the DOM rather than through JAXB: a JAXB part with
 * {@code @XmlAnyElement} keeps unknown children but moves them after the known ones when it is
 * marshalled back, and creating a {@code JAXBContext} for one small class takes about 250 ms in a
 * fresh JVM on a quiet build machine (420-900 ms under load), plus 70-90 ms for the first unmarshal:
 * on top of the first parse, prepare and serialize that is well beyond the 300 ms cold-start budget.
 * Patching the DOM in place keeps more (positions, whitespace, comments inside parts) and needs no
 * context at all. Details and measurements: {@code docs/xml-design.md}.
 */
package dev.vmhotplug.xml;
