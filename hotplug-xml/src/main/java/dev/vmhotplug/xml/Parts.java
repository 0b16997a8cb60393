package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.SafeText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.xml.namespace.QName;
import org.w3c.dom.Element;

/** Shared reading rules of the typed parts (package-private). Values are read from the text as written. */
final class Parts {

    private Parts() {
    }

    /** Whether {@code s} is ASCII digits only (true for ""; a loop, not a stream: it runs on every read). */
    static boolean digits(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** A non-negative int from XML text, or an INVALID_VALUE naming the place. */
    static int uint(String text, String where) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || !Parts.digits(t)) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    where + " is " + SafeText.quote(text) + ", which is not a whole non-negative number; write digits only");
        }
        if (t.length() > 10 || Long.parseLong(t) > Integer.MAX_VALUE) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    where + " is " + SafeText.quote(t) + ", which is too large (the largest accepted value is "
                            + Integer.MAX_VALUE + ")");
        }
        return Integer.parseInt(t);
    }

    static OptionalInt optUint(String v, String where) {
        return v == null ? OptionalInt.empty() : OptionalInt.of(uint(v, where));
    }

    static Integer boxed(OptionalInt v) {
        return v.isPresent() ? v.getAsInt() : null;
    }

    static Optional<Boolean> yesNo(String v, String where) {
        if (v == null) {
            return Optional.empty();
        }
        if (v.equals("yes")) {
            return Optional.of(Boolean.TRUE);
        }
        if (v.equals("no")) {
            return Optional.of(Boolean.FALSE);
        }
        throw new DomainXmlException(Reason.INVALID_VALUE,
                where + " is " + SafeText.quote(v) + "; libvirt accepts 'yes' or 'no'");
    }

    /** A size written as digits in an element's text or attribute, with a unit attribute (default KiB). */
    static MemorySize size(String digits, String unit, String where) {
        try {
            return MemorySize.ofText(digits, unit);
        } catch (DomainXmlException e) {
            throw new DomainXmlException(Reason.INVALID_VALUE, where + ": " + e.getMessage(), e);
        }
    }

    static Optional<MemorySize> optSize(SizeValue s, String where) {
        return s == null ? Optional.empty() : Optional.of(s.size(where));
    }

    /** Equal sizes (by value) when both can be read, else equal text. */
    static boolean sameSize(String v1, String u1, String v2, String u2) {
        try {
            return MemorySize.ofText(v1, u1).equals(MemorySize.ofText(v2, u2));
        } catch (DomainXmlException e) {
            return Objects.equals(v1, v2) && Objects.equals(u1, u2);
        }
    }

    static int sizeHash(String v, String u) {
        try {
            return MemorySize.ofText(v, u).hashCode();
        } catch (DomainXmlException e) {
            return Objects.hash(v, u);
        }
    }

    /** The stripped text, so that {@code " 2 "} and {@code "2"} compare equal. */
    static String norm(String s) {
        return s == null ? null : s.strip();
    }

    /** Qualified name to value, in document order, unmodifiable. */
    static Map<String, String> names(Map<QName, String> attrs) {
        if (attrs == null || attrs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        attrs.forEach((q, v) -> out.put(q.getPrefix().isEmpty() ? q.getLocalPart() : q.getPrefix() + ":" + q.getLocalPart(), v));
        return Collections.unmodifiableMap(out);
    }

    /** Attribute names without a namespace to QNames; a prefixed name is refused (it has no namespace here). */
    static Map<QName, String> qnames(Map<String, String> attrs) {
        Map<QName, String> out = new LinkedHashMap<>();
        attrs.forEach((k, v) -> {
            Objects.requireNonNull(k, "attribute name");
            if (k.indexOf(':') >= 0 || k.isBlank()) {
                throw new IllegalArgumentException("attribute name " + SafeText.quote(k) + " is not a plain name;"
                        + " only attributes without a namespace prefix can be set here (a value read from a"
                        + " document keeps its prefixed ones)");
            }
            out.put(new QName(k), Objects.requireNonNull(v, "attribute value"));
        });
        return out;
    }

    /** Deep copies of unknown child elements (a part never shares DOM nodes with anyone). */
    static List<Element> copy(List<Element> elements) {
        List<Element> out = new ArrayList<>(elements == null ? 0 : elements.size());
        if (elements != null) {
            for (Element e : elements) {
                out.add((Element) e.cloneNode(true));
            }
        }
        return out;
    }

    static boolean sameElements(List<Element> a, List<Element> b) {
        List<Element> x = a == null ? List.of() : a;
        List<Element> y = b == null ? List.of() : b;
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!sameElement(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Structural equality of two elements: names, attribute maps, text (merged, whitespace-only text
     * ignored) and child elements; comments, processing instructions and indentation do not count.
     */
    static boolean sameElement(Element a, Element b) {
        if (!Objects.equals(a.getNamespaceURI(), b.getNamespaceURI()) || !localName(a).equals(localName(b))) {
            return false;
        }
        org.w3c.dom.NamedNodeMap aa = a.getAttributes();
        org.w3c.dom.NamedNodeMap ba = b.getAttributes();
        if (aa.getLength() != ba.getLength()) {
            return false;
        }
        for (int i = 0; i < aa.getLength(); i++) {
            org.w3c.dom.Attr x = (org.w3c.dom.Attr) aa.item(i);
            org.w3c.dom.Attr y = x.getNamespaceURI() == null ? b.getAttributeNode(x.getName())
                    : b.getAttributeNodeNS(x.getNamespaceURI(), x.getLocalName());
            if (y == null || !x.getValue().equals(y.getValue())) {
                return false;
            }
        }
        List<Element> ak = new ArrayList<>();
        List<Element> bk = new ArrayList<>();
        if (!text(a, ak).equals(text(b, bk)) || ak.size() != bk.size()) {
            return false;
        }
        for (int i = 0; i < ak.size(); i++) {
            if (!sameElement(ak.get(i), bk.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static String localName(org.w3c.dom.Node n) {
        return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    }

    /** The non-whitespace text of an element's children; collects its child elements. */
    private static String text(Element e, List<Element> kids) {
        StringBuilder sb = new StringBuilder();
        for (org.w3c.dom.Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == org.w3c.dom.Node.ELEMENT_NODE) {
                kids.add((Element) c);
            } else if (c.getNodeType() == org.w3c.dom.Node.TEXT_NODE
                    || c.getNodeType() == org.w3c.dom.Node.CDATA_SECTION_NODE) {
                sb.append(c.getNodeValue());
            }
        }
        return sb.toString().isBlank() ? "" : sb.toString();
    }

    static int elementsHash(List<Element> a) {
        int h = 1;
        if (a != null) {
            for (Element e : a) {
                h = 31 * h + Objects.hashCode(e.getLocalName() != null ? e.getLocalName() : e.getNodeName());
            }
        }
        return h;
    }

    /** Writes a size with the given unit when exact, else KiB; {@code ""} means "no unit attribute" (KiB). */
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

    /**
     * The text of a size that replaces {@code oldValue}/{@code oldUnit}: the old text when the value is
     * the same, else the old unit when exact (no unit attribute stays none), else KiB. Element 1 of the
     * result is {@code null} when no unit attribute is to be written.
     */
    static String[] sizeText(MemorySize size, String oldValue, String oldUnit, String what) {
        if (oldValue != null) {
            try {
                if (MemorySize.ofText(oldValue, oldUnit).equals(size)) {
                    return new String[] {oldValue, oldUnit};
                }
            } catch (DomainXmlException unreadable) {
                // replaced below
            }
        }
        String[] vu = valueAndUnit(size, oldValue == null ? null : (oldUnit == null ? "" : oldUnit), what);
        return new String[] {vu[0], vu[1].isEmpty() ? null : vu[1]};
    }
}
