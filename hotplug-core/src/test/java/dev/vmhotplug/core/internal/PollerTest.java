package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PollerTest {
  /** A fake clock that advances only when the poller sleeps. */
  final AtomicLong now = new AtomicLong();
  final List<Duration> sleeps = new ArrayList<>();

  Poller poller(Duration timeout) {
    return new Poller(timeout, Duration.ofMillis(10), Duration.ofMillis(80), d -> {
      sleeps.add(d);
      now.addAndGet(d.toNanos());
    }, now::get);
  }

  @Test
  void await_conditionAlreadyTrue_readsOnceWithoutSleeping() {
    Poller.Outcome<Integer> o = poller(Duration.ofSeconds(1)).await(() -> 4, v -> v == 4, "x");
    assertThat(o.satisfied()).isTrue();
    assertThat(o.attempts()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void await_conditionTrueOnThirdRead_backsOffAndCountsAttempts() {
    AtomicInteger reads = new AtomicInteger();
    Poller.Outcome<Integer> o = poller(Duration.ofSeconds(1)).await(reads::incrementAndGet, v -> v == 3, "x");
    assertThat(o.satisfied()).isTrue();
    assertThat(o.attempts()).isEqualTo(3);
    assertThat(o.last()).isEqualTo(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
  }

  @Test
  void await_neverTrue_stopsAtTheTimeoutWithTheLastValue() {
    AtomicInteger reads = new AtomicInteger();
    Poller.Outcome<Integer> o = poller(Duration.ofMillis(300)).await(reads::incrementAndGet, v -> false, "x");
    assertThat(o.satisfied()).isFalse();
    assertThat(o.last()).isEqualTo(o.attempts());
    // 10+20+40+80+80+70(capped by the deadline) = 300 ms of fake time
    assertThat(sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
        Duration.ofMillis(80), Duration.ofMillis(80), Duration.ofMillis(70));
    assertThat(o.elapsed()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void await_zeroTimeout_readsExactlyOnce() {
    Poller.Outcome<Integer> o = poller(Duration.ZERO).await(() -> 1, v -> false, "x");
    assertThat(o.attempts()).isEqualTo(1);
    assertThat(o.satisfied()).isFalse();
  }

  @Test
  void await_interrupted_throwsAndKeepsTheInterruptFlag() {
    Poller p = new Poller(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10), d -> {
      throw new InterruptedException();
    }, System::nanoTime);
    try {
      assertThatThrownBy(() -> p.await(() -> 1, v -> false, "the vCPUs"))
          .isInstanceOf(HotplugException.class).hasMessageContaining("interrupted while waiting for the vCPUs");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void constructor_badIntervals_areRefused() {
    assertThatThrownBy(() -> new Poller(Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poll interval must be positive");
    assertThatThrownBy(() -> new Poller(Duration.ofSeconds(-1), Duration.ofMillis(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must not be negative");
  }
}
