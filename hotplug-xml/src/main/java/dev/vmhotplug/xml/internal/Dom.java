package dev.vmhotplug.xml.internal;

import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.UserDataHandler;

/** Small DOM helpers for elements without a namespace (libvirt's domain XML) and for indentation. */
public final class Dom {

    private static final String STEP = "  ";
    private static final String ORDER_KEY = "dev.vmhotplug.xml.attributeOrder";
    private static final String[] NO_ATTRIBUTES = new String[0];

    /** Copies the recorded attribute order along when a node is cloned or imported. */
    private static final UserDataHandler COPY_ORDER = new UserDataHandler() { // a class, not a lambda: see Jaxb
        @Override
        public void handle(short operation, String key, Object data, org.w3c.dom.Node src, org.w3c.dom.Node dst) {
            if (dst != null && data != null
                    && (operation == UserDataHandler.NODE_CLONED || operation == UserDataHandler.NODE_IMPORTED)) {
                dst.setUserData(key, data, Dom.COPY_ORDER);
            }
        }
    };

    private Dom() {
    }

    /**
     * Records the order in which an element's attributes were written (qualified names).
     *
     * @param e the element
     * @param qnames the names in document order (not modified afterwards)
     */
    public static void setAttributeOrder(Element e, String[] qnames) {
        e.setUserData(ORDER_KEY, qnames, COPY_ORDER);
    }

    /**
     * Returns the recorded attribute order of an element, or null when none was recorded: then the
     * order of the element's attribute map is the written order (a parsed element whose text had them
     * in that order, or one with fewer than two attributes; see {@link AttributeOrder}).
     *
     * @param e the element
     * @return the qualified names, not to be modified
     */
    public static String[] attributeOrder(Node e) {
        return (String[]) e.getUserData(ORDER_KEY);
    }

    /**
     * Notes that an attribute was added to an element, so that it is written after the existing ones.
     *
     * @param e the element
     * @param qname the qualified name
     */
    public static void noteAttribute(Element e, String qname) {
        String[] order = attributeOrder(e);
        if (order == null) {
            // the map's order was the written one: the others in that order, then the new one
            org.w3c.dom.NamedNodeMap map = e.getAttributes();
            String[] next = new String[map.getLength()];
            int k = 0;
            for (int i = 0; i < map.getLength(); i++) {
                String q = map.item(i).getNodeName();
                if (!q.equals(qname)) {
                    next[k++] = q;
                }
            }
            if (k == next.length) {
                return; // not an attribute of e
            }
            next[k] = qname;
            setAttributeOrder(e, next);
            return;
        }
        for (String q : order) {
            if (q.equals(qname)) {
                return;
            }
        }
        String[] next = java.util.Arrays.copyOf(order, order.length + 1);
        next[order.length] = qname;
        setAttributeOrder(e, next);
    }

    /**
     * Tells whether a node is a domain-XML element (no namespace) with the given name.
     *
     * @param n the node
     * @param name the local name
     * @return true if it matches
     */
    public static boolean is(Node n, String name) {
        return n.getNodeType() == Node.ELEMENT_NODE && n.getNamespaceURI() == null
                && name.equals(localName(n));
    }

    private static String localName(Node n) {
        String l = n.getLocalName();
        return l != null ? l : n.getNodeName();
    }

