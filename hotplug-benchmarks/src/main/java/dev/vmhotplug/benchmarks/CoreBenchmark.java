package dev.vmhotplug.benchmarks;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.HotplugListener;
import dev.vmhotplug.core.OperationInfo;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.Vcpu;
import java.io.IOException;
import java.io.StringReader;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * One live vCPU change on libvirt's test driver (in-process, no daemon), SDK against the careful
 * hand-written libvirt-java sequence, in the same run. Both alternate the domain between 3 and 4
 * vCPUs so that every call really changes it; each has its own connection (test-driver state is
 * per connection) to the same node file.
 *
 * <ul>
 *   <li>{@link #sdkSetVcpusLive()}: {@code vcpus().set(n).live().apply()} with host-side
 *       verification: the live XML read and parsed (hotplug-xml's {@code DomainXml}: running? maximum?
 *       current), setVcpusFlags, the live XML read and parsed until the count shows, before/after
 *       tables, step, result value.
 *   <li>{@link #rawCarefulDomSetVcpusLive()}: the careful hand-written sequence: read the live XML
 *       and parse it with the JDK's hardened DOM parser (a cached {@code DocumentBuilder}, DOCTYPE
 *       refused) to take {@code <vcpu current>} and the maximum out of the root's {@code <vcpu>} child,
 *       {@code setVcpusFlags(n, VIR_DOMAIN_AFFECT_LIVE)}, read and parse the live XML back and check.
 *   <li>{@link #rawDomainXmlSetVcpusLive()}: the same three calls with hotplug-xml's {@code DomainXml}
 *       as the parser (what the SDK must parse, by hand): SDK / this is the SDK's own overhead.
 *   <li>{@link #rawCarefulSetVcpusLive()}: the same three calls, the count taken out of the text
 *       with {@code indexOf} (the way quick hand-written code often does it; it would also match a
 *       {@code current='…'} elsewhere before {@code <vcpu>}).
 *   <li>{@link #sdkSetVcpusLiveCountingListener()}: {@link #sdkSetVcpusLive()} on a client with a
 *       {@link HotplugListener} that counts every callback (started, 3 calls started/finished, step,
 *       verified, finished: 10 per operation): the cost of the listener SPI against the same
 *       operation with {@link HotplugListener#NONE} (the default; an SDK without the feature cannot
 *       be built any more, so NONE is the baseline).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks.jar CoreBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CoreBenchmark {

  Path dir;
  String uri;
  HotplugClient client;
  DomainHandle sdkDomain;
  HotplugClient listenedClient;
  DomainHandle listenedDomain;
  final Counting counting = new Counting();
  int listenedNext = 3;
  Connect raw;
  Domain rawDomain;
  Connect rawDom;
  Domain rawDomDomain;
  Connect rawXml;
  Domain rawXmlDomain;
  int rawXmlNext = 3;
  DocumentBuilder dom;
  int sdkNext = 3;
  int rawNext = 3;
  int rawDomNext = 3;

  @Setup
  public void setup() throws IOException, LibvirtException {
    dir = Files.createTempDirectory("core-bench");
    Path node = dir.resolve("node.xml");
    Files.writeString(node, nodeXml());
    uri = "test://" + node.toAbsolutePath();
    client = HotplugClient.connect(uri);
    sdkDomain = client.domain("web");
    listenedClient = HotplugClient.builder().listener(counting).connect(uri);
    listenedDomain = listenedClient.domain("web");
    raw = new Connect(uri);
    rawDomain = raw.domainLookupByName("web");
    rawDom = new Connect(uri);
    rawDomDomain = rawDom.domainLookupByName("web");
    rawXml = new Connect(uri);
    rawXmlDomain = rawXml.domainLookupByName("web");
    dom = hardenedBuilder();
  }

  /** The JDK DOM parser the way careful code configures it: no DOCTYPE, no external entities. */
  static DocumentBuilder hardenedBuilder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A running, persistent test domain with 2 of 8 vCPUs. */
  static String nodeXml() {
    return "<node>\n<domain type='test'><name>web</name><memory unit='MiB'>1024</memory>"
        + "<vcpu placement='static' current='2'>8</vcpu><os><type arch='x86_64'>hvm</type></os>"
        + "<devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/web.qcow2'/>"
        + "<target dev='vda' bus='virtio'/></disk><interface type='network'><source network='default'/>"
        + "<model type='virtio'/></interface></devices></domain>\n</node>\n";
  }

  /** Counts every callback; what a metrics listener does at the least. */
  static final class Counting extends HotplugListener {
    final LongAdder events = new LongAdder();

    @Override
    public void operationStarted(OperationInfo op) {
      events.increment();
    }

    @Override
    public void callStarted(OperationInfo op, String call) {
      events.increment();
    }

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      events.increment();
    }

    @Override
    public void stepApplied(OperationInfo op, OperationStep step) {
      events.increment();
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      events.increment();
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      events.increment();
    }
  }

  @TearDown
  public void tearDown() throws LibvirtException, IOException {
    client.close();
    listenedClient.close();
    rawDomain.free();
    raw.close();
    rawDomDomain.free();
    rawDom.close();
    rawXmlDomain.free();
    rawXml.close();
    Files.deleteIfExists(dir.resolve("node.xml"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public VcpuResult sdkSetVcpusLive() {
    int n = sdkNext;
    sdkNext = n == 3 ? 4 : 3;
    return sdkDomain.vcpus().set(n).live().apply();
  }

  @Benchmark
  public VcpuResult sdkSetVcpusLiveCountingListener() {
    int n = listenedNext;
    listenedNext = n == 3 ? 4 : 3;
    return listenedDomain.vcpus().set(n).live().apply();
  }

  @Benchmark
  public int rawCarefulSetVcpusLive() throws LibvirtException {
    int n = rawNext;
    rawNext = n == 3 ? 4 : 3;
    int before = current(rawDomain.getXMLDesc(0));
    if (before != n) {
      rawDomain.setVcpusFlags(n, 1); // VIR_DOMAIN_AFFECT_LIVE
    }
    int after = current(rawDomain.getXMLDesc(0));
    if (after != n) {
      throw new IllegalStateException("live vCPUs " + after + " instead of " + n);
    }
    return after;
  }

  @Benchmark
  public int rawCarefulDomSetVcpusLive() throws LibvirtException {
    int n = rawDomNext;
    rawDomNext = n == 3 ? 4 : 3;
    int[] before = vcpus(dom, rawDomDomain.getXMLDesc(0));
    if (n > before[0]) {
      throw new IllegalStateException("above the maximum " + before[0]);
    }
    if (before[1] != n) {
      rawDomDomain.setVcpusFlags(n, 1); // VIR_DOMAIN_AFFECT_LIVE
    }
    int after = vcpus(dom, rawDomDomain.getXMLDesc(0))[1];
    if (after != n) {
      throw new IllegalStateException("live vCPUs " + after + " instead of " + n);
    }
    return after;
  }

  @Benchmark
  public int rawDomainXmlSetVcpusLive() throws LibvirtException {
    int n = rawXmlNext;
    rawXmlNext = n == 3 ? 4 : 3;
    Vcpu before = DomainXml.parse(rawXmlDomain.getXMLDesc(0)).vcpu().orElseThrow();
    if (n > before.maximum()) {
      throw new IllegalStateException("above the maximum " + before.maximum());
    }
    if (before.effectiveCurrent() != n) {
      rawXmlDomain.setVcpusFlags(n, 1); // VIR_DOMAIN_AFFECT_LIVE
    }
    int after = DomainXml.parse(rawXmlDomain.getXMLDesc(0)).vcpu().orElseThrow().effectiveCurrent();
    if (after != n) {
      throw new IllegalStateException("live vCPUs " + after + " instead of " + n);
    }
    return after;
  }

  /** {maximum, current} of the root's {@code <vcpu>} child, parsed with a DOM parser. */
  static int[] vcpus(DocumentBuilder b, String xml) {
    try {
      Element root = b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
      for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
        if (c instanceof Element && "vcpu".equals(c.getNodeName())) {
          Element v = (Element) c;
          int max = Integer.parseInt(v.getTextContent().strip());
          String cur = v.getAttribute("current");
          return new int[] {max, cur.isEmpty() ? max : Integer.parseInt(cur)};
        }
      }
      return new int[] {1, 1};
    } catch (SAXException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code current} attribute of {@code <vcpu>}, the way hand-written code usually reads it. */
  static int current(String xml) {
    int vcpu = xml.indexOf("<vcpu");
    int cur = xml.indexOf("current='", vcpu);
    int end = xml.indexOf('\'', cur + 9);
    return Integer.parseInt(xml, cur + 9, end, 10);
  }

  /**
   * The listener pair interleaved in one JVM: rounds of {@code ops} operations with
   * {@link HotplugListener#NONE} then {@code ops} with the counting listener (order alternating);
   * prints the median per-operation times and the median and quartiles of the per-round ratio.
   *
   * <p>{@code java -cp benchmarks.jar dev.vmhotplug.benchmarks.CoreBenchmark listener [rounds] [ops]}
   */
  static void listener(int rounds, int ops) throws Exception {
    CoreBenchmark b = new CoreBenchmark();
    b.setup();
    try {
      for (int i = 0; i < 5000; i++) {
        b.sdkSetVcpusLive();
        b.sdkSetVcpusLiveCountingListener();
      }
      double[] none = new double[rounds];
      double[] counting = new double[rounds];
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long[] t = new long[2];
        for (int k = 0; k < 2; k++) {
          int which = (r + k) % 2;
          long t0 = System.nanoTime();
          for (int i = 0; i < ops; i++) {
            if (which == 0) {
              b.sdkSetVcpusLive();
            } else {
              b.sdkSetVcpusLiveCountingListener();
            }
          }
          t[which] = System.nanoTime() - t0;
        }
        none[r] = t[0] / 1e3 / ops;
        counting[r] = t[1] / 1e3 / ops;
        ratio[r] = counting[r] / none[r];
      }
      long perOp = b.counting.events.sum() / (5000L + (long) rounds * ops);
      java.util.Arrays.sort(none);
      java.util.Arrays.sort(counting);
      java.util.Arrays.sort(ratio);
      System.out.printf("rounds=%d ops=%d median us/op: NONE %.1f, counting listener %.1f (%d callbacks per"
          + " operation); counting / NONE: median %.3f (quartiles %.3f-%.3f)%n", rounds, ops, none[rounds / 2],
          counting[rounds / 2], perOp, ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    } finally {
      b.tearDown();
    }
  }

  /**
   * Interleaved comparison in one JVM, for a loaded machine where JMH's separate measurement
   * windows see different load: after warm-up, {@code rounds} rounds of {@code ops} SDK operations
   * then {@code ops} raw ones; prints the median per-operation times and the median and quartiles
   * of the per-round ratio SDK / raw.
   *
   * <p>{@code java -cp benchmarks.jar dev.vmhotplug.benchmarks.CoreBenchmark [rounds] [ops]}
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("listener")) {
      listener(args.length > 1 ? Integer.parseInt(args[1]) : 40, args.length > 2 ? Integer.parseInt(args[2]) : 200);
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    CoreBenchmark b = new CoreBenchmark();
    b.setup();
    try {
      for (int i = 0; i < 5000; i++) {
        b.sdkSetVcpusLive();
        b.rawCarefulDomSetVcpusLive();
        b.rawDomainXmlSetVcpusLive();
        b.rawCarefulSetVcpusLive();
      }
      // the parse costs alone, for the decomposition: the live XML the operations read, parsed twice
      // per operation as both the SDK (hotplug-xml's DomainXml) and the DOM baseline do
      String liveXml = b.rawDomDomain.getXMLDesc(0);
      double[] sdk = new double[rounds];
      double[] rawDom = new double[rounds];
      double[] raw = new double[rounds];
      double[] rawXmlT = new double[rounds];
      double[] ratioXml = new double[rounds];
      double[] parseXml = new double[rounds];
      double[] parseDom = new double[rounds];
      double[] ratioDom = new double[rounds];
      double[] ratio = new double[rounds];
      long sink = 0;
      for (int r = 0; r < rounds; r++) {
        // the order rotates so that no variant always runs after the same one
        long[] t = new long[6];
        for (int k = 0; k < 6; k++) {
          int which = (r + k) % 6;
          long t0 = System.nanoTime();
          for (int i = 0; i < ops; i++) {
            if (which == 0) {
              b.sdkSetVcpusLive();
            } else if (which == 1) {
              b.rawCarefulDomSetVcpusLive();
            } else if (which == 2) {
              b.rawCarefulSetVcpusLive();
            } else if (which == 3) {
              sink += b.rawDomainXmlSetVcpusLive();
            } else if (which == 4) {
              sink += DomainXml.parse(liveXml).vcpu().orElseThrow().effectiveCurrent()
                  + DomainXml.parse(liveXml).vcpu().orElseThrow().effectiveCurrent();
            } else {
              sink += vcpus(b.dom, liveXml)[1] + vcpus(b.dom, liveXml)[1];
            }
          }
          t[which] = System.nanoTime() - t0;
        }
        sdk[r] = t[0] / 1e3 / ops;
        rawDom[r] = t[1] / 1e3 / ops;
        raw[r] = t[2] / 1e3 / ops;
        rawXmlT[r] = t[3] / 1e3 / ops;
        parseXml[r] = t[4] / 1e3 / ops;
        parseDom[r] = t[5] / 1e3 / ops;
        ratioXml[r] = sdk[r] / rawXmlT[r];
        ratioDom[r] = sdk[r] / rawDom[r];
        ratio[r] = sdk[r] / raw[r];
      }
      java.util.Arrays.sort(rawXmlT);
      java.util.Arrays.sort(ratioXml);
      java.util.Arrays.sort(parseXml);
      java.util.Arrays.sort(parseDom);
      java.util.Arrays.sort(sdk);
      java.util.Arrays.sort(rawDom);
      java.util.Arrays.sort(raw);
      java.util.Arrays.sort(ratioDom);
      java.util.Arrays.sort(ratio);
      System.out.printf("rounds=%d ops=%d median us/op: sdk %.1f, raw careful (DOM) %.1f, raw (indexOf) %.1f%n",
          rounds, ops, sdk[rounds / 2], rawDom[rounds / 2], raw[rounds / 2]);
      System.out.printf("raw with DomainXml %.1f us/op; sdk / raw with DomainXml (the SDK's own overhead): median %.2f"
          + " (quartiles %.2f-%.2f)%n", rawXmlT[rounds / 2], ratioXml[rounds / 2], ratioXml[rounds / 4],
          ratioXml[3 * rounds / 4]);
      System.out.printf("two parses of the %d-char live XML, median us: hotplug-xml DomainXml %.1f, JDK DOM %.1f (%d)%n",
          liveXml.length(), parseXml[rounds / 2], parseDom[rounds / 2], sink % 2);
      System.out.printf("sdk / raw careful (DOM): median %.2f (quartiles %.2f-%.2f); sdk / raw (indexOf): median"
          + " %.2f (quartiles %.2f-%.2f)%n", ratioDom[rounds / 2], ratioDom[rounds / 4], ratioDom[3 * rounds / 4],
          ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    } finally {
      b.tearDown();
    }
  }
}
