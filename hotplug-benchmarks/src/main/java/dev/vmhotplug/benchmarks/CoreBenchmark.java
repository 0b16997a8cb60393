package dev.vmhotplug.benchmarks;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.VcpuResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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

/**
 * One live vCPU change on libvirt's test driver (in-process, no daemon), SDK against the careful
 * hand-written libvirt-java sequence, in the same run. Both alternate the domain between 3 and 4
 * vCPUs so that every call really changes it; each has its own connection (test-driver state is
 * per connection) to the same node file.
 *
 * <ul>
 *   <li>{@link #sdkSetVcpusLive()}: {@code vcpus().set(n).live().apply()} with host-side
 *       verification: checks (running, persistent, maximum), setVcpusFlags, re-read until the count shows,
 *       before/after tables, steps, result value.
 *   <li>{@link #rawCarefulSetVcpusLive()}: read the live XML and take {@code current} out of it,
 *       {@code setVcpusFlags(n, VIR_DOMAIN_AFFECT_LIVE)}, read the live XML back and check the count.
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
  Connect raw;
  Domain rawDomain;
  int sdkNext = 3;
  int rawNext = 3;

  @Setup
  public void setup() throws IOException, LibvirtException {
    dir = Files.createTempDirectory("core-bench");
    Path node = dir.resolve("node.xml");
    Files.writeString(node, nodeXml());
    uri = "test://" + node.toAbsolutePath();
    client = HotplugClient.connect(uri);
    sdkDomain = client.domain("web");
    raw = new Connect(uri);
    rawDomain = raw.domainLookupByName("web");
  }

  /** A running, persistent test domain with 2 of 8 vCPUs. */
  static String nodeXml() {
    return "<node>\n<domain type='test'><name>web</name><memory unit='MiB'>1024</memory>"
        + "<vcpu placement='static' current='2'>8</vcpu><os><type arch='x86_64'>hvm</type></os>"
        + "<devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/web.qcow2'/>"
        + "<target dev='vda' bus='virtio'/></disk><interface type='network'><source network='default'/>"
        + "<model type='virtio'/></interface></devices></domain>\n</node>\n";
  }

  @TearDown
  public void tearDown() throws LibvirtException, IOException {
    client.close();
    rawDomain.free();
    raw.close();
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

  /** The {@code current} attribute of {@code <vcpu>}, the way hand-written code usually reads it. */
  static int current(String xml) {
    int vcpu = xml.indexOf("<vcpu");
    int cur = xml.indexOf("current='", vcpu);
    int end = xml.indexOf('\'', cur + 9);
    return Integer.parseInt(xml, cur + 9, end, 10);
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
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    CoreBenchmark b = new CoreBenchmark();
    b.setup();
    try {
      for (int i = 0; i < 5000; i++) {
        b.sdkSetVcpusLive();
        b.rawCarefulSetVcpusLive();
      }
      double[] sdk = new double[rounds];
      double[] raw = new double[rounds];
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          b.sdkSetVcpusLive();
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          b.rawCarefulSetVcpusLive();
        }
        long t2 = System.nanoTime();
        sdk[r] = (t1 - t0) / 1e3 / ops;
        raw[r] = (t2 - t1) / 1e3 / ops;
        ratio[r] = sdk[r] / raw[r];
      }
      java.util.Arrays.sort(sdk);
      java.util.Arrays.sort(raw);
      java.util.Arrays.sort(ratio);
      System.out.printf("rounds=%d ops=%d sdk median %.1f us/op, raw median %.1f us/op, ratio median %.2f"
          + " (quartiles %.2f-%.2f)%n", rounds, ops, sdk[rounds / 2], raw[rounds / 2], ratio[rounds / 2],
          ratio[rounds / 4], ratio[3 * rounds / 4]);
    } finally {
      b.tearDown();
    }
  }
}