    /**
     * Returns the first child element with the name.
     *
     * @param parent the parent, may be null
     * @param name the local name
     * @return the child or null
     */
    public static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (is(c, name)) {
                return (Element) c;
            }
        }
        return null;
    }

    /**
     * Returns the child elements with the name, in document order.
     *
     * @param parent the parent, may be null
     * @param name the local name
     * @return the children, possibly empty
     */
    public static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (is(c, name)) {
                out.add((Element) c);
            }
        }
        return out;
    }

    /**
     * Returns an attribute without namespace, or null when absent (unlike {@code getAttribute}).
     *
     * @param e the element, may be null
     * @param name the attribute name
     * @return the value or null
     */
    public static String attr(Element e, String name) {
        if (e == null) {
            return null;
        }
        org.w3c.dom.Attr a = e.getAttributeNode(name);
        return a == null ? null : a.getValue();
    }

    /**
     * Returns the concatenated text and CDATA children (not descendants) of an element.
     *
     * @param e the element, may be null
     * @return the text or null if {@code e} is null
     */
    public static String text(Element e) {
        if (e == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE) {
                sb.append(c.getNodeValue());
            }
        }
        return sb.toString();
    }

    /**
     * Sets the text children of an element to {@code value}, leaving other children in place.
     * Does nothing when the text already equals {@code value}.
     *
     * @param e the element
     * @param value the text
     */
    public static void setText(Element e, String value) {
        if (value.equals(text(e))) {
            return;
        }
        Node firstText = null;
        for (Node c = e.getFirstChild(); c != null;) {
            Node next = c.getNextSibling();
            if (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE) {
                if (firstText == null) {
                    firstText = c;
                } else {
                    e.removeChild(c);
                }
            }
            c = next;
        }
        Node t = e.getOwnerDocument().createTextNode(value);
        if (firstText != null) {
            e.replaceChild(t, firstText);
        } else {
            e.insertBefore(t, e.getFirstChild());
        }
    }

    /**
     * Sets (value not null) or removes (value null) an attribute without namespace; no change if equal.
     *
     * @param e the element
     * @param name the name
     * @param value the value or null
     */
    public static void setAttr(Element e, String name, String value) {
        String old = attr(e, name);
        if (value == null) {
            if (old != null) {
                e.removeAttribute(name);
            }
        } else if (!value.equals(old)) {
            e.setAttribute(name, value);
            if (old == null) {
                noteAttribute(e, name);
            }
        }
    }

    /**
     * Creates an element without namespace.
     *
     * @param doc the document
     * @param name the name
     * @return the element
     */
    public static Element create(Document doc, String name) {
        Element e = doc.createElementNS(null, name);
        setAttributeOrder(e, NO_ATTRIBUTES);
        return e;
    }

    /**
     * Creates an element with text content and appends it to a parent (no indentation).
     *
     * @param parent the parent
     * @param name the name
     * @param text the text or null
     * @return the new element
     */
    public static Element appendChild(Element parent, String name, String text) {
        Element e = create(parent.getOwnerDocument(), name);
        if (text != null) {
            e.appendChild(parent.getOwnerDocument().createTextNode(text));
        }
        parent.appendChild(e);
        return e;
    }

    /**
     * Removes whitespace-only text nodes from a subtree (used before re-indenting a new subtree).
     *
     * @param n the root of the subtree
     */
    public static void stripWhitespace(Node n) {
        for (Node c = n.getFirstChild(); c != null;) {
            Node next = c.getNextSibling();
            if (c.getNodeType() == Node.TEXT_NODE && c.getNodeValue().isBlank()) {
                n.removeChild(c);
            } else if (c.getNodeType() == Node.ELEMENT_NODE) {
                stripWhitespace(c);
            }
            c = next;
        }
    }

    private static boolean isWs(Node n) {
        return n != null && n.getNodeType() == Node.TEXT_NODE && n.getNodeValue().isBlank();
    }

    private static String lastLine(String ws) {
        int nl = ws.lastIndexOf('\n');
        return nl < 0 ? null : ws.substring(nl + 1);
    }

    /** The indentation of the line an element starts on, or null if it does not start a line. */
    private static String indentOf(Node e) {
        Node prev = e.getPreviousSibling();
        if (isWs(prev)) {
            return lastLine(prev.getNodeValue());
        }
        if (e.getParentNode() != null && e.getParentNode().getNodeType() == Node.DOCUMENT_NODE) {
            return "";
        }
        return null;
    }

    /**
     * Inserts a new element (whose subtree holds no whitespace text) into {@code parent} before
     * {@code ref} (null: at the end), adding line breaks and indentation that match the parent's
     * when the parent is indented, and indenting the new subtree with the same step.
     *
     * @param parent the parent
     * @param child the new element
     * @param ref the element to insert before, or null to append after the last child element
     */
    public static void insert(Element parent, Element child, Node ref) {
        String parentIndent = indentOf(parent);
        String childIndent = null;
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE || c.getNodeType() == Node.COMMENT_NODE) {
                childIndent = indentOf(c);
                break;
            }
        }
        boolean hasChildNodes = parent.getFirstChild() != null;
        if (childIndent == null && parentIndent != null && !hasChildNodes) {
            childIndent = parentIndent + STEP;
        }
        if (childIndent == null) {
            parent.insertBefore(child, ref);
            return;
        }
        String step = parentIndent != null && childIndent.startsWith(parentIndent)
                && childIndent.length() > parentIndent.length()
                ? childIndent.substring(parentIndent.length()) : STEP;
        indentSubtree(child, childIndent, step);
        Document doc = parent.getOwnerDocument();
        if (ref != null) {
            parent.insertBefore(child, ref);
            parent.insertBefore(doc.createTextNode("\n" + childIndent), ref);
            return;
        }
        if (!hasChildNodes) {
            parent.appendChild(doc.createTextNode("\n" + childIndent));
            parent.appendChild(child);
            parent.appendChild(doc.createTextNode("\n" + (parentIndent == null ? "" : parentIndent)));
            return;
        }
        Node last = parent.getLastChild();
        if (isWs(last)) {
            parent.insertBefore(doc.createTextNode("\n" + childIndent), last);
            parent.insertBefore(child, last);
        } else {
            parent.appendChild(doc.createTextNode("\n" + childIndent));
            parent.appendChild(child);
        }
    }

    /**
     * Indents a stand-alone element (one without whitespace text) with two spaces per level.
     *
     * @param e the element
     */
    public static void indentDocumentElement(Element e) {
        indentSubtree(e, "", STEP);
    }

    private static void indentSubtree(Element e, String indent, String step) {
        boolean hasElementChild = false;
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE || c.getNodeType() == Node.COMMENT_NODE) {
                hasElementChild = true;
                break;
            }
        }
        if (!hasElementChild) {
            return;
        }
        Document doc = e.getOwnerDocument();
        String inner = indent + step;
        List<Node> kids = new ArrayList<>();
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            kids.add(c);
        }
        for (Node c : kids) {
            e.insertBefore(doc.createTextNode("\n" + inner), c);
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                indentSubtree((Element) c, inner, step);
            }
        }
        e.appendChild(doc.createTextNode("\n" + indent));
    }

    /**
     * Removes an element together with the whitespace text that precedes it.
     *
     * @param e the element
     */
    public static void remove(Element e) {
        Node parent = e.getParentNode();
        Node prev = e.getPreviousSibling();
        if (isWs(prev)) {
            parent.removeChild(prev);
        }
        parent.removeChild(e);
    }
}
