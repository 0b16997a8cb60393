package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.TestDaemons.DOMAIN;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Measures (does not assert) the connection layer against a private test-driver libvirtd: time
 * from a frozen daemon to the caller's exception (default keepalive 5 s x 5, and 1 s x 2), time
 * from a daemon restart to the first successful call on the old client, and memory and threads per
 * open connection for 1, 10 and 100 connections (SDK clients, and bare libvirt-java connections
 * as the same-run baseline). Not an {@code *IT}: run it with
 * {@code mvn -pl hotplug-lab -am verify -Dit.test=ConnectionBenchmark -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false}. Prints Markdown and writes it to
 * {@code hotplug-lab/target/connection-benchmark.md}.
 */
class ConnectionBenchmark {
  static final int FREEZE_DEFAULT_ROUNDS = Integer.getInteger("bench.freezeDefaultRounds", 3);
  static final int FREEZE_FAST_ROUNDS = Integer.getInteger("bench.freezeFastRounds", 5);
  static final int RESTART_ROUNDS = Integer.getInteger("bench.restartRounds", 10);

  private final StringBuilder md = new StringBuilder();

  @Test
  void connectionNumbers() throws Exception {
    md.append("## Connection layer (ConnectionBenchmark, ").append(java.time.Instant.now()).append(")\n\n")
        .append("Load average at start: ").append(loadAverage()).append("\n\n");
    try (TestDriverDaemon d = TestDaemons.start()) {
      freeze(d, "default 5 s x 5", HotplugClient.builder(), FREEZE_DEFAULT_ROUNDS);
      freeze(d, "1 s x 2", HotplugClient.builder().keepalive(Duration.ofSeconds(1), 2)
          .connectTimeout(Duration.ofSeconds(3)), FREEZE_FAST_ROUNDS);
      restart(d);
      footprint(d);
    }
    md.append("Load average at end: ").append(loadAverage()).append('\n');
    System.out.println(md);
    Path out = Path.of("target", "connection-benchmark.md");
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
  }

  private void freeze(TestDriverDaemon d, String label, HotplugClient.Builder b, int rounds) throws Exception {
    List<Double> inFlight = new ArrayList<>();
    List<Double> newCall = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      try (HotplugClient client = b.connect(d.uri())) {
        DomainHandle test = client.domain(DOMAIN);
        test.xml(false);
        d.freeze();
        long t0 = System.nanoTime();
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(() -> {
          try {
            test.xml(false);
          } catch (RuntimeException e) {
            return System.nanoTime();
          }
          return -1L;
        });
        long end = f.get(5, TimeUnit.MINUTES);
        inFlight.add((end - t0) / 1e6);
        long t1 = System.nanoTime();
        try {
          test.xml(false);
        } catch (RuntimeException e) {
          newCall.add((System.nanoTime() - t1) / 1e6);
        }
        d.thaw();
      }
    }
    md.append("Frozen daemon (SIGSTOP) → exception, keepalive ").append(label).append(", ").append(rounds)
        .append(" rounds: call in flight at the freeze ").append(stats(inFlight))
        .append("; the next call (a reconnect whose handshake gets no answer) ").append(stats(newCall)).append("\n\n");
  }

  private void restart(TestDriverDaemon d) {
    List<Double> fromUp = new ArrayList<>();
    List<Double> fromKill = new ArrayList<>();
    int failedCalls = 0;
    try (HotplugClient client = HotplugClient.connect(d.uri())) {
      DomainHandle test = client.domain(DOMAIN);
      for (int i = 0; i < RESTART_ROUNDS; i++) {
        test.xml(false);
        long tk = System.nanoTime();
        d.kill();
        d.restart(); // returns once the new daemon accepts connections
        long up = System.nanoTime();
        for (;;) {
          try {
            test.xml(false);
            break;
          } catch (RuntimeException e) {
            failedCalls++;
            sleepMs(5);
          }
        }
        long ok = System.nanoTime();
        fromUp.add((ok - up) / 1e6);
        fromKill.add((ok - tk) / 1e6);
      }
      md.append("Daemon restart (SIGKILL + start) → first successful call on the old client (same DomainHandle),")
          .append(" default settings, ").append(RESTART_ROUNDS).append(" rounds, calls every 5 ms: from the new daemon")
          .append(" accepting connections ").append(stats(fromUp)).append("; from the kill ").append(stats(fromKill))
          .append("; calls that failed in between: ").append(failedCalls).append("; reconnects counted: ")
          .append(client.health().reconnects()).append("\n\n");
    }
  }

  private void footprint(TestDriverDaemon d) throws Exception {
    md.append("Memory and threads per open connection (one JVM, all connections to one test-driver daemon;"
        + " heap after System.gc(); RSS from /proc):\n\n")
        .append("| connections | kind | JVM threads Δ | JVM RSS Δ (MiB) | heap Δ (MiB) | fds Δ | daemon RSS Δ (MiB) | per connection: RSS / heap / threads |\n")
        .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    // warm up: event loop thread, classes, libvirt initialized
    try (HotplugClient c = HotplugClient.connect(d.uri())) {
      c.domain(DOMAIN).xml(false);
    }
    for (int n : new int[] {1, 10, 100}) {
      measure(d, n, "HotplugClient");
      measure(d, n, "libvirt-java Connect (baseline)");
    }
    md.append('\n');
  }

  private void measure(TestDriverDaemon d, int n, String kind) throws Exception {
    settle();
    Snapshot before = Snapshot.take(d);
    List<AutoCloseable> open = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        if (kind.startsWith("Hotplug")) {
          HotplugClient c = HotplugClient.connect(d.uri());
          c.domain(DOMAIN).xml(false);
          open.add(c);
        } else {
          org.libvirt.Connect c = new org.libvirt.Connect(d.uri());
          c.domainLookupByName(DOMAIN).getXMLDesc(0);
          open.add(() -> c.close());
        }
      }
      settle();
      Snapshot after = Snapshot.take(d);
      double rss = (after.rssKiB - before.rssKiB) / 1024.0;
      double heap = (after.heapBytes - before.heapBytes) / 1048576.0;
      int threads = after.threads - before.threads;
      md.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.2f | %d | %.1f | %.0f KiB / %.1f KiB / %.2f |%n",
          n, kind, threads, rss, heap, after.fds - before.fds, (after.daemonRssKiB - before.daemonRssKiB) / 1024.0,
          (after.rssKiB - before.rssKiB) / (double) n, (after.heapBytes - before.heapBytes) / 1024.0 / n,
          threads / (double) n));
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  record Snapshot(int threads, long rssKiB, long heapBytes, long fds, long daemonRssKiB) {
    static Snapshot take(TestDriverDaemon d) throws Exception {
      return new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount(), rss("self"),
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
          Files.list(Path.of("/proc/self/fd")).count(), rss(Long.toString(d.pid())));
    }

    static long rss(String pid) throws Exception {
      for (String l : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
      return -1;
    }
  }

  private static void settle() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      sleepMs(200);
    }
  }

  private static String stats(List<Double> v) {
    if (v.isEmpty()) {
      return "(no sample)";
    }
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return String.format(Locale.ROOT, "median %.0f ms (min %.0f, max %.0f, n=%d)", s.get(s.size() / 2), s.get(0),
        s.get(s.size() - 1), s.size());
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "?";
    }
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
