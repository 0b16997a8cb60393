package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.internal.CallInterceptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operations on one domain are serialized; different domains run in parallel. */
class ConcurrencyTest {
  @TempDir Path dir;

  /** Counts, per domain, how many setVcpus calls are in flight at once (and the maximum seen). */
  static final class Overlap implements CallInterceptor {
    final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final Map<String, Integer> maxInFlight = new ConcurrentHashMap<>();

    @Override
    public <T> T intercept(String op, String domain, Supplier<T> call) {
      if (!op.startsWith("setVcpus")) {
        return call.get();
      }
      AtomicInteger n = inFlight.computeIfAbsent(domain, k -> new AtomicInteger());
      int now = n.incrementAndGet();
      maxInFlight.merge(domain, now, Math::max);
      try {
        Thread.yield();
        return call.get();
      } finally {
        n.decrementAndGet();
      }
    }
  }

  @Test
  void manyThreadsSeveralDomains_allReachTheirTargetsAndSameDomainNeverOverlaps() throws Exception {
    Overlap overlap = new Overlap();
    int domains = 6;
    int threadsPerDomain = 4;
    try (HotplugClient client = HotplugClient.builder().interceptor(overlap).connect(TestNode.write(dir))) {
      ExecutorService pool = Executors.newFixedThreadPool(domains * threadsPerDomain);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int d = 0; d < domains; d++) {
          String name = "c" + d;
          int target = 2 + d; // each domain has its own final target
          for (int t = 0; t < threadsPerDomain; t++) {
            int detour = 1 + (t * 3 + d) % 8;
            futures.add(pool.submit(() -> {
              DomainHandle h = client.domain(name);
              for (int round = 0; round < 5; round++) {
                // inside the lock the verification sees this thread's own value, never another's
                assertThat(h.vcpus().set(detour).live().config().apply().after().currentLive()).hasValue(detour);
                assertThat(h.vcpus().set(target).live().apply().after().currentLive()).hasValue(target);
              }
              return null;
            }));
          }
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      for (int d = 0; d < domains; d++) {
        assertThat(client.domain("c" + d).vcpuCount().currentLive()).as("c" + d).hasValue(2 + d);
        assertThat(overlap.maxInFlight.get("c" + d)).as("overlapping setVcpus on c" + d).isEqualTo(1);
      }
    }
  }

  @Test
  void twoDomains_runInParallel() throws Exception {
    // each live setVcpus waits until the other domain's one has started: only possible in parallel
    CountDownLatch both = new CountDownLatch(2);
    AtomicInteger timedOut = new AtomicInteger();
    CallInterceptor rendezvous = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.equals("setVcpus(LIVE)")) {
          both.countDown();
          try {
            if (!both.await(20, TimeUnit.SECONDS)) {
              timedOut.incrementAndGet();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return call.get();
      }
    };
    try (HotplugClient client = HotplugClient.builder().interceptor(rendezvous).connect(TestNode.write(dir))) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<VcpuResult> a = pool.submit(() -> client.domain("c0").vcpus().set(3).apply());
        Future<VcpuResult> b = pool.submit(() -> client.domain("c1").vcpus().set(4).apply());
        assertThat(a.get(60, TimeUnit.SECONDS).after().currentLive()).hasValue(3);
        assertThat(b.get(60, TimeUnit.SECONDS).after().currentLive()).hasValue(4);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(timedOut).hasValue(0);
  }

  @Test
  void sameDomainTwoHandles_secondWaitsForTheFirst() throws Exception {
    // the first live setVcpus blocks until released; the second operation must not reach libvirt meanwhile
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    CallInterceptor gate = new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.startsWith("setVcpus")) {
          order.add(Thread.currentThread().getName() + " enter");
          if (firstInside.getCount() == 1) {
            firstInside.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          T r = call.get();
          order.add(Thread.currentThread().getName() + " exit");
          return r;
        }
        return call.get();
      }
    };
    try (HotplugClient client = HotplugClient.builder().interceptor(gate).connect(TestNode.write(dir))) {
      Thread t1 = new Thread(() -> client.domain("web").vcpus().set(5).apply(), "first");
      t1.start();
      firstInside.await(20, TimeUnit.SECONDS);
      Thread t2 = new Thread(() -> client.domain(TestNode.WEB_UUID).vcpus().set(6).apply(), "second");
      t2.start();
      // give the second thread every chance to overlap if the lock were missing
      t2.join(300);
      assertThat(order).containsExactly("first enter");
      release.countDown();
      t1.join(20_000);
      t2.join(20_000);
      assertThat(order).containsExactly("first enter", "first exit", "second enter", "second exit");
      assertThat(client.domain("web").vcpuCount().currentLive()).hasValue(6);
    }
  }
}
