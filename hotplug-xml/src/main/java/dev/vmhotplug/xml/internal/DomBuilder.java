package dev.vmhotplug.xml.internal;

import dev.vmhotplug.xml.DomainXmlException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.ext.LexicalHandler;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Builds a DOM from SAX events, keeping comments, CDATA, PIs and each element's attribute order: the
 * target of a JAXB marshal of a part (documents are parsed by {@link SecureXml}).
 */
public final class DomBuilder extends DefaultHandler implements LexicalHandler {

    private static final String XMLNS = "http://www.w3.org/2000/xmlns/";

    private final Document doc;
    private final Node root;
    private Node current;
    private boolean inCdata;
    private final java.util.List<String[]> pendingPrefixes = new java.util.ArrayList<>();
    private StringBuilder cdata;

    /**
     * A builder that appends what it receives to {@code root} (a document, or a document fragment
     * when a part is marshalled into an existing document).
     */
    DomBuilder(Document doc, Node root) {
        this.doc = doc;
        this.root = root;
        this.current = root;
    }

    /**
     * Creates a builder appending to a node of {@code doc} (used to marshal a part with JAXB into a
     * DOM that records attribute order).
     *
     * @param doc the owner document
     * @param root the node that receives the top-level elements
     * @return the handler
     */
    public static DomBuilder into(Document doc, Node root) {
        return new DomBuilder(doc, root);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        Element e = doc.createElementNS(uri == null || uri.isEmpty() ? null : uri, qName);
        int n = atts.getLength();
        String[] order = new String[n];
        for (int i = 0; i < n; i++) {
            String q = atts.getQName(i);
            order[i] = q;
            if (q.equals("xmlns") || q.startsWith("xmlns:")) {
                e.setAttributeNS(XMLNS, q, atts.getValue(i));
            } else {
                String ns = atts.getURI(i);
                e.setAttributeNS(ns == null || ns.isEmpty() ? null : ns, q, atts.getValue(i));
            }
        }
        if (!pendingPrefixes.isEmpty()) {
            // declarations a JAXB marshaller reports only through startPrefixMapping
            for (String[] p : pendingPrefixes) {
                String q = p[0].isEmpty() ? "xmlns" : "xmlns:" + p[0];
                if (!e.hasAttributeNS(XMLNS, p[0].isEmpty() ? "xmlns" : p[0])) {
                    e.setAttributeNS(XMLNS, q, p[1]);
                    order = java.util.Arrays.copyOf(order, order.length + 1);
                    order[order.length - 1] = q;
                }
            }
            pendingPrefixes.clear();
        }
        Dom.setAttributeOrder(e, order);
        current.appendChild(e);
        current = e;
    }

    @Override
    public void startPrefixMapping(String prefix, String uri) {
        if (uri != null && !uri.isEmpty()) {
            pendingPrefixes.add(new String[] {prefix == null ? "" : prefix, uri});
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        current = current.getParentNode();
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (inCdata) {
            cdata.append(ch, start, length);
            return;
        }
        if (current == root) {
            return;
        }
        Node last = current.getLastChild();
        if (last != null && last.getNodeType() == Node.TEXT_NODE) {
            ((org.w3c.dom.Text) last).appendData(new String(ch, start, length));
        } else {
            current.appendChild(doc.createTextNode(new String(ch, start, length)));
        }
    }

    @Override
    public void ignorableWhitespace(char[] ch, int start, int length) {
        characters(ch, start, length);
    }

    @Override
    public void processingInstruction(String target, String data) {
        current.appendChild(doc.createProcessingInstruction(target, data == null ? "" : data));
    }

    @Override
    public void comment(char[] ch, int start, int length) {
        current.appendChild(doc.createComment(new String(ch, start, length)));
    }

    @Override
    public void startCDATA() {
        inCdata = true;
        cdata = new StringBuilder();
    }

    @Override
    public void endCDATA() {
        inCdata = false;
        current.appendChild(doc.createCDATASection(cdata.toString()));
        cdata = null;
    }

    @Override
    public void startDTD(String name, String publicId, String systemId) throws SAXException {
        throw new SAXException(new DomainXmlException(DomainXmlException.Reason.HOSTILE, "DOCTYPE refused"));
    }

    @Override
    public void endDTD() {
    }

    @Override
    public void startEntity(String name) {
        // only the five predefined entities can occur: a DOCTYPE (and so any declared entity) is refused
    }

    @Override
    public void endEntity(String name) {
    }
}
