package dev.vmhotplug.benchmarks;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
import dev.vmhotplug.xml.PreparedDomain;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
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
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The XML layer against a plain DOM round trip of the same bytes: a typical 6.6 KB domain
 * ({@code typical-domain.xml}: q35 KVM guest with disks, NIC, controllers, foreign-namespace
 * metadata) parsed, prepared for hotplug (32 vCPUs, 64 GiB, 16 slots) and written back; and the
 * parse alone (parse + read of {@code <vcpu>}) of that domain and of a test-driver domain's
 * 796-character live XML ({@code test-driver-live.xml}), against a careful client's hardened JDK DOM
 * parser.
 *
 * <p>Throughput: {@code java -jar benchmarks.jar XmlBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}. Cold
 * start (the first call in a fresh JVM, class loading included): {@code -bm ss -f 10 -wi 0 -i 1}
 * on {@link #prepareRoundTrip()}.
 *
 * <p>Two measurements outside JMH, through {@link #main(String[])}, for a machine whose load
 * changes during a run: {@code java -cp benchmarks.jar dev.vmhotplug.benchmarks.XmlBenchmark
 * interleaved} (the three round trips and the parse + read pairs alternated in one JVM, so that each
 * round's ratio sees the same load) and {@code ... XmlBenchmark cold prepare|dom|context|split|phases}
 * (wall and thread CPU time of the first call in this JVM; {@code context}: the JAXBContext alone;
 * {@code split}: the context created first, then the round trip, to show its share; {@code phases}:
 * parse, wait for the context, prepare, serialize; run them in a loop of fresh JVMs).
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
        /** A careful client's parser: hardened, created once and reused (as in CoreBenchmark). */
        DocumentBuilder builder;

        @Setup
        public void setup() throws Exception {
            dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            dbf.setExpandEntityReferences(false);
            tf = TransformerFactory.newInstance();
            builder = dbf.newDocumentBuilder();
        }
    }

    /** The live XML of a running test-driver domain (796 characters, what CoreBenchmark's operations parse). */
    @State(Scope.Benchmark)
    public static class Live {
        String xml;

        @Setup
        public void setup() {
            xml = load(LIVE_RESOURCE);
        }
    }

    static final String LIVE_RESOURCE = "test-driver-live.xml";

    static String load() {
        return load(RESOURCE);
    }

    static String load(String resource) {
        try (InputStream in = XmlBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the benchmark jar");
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

    /** A DIMM of the guide, for the standalone JAXB benchmarks. */
    @State(Scope.Benchmark)
    public static class Dimm {
        MemoryDevice device;
        String xml;

        @Setup
        public void setup() {
            device = MemoryDevice.dimm(MemorySize.ofMiB(256), 0);
            xml = "<memory model='dimm'>\n  <target>\n    <size unit='KiB'>262144</size>\n    <node>0</node>\n"
                    + "  </target>\n  <alias name='dimm0'/>\n  <address type='dimm' slot='0' base='0x100000000'/>\n"
                    + "</memory>\n";
        }
    }

    /** Standalone JAXB marshal of the guide's DIMM ({@code MemoryDevice.toXml()}). */
    @Benchmark
    public String dimmMarshal(Dimm d) {
        return d.device.toXml();
    }

    /** Standalone JAXB unmarshal of a live DIMM (hardened parse + unmarshal + value checks). */
    @Benchmark
    public MemoryDevice dimmUnmarshal(Dimm d) {
        return PartXml.fromXml(d.xml, MemoryDevice.class);
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

    /** Parse with hotplug-xml and read {@code <vcpu>} (JAXB unmarshal of the part, values checked). */
    @Benchmark
    public int parseRead() {
        return parseRead(xml);
    }

    /** The baseline: the careful client's hardened JDK DOM parse and its read of the root's {@code <vcpu>}. */
    @Benchmark
    public int plainDomParseRead(Dom dom) throws Exception {
        return plainDomParseRead(dom, xml);
    }

    /** {@link #parseRead()} of the test driver's 796-character live XML. */
    @Benchmark
    public int parseReadLive(Live live) {
        return parseRead(live.xml);
    }

    /** {@link #plainDomParseRead(Dom)} of the test driver's 796-character live XML. */
    @Benchmark
    public int plainDomParseReadLive(Dom dom, Live live) throws Exception {
        return plainDomParseRead(dom, live.xml);
    }

    static int parseRead(String text) {
        return DomainXml.parse(text).vcpu().orElseThrow().effectiveCurrent();
    }

    /** current (else the maximum) of the root's {@code <vcpu>} child, parsed with the JDK DOM parser. */
    static int plainDomParseRead(Dom dom, String text) throws Exception {
        Element root = dom.builder.parse(new InputSource(new StringReader(text))).getDocumentElement();
        for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element && "vcpu".equals(c.getNodeName())) {
                Element v = (Element) c;
                String cur = v.getAttribute("current");
                return Integer.parseInt(cur.isEmpty() ? v.getTextContent().strip() : cur);
            }
        }
        return 1;
    }

    /**
     * Measurements outside JMH: {@code interleaved [rounds] [opsPerRound]} or {@code cold prepare|dom}.
     *
     * @param args the mode and its arguments
     * @throws Exception if a round trip fails
     */
    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "" : args[0];
        if (mode.equals("cold") && args.length == 2 && args[1].equals("split")) {
            // the same first call, with the JAXBContext created first and timed on its own: its share
            XmlBenchmark b = new XmlBenchmark();
            b.setup();
            long t0 = System.nanoTime();
            PartXml.context();
            long t1 = System.nanoTime();
            String out = b.prepareRoundTrip();
            long t2 = System.nanoTime();
            System.out.printf("cold split: context %.1f ms, then parse + prepare + serialize %.1f ms, total %.1f ms"
                    + " (%d chars)%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6, out.length());
        } else if (mode.equals("cold") && args.length == 2 && args[1].equals("context")) {
            // the JAXBContext share: the context over the parts alone, in a fresh JVM, on this thread
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Object ctx = PartXml.context();
            long t1 = System.nanoTime();
            long cpu1 = mx.getCurrentThreadCpuTime();
            System.out.printf("cold context: wall %.1f ms, thread CPU %.1f ms (%s)%n", (t1 - t0) / 1e6,
                    (cpu1 - cpu0) / 1e6, ctx.getClass().getSimpleName());
        } else if (mode.equals("cold") && args.length == 2 && (args[1].equals("prepare") || args[1].equals("dom"))) {
            XmlBenchmark b = new XmlBenchmark();
            b.setup();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            String out = args[1].equals("prepare") ? b.prepareRoundTrip() : b.plainDomRoundTripWithSetup();
            long t1 = System.nanoTime();
            long cpu1 = mx.getCurrentThreadCpuTime();
            System.out.printf("cold %s: wall %.1f ms, thread CPU %.1f ms (%d chars)%n", args[1], (t1 - t0) / 1e6,
                    (cpu1 - cpu0) / 1e6, out.length());
        } else if (mode.equals("cold") && args.length == 2 && args[1].equals("phases")) {
            // the first call split into its steps, wall / main-thread CPU each: the parse (which starts
            // the JAXB context on a second thread), the wait for that context, prepare, serialize
            String text = load();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] t = new long[5];
            long[] c = new long[5];
            t[0] = System.nanoTime();
            c[0] = mx.getCurrentThreadCpuTime();
            DomainXml d = DomainXml.parse(text);
            t[1] = System.nanoTime();
            c[1] = mx.getCurrentThreadCpuTime();
            PartXml.context();
            t[2] = System.nanoTime();
            c[2] = mx.getCurrentThreadCpuTime();
            PreparedDomain p = HotplugPreparer.prepare(d,
                    HotplugLimits.builder().maxVcpus(32).maxMemory(MemorySize.ofGiB(64)).slots(16).build());
            t[3] = System.nanoTime();
            c[3] = mx.getCurrentThreadCpuTime();
            String out = p.xml();
            t[4] = System.nanoTime();
            c[4] = mx.getCurrentThreadCpuTime();
            System.out.printf("cold phases (wall/CPU ms): parse %.1f/%.1f, wait for the context %.1f/%.1f, prepare"
                    + " %.1f/%.1f, serialize %.1f/%.1f, total %.1f ms (%d chars)%n", (t[1] - t[0]) / 1e6,
                    (c[1] - c[0]) / 1e6, (t[2] - t[1]) / 1e6, (c[2] - c[1]) / 1e6, (t[3] - t[2]) / 1e6,
                    (c[3] - c[2]) / 1e6, (t[4] - t[3]) / 1e6, (c[4] - c[3]) / 1e6, (t[4] - t[0]) / 1e6, out.length());
        } else if (mode.equals("interleaved")) {
            interleaved(args.length > 1 ? Integer.parseInt(args[1]) : 40, args.length > 2 ? Integer.parseInt(args[2]) : 50);
        } else {
            System.err.println("usage: XmlBenchmark interleaved [rounds] [opsPerRound] | cold prepare|dom|context|split|phases");
            System.exit(2);
        }
    }

    private static void interleaved(int rounds, int ops) throws Exception {
        XmlBenchmark b = new XmlBenchmark();
        b.setup();
        Dom dom = new Dom();
        dom.setup();
        long sink = 0;
        for (int i = 0; i < 3000; i++) { // warm-up: let the JIT compile all three paths
            sink += b.prepareRoundTrip().length() + b.parseWriteRoundTrip().length() + b.plainDomRoundTrip(dom).length();
        }
        double[] prepare = new double[rounds];
        double[] parseWrite = new double[rounds];
        double[] plain = new double[rounds];
        double[] ratioPrepare = new double[rounds];
        double[] ratioParseWrite = new double[rounds];
        double[] marshal = new double[rounds];
        double[] unmarshal = new double[rounds];
        Dimm dimm = new Dimm();
        dimm.setup();
        for (int i = 0; i < 3000; i++) {
            sink += b.dimmMarshal(dimm).length() + b.dimmUnmarshal(dimm).model().length();
        }
        String live = load(LIVE_RESOURCE);
        for (int i = 0; i < 3000; i++) {
            sink += parseRead(b.xml) + plainDomParseRead(dom, b.xml) + parseRead(live) + plainDomParseRead(dom, live);
        }
        double[] readRatio = new double[rounds];
        double[] readRatioLive = new double[rounds];
        double[] read = new double[rounds];
        double[] readPlain = new double[rounds];
        double[] readLive = new double[rounds];
        double[] readLivePlain = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 4; k++) { // rotated like the round trips
                int which = (r + k) % 4;
                int n = which < 2 ? ops * 4 : ops * 20;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    sink += which == 0 ? parseRead(b.xml) : which == 1 ? plainDomParseRead(dom, b.xml)
                            : which == 2 ? parseRead(live) : plainDomParseRead(dom, live);
                }
                double us = (System.nanoTime() - t0) / 1e3 / n;
                (which == 0 ? read : which == 1 ? readPlain : which == 2 ? readLive : readLivePlain)[r] = us;
            }
            readRatio[r] = read[r] / readPlain[r];
            readRatioLive[r] = readLive[r] / readLivePlain[r];
            long m0 = System.nanoTime();
            for (int i = 0; i < ops * 10; i++) {
                sink += b.dimmMarshal(dimm).length();
            }
            long m1 = System.nanoTime();
            for (int i = 0; i < ops * 10; i++) {
                sink += b.dimmUnmarshal(dimm).model().length();
            }
            long m2 = System.nanoTime();
            marshal[r] = (m1 - m0) / 1e3 / (ops * 10);
            unmarshal[r] = (m2 - m1) / 1e3 / (ops * 10);
            for (int k = 0; k < 3; k++) { // rotate the order so that no path always runs first
                int which = (r + k) % 3;
                long t0 = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    sink += which == 0 ? b.prepareRoundTrip().length()
                            : which == 1 ? b.parseWriteRoundTrip().length() : b.plainDomRoundTrip(dom).length();
                }
                double perOp = (System.nanoTime() - t0) / 1e6 / ops;
                (which == 0 ? prepare : which == 1 ? parseWrite : plain)[r] = perOp;
            }
            ratioPrepare[r] = prepare[r] / plain[r];
            ratioParseWrite[r] = parseWrite[r] / plain[r];
        }
        System.out.printf("interleaved, %d rounds of %d ops (median ms/op): prepare %.3f, parse+write %.3f,"
                        + " plain DOM %.3f%n", rounds, ops, quantile(prepare, 0.5), quantile(parseWrite, 0.5),
                quantile(plain, 0.5));
        System.out.printf("  prepare / plain DOM = %.2f (quartiles %.2f-%.2f); parse+write / plain DOM = %.2f"
                        + " (quartiles %.2f-%.2f)  [sink %d]%n", quantile(ratioPrepare, 0.5), quantile(ratioPrepare, 0.25),
                quantile(ratioPrepare, 0.75), quantile(ratioParseWrite, 0.5), quantile(ratioParseWrite, 0.25),
                quantile(ratioParseWrite, 0.75), sink % 10);
        System.out.printf("  DIMM standalone (median µs/op): marshal %.1f (%.0f ops/s), unmarshal %.1f (%.0f ops/s);"
                        + " plain DOM round trip of the 6.6 KB domain %.1f µs%n", quantile(marshal, 0.5),
                1e6 / quantile(marshal, 0.5), quantile(unmarshal, 0.5), 1e6 / quantile(unmarshal, 0.5),
                quantile(plain, 0.5) * 1000);
        System.out.printf("  parse + read <vcpu> (median µs/op), hotplug-xml / careful JDK DOM: %d-char domain %.1f / %.1f"
                        + " = %.2f (quartiles %.2f-%.2f); %d-char test-driver live XML %.2f / %.2f = %.2f (quartiles"
                        + " %.2f-%.2f)%n", b.xml.length(), quantile(read, 0.5), quantile(readPlain, 0.5),
                quantile(readRatio, 0.5), quantile(readRatio, 0.25), quantile(readRatio, 0.75), live.length(),
                quantile(readLive, 0.5), quantile(readLivePlain, 0.5), quantile(readRatioLive, 0.5),
                quantile(readRatioLive, 0.25), quantile(readRatioLive, 0.75));
    }

    private static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[(int) Math.round(q * (v.length - 1))];
    }
}
