package dev.vmhotplug.xml;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.ProcessingInstruction;
import org.xml.sax.ContentHandler;
import org.xml.sax.DTDHandler;
import org.xml.sax.EntityResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXNotRecognizedException;
import org.xml.sax.helpers.AttributesImpl;

/**
 * Reports one DOM element and its subtree as SAX events, for the JAXB unmarshaller to read a part
 * from its node (package-private; one per thread, not thread-safe).
 *
 * <p>It sends what the JAXB runtime's own DOM scanner sends for {@code Unmarshaller.unmarshal(Node,
 * Class)} (the namespace declarations in scope at the element, then the element, its attributes,
 * text, CDATA, child elements and processing instructions; no comments), without that scanner's
 * per-call namespace tables, and with the names already interned, so that the runtime does not
 * intern each name again: the JAXB runtime compares names by identity. {@code ElementEventsTest}
 * holds both paths equal over every part of the corpus.
 */
final class ElementEvents implements org.xml.sax.XMLReader, Locator {

    private static final String XML_NS = "http://www.w3.org/XML/1998/namespace";
    private static final String INTERNING = "http://xml.org/sax/features/string-interning";
    /** Distinct names cached per thread; beyond that, names are interned without the cache. */
    private static final int MAX_CACHED_NAMES = 4096;

    private final Map<String, String> interned = new HashMap<>();
    private final AttributesImpl atts = new AttributesImpl();
    private ContentHandler handler;
    private ErrorHandler errorHandler;
    private Element element;

    /** Sets the element the next {@link #parse(InputSource)} reports. */
    ElementEvents of(Element e) {
        this.element = e;
        return this;
    }

    @Override
    public void parse(InputSource ignored) throws SAXException {
        Element e = element;
        element = null;
        handler.setDocumentLocator(this);
        handler.startDocument();
        List<String> inScope = inScopePrefixes(e);
        for (int i = 0; i < inScope.size(); i += 2) {
            handler.startPrefixMapping(inScope.get(i), inScope.get(i + 1));
        }
        element(e);
        for (int i = 0; i < inScope.size(); i += 2) {
            handler.endPrefixMapping(inScope.get(i));
        }
        handler.endDocument();
    }

    /**
     * Prefix, URI pairs declared on the ancestors (the nearest declaration of a prefix wins), and
     * {@code xml}; the default namespace only when it is not empty (as the DOM scanner does).
     */
    private List<String> inScopePrefixes(Element e) {
        List<String> out = new ArrayList<>(4);
        out.add("xml");
        out.add(XML_NS);
        boolean defaultSeen = false;
        for (Node p = e.getParentNode(); p != null && p.getNodeType() == Node.ELEMENT_NODE; p = p.getParentNode()) {
            NamedNodeMap map = p.getAttributes();
            for (int i = 0, n = map.getLength(); i < n; i++) {
                String name = map.item(i).getNodeName();
                if (!isDeclaration(name)) {
                    continue;
                }
                String prefix = name.length() == 5 ? "" : name.substring(6);
                String uri = map.item(i).getNodeValue();
                if (prefix.isEmpty()) {
                    if (defaultSeen) {
                        continue;
                    }
                    defaultSeen = true;
                    if (uri.isEmpty()) {
                        continue; // xmlns='': no default namespace in scope
                    }
                } else if (declared(out, prefix)) {
                    continue;
                }
                out.add(intern(prefix));
                out.add(intern(uri));
            }
        }
        return out;
    }

    /** {@code xmlns} or {@code xmlns:p}. */
    private static boolean isDeclaration(String name) {
        return name.startsWith("xmlns") && (name.length() == 5 || name.charAt(5) == ':');
    }

