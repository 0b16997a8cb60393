package dev.vmhotplug.xml.internal;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Recovers the attribute order of a parsed document from its source text. The JDK's DOM keeps an
 * element's attributes sorted by name, so the order they were written in is read from the start tags
 * of the text the document was parsed from and recorded ({@link Dom#setAttributeOrder}) where it
 * differs from the DOM's own order; where it does not, nothing is recorded and the DOM's order is the
 * written one ({@link Dom#noteAttribute} keeps that true when an attribute is added).
 *
 * <p>Only for a document exactly as {@link SecureXml#parse(String)} built it from {@code source}
 * (before any change): the hardened parser has already checked that the text is well-formed and has
 * no DOCTYPE, so its markup is only start tags, end tags, comments, CDATA sections and processing
 * instructions, and the n-th start tag of the text is the n-th element of the DOM in document order.
 */
public final class AttributeOrder {

    private AttributeOrder() {
    }

    /**
     * Records, for every element whose attributes the DOM holds in another order than the text has
     * them, the order of the text.
     *
     * @param doc the document parsed from {@code source}, unchanged since
     * @param source the text it was parsed from
     * @throws IllegalStateException if the text and the document do not correspond (a bug, not bad input)
     */
    public static void index(Document doc, String source) {
        Node e = doc.getDocumentElement();
        int i = 0;
        int n = source.length();
        String[] names = new String[8];
        while (e != null) {
            i = source.indexOf('<', i);
            if (i < 0 || i + 1 >= n) {
                throw mismatch("the text has fewer start tags than the document has elements");
            }
            char c = source.charAt(i + 1);
            if (c == '!') {
                i = source.startsWith("<!--", i) ? skip(source, "-->", i + 4) : skip(source, "]]>", i + 2);
                continue;
            }
            if (c == '?') {
                i = skip(source, "?>", i + 2);
                continue;
            }
            if (c == '/') {
                i = skip(source, ">", i + 2);
                continue;
            }
            // a start tag: its name, then name='value' pairs up to > or />
            int k = i + 1;
            while (!isSpaceOrTagEnd(source.charAt(k))) {
                k++;
            }
            int count = 0;
            while (true) {
                while (isSpace(source.charAt(k))) {
                    k++;
                }
                char d = source.charAt(k);
                if (d == '>' || d == '/') {
                    break;
                }
                int nameStart = k;
                while (source.charAt(k) != '=' && !isSpace(source.charAt(k))) {
                    k++;
                }
                if (count == names.length) {
                    names = java.util.Arrays.copyOf(names, count * 2);
                }
                names[count++] = source.substring(nameStart, k);
                while (source.charAt(k) != '\'' && source.charAt(k) != '"') {
                    k++;
                }
                k = source.indexOf(source.charAt(k), k + 1) + 1;
                if (k == 0) {
                    throw mismatch("an attribute value has no closing quote");
                }
            }
            record((Element) e, names, count);
            i = k;
            e = nextElement(e);
        }
    }

    private static void record(Element e, String[] names, int count) {
        NamedNodeMap map = e.getAttributes();
        if (map.getLength() != count) {
            throw mismatch("<" + e.getNodeName() + "> has " + map.getLength() + " attributes, its start tag " + count);
        }
        if (count < 2) {
            return;
        }
        boolean same = true;
        for (int j = 0; j < count; j++) {
            if (!map.item(j).getNodeName().equals(names[j])) {
                same = false;
                break;
            }
        }
        if (!same) {
            String[] order = java.util.Arrays.copyOf(names, count);
            for (String q : order) {
                if (map.getNamedItem(q) == null) {
                    throw mismatch("<" + e.getNodeName() + "> has no attribute " + q);
                }
            }
            Dom.setAttributeOrder(e, order);
        }
    }

    /** The next element in document order (pre-order), or null after the last. */
    private static Node nextElement(Node e) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                return c;
            }
        }
        for (Node x = e; x != null && x.getNodeType() == Node.ELEMENT_NODE; x = x.getParentNode()) {
            for (Node s = x.getNextSibling(); s != null; s = s.getNextSibling()) {
                if (s.getNodeType() == Node.ELEMENT_NODE) {
                    return s;
                }
            }
        }
        return null;
    }

    private static int skip(String s, String end, int from) {
        int k = s.indexOf(end, from);
        if (k < 0) {
            throw mismatch("unterminated markup");
        }
        return k + end.length();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }

    private static boolean isSpaceOrTagEnd(char c) {
        return isSpace(c) || c == '>' || c == '/';
    }

    private static IllegalStateException mismatch(String what) {
        return new IllegalStateException("hotplug-xml: the attribute order of a parsed document could not be"
                + " recovered from its text (" + what + "); please report this with the document");
    }
}
