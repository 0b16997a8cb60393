package dev.vmhotplug.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK's shared background threads (all daemon threads, created lazily, shared by every client
 * of the process): a pool that delivers events to listeners, and one scheduler thread for
 * timeouts and background reconnects. No thread exists per connection.
 */
final class SdkThreads {
  private SdkThreads() {}

  private static final class Holder {
    static final ExecutorService DELIVERY = Executors.newCachedThreadPool(factory("vmhotplug-events-"));
    static final ScheduledExecutorService SCHEDULER = scheduler();

    private static ScheduledExecutorService scheduler() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, factory("vmhotplug-scheduler-"));
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  /** @return the pool that runs listener code (never the event loop thread) */
  static ExecutorService delivery() {
    return Holder.DELIVERY;
  }

  /** @return the one scheduler thread for timeouts and background reconnects */
  static ScheduledExecutorService scheduler() {
    return Holder.SCHEDULER;
  }

  static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
