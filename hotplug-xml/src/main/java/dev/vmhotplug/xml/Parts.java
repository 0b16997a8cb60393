package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/** Shared reading and write-back rules of the typed parts (package-private). */
final class Parts {

    private Parts() {
    }

    /** A non-negative int from XML text, or an INVALID_VALUE naming the place. */
    static int uint(String text, String where) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    where + " is '" + text + "', which is not a whole non-negative number; write digits only");
        }
        if (t.length() > 10 || Long.parseLong(t) > Integer.MAX_VALUE) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    where + " is " + t + ", which is too large (the largest accepted value is " + Integer.MAX_VALUE + ")");
        }
        return Integer.parseInt(t);
    }

    static OptionalInt optUint(Element e, String attr, String where) {
        String v = Dom.attr(e, attr);
        return v == null ? OptionalInt.empty() : OptionalInt.of(uint(v, where));
    }

    static Optional<Boolean> optYesNo(Element e, String attr, String where) {
        String v = Dom.attr(e, attr);
        if (v == null) {
            return Optional.empty();
        }
        if (v.equals("yes")) {
            return Optional.of(Boolean.TRUE);
        }
        if (v.equals("no")) {
            return Optional.of(Boolean.FALSE);
        }
        throw new DomainXmlException(Reason.INVALID_VALUE, where + " is '" + v + "'; libvirt accepts 'yes' or 'no'");
    }

    /** A size written as digits in an element's text or attribute, with a unit attribute (default KiB). */
    static MemorySize size(String digits, String unit, String where) {
        try {
            return MemorySize.ofText(digits, unit);
        } catch (DomainXmlException e) {
            throw new DomainXmlException(Reason.INVALID_VALUE, where + ": " + e.getMessage(), e);
        }
    }

    static Optional<MemorySize> optSizeElement(Element e, String where) {
        if (e == null) {
            return Optional.empty();
        }
        return Optional.of(size(Dom.text(e), Dom.attr(e, "unit"), where));
    }

    /** The attributes of {@code e} not named in {@code modelled}, by qualified name, in document order. */
    static Map<String, String> otherAttributes(Element e, Set<String> modelled) {
        if (e == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            if (!modelled.contains(a.getName())) {
                out.put(a.getName(), a.getValue());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** A deep, detached copy that a part keeps as its unmodelled content; never mutated afterwards. */
    static Element snapshot(Element e) {
        return (Element) e.cloneNode(true);
    }

    /**
     * Makes the unmodelled attributes of {@code target} equal to those of {@code raw} (when the
     * part was read from a document); a part built from scratch ({@code raw == null}) leaves them.
     */
    static void applyOtherAttributes(Element target, Element raw, Set<String> modelled) {
        if (raw == null) {
            return;
        }
        NamedNodeMap ta = target.getAttributes();
        for (int i = ta.getLength() - 1; i >= 0; i--) {
            Attr a = (Attr) ta.item(i);
            if (!modelled.contains(a.getName()) && !hasAttr(raw, a)) {
                target.removeAttributeNode(a);
            }
        }
        NamedNodeMap ra = raw.getAttributes();
        for (int i = 0; i < ra.getLength(); i++) {
            Attr a = (Attr) ra.item(i);
            if (modelled.contains(a.getName())) {
                continue;
            }
            String current = a.getNamespaceURI() == null ? Dom.attr(target, a.getName())
                    : (target.hasAttributeNS(a.getNamespaceURI(), a.getLocalName())
                            ? target.getAttributeNS(a.getNamespaceURI(), a.getLocalName()) : null);
            if (!a.getValue().equals(current)) {
                target.setAttributeNS(a.getNamespaceURI(), a.getName(), a.getValue());
                Dom.noteAttribute(target, a.getName());
            }
        }
    }

    /**
     * Orders the attributes of {@code target} like those of {@code raw} (the part's source element),
     * attributes {@code raw} lacks coming after in their current order. No-op for built parts.
     */
    static void adoptAttributeOrder(Element target, Element raw) {
        if (raw == null) {
            return;
        }
        String[] source = Dom.attributeOrder(raw);
        String[] current = Dom.attributeOrder(target);
        if (source == null || current == null || java.util.Arrays.equals(source, current)) {
            return;
        }
        java.util.LinkedHashSet<String> order = new java.util.LinkedHashSet<>();
        for (String q : source) {
            if (target.getAttributes().getNamedItem(q) != null) {
                order.add(q);
            }
        }
        for (String q : current) {
            order.add(q);
        }
        Dom.setAttributeOrder(target, order.toArray(new String[0]));
    }

    private static boolean hasAttr(Element e, Attr a) {
        return a.getNamespaceURI() == null ? e.hasAttribute(a.getName())
                : e.hasAttributeNS(a.getNamespaceURI(), a.getLocalName());
    }

    /**
     * Makes the child nodes of {@code target} equal to those of {@code raw} (a part read from a
     * document carries its children; unchanged children are left untouched).
     */
    static void applyChildren(Element target, Element raw) {
        if (raw == null || sameChildren(target, raw)) {
            return;
        }
        while (target.getFirstChild() != null) {
            target.removeChild(target.getFirstChild());
        }
        for (Node c = raw.getFirstChild(); c != null; c = c.getNextSibling()) {
            target.appendChild(target.getOwnerDocument().importNode(c, true));
        }
    }

    private static boolean sameChildren(Element a, Element b) {
        Node x = a.getFirstChild();
        Node y = b.getFirstChild();
        while (x != null && y != null) {
            if (!x.isEqualNode(y)) {
                return false;
            }
            x = x.getNextSibling();
            y = y.getNextSibling();
        }
        return x == null && y == null;
    }

    /** Writes a size into a value attribute/text with the element's current unit when exact, else KiB. */
    static String[] valueAndUnit(MemorySize size, String currentUnit, String what) {
        if (!size.isWholeKiB()) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    what + " of " + size.bytes() + " bytes is not a whole number of KiB; libvirt stores memory in KiB,"
                            + " round it to " + size.toKiB() + " KiB");
        }
        if (currentUnit != null) {
            long scale;
            try {
                scale = MemorySize.unitBytes(currentUnit);
            } catch (DomainXmlException e) {
                scale = -1;
            }
            if (scale > 0 && size.bytes() % scale == 0) {
                return new String[] {Long.toString(size.bytes() / scale), currentUnit};
            }
        }
        return new String[] {Long.toString(size.toKiB()), "KiB"};
    }
}
