package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SecureXml;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.SAXParserFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The attribute order of a parsed document, recovered from its text (the JDK's DOM sorts attributes
 * by name), against the order a SAX parser reports for the same text.
 */
class AttributeOrderTest {

    /** Per element in document order, the attribute names as the SAX parser reports them. */
    private static List<List<String>> saxOrder(String xml) throws Exception {
        SAXParserFactory f = SAXParserFactory.newDefaultInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://xml.org/sax/features/namespace-prefixes", true);
        List<List<String>> out = new ArrayList<>();
        f.newSAXParser().parse(new InputSource(new StringReader(xml)), new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes atts) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < atts.getLength(); i++) {
                    names.add(atts.getQName(i));
                }
                out.add(names);
            }
        });
        return out;
    }

    /** Per element in document order, the order the writer uses: the recorded one, else the map's. */
    private static List<List<String>> writtenOrder(Document doc) {
        List<List<String>> out = new ArrayList<>();
        collect(doc.getDocumentElement(), out);
        return out;
    }

    private static void collect(Node e, List<List<String>> out) {
        String[] recorded = Dom.attributeOrder(e);
        if (recorded != null) {
            out.add(Arrays.asList(recorded));
        } else {
            NamedNodeMap map = e.getAttributes();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < map.getLength(); i++) {
                names.add(map.item(i).getNodeName());
            }
            out.add(names);
        }
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                collect(c, out);
            }
        }
    }

    @Test
    void markupThatLooksLikeTags_isSkipped_orderOfEveryElementAsWritten() throws Exception {
        String xml = "<?xml version='1.0'?>\n<!-- <fake z='1' a='2'> -->\n<?pi <fake b='1' a='2'>?>\n"
                + "<domain type='kvm' id=\"7\" xmlns:q='urn:q'>\n"
                + "  <name>a &lt;b z='1' a='2'&gt; c</name>\n"
                + "  <description><![CDATA[<fake z='1' a='2'>]]></description>\n"
                + "  <vcpu placement = 'static'\n        current=\"a'>/b\" >2</vcpu>\n"
                + "  <q:meta q:z='>' a='/>'/>\n"
                + "  <empty/><x\tb='1'\ta='2'/>\n"
                + "  <!-- <vcpu current='1' a='b'/> -->\n"
                + "</domain>\n";
        Document doc = SecureXml.parseKeepingOrder(xml);
        assertThat(writtenOrder(doc)).isEqualTo(saxOrder(xml));
        assertThat(writtenOrder(doc).get(0)).containsExactly("type", "id", "xmlns:q");
        assertThat(writtenOrder(doc).get(3)).containsExactly("placement", "current");
    }

    @Test
    void sortedAttributes_newOneAppended_notSortedIn() {
        String xml = "<domain type='kvm'>\n  <vcpu cpuset='0-3' placement='static'>4</vcpu>\n</domain>\n";
        DomainXml d = DomainXml.parse(xml);
        d.setVcpu(d.vcpu().orElseThrow().toBuilder().current(2).build());
        assertThat(d.toXml()).isEqualTo(xml.replace("placement='static'", "placement='static' current='2'"));
    }

    @Test
    void copyBeforeAnyWrite_editedCopyKeepsOrder_originalUntouched() {
        String xml = "<domain type='kvm' id='3'>\n  <vcpu placement='static' cpuset='1'>4</vcpu>\n</domain>\n";
        DomainXml d = DomainXml.parse(xml);
        DomainXml copy = d.copy();
        copy.setVcpu(copy.vcpu().orElseThrow().toBuilder().current(1).build());
        assertThat(copy.toXml()).isEqualTo(xml.replace("cpuset='1'>", "cpuset='1' current='1'>"));
        assertThat(d.toXml()).isEqualTo(xml);
    }

    @Test
    void corpus_everyElement_orderAsTheSaxParserReportsIt() throws Exception {
        Path dir = CorpusRoundTripTest.corpusDirectory();
        if (!Files.isDirectory(dir)) {
            String why = "libvirt corpus not found at " + dir + "; set -Dvmhotplug.corpus=DIR";
            System.out.println("[AttributeOrderTest] SKIPPED: " + why);
            Assumptions.assumeTrue(false, why);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
        int elements = 0;
        int recorded = 0;
        List<String> failed = new ArrayList<>();
        for (Path f : files) {
            String xml = readCorpusFile(f);
            Document doc = SecureXml.parseKeepingOrder(xml);
            List<List<String>> expected = saxOrder(xml);
            List<List<String>> actual = writtenOrder(doc);
            elements += actual.size();
            recorded += countRecorded(doc.getDocumentElement());
            if (!actual.equals(expected)) {
                failed.add(f.getFileName().toString());
            }
        }
        System.out.println("[AttributeOrderTest] corpus: " + files.size() + " files, " + elements + " elements, "
                + recorded + " with an order recorded (the others are in the DOM's order), " + failed.size() + " failed");
        assertThat(files).hasSizeGreaterThan(1000);
        assertThat(failed).isEmpty();
    }

    private static String readCorpusFile(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int countRecorded(Node e) {
        int n = Dom.attributeOrder(e) != null ? 1 : 0;
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                n += countRecorded(c);
            }
        }
        return n;
    }
}