    private static boolean declared(List<String> pairs, String prefix) {
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equals(prefix)) {
                return true;
            }
        }
        return false;
    }

    private void element(Element e) throws SAXException {
        NamedNodeMap map = e.getAttributes();
        int len = map.getLength();
        atts.clear();
        for (int i = len - 1; i >= 0; i--) { // the DOM scanner's order
            Attr a = (Attr) map.item(i);
            String name = a.getName();
            if (isDeclaration(name)) {
                handler.startPrefixMapping(name.length() == 5 ? "" : intern(name.substring(6)), intern(a.getValue()));
                continue;
            }
            String local = a.getLocalName();
            atts.addAttribute(uri(a.getNamespaceURI()), intern(local == null ? name : local), intern(name), "CDATA",
                    a.getValue());
        }
        String uri = uri(e.getNamespaceURI());
        String qname = intern(e.getTagName());
        String local = e.getLocalName() == null ? qname : intern(e.getLocalName());
        handler.startElement(uri, local, qname, atts);
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            switch (c.getNodeType()) {
                case Node.TEXT_NODE:
                case Node.CDATA_SECTION_NODE:
                    String v = c.getNodeValue();
                    handler.characters(v.toCharArray(), 0, v.length());
                    break;
                case Node.ELEMENT_NODE:
                    element((Element) c);
                    break;
                case Node.ENTITY_REFERENCE_NODE:
                    handler.skippedEntity(c.getNodeName());
                    break;
                case Node.PROCESSING_INSTRUCTION_NODE:
                    ProcessingInstruction pi = (ProcessingInstruction) c;
                    handler.processingInstruction(pi.getTarget(), pi.getData());
                    break;
                default:
                    break;
            }
        }
        handler.endElement(uri, local, qname);
        for (int i = len - 1; i >= 0; i--) {
            String name = map.item(i).getNodeName();
            if (isDeclaration(name)) {
                handler.endPrefixMapping(name.length() == 5 ? "" : intern(name.substring(6)));
            }
        }
    }

    private String uri(String ns) {
        return ns == null || ns.isEmpty() ? "" : intern(ns);
    }

    /** The JVM-interned form of a name, through a per-thread cache (a name is usually the same String). */
    private String intern(String s) {
        String i = interned.get(s);
        if (i == null) {
            i = s.intern();
            if (interned.size() < MAX_CACHED_NAMES) {
                interned.put(i, i);
            }
        }
        return i;
    }

    @Override
    public boolean getFeature(String name) throws SAXNotRecognizedException {
        if (INTERNING.equals(name)) {
            return true;
        }
        throw new SAXNotRecognizedException(name);
    }

    @Override
    public void setFeature(String name, boolean value) throws SAXNotRecognizedException {
        if (!INTERNING.equals(name) || !value) {
            throw new SAXNotRecognizedException(name);
        }
    }

    @Override
    public Object getProperty(String name) throws SAXNotRecognizedException {
        throw new SAXNotRecognizedException(name);
    }

    @Override
    public void setProperty(String name, Object value) throws SAXNotRecognizedException {
        throw new SAXNotRecognizedException(name);
    }

    @Override
    public void setEntityResolver(EntityResolver resolver) {
        // no entities: the element is already parsed
    }

    @Override
    public EntityResolver getEntityResolver() {
        return null;
    }

    @Override
    public void setDTDHandler(DTDHandler h) {
        // no DTD
    }

    @Override
    public DTDHandler getDTDHandler() {
        return null;
    }

    @Override
    public void setContentHandler(ContentHandler h) {
        this.handler = h;
    }

    @Override
    public ContentHandler getContentHandler() {
        return handler;
    }

    @Override
    public void setErrorHandler(ErrorHandler h) {
        this.errorHandler = h;
    }

    @Override
    public ErrorHandler getErrorHandler() {
        return errorHandler;
    }

    @Override
    public void parse(String systemId) throws SAXException {
        parse((InputSource) null);
    }

    @Override
    public String getPublicId() {
        return null;
    }

    @Override
    public String getSystemId() {
        return null;
    }

    @Override
    public int getLineNumber() {
        return -1;
    }

    @Override
    public int getColumnNumber() {
        return -1;
    }
}
