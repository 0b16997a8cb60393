package dev.vmhotplug.xml;

import dev.vmhotplug.xml.DomainXmlException.Reason;
import dev.vmhotplug.xml.internal.DomBuilder;
import dev.vmhotplug.xml.internal.SecureXml;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBContextFactory;
import jakarta.xml.bind.JAXBElement;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.Unmarshaller;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.xml.namespace.QName;
import javax.xml.transform.sax.SAXSource;
import org.w3c.dom.Document;
import org.w3c.dom.DocumentFragment;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The one {@link JAXBContext} of the process for the typed parts, created lazily (on a second thread
 * as soon as a document is parsed, so that it overlaps with the DOM parse) and shared: a context is
 * thread-safe. Marshallers and unmarshallers are not, so each thread keeps its own.
 */
final class Jaxb {

    /** The classes the context is built over: only our parts (the nested types are reached from them). */
    static final Class<?>[] PARTS = {Vcpu.class, VcpuEntry.class, MaxMemory.class, MemoryAmount.class,
        CpuTopology.class, NumaCell.class, MemoryDevice.class};

    private static volatile CompletableFuture<JAXBContext> context;

    // The per-thread values and the init thread's task are classes, not lambdas: the first run of a
    // lambda spins a class at run time, a cost in a fresh JVM (docs/benchmarks.md, cold start).
    private static final ThreadLocal<Unmarshaller> UNMARSHALLER = new ThreadLocal<>() {
        @Override
        protected Unmarshaller initialValue() {
            try {
                return context().createUnmarshaller();
            } catch (JAXBException e) {
                throw new IllegalStateException("cannot create a JAXB unmarshaller: " + e, e);
            }
        }
    };

    private static final ThreadLocal<Marshaller> MARSHALLER = new ThreadLocal<>() {
        @Override
        protected Marshaller initialValue() {
            try {
                Marshaller m = context().createMarshaller();
                m.setProperty(Marshaller.JAXB_FRAGMENT, Boolean.TRUE);
                return m;
            } catch (JAXBException e) {
                throw new IllegalStateException("cannot create a JAXB marshaller: " + e, e);
            }
        }
    };

    private Jaxb() {
    }

    /** Starts creating the context on a daemon thread, if nobody has yet; returns at once. */
    static void prestart() {
        if (context == null) {
            start(true);
        }
    }

    private static synchronized CompletableFuture<JAXBContext> start(boolean background) {
        if (context == null) {
            CompletableFuture<JAXBContext> f = new CompletableFuture<>();
            context = f;
            if (background) {
                Thread t = new Thread(new Runnable() {
                    @Override
                    public void run() {
                        create(f);
                    }
                }, "vmhotplug-jaxb-init");
                t.setDaemon(true);
                t.start();
            } else {
                create(f);
            }
        }
        return context;
    }

    private static void create(CompletableFuture<JAXBContext> f) {
        try {
            f.complete(newContext());
        } catch (JAXBException | RuntimeException | LinkageError e) {
            f.completeExceptionally(e);
        }
    }

    /** The system property by which an application chooses its JAXB implementation (Jakarta XML Binding). */
    static final String FACTORY_PROPERTY = "jakarta.xml.bind.JAXBContextFactory";

    /** The GlassFish runtime's factory, hotplug-xml's dependency. */
    static final String GLASSFISH_FACTORY = "org.glassfish.jaxb.runtime.v2.JAXBContextFactory";

    /**
     * Creates the context with the GlassFish runtime's factory directly, when it is on the class path
     * and the application has not chosen another implementation through {@value #FACTORY_PROPERTY}:
     * {@code JAXBContext.newInstance} would look for {@code jaxb.properties} in the package of every
     * part and scan the class path with a {@code ServiceLoader} first (about a tenth of the context's
     * CPU in a fresh JVM). Otherwise the standard lookup.
     */
    static JAXBContext newContext() throws JAXBException {
        if (System.getProperty(FACTORY_PROPERTY) == null) {
            JAXBContextFactory glassfish = null;
            try {
                Class<?> c = Class.forName(GLASSFISH_FACTORY, true, Jaxb.class.getClassLoader());
                glassfish = (JAXBContextFactory) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError | ClassCastException | SecurityException e) {
                // not there (another implementation is): the standard lookup below
            }
            if (glassfish != null) {
                return glassfish.createContext(PARTS, Map.of());
            }
        }
        return JAXBContext.newInstance(PARTS);
    }

    /** The shared context (waits for the background creation when it is under way). */
    static JAXBContext context() {
        CompletableFuture<JAXBContext> f = context != null ? context : start(false);
        try {
            return f.join();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the JAXB context of hotplug-xml could not be created: " + c
                    + " (is org.glassfish.jaxb:jaxb-runtime on the class path?)", c);
        }
    }

    private static final ThreadLocal<ElementEvents> EVENTS = new ThreadLocal<>() {
        @Override
        protected ElementEvents initialValue() {
            return new ElementEvents();
        }
    };

    /**
     * Unmarshals a part from its DOM element, whatever the element's name. The element is reported to
     * the unmarshaller as SAX events by {@link ElementEvents} (what {@code unmarshal(Node, Class)} does,
     * at a fraction of its per-call cost).
     */
    static <T> T read(Element e, Class<T> type) {
        try {
            JAXBElement<T> x = UNMARSHALLER.get().unmarshal(new SAXSource(EVENTS.get().of(e), null), type);
            return x.getValue();
        } catch (JAXBException ex) {
            throw new DomainXmlException(Reason.INVALID_VALUE,
                    "<" + e.getNodeName() + "> could not be read: " + ex, ex);
        }
    }

    /** Marshals a part as an element named {@code name}, owned by {@code doc} (not inserted). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Element write(Object part, String name, Document doc) {
        DocumentFragment holder = doc.createDocumentFragment();
        try {
            MARSHALLER.get().marshal(new JAXBElement(new QName(name), part.getClass(), part),
                    DomBuilder.into(doc, holder));
        } catch (JAXBException ex) {
            throw new IllegalStateException("cannot marshal " + part.getClass().getSimpleName() + ": " + ex, ex);
        }
        for (Node c = holder.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                holder.removeChild(c);
                return (Element) c;
            }
        }
        throw new IllegalStateException("JAXB wrote no element for " + part.getClass().getSimpleName());
    }

    /** Marshals a part into a new document of its own. */
    static Element write(Object part, String name) {
        Document doc = SecureXml.newDocument();
        Element e = write(part, name, doc);
        doc.appendChild(e);
        return e;
    }
}
