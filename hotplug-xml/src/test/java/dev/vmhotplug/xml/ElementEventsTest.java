package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SecureXml;
import jakarta.xml.bind.Unmarshaller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * {@link Jaxb#read} (the part's element reported to the unmarshaller by {@link ElementEvents}) against
 * the JAXB runtime's own {@code Unmarshaller.unmarshal(Node, Class)} of the same element: equal values
 * and the same standalone XML, for every part of the corpus and for namespaced unknown content.
 */
class ElementEventsTest {

    private record Part(Element element, Class<?> type, String name) {
    }

    private static List<Part> parts(Element root) {
        List<Part> out = new ArrayList<>();
        add(out, Dom.children(root, "vcpu"), Vcpu.class, "vcpu");
        add(out, Dom.children(Dom.child(root, "vcpus"), "vcpu"), VcpuEntry.class, "vcpu");
        add(out, Dom.children(root, "maxMemory"), MaxMemory.class, "maxMemory");
        add(out, Dom.children(root, "memory"), MemoryAmount.class, "memory");
        add(out, Dom.children(root, "currentMemory"), MemoryAmount.class, "currentMemory");
        add(out, Dom.children(Dom.child(root, "cpu"), "topology"), CpuTopology.class, "topology");
        add(out, Dom.children(Dom.child(Dom.child(root, "cpu"), "numa"), "cell"), NumaCell.class, "cell");
        add(out, Dom.children(Dom.child(root, "devices"), "memory"), MemoryDevice.class, "memory");
        return out;
    }

    private static void add(List<Part> out, List<Element> elements, Class<?> type, String name) {
        for (Element e : elements) {
            out.add(new Part(e, type, name));
        }
    }

    /** Null when both paths agree, else what differs. */
    private static String compare(Part p) throws Exception {
        Unmarshaller u = PartXml.context().createUnmarshaller();
        Object viaNode = u.unmarshal(p.element(), p.type()).getValue();
        Object viaEvents = Jaxb.read(p.element(), p.type());
        if (!viaEvents.equals(viaNode)) {
            return "values differ: " + viaEvents + " vs " + viaNode;
        }
        String a = PartXml.toXml(viaEvents, p.name());
        String b = PartXml.toXml(viaNode, p.name());
        return a.equals(b) ? null : "standalone XML differs:\n" + a + "vs\n" + b;
    }

    @Test
    void namespacedUnknownContent_declaredOnAncestors_sameAsTheDomScanner() throws Exception {
        String xml = "<domain type='kvm' xmlns:q='urn:q' xmlns='urn:default-outer'>\n"
                + "  <devices xmlns=''>\n"
                + "    <memory model='dimm' q:flag='on' xmlns:r='urn:r'>\n"
                + "      <target><size unit='MiB'>128</size><node>0</node><q:hint r:x='1'>t</q:hint></target>\n"
                + "      <r:extra><![CDATA[a<b]]><?pi data?></r:extra>\n"
                + "      <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
                + "    </memory>\n"
                + "  </devices>\n"
                + "</domain>\n";
        Element root = SecureXml.parse(xml).getDocumentElement();
        // <devices xmlns=''> puts the device back into no namespace, where the part lives
        Element devices = (Element) root.getElementsByTagName("devices").item(0);
        Element memory = Dom.child(devices, "memory");
        Part p = new Part(memory, MemoryDevice.class, "memory");
        assertThat(compare(p)).isNull();
        MemoryDevice d = (MemoryDevice) Jaxb.read(memory, MemoryDevice.class);
        assertThat(d.targetSize()).contains(MemorySize.ofMiB(128));
        assertThat(PartXml.toXml(d)).contains("q:flag='on'").contains("urn:q").contains("<r:extra")
                .contains("urn:r");
    }

    @Test
    void corpus_everyPart_sameValueAndXmlAsTheDomScanner() throws Exception {
        Path dir = CorpusRoundTripTest.corpusDirectory();
        if (!Files.isDirectory(dir)) {
            String why = "libvirt corpus not found at " + dir + "; set -Dvmhotplug.corpus=DIR";
            System.out.println("[ElementEventsTest] SKIPPED: " + why);
            Assumptions.abort(why);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
        int compared = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            Element root = SecureXml.parse(Files.readString(f)).getDocumentElement();
            for (Part p : parts(root)) {
                String diff = compare(p);
                compared++;
                if (diff != null) {
                    failed.add(f.getFileName() + " <" + p.name() + ">: " + diff);
                }
            }
        }
        System.out.println("[ElementEventsTest] corpus: " + files.size() + " files, " + compared + " parts read both"
                + " ways, " + failed.size() + " differ");
        assertThat(compared).isGreaterThan(3000);
        assertThat(failed).isEmpty();
    }
}
