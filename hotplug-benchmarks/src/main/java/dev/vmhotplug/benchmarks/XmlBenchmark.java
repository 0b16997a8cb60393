package dev.vmhotplug.benchmarks;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/**
 * The XML layer against a plain DOM round trip of the same bytes: a typical 6.6 KB domain
 * ({@code typical-domain.xml}: q35 KVM guest with disks, NIC, controllers, foreign-namespace
 * metadata) parsed, prepared for hotplug (32 vCPUs, 64 GiB, 16 slots) and written back.
 *
 * <p>Throughput: {@code java -jar benchmarks.jar XmlBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}. Cold
 * start (the first call in a fresh JVM, class loading included): {@code -bm ss -f 10 -wi 0 -i 1}
 * on {@link #prepareRoundTrip()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class XmlBenchmark {

    static final String RESOURCE = "typical-domain.xml";

    String xml;

    /**
     * Loads the domain text only: no XML class is touched before the measured call, so that a
     * single-shot run measures the real first call (class loading and parser set-up included).
     */
    @Setup
    public void setup() {
        xml = load();
    }

    /** The JDK DOM parser and serializer for the baseline, set up outside the measurement. */
    @State(Scope.Benchmark)
    public static class Dom {
        DocumentBuilderFactory dbf;
        TransformerFactory tf;

        @Setup
        public void setup() throws Exception {
            dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            dbf.setExpandEntityReferences(false);
            tf = TransformerFactory.newInstance();
        }
    }

    static String load() {
        try (InputStream in = XmlBenchmark.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the benchmark jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parse + prepare (32 vCPUs, 64 GiB, 16 slots) + serialize with hotplug-xml. */
    @Benchmark
    public String prepareRoundTrip() {
        HotplugLimits limits = HotplugLimits.builder().maxVcpus(32).maxMemory(MemorySize.ofGiB(64)).slots(16).build();
        return HotplugPreparer.prepare(DomainXml.parse(xml), limits).xml();
    }

    /** Parse + serialize with hotplug-xml, no edit. */
    @Benchmark
    public String parseWriteRoundTrip() {
        return DomainXml.parse(xml).toXml();
    }

    /**
     * The baseline for the cold start: the same DOM round trip including the parser and serializer
     * factory set-up, as a first call in a fresh JVM does it (use with {@code -bm ss}).
     */
    @Benchmark
    public String plainDomRoundTripWithSetup() throws Exception {
        Dom dom = new Dom();
        dom.setup();
        return plainDomRoundTrip(dom);
    }

    /** The baseline: a hardened JDK DOM parse + identity-transform serialize of the same bytes. */
    @Benchmark
    public String plainDomRoundTrip(Dom dom) throws Exception {
        Document doc = dom.dbf.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        StringWriter w = new StringWriter(xml.length() + 256);
        dom.tf.newTransformer().transform(new DOMSource(doc), new StreamResult(w));
        return w.toString();
    }
}
