package dev.vmhotplug.xml.internal;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.ProcessingInstruction;

/**
 * Writes a DOM tree as text the way libvirt does: attribute values in single quotes, empty
 * elements as {@code <x/>}, text and comments exactly as held (no re-indentation).
 */
public final class XmlWriter {

    private XmlWriter() {
    }

    /**
     * Writes a whole document.
     *
     * @param doc the document
     * @param declaration the XML declaration to write first exactly as given, or null for none
     * @param trailingNewline whether to end the text with a newline
     * @return the text
     */
    public static String write(Document doc, String declaration, boolean trailingNewline) {
        StringBuilder sb = new StringBuilder(8192);
        boolean first = true;
        if (declaration != null) {
            sb.append(declaration);
            first = false;
        }
        for (Node n = doc.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.DOCUMENT_TYPE_NODE) {
                continue;
            }
            if (!first) {
                sb.append('\n');
            }
            first = false;
            writeNode(n, sb);
        }
        if (trailingNewline) {
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes one node and its subtree.
     *
     * @param node the node
     * @return the text
     */
    public static String write(Node node) {
        StringBuilder sb = new StringBuilder(256);
        writeNode(node, sb);
        return sb.toString();
    }

    private static void writeNode(Node n, StringBuilder sb) {
        switch (n.getNodeType()) {
            case Node.ELEMENT_NODE:
                writeElement(n, sb);
                break;
            case Node.TEXT_NODE:
                escapeText(n.getNodeValue(), sb);
                break;
            case Node.CDATA_SECTION_NODE:
                sb.append("<![CDATA[").append(n.getNodeValue().replace("]]>", "]]]]><![CDATA[>")).append("]]>");
                break;
            case Node.COMMENT_NODE:
                sb.append("<!--").append(n.getNodeValue()).append("-->");
                break;
            case Node.PROCESSING_INSTRUCTION_NODE:
                ProcessingInstruction pi = (ProcessingInstruction) n;
                sb.append("<?").append(pi.getTarget());
                if (pi.getData() != null && !pi.getData().isEmpty()) {
                    sb.append(' ').append(pi.getData());
                }
                sb.append("?>");
                break;
            case Node.ENTITY_REFERENCE_NODE:
                for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
                    writeNode(c, sb);
                }
                break;
            default:
                break;
        }
    }

    private static void writeElement(Node e, StringBuilder sb) {
        sb.append('<').append(e.getNodeName());
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0, n = attrs.getLength(); i < n; i++) {
            Attr a = (Attr) attrs.item(i);
            sb.append(' ').append(a.getName()).append("='");
            escapeAttr(a.getValue(), sb);
            sb.append('\'');
        }
        Node c = e.getFirstChild();
        if (c == null) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        for (; c != null; c = c.getNextSibling()) {
            writeNode(c, sb);
        }
        sb.append("</").append(e.getNodeName()).append('>');
    }

    private static void escapeText(String s, StringBuilder sb) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '\r': sb.append("&#13;"); break;
                default: sb.append(ch);
            }
        }
    }

    private static void escapeAttr(String s, StringBuilder sb) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '\'': sb.append("&apos;"); break;
                case '"': sb.append("&quot;"); break;
                case '\n': sb.append("&#10;"); break;
                case '\r': sb.append("&#13;"); break;
                case '\t': sb.append("&#9;"); break;
                default: sb.append(ch);
            }
        }
    }
}
