package dev.vmhotplug.xml;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Structural comparison of two XML texts, for tests (reusable by every test of the XML layer).
 *
 * <p>Two documents are structurally identical when they have the same elements (namespace URI and
 * local name) in the same order, the same attribute maps (namespace URI, local name, value;
 * namespace declarations included), the same text (whitespace-only text ignored, adjacent text and
 * CDATA merged), the same comments and the same processing instructions. Attribute order, quote
 * style, the XML declaration and whitespace between elements do not count.
 *
 * <p>{@link #diffPaths(String, String)} returns where they differ, as XPath-like paths such as
 * {@code /domain[1]/vcpu[1]/@current}, {@code /domain[1]/cpu[1]/numa[1]} (present on one side only),
 * {@code /domain[1]/devices[1]/text()[1]} or {@code /domain[1]/(order)} (same children, different
 * order). Children are matched by kind, name and occurrence, so inserting an element reports only
 * that element's path.
 */
public final class XmlStructure {

    private XmlStructure() {
    }

    /**
     * Returns the paths where two XML texts differ structurally; empty when they are identical.
     *
     * @param a the first text
     * @param b the second text
     * @return the differing paths, in a stable order
     */
    public static List<String> diffPaths(String a, String b) {
        List<String> out = new ArrayList<>();
        compareChildren(parse(a), parse(b), "", out);
        return out;
    }

    /**
     * Tells whether every path in {@code paths} lies under one of {@code allowedPrefixes} (a path
     * equal to a prefix or starting with prefix + "/" counts).
     *
     * @param paths the paths from {@link #diffPaths(String, String)}
     * @param allowedPrefixes allowed subtrees, e.g. {@code /domain[1]/vcpu[1]}
     * @return the paths outside the allowed subtrees
     */
    public static List<String> outside(List<String> paths, String... allowedPrefixes) {
        List<String> bad = new ArrayList<>();
        for (String p : paths) {
            boolean ok = false;
            for (String pre : allowedPrefixes) {
                if (p.equals(pre) || p.startsWith(pre + "/")) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                bad.add(p);
            }
        }
        return bad;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setCoalescing(false);
            f.setExpandEntityReferences(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var builder = f.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** A significant child: its key (kind, name, occurrence) and the node (text merged). */
    private record Item(String key, Node node, String text) {
    }

    private static List<Item> significant(Node parent) {
        List<Item> items = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        StringBuilder text = null;
        for (Node c = parent.getFirstChild(); ; c = c.getNextSibling()) {
            boolean isText = c != null && (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE);
            if (isText) {
                if (text == null) {
                    text = new StringBuilder();
                }
                text.append(c.getNodeValue());
                continue;
            }
            if (text != null) {
                if (!text.toString().isBlank()) {
                    items.add(new Item(key(counts, "text()"), null, text.toString()));
                }
                text = null;
            }
            if (c == null) {
                break;
            }
            switch (c.getNodeType()) {
                case Node.ELEMENT_NODE:
                    String name = c.getNamespaceURI() == null ? c.getLocalName()
                            : "{" + c.getNamespaceURI() + "}" + c.getLocalName();
                    items.add(new Item(key(counts, name), c, null));
                    break;
                case Node.COMMENT_NODE:
                    items.add(new Item(key(counts, "comment()"), c, c.getNodeValue()));
                    break;
                case Node.PROCESSING_INSTRUCTION_NODE:
                    items.add(new Item(key(counts, "processing-instruction(" + c.getNodeName() + ")"), c,
                            c.getNodeValue()));
                    break;
                default:
                    break;
            }
        }
        return items;
    }

    private static String key(Map<String, Integer> counts, String name) {
        int n = counts.merge(name, 1, Integer::sum);
        return name + "[" + n + "]";
    }

    private static void compareChildren(Node x, Node y, String path, List<String> out) {
        Map<String, Item> mx = new LinkedHashMap<>();
        for (Item i : significant(x)) {
            mx.put(i.key, i);
        }
        Map<String, Item> my = new LinkedHashMap<>();
        for (Item i : significant(y)) {
            my.put(i.key, i);
        }
        List<String> commonX = new ArrayList<>();
        for (Map.Entry<String, Item> e : mx.entrySet()) {
            Item other = my.get(e.getKey());
            String p = path + "/" + e.getKey();
            if (other == null) {
                out.add(p);
                continue;
            }
            commonX.add(e.getKey());
            Item mine = e.getValue();
            if (mine.node != null && mine.node.getNodeType() == Node.ELEMENT_NODE) {
                compareAttributes(mine.node, other.node, p, out);
                compareChildren(mine.node, other.node, p, out);
            } else if (!mine.text.equals(other.text)) {
                out.add(p);
            }
        }
        List<String> commonY = new ArrayList<>();
        for (String k : my.keySet()) {
            if (!mx.containsKey(k)) {
                out.add(path + "/" + k);
            } else {
                commonY.add(k);
            }
        }
        if (!commonX.equals(commonY)) {
            out.add(path + "/(order)");
        }
    }

    private static void compareAttributes(Node x, Node y, String path, List<String> out) {
        Map<String, String> ax = attributes(x);
        Map<String, String> ay = attributes(y);
        Set<String> keys = new TreeSet<>(ax.keySet());
        keys.addAll(ay.keySet());
        for (String k : keys) {
            String vx = ax.get(k);
            if (vx == null || !vx.equals(ay.get(k))) {
                out.add(path + "/@" + k);
            }
        }
    }

    private static Map<String, String> attributes(Node e) {
        Map<String, String> m = new HashMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            String k = a.getNamespaceURI() == null ? a.getLocalName() : "{" + a.getNamespaceURI() + "}" + a.getLocalName();
            m.put(k, a.getValue());
        }
        return m;
    }
}
