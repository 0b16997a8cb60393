package dev.vmhotplug.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener for what the SDK does, for metrics and tracing: every operation's start and end with
 * its outcome and duration, each libvirt call it makes, each step it applied, its verification,
 * refusal or failure. In the style of OkHttp's {@code EventListener}: extend this class and
 * override what you need; every method does nothing by default. Give one to
 * {@link HotplugClient.Builder#listener(HotplugListener)}; {@link #composite(HotplugListener...)}
 * combines several.
 *
 * <p><b>Operations</b> are the public changing calls: {@code vcpus().…apply()} ({@code "vcpus.set"}),
 * {@code memory().add(…)/remove(…)…apply()} ({@code "memory.add"}, {@code "memory.remove"}; a
 * virtio-mem resize is {@code "memory.resize"}), {@code ensure()…apply()} ({@code "ensure"}),
 * {@code prepare(…)} ({@code "prepare"}), {@code coldBoot()…apply()} ({@code "coldBoot"}) and
 * {@code guestAgent().online…()} ({@code "guestAgent.online"}); see the constants of
 * {@link OperationInfo}. Reads ({@code vcpuCount()}, {@code memoryView()}, …) and dry runs
 * ({@code plan()}) are not operations and emit nothing. An operation that another one runs inside it
 * (the vCPU and memory steps of {@code ensure}) is part of the outer one.
 *
 * <p><b>Order</b>, for one operation: {@link #operationStarted} first; then, as they happen,
 * {@link #callStarted}/{@link #callFinished} around each libvirt call and {@link #stepApplied} for
 * each change that took effect; then at most one of {@link #verified} (the operation succeeded after
 * waiting for its change to show), {@link #refused} (a {@link PreconditionException}: nothing was
 * changed) or {@link #failed} (any other {@link HotplugException}); {@link #operationFinished} last,
 * always, also when the operation threw something that is not a {@code HotplugException}.
 *
 * <p><b>Threads.</b> Every callback runs on the thread that called the operation, synchronously: a
 * slow listener slows the operation down, so hand heavy work off. Operations on different domains may
 * run on several threads at once, so a listener shared by them must be thread-safe.
 *
 * <p><b>Failures.</b> A listener that throws is logged at DEBUG and ignored: it never changes or
 * breaks an operation. With no listener set ({@link #NONE}, the default) the SDK makes no callback
 * and no allocation for it.
 */
public abstract class HotplugListener {
  private static final Logger LOG = LoggerFactory.getLogger(HotplugListener.class);

  /** The listener that does nothing (the default): the SDK skips every callback for it. */
  public static final HotplugListener NONE = new HotplugListener() {
    @Override
    public String toString() {
      return "HotplugListener.NONE";
    }
  };

  /** How an operation ended, for {@link #operationFinished}. */
  public enum Outcome {
    /** Nothing was to do: the domain already was as asked (no change call was made). */
    NO_CHANGE,
    /** The change was made (and verified, when the request asked for verification). */
    APPLIED,
    /** Refused before any change ({@link PreconditionException}): nothing was changed. */
    REFUSED,
    /** Failed ({@link HotplugException} other than the three others here): see its message for what changed. */
    FAILED,
    /** Part of the change was applied and the rest failed ({@link PartialApplyException}). */
    PARTIAL,
    /** The connection broke during a change and the SDK cannot tell what happened ({@link OutcomeUnknownException}). */
    UNKNOWN
  }

  /** For subclasses. */
  protected HotplugListener() {}

  /**
   * An operation starts (before its first libvirt call and before its checks).
   *
   * @param op the operation
   */
  public void operationStarted(OperationInfo op) {}

  /**
   * A libvirt call of the operation starts.
   *
   * @param op the operation
   * @param call the gateway's name of the call, e.g. {@code xml(live)}, {@code setVcpus(LIVE)},
   *     {@code attachDevice(LIVE_AND_CONFIG)}, {@code detachDevice(LIVE)}, {@code defineXML}
   */
  public void callStarted(OperationInfo op, String call) {}

  /**
   * A libvirt call of the operation returned or failed. A read retried once after a lost connection
   * is two calls.
   *
   * @param op the operation
   * @param call the call's name, as in {@link #callStarted}
   * @param took how long the call took (wall time)
   * @param error the SDK exception the call failed with, empty when it returned
   */
  public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {}

  /**
   * A change of the operation took effect (libvirt accepted the call, or after a lost connection the
   * re-read showed it applied), in the order they were made.
   *
   * @param op the operation
   * @param step the step, as it appears in the result's {@code steps()}
   */
  public void stepApplied(OperationInfo op, OperationStep step) {}

  /**
   * The operation's change showed where it was verified (host XML, and the guest when asked); called
   * once per successful operation that waited for its change, before {@link #operationFinished}.
   *
   * @param op the operation
   * @param took the total time spent waiting for the change to show (all of the operation's waits)
   * @param attempts the reads made while waiting (at least 1)
   * @param byEvent true when a device event from libvirt ({@code DEVICE_ADDED},
   *     {@code DEVICE_REMOVED}, {@code MEMORY_DEVICE_SIZE_CHANGE}) led to the read that showed the
   *     change; false when polling found it. When the event and a poll land together which one
   *     came first is a race (the event is handed over on the SDK's delivery thread), so treat it
   *     as a statistic for metrics, not as a fact about one change
   */
  public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {}

  /**
   * The operation was refused before any change.
   *
   * @param op the operation
   * @param refusal the refusal, with {@link PreconditionException#refusal()}
   */
  public void refused(OperationInfo op, PreconditionException refusal) {}

  /**
   * The operation failed with a {@link HotplugException} that is not a refusal (also a
   * {@link PartialApplyException} or an {@link OutcomeUnknownException}).
   *
   * @param op the operation
   * @param error the exception the caller receives
   */
  public void failed(OperationInfo op, HotplugException error) {}

  /**
   * The operation ended; always the last callback of an operation.
   *
   * @param op the operation
   * @param outcome how it ended
   * @param took its duration (wall time, from {@link #operationStarted})
   */
  public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {}

  /**
   * Combines listeners: each callback goes to each of them in the given order; one that throws is
   * logged at DEBUG and does not keep the others from being called.
   *
   * @param listeners the listeners ({@link #NONE} entries are skipped)
   * @return one listener; {@link #NONE} when none is left, the listener itself when one is left
   * @throws NullPointerException if an entry is null
   */
  public static HotplugListener composite(HotplugListener... listeners) {
    return composite(List.of(listeners));
  }

  /**
   * Combines listeners, see {@link #composite(HotplugListener...)}.
   *
   * @param listeners the listeners ({@link #NONE} entries are skipped)
   * @return one listener; {@link #NONE} when none is left, the listener itself when one is left
   * @throws NullPointerException if the list or an entry is null
   */
  public static HotplugListener composite(List<HotplugListener> listeners) {
    List<HotplugListener> all = listeners.stream().map(l -> Objects.requireNonNull(l, "listener"))
        .filter(l -> l != NONE).toList();
    if (all.isEmpty()) {
      return NONE;
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    return new Composite(all);
  }

  /** Runs one callback; a listener that throws is logged and ignored. */
  static void safely(HotplugListener l, String callback, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | LinkageError | AssertionError e) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("op=listener {}.{} threw (ignored): {}", l.getClass().getName(), callback, e.toString());
      }
    }
  }

  private static final class Composite extends HotplugListener {
    private final List<HotplugListener> all;

    Composite(List<HotplugListener> all) {
      this.all = all;
    }

    @Override
    public void operationStarted(OperationInfo op) {
      for (HotplugListener l : all) {
        safely(l, "operationStarted", () -> l.operationStarted(op));
      }
    }

    @Override
    public void callStarted(OperationInfo op, String call) {
      for (HotplugListener l : all) {
        safely(l, "callStarted", () -> l.callStarted(op, call));
      }
    }

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      for (HotplugListener l : all) {
        safely(l, "callFinished", () -> l.callFinished(op, call, took, error));
      }
    }

    @Override
    public void stepApplied(OperationInfo op, OperationStep step) {
      for (HotplugListener l : all) {
        safely(l, "stepApplied", () -> l.stepApplied(op, step));
      }
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      for (HotplugListener l : all) {
        safely(l, "verified", () -> l.verified(op, took, attempts, byEvent));
      }
    }

    @Override
    public void refused(OperationInfo op, PreconditionException refusal) {
      for (HotplugListener l : all) {
        safely(l, "refused", () -> l.refused(op, refusal));
      }
    }

    @Override
    public void failed(OperationInfo op, HotplugException error) {
      for (HotplugListener l : all) {
        safely(l, "failed", () -> l.failed(op, error));
      }
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      for (HotplugListener l : all) {
        safely(l, "operationFinished", () -> l.operationFinished(op, outcome, took));
      }
    }

    @Override
    public String toString() {
      return "HotplugListener.composite" + all;
    }
  }
}
