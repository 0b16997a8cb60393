package dev.vmhotplug.benchmarks;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PartXml;
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
 *
 * <p>Two measurements outside JMH, through {@link #main(String[])}, for a machine whose load
 * changes during a run: {@code java -cp benchmarks.jar dev.vmhotplug.benchmarks.XmlBenchmark
 * interleaved} (the three round trips alternated in one JVM, so that each round's ratio sees the
 * same load) and {@code ... XmlBenchmark cold prepare|dom|context|split} (wall and thread CPU time
 * of the first call in this JVM; {@code context}: the JAXBContext alone; {@code split}: the context
 * created first, then the round trip, to show its share; run them in a loop of fresh JVMs).
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
        } else if (mode.equals("interleaved")) {
            interleaved(args.length > 1 ? Integer.parseInt(args[1]) : 40, args.length > 2 ? Integer.parseInt(args[2]) : 50);
        } else {
            System.err.println("usage: XmlBenchmark interleaved [rounds] [opsPerRound] | cold prepare|dom|context|split");
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
        for (int r = 0; r < rounds; r++) {
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
    }

    private static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[(int) Math.round(q * (v.length - 1))];
    }
}
