package dev.vmhotplug.xml.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * A small structural diff and patch of one element: makes an element of a document structurally equal
 * to a freshly marshalled element (attributes, text, child elements) while changing only what differs.
 *
 * <p>What the patch keeps: the element itself and every node that is equal (so positions, whitespace,
 * comments and processing instructions around and inside unchanged children stay), the attribute
 * order (changed attributes keep their place, new ones are appended), and the order of the existing
 * child elements: children are matched by namespace, local name and occurrence (the 2nd
 * {@code <sibling>} with the 2nd {@code <sibling>}), not by position, so that a JAXB marshal that wrote
 * unknown children after the known ones does not reorder the document. A child only in the fresh
 * element is inserted after the nearest preceding fresh sibling that was matched, indented like its
 * neighbours; a child only in the document is removed with the whitespace before it.
 *
 * <p>What it never touches: comments, processing instructions and whitespace-only text (JAXB does not
 * model them). Text is patched only where the fresh element has text or no child elements at all.
 */
public final class DomPatch {

    private DomPatch() {
    }

    /**
     * Patches {@code target} to be structurally equal to {@code fresh}.
     *
     * @param target the element in the document
     * @param fresh the new content (from another document or the same; not modified)
     * @param keepOtherAttributes attributes of {@code target} outside {@code modelledAttributes} are
     *     kept as they are (a part built from scratch carries none and leaves them in place)
     * @param modelledAttributes the attribute names the part models (only used with
     *     {@code keepOtherAttributes})
     * @param keepOtherChildren child elements of {@code target} whose names are not in
     *     {@code modelledChildren} are kept (same reason)
     * @param modelledChildren the child element names the part models
     * @return true if anything changed
     */
    public static boolean patch(Element target, Element fresh, boolean keepOtherAttributes,
            Set<String> modelledAttributes, boolean keepOtherChildren, Set<String> modelledChildren) {
        boolean changed = patchAttributes(target, fresh, keepOtherAttributes, modelledAttributes);
        changed |= patchContent(target, fresh, keepOtherChildren, modelledChildren);
        return changed;
    }

    /**
     * Patches {@code target} to be structurally equal to {@code fresh}, unmodelled content included.
     *
     * @param target the element in the document
     * @param fresh the new content
     * @return true if anything changed
     */
    public static boolean patch(Element target, Element fresh) {
        return patch(target, fresh, false, Set.of(), false, Set.of());
    }

    private static boolean patchAttributes(Element target, Element fresh, boolean keepOthers, Set<String> modelled) {
        boolean changed = false;
        NamedNodeMap ta = target.getAttributes();
        for (int i = ta.getLength() - 1; i >= 0; i--) {
            Attr a = (Attr) ta.item(i);
            if (isNamespaceDeclaration(a) || keepOthers && !modelled.contains(a.getName())) {
                continue;
            }
            if (find(fresh, a) == null) {
                target.removeAttributeNode(a);
                changed = true;
            }
        }
        for (Attr a : inWrittenOrder(fresh)) {
            if (isNamespaceDeclaration(a)) {
                continue;
            }
            Attr old = find(target, a);
            if (old == null) {
                target.setAttributeNS(a.getNamespaceURI(), a.getName(), a.getValue());
                Dom.noteAttribute(target, a.getName());
                changed = true;
            } else if (!old.getValue().equals(a.getValue())) {
                old.setValue(a.getValue());
                changed = true;
            }
        }
        return changed;
    }

    /** The attributes in the order they were written (new ones are appended to the target in this order). */
    private static List<Attr> inWrittenOrder(Element e) {
        NamedNodeMap map = e.getAttributes();
        List<Attr> out = new ArrayList<>(map.getLength());
        String[] order = Dom.attributeOrder(e);
        if (order != null) {
            for (String q : order) {
                Attr a = (Attr) map.getNamedItem(q);
                if (a != null) {
                    out.add(a);
                }
            }
        }
        for (int i = 0; i < map.getLength(); i++) {
            Attr a = (Attr) map.item(i);
            if (!out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    private static boolean isNamespaceDeclaration(Attr a) {
        String n = a.getName();
        return n.equals("xmlns") || n.startsWith("xmlns:");
    }

    private static Attr find(Element e, Attr like) {
        return like.getNamespaceURI() == null ? e.getAttributeNode(like.getName())
                : e.getAttributeNodeNS(like.getNamespaceURI(), like.getLocalName());
    }

    private static boolean patchContent(Element target, Element fresh, boolean keepOthers, Set<String> modelled) {
        List<Element> freshKids = elementChildren(fresh);
        List<Element> targetKids = elementChildren(target);
        boolean changed = false;
        String freshText = Dom.text(fresh);
        if (freshKids.isEmpty() && targetKids.isEmpty()) {
            if (!freshText.equals(Dom.text(target))) {
                Dom.setText(target, freshText);
                return true;
            }
            return false;
        }
        if (!freshText.isBlank() && !freshText.equals(Dom.text(target))) {
            Dom.setText(target, freshText);
            changed = true;
        }
        Map<String, List<Element>> byKey = new HashMap<>();
        for (Element t : targetKids) {
            byKey.computeIfAbsent(key(t), k -> new ArrayList<>()).add(t);
        }
        Map<String, Integer> used = new HashMap<>();
        List<Element> matched = new ArrayList<>();
        Element previousMatch = null;
        for (Element f : freshKids) {
            String k = key(f);
            int n = used.merge(k, 1, Integer::sum) - 1;
            List<Element> candidates = byKey.get(k);
            Element t = candidates != null && n < candidates.size() ? candidates.get(n) : null;
            if (t != null) {
                changed |= patch(t, f);
                matched.add(t);
                previousMatch = t;
            } else {
                Element copy = (Element) target.getOwnerDocument().importNode(f, true);
                Dom.stripWhitespace(copy);
                Node ref = previousMatch != null ? nextNonWhitespace(previousMatch) : firstElementOrNull(target);
                Dom.insert(target, copy, ref);
                matched.add(copy);
                previousMatch = copy;
                changed = true;
            }
        }
        for (Element t : targetKids) {
            if (matched.contains(t)) {
                continue;
            }
            if (keepOthers && !modelled.contains(localName(t))) {
                continue;
            }
            Dom.remove(t);
            changed = true;
        }
        return changed;
    }

    private static Node firstElementOrNull(Element parent) {
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                return c;
            }
        }
        return null;
    }

    private static Node nextNonWhitespace(Element e) {
        for (Node c = e.getNextSibling(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() != Node.TEXT_NODE || !c.getNodeValue().isBlank()) {
                return c;
            }
        }
        return null;
    }

    private static List<Element> elementChildren(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) c);
            }
        }
        return out;
    }

    private static String localName(Node n) {
        return n.getLocalName() != null ? n.getLocalName() : n.getNodeName();
    }

    private static String key(Element e) {
        return e.getNamespaceURI() == null ? localName(e) : "{" + e.getNamespaceURI() + "}" + localName(e);
    }
}
