package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a change call broke with the connection, the re-read waits for the connection to come back
 * (a restarting daemon refuses the first reconnects) instead of giving up at the first failed read;
 * still unreadable at the timeout, the outcome is unknown. The real daemon restart is in hotplug-lab's
 * {@code ChangeInterruptedIT}; here the injected faults stand for it.
 */
class ReconcileReconnectTest {
  @TempDir Path dir;

  /** setVcpus runs, then its reply is "lost"; the next {@code refusedReads} reads find no connection. */
  static final class Restarting implements CallInterceptor {
    final List<String> ops = new CopyOnWriteArrayList<>();
    final AtomicInteger refusedReads;
    volatile boolean lost;

    Restarting(int refusedReads) {
      this.refusedReads = new AtomicInteger(refusedReads);
    }

    @Override
    public <T> T intercept(String op, String domain, Supplier<T> call) {
      ops.add(op);
      if (op.startsWith("setVcpus")) {
        call.get();
        lost = true;
        throw new ConnectionLostException("test:///node", "the connection to test:///node was closed (injected)", null);
      }
      if (lost && refusedReads.getAndDecrement() > 0) {
        throw new ConnectionException("test:///node", "cannot connect to test:///node: connection refused (injected)",
            null);
      }
      return call.get();
    }
  }

  private HotplugClient client(CallInterceptor i, Duration timeout) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(timeout).interceptor(i)
        .connect(TestNode.write(dir));
  }

  @Test
  void changeLost_reconnectRefusedThreeTimes_thenReadable_isReportedApplied_notRetried() {
    Restarting f = new Restarting(3);
    try (HotplugClient c = client(f, Duration.ofSeconds(5))) {
      DomainHandle web = c.domain("web");
      VcpuResult r = web.vcpus().set(4).live().apply();
      assertThat(r.after().currentLive()).hasValue(4);
      assertThat(r.warnings()).singleElement().asString().contains("the change was applied", "Nothing was retried");
      assertThat(f.ops.stream().filter(o -> o.startsWith("setVcpus"))).hasSize(1);
      assertThat(f.refusedReads.get()).as("the refused reads were tried again").isNegative();
    }
  }

  @Test
  void changeLost_neverReadableAgain_isOutcomeUnknownAfterTheTimeout_withTheLastError() {
    Restarting f = new Restarting(Integer.MAX_VALUE);
    try (HotplugClient c = client(f, Duration.ofMillis(300))) {
      DomainHandle web = c.domain("web");
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> web.vcpus().set(4).live().apply())
          .isInstanceOfSatisfying(OutcomeUnknownException.class, e -> {
            assertThat(e.liveState()).startsWith("could not be read after the connection loss")
                .contains("connection refused (injected)");
            assertThat(e.step().action()).isEqualTo("setVcpusFlags");
          })
          .hasMessageContaining("could not be read again within 300 ms")
          .hasMessageContaining("did not retry it");
      assertThat((System.nanoTime() - t0) / 1_000_000).as("gave up at the timeout, no hang").isLessThan(5_000);
      assertThat(f.ops.stream().filter(o -> o.startsWith("setVcpus"))).hasSize(1);
    }
  }
}
