package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.CallInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A client's {@link HotplugListener} at work (package-private): wraps each public operation (started,
 * refused / failed / verified, finished with its {@link HotplugListener.Outcome}), reports each libvirt
 * call through a {@link CallInterceptor} around the gateway's calls, and each applied step through the
 * operation's step list. A client without a listener has no {@code Listening} at all (null), so the
 * operations take their plain path.
 *
 * <p>The running operation is kept per thread (operations and their libvirt calls run on the caller's
 * thread); an operation started inside another one of the same client (the steps of {@code ensure})
 * belongs to the outer one.
 */
final class Listening {
  private static final ThreadLocal<Op> CURRENT = new ThreadLocal<>();

  final HotplugListener listener;

  private Listening(HotplugListener listener) {
    this.listener = listener;
  }

  /**
   * @param listener the builder's listener
   * @return null for {@link HotplugListener#NONE}: nothing to do
   */
  static Listening of(HotplugListener listener) {
    return listener == HotplugListener.NONE ? null : new Listening(listener);
  }

  /** The operation of this client running on this thread, or null. */
  Op current() {
    Op op = CURRENT.get();
    return op != null && op.owner == this ? op : null;
  }

  /** The running operation of the domain's client on this thread, or null (also without a listener). */
  static Op current(DomainHandle domain) {
    Listening l = domain.client().listening();
    return l == null ? null : l.current();
  }

  /**
   * Reports a step that took effect to the running operation's listener, if any (for operations
   * without a step list).
   *
   * @param domain the domain
   * @param step the step
   */
  static void stepApplied(DomainHandle domain, OperationStep step) {
    Op op = current(domain);
    if (op != null) {
      op.stepApplied(step);
    }
  }

  /**
   * Runs one public operation, reporting it to the client's listener (if any).
   *
   * @param domain the domain
   * @param name the operation's name ({@link OperationInfo} constants)
   * @param scope its scope, or null
   * @param body the operation
   * @param changed whether a result means something was changed ({@code APPLIED}) or not ({@code NO_CHANGE})
   * @param <T> the result type
   * @return the body's result
   */
  static <T> T observe(DomainHandle domain, String name, Scope scope, Supplier<T> body, Predicate<? super T> changed) {
    Listening l = domain.client().listening();
    if (l == null) {
      return body.get();
    }
    return l.run(domain, name, scope, body, changed);
  }

  private <T> T run(DomainHandle domain, String name, Scope scope, Supplier<T> body, Predicate<? super T> changed) {
    Op outer = CURRENT.get();
    if (outer != null && outer.owner == this) {
      return body.get(); // part of the outer operation
    }
    OperationInfo info = OperationInfo.of(name, domain.name(), domain.client().uri(), scope);
    Op op = new Op(this, info);
    CURRENT.set(op);
    long t0 = System.nanoTime();
    HotplugListener.Outcome outcome = HotplugListener.Outcome.FAILED;
    try {
      HotplugListener.safely(listener, "operationStarted", () -> listener.operationStarted(info));
      T result;
      try {
        result = body.get();
      } catch (PreconditionException e) {
        outcome = HotplugListener.Outcome.REFUSED;
        HotplugListener.safely(listener, "refused", () -> listener.refused(info, e));
        throw e;
      } catch (HotplugException e) {
        outcome = e instanceof PartialApplyException ? HotplugListener.Outcome.PARTIAL
            : e instanceof OutcomeUnknownException ? HotplugListener.Outcome.UNKNOWN : HotplugListener.Outcome.FAILED;
        HotplugListener.safely(listener, "failed", () -> listener.failed(info, e));
        throw e;
      }
      outcome = changed.test(result) ? HotplugListener.Outcome.APPLIED : HotplugListener.Outcome.NO_CHANGE;
      if (op.waits > 0) {
        Duration took = Duration.ofNanos(op.waitNanos);
        int attempts = op.reads;
        boolean byEvent = op.byEvent;
        HotplugListener.safely(listener, "verified", () -> listener.verified(info, took, attempts, byEvent));
      }
      return result;
    } finally {
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      HotplugListener.Outcome o = outcome;
      try {
        HotplugListener.safely(listener, "operationFinished", () -> listener.operationFinished(info, o, took));
      } finally {
        if (outer == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(outer);
        }
      }
    }
  }

  /**
   * Wraps the client's gateway calls: each call made while one of this client's operations runs on
   * the thread is reported as {@code callStarted} / {@code callFinished}. Outside the (test)
   * interceptor, so that a fault it injects shows as the call's error.
   *
   * @param next the test interceptor, or null
   * @return the interceptor to give the gateway
   */
  CallInterceptor interceptor(CallInterceptor next) {
    CallInterceptor inner = next == null ? CallInterceptor.NONE : next;
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String operation, String domain, Supplier<T> call) {
        Op op = current();
        if (op == null) {
          return inner.intercept(operation, domain, call);
        }
        OperationInfo info = op.info;
        HotplugListener.safely(listener, "callStarted", () -> listener.callStarted(info, operation));
        long t0 = System.nanoTime();
        Optional<HotplugException> error = Optional.empty();
        try {
          return inner.intercept(operation, domain, call);
        } catch (HotplugException e) {
          error = Optional.of(e);
          throw e;
        } catch (RuntimeException e) {
          error = Optional.of(new HotplugException(operation + " failed: " + e, e));
          throw e;
        } finally {
          Duration took = Duration.ofNanos(System.nanoTime() - t0);
          Optional<HotplugException> err = error;
          HotplugListener.safely(listener, "callFinished", () -> listener.callFinished(info, operation, took, err));
        }
      }
    };
  }

  /** One running operation: its info and the figures of its verification waits. */
  static final class Op {
    final Listening owner;
    final OperationInfo info;
    int waits;
    int reads;
    long waitNanos;
    boolean byEvent;

    Op(Listening owner, OperationInfo info) {
      this.owner = owner;
      this.info = info;
    }

    /** A verification wait of the operation ended. */
    void waited(Verifier.Waited<?> w) {
      waits++;
      reads += w.attempts();
      waitNanos += w.elapsed().toNanos();
      byEvent |= w.satisfied() && w.byEvent();
    }

    /** A step took effect. */
    void stepApplied(OperationStep step) {
      HotplugListener l = owner.listener;
      HotplugListener.safely(l, "stepApplied", () -> l.stepApplied(info, step));
    }
  }

  /** An operation's list of applied steps that reports each one as it is added. */
  static final class StepList extends ArrayList<OperationStep> {
    private static final long serialVersionUID = 1L;
    private final transient Op op;

    StepList(Op op) {
      this.op = op;
    }

    @Override
    public boolean add(OperationStep step) {
      boolean r = super.add(step);
      op.stepApplied(step);
      return r;
    }

    @Override
    public void add(int index, OperationStep step) {
      super.add(index, step);
      op.stepApplied(step);
    }

    @Override
    public boolean addAll(Collection<? extends OperationStep> steps) {
      List<OperationStep> copy = List.copyOf(steps);
      boolean r = super.addAll(copy);
      for (OperationStep s : copy) {
        op.stepApplied(s);
      }
      return r;
    }
  }
}
