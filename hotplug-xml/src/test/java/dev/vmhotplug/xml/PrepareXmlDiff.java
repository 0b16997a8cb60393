package dev.vmhotplug.xml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Structural diff of two domain documents for the preparation tests: which paths differ.
 *
 * <p>Independent of the code under test (plain JDK DOM). Elements whose plain path (local names
 * from the root, no indexes, e.g. {@code /domain/cpu/numa}) is in the skip set are taken out of
 * the comparison, so that an inserted {@code <maxMemory>} does not shift the comparison of its
 * siblings; everything else is compared child by child: element name and namespace, attribute
 * map, non-whitespace text, comments and processing instructions.
 */
final class PrepareXmlDiff {

    private PrepareXmlDiff() {
    }

    /** Parses XML with a DOM parser that refuses DOCTYPEs (test inputs never need one). */
    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot parse test XML: " + e.getMessage(), e);
        }
    }

    /**
     * Returns the paths that differ between {@code before} and {@code after}, ignoring the elements
     * whose plain path is in {@code skipPaths} (for example {@code /domain/vcpu}).
     */
    static List<String> diffPaths(String before, String after, Set<String> skipPaths) {
        Element a = parse(before).getDocumentElement();
        Element b = parse(after).getDocumentElement();
        List<String> out = new ArrayList<>();
        String root = "/" + a.getLocalName();
        compareElement(root, root, a, b, skipPaths, out);
        return out;
    }

    /** Tells whether the root element of {@code xml} has a child element with this local name. */
    static boolean hasChild(String xml, String localName) {
        for (Node c = parse(xml).getDocumentElement().getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE && localName.equals(c.getLocalName())) {
                return true;
            }
        }
        return false;
    }

    private static void compareElement(String plain, String path, Element a, Element b, Set<String> skip,
            List<String> out) {
        if (!same(a.getLocalName(), b.getLocalName()) || !same(a.getNamespaceURI(), b.getNamespaceURI())) {
            out.add(path + " (element " + a.getNodeName() + " vs " + b.getNodeName() + ")");
            return;
        }
        Map<String, String> aa = attributes(a);
        Map<String, String> ba = attributes(b);
        if (!aa.equals(ba)) {
            for (String k : union(aa.keySet(), ba.keySet())) {
                if (!same(aa.get(k), ba.get(k))) {
                    out.add(path + "@" + k);
                }
            }
        }
        List<Node> ac = children(plain, a, skip);
        List<Node> bc = children(plain, b, skip);
        int n = Math.min(ac.size(), bc.size());
        for (int i = 0; i < n; i++) {
            Node x = ac.get(i);
            Node y = bc.get(i);
            String p = path + "/" + label(x, i);
            if (x.getNodeType() != y.getNodeType()) {
                out.add(p + " (node kind)");
            } else if (x.getNodeType() == Node.ELEMENT_NODE) {
                compareElement(plain + "/" + x.getLocalName(), p, (Element) x, (Element) y, skip, out);
            } else if (x.getNodeType() == Node.PROCESSING_INSTRUCTION_NODE) {
                if (!same(x.getNodeName(), y.getNodeName()) || !same(x.getNodeValue(), y.getNodeValue())) {
                    out.add(p);
                }
            } else if (!same(x.getNodeValue().strip(), y.getNodeValue().strip())) {
                out.add(p);
            }
        }
        if (ac.size() != bc.size()) {
            out.add(path + " (child count " + ac.size() + " vs " + bc.size() + ")");
        }
    }

    private static String label(Node n, int i) {
        return switch (n.getNodeType()) {
            case Node.ELEMENT_NODE -> n.getNodeName() + "[" + i + "]";
            case Node.COMMENT_NODE -> "comment()[" + i + "]";
            case Node.PROCESSING_INSTRUCTION_NODE -> "pi()[" + i + "]";
            default -> "text()[" + i + "]";
        };
    }

    private static List<Node> children(String plain, Element e, Set<String> skip) {
        List<Node> out = new ArrayList<>();
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            switch (c.getNodeType()) {
                case Node.ELEMENT_NODE -> {
                    if (!skip.contains(plain + "/" + c.getLocalName())) {
                        out.add(c);
                    }
                }
                case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> {
                    if (!c.getNodeValue().isBlank()) {
                        out.add(c);
                    }
                }
                case Node.COMMENT_NODE, Node.PROCESSING_INSTRUCTION_NODE -> out.add(c);
                default -> { }
            }
        }
        return out;
    }

    private static Map<String, String> attributes(Element e) {
        Map<String, String> m = new TreeMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr at = (Attr) attrs.item(i);
            if (XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(at.getNamespaceURI())) {
                continue; // namespace declarations may move; the names they bind are compared
            }
            String key = at.getNamespaceURI() == null ? at.getLocalName() : "{" + at.getNamespaceURI() + "}" + at.getLocalName();
            m.put(key, at.getValue());
        }
        return m;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    private static boolean same(Object a, Object b) {
        return a == null ? b == null : a.equals(b);
    }
}
