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
        return write(doc, declaration, trailingNewline, '\'');
    }

    /**
     * Writes a whole document with the given attribute quote character.
     *
     * @param doc the document
     * @param declaration the XML declaration to write first exactly as given, or null for none
     * @param trailingNewline whether to end the text with a newline
     * @param quote {@code '\''} (libvirt's style: text escapes ' and " too, as libvirt does) or {@code '"'}
     * @return the text
     */
    public static String write(Document doc, String declaration, boolean trailingNewline, char quote) {
        Style style = quote == '"' ? Style.DOUBLE : Style.LIBVIRT;
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
            writeNode(n, sb, style);
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
        writeNode(node, sb, Style.LIBVIRT);
        return sb.toString();
    }

    private static void writeNode(Node n, StringBuilder sb, Style style) {
        switch (n.getNodeType()) {
            case Node.ELEMENT_NODE:
                writeElement(n, sb, style);
                break;
            case Node.TEXT_NODE:
                escapeText(n.getNodeValue(), sb, style);
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
                    writeNode(c, sb, style);
                }
                break;
            default:
                break;
        }
    }

    private static void writeElement(Node e, StringBuilder sb, Style style) {
        sb.append('<').append(e.getNodeName());
        NamedNodeMap attrs = e.getAttributes();
        int n = attrs.getLength();
        String[] order = Dom.attributeOrder(e);
        int written = 0;
        if (order != null) {
            for (String q : order) {
                Attr a = (Attr) attrs.getNamedItem(q);
                if (a != null) {
                    writeAttr(a, sb, style);
                    written++;
                }
            }
        }
        if (written < n) {
            for (int i = 0; i < n; i++) {
                Attr a = (Attr) attrs.item(i);
                if (order == null || !contains(order, a.getName())) {
                    writeAttr(a, sb, style);
                }
            }
        }
        Node c = e.getFirstChild();
        if (c == null) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        for (; c != null; c = c.getNextSibling()) {
            writeNode(c, sb, style);
        }
        sb.append("</").append(e.getNodeName()).append('>');
    }

    private static boolean contains(String[] names, String name) {
        for (String s : names) {
            if (s.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void writeAttr(Attr a, StringBuilder sb, Style style) {
        char q = style == Style.DOUBLE ? '"' : '\'';
        sb.append(' ').append(a.getName()).append('=').append(q);
        escapeAttr(a.getValue(), sb, q);
        sb.append(q);
    }

    private enum Style { LIBVIRT, DOUBLE }

    private static void escapeText(String s, StringBuilder sb, Style style) {
        boolean quotes = style == Style.LIBVIRT;
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '\'': sb.append(quotes ? "&apos;" : "'"); break;
                case '"': sb.append(quotes ? "&quot;" : "\""); break;
                case '\r': sb.append("&#13;"); break;
                default: sb.append(ch);
            }
        }
    }

    private static void escapeAttr(String s, StringBuilder sb, char quote) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '\'': sb.append(quote == '\'' ? "&apos;" : "'"); break;
                case '"': sb.append("&quot;"); break;
                case '\n': sb.append("&#10;"); break;
                case '\r': sb.append("&#13;"); break;
                case '\t': sb.append("&#9;"); break;
                default: sb.append(ch);
            }
        }
    }
}
