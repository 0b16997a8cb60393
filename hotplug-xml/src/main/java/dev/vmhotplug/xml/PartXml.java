package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.Dom;
import dev.vmhotplug.xml.internal.SafeText;
import dev.vmhotplug.xml.internal.SecureXml;
import dev.vmhotplug.xml.internal.XmlWriter;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.annotation.XmlRootElement;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.w3c.dom.Element;

/**
 * Standalone XML of the typed parts: one part marshalled alone, or unmarshalled from a fragment such
 * as a device XML received from libvirt or a user.
 *
 * <p>The parts are JAXB-bound ({@link Vcpu}, {@link VcpuEntry}, {@link MaxMemory},
 * {@link MemoryAmount}, {@link CpuTopology}, {@link NumaCell}, {@link MemoryDevice}); this class uses
 * the one {@link #context() JAXBContext} of the process, created on first use (and shared: it is
 * thread-safe). Reading goes through the hardened parser of {@link DomainXml} (no DOCTYPE, no
 * entities, size limit) and checks every value, so a bad value fails here and not later. Writing
 * gives libvirt's form: single quotes, two-space indentation, a final newline.
 *
 * <p>To put the parts into your own JAXB model instead, add them to your context next to your own
 * root class ({@code JAXBContext.newInstance(MyDomain.class)} finds them from its fields); they need
 * nothing from this class. Written by JAXB alone, unknown children of a part come after its known
 * ones (their order among themselves stays); {@link DomainXml} keeps them where they were.
 */
public final class PartXml {

    /** The most characters a part fragment may have (a memory device is well under 2 KiB). */
    public static final int MAX_CHARS = 1024 * 1024;

    private PartXml() {
    }

    /**
     * Returns the JAXB context over the typed parts (created on first use; thread-safe).
     *
     * @return the context
     * @throws IllegalStateException if no JAXB implementation is on the class path
     */
    public static JAXBContext context() {
        return Jaxb.context();
    }

    /**
     * Starts creating the JAXB context on a background daemon thread and returns at once (no-op when
     * it exists or is being created). The first {@link DomainXml#parse(String)} does this anyway; an
     * application that calls it at start-up (for example when it opens its libvirt connection) takes
     * the context's cost (about 250 ms of CPU, once per process) off its first XML operation.
     */
    public static void prestart() {
        Jaxb.prestart();
    }

    /**
     * Returns the classes the context binds.
     *
     * @return the part classes
     */
    public static List<Class<?>> partClasses() {
        return List.copyOf(Arrays.asList(Jaxb.PARTS));
    }

    /**
     * Writes a part that has its own element name ({@link Vcpu}: {@code vcpu}, {@link MaxMemory}:
     * {@code maxMemory}, {@link NumaCell}: {@code cell}, {@link MemoryDevice}: {@code memory}).
     *
     * @param part the part
     * @return the XML text, ending with a newline
     * @throws IllegalArgumentException if the part's class has no element name of its own (use
     *     {@link #toXml(Object, String)}) or is not a part
     */
    public static String toXml(Object part) {
        Objects.requireNonNull(part, "part");
        XmlRootElement root = part.getClass().getAnnotation(XmlRootElement.class);
        if (root == null || !isPart(part.getClass())) {
            throw new IllegalArgumentException(part.getClass().getSimpleName() + " has no element name of its own;"
                    + " use PartXml.toXml(part, name), e.g. toXml(memoryAmount, \"currentMemory\")");
        }
        return toXml(part, root.name());
    }

    /**
     * Writes a part under an element name of your choice (for example a {@link MemoryAmount} as
     * {@code memory} or {@code currentMemory}, a {@link CpuTopology} as {@code topology}).
     *
     * @param part the part
     * @param elementName the element name
     * @return the XML text, ending with a newline
     * @throws IllegalArgumentException if the object is not one of the parts
     */
    public static String toXml(Object part, String elementName) {
        Objects.requireNonNull(part, "part");
        Objects.requireNonNull(elementName, "elementName");
        if (!isPart(part.getClass())) {
            throw new IllegalArgumentException(part.getClass().getName() + " is not a part of hotplug-xml; parts are "
                    + partClasses());
        }
        Element e = Jaxb.write(part, elementName);
        Dom.stripWhitespace(e);
        Dom.indentDocumentElement(e);
        return XmlWriter.write(e) + "\n";
    }

    /**
     * Reads a part from its XML (the element name is not checked: {@code <currentMemory>} reads as a
     * {@link MemoryAmount} as well as {@code <memory>}).
     *
     * @param <T> the part type
     * @param xml the fragment, one element
     * @param type the part class
     * @return the part, every value checked
     * @throws DomainXmlException MALFORMED, HOSTILE, TOO_LARGE for text that is not safe XML;
     *     INVALID_VALUE, MISSING_ELEMENT, INCONSISTENT for values that libvirt would refuse
     * @throws IllegalArgumentException if {@code type} is not one of the parts
     */
    public static <T> T fromXml(String xml, Class<T> type) {
        Objects.requireNonNull(xml, "xml");
        Objects.requireNonNull(type, "type");
        if (!isPart(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a part of hotplug-xml; parts are " + partClasses());
        }
        if (xml.length() > MAX_CHARS) {
            throw new DomainXmlException(Reason.TOO_LARGE, "the " + type.getSimpleName() + " XML has " + xml.length()
                    + " characters, more than the " + MAX_CHARS + " a single part may have; pass one element such as "
                    + SafeText.quote(xml, 40));
        }
        Element e = SecureXml.parse(xml).getDocumentElement();
        T part = Jaxb.read(e, type);
        validate(part);
        return part;
    }

    private static boolean isPart(Class<?> c) {
        for (Class<?> p : Jaxb.PARTS) {
            if (p == c) {
                return true;
            }
        }
        return false;
    }

    static void validate(Object part) {
        if (part instanceof Vcpu v) {
            v.validate();
        } else if (part instanceof VcpuEntry v) {
            v.validate();
        } else if (part instanceof MaxMemory m) {
            m.validate();
        } else if (part instanceof MemoryAmount m) {
            m.validate();
        } else if (part instanceof CpuTopology t) {
            t.validate();
        } else if (part instanceof NumaCell c) {
            c.validate();
        } else if (part instanceof MemoryDevice d) {
            d.validate();
        }
    }
}
