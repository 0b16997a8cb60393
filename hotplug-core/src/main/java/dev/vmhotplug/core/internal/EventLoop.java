package dev.vmhotplug.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.libvirt.Library;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide libvirt event loop: libvirt's default implementation
 * ({@code virEventRegisterDefaultImpl}) driven by one daemon thread of the SDK
 * ({@code virEventRunDefaultImpl} in a loop).
 *
 * <p>libvirt needs a registered event loop <em>before</em> a remote connection is opened: without
 * it keepalive is silently absent (a frozen host then hangs every call) and no domain event or
 * close callback is ever delivered. {@link #ensureRunning()} is therefore called before the first
 * connection the SDK opens. It is a daemon thread and does not keep the JVM alive. libvirt cannot
 * unregister an event implementation, so the thread runs for the life of the JVM, and stops at JVM
 * exit: a shutdown hook wakes it with a libvirt timer and it returns out of native code. Without
 * that the JVM's exit waits 300 ms for a thread that sits in native code ({@code poll} inside
 * {@code virEventRunDefaultImpl}) before it gives up, which doubled the run time of a one-shot
 * {@code hotplug} command. A connection used after that (from another shutdown hook) has no
 * keepalive and gets no events.
 *
 * <p>What runs on this thread is only libvirt's own I/O and the SDK's callbacks, which record what
 * happened and hand off to other threads; they never block it and never run user code.
 *
 * <p>A process that runs its own libvirt event loop says so with {@link #useExternal()} before its
 * first connection: the SDK then registers nothing and starts no thread.
 */
public final class EventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
  /** Name of the SDK's event loop thread. */
  public static final String THREAD_NAME = "vmhotplug-libvirt-event-loop";

  /** Who drives libvirt's events in this process. */
  public enum Mode {
    /** Nothing registered yet. */
    NONE,
    /** The SDK's own thread runs libvirt's default event loop. */
    OWN,
    /** The application said it runs its own loop; the SDK registered nothing. */
    EXTERNAL
  }

  private static final Object LOCK = new Object();
  private static volatile Mode mode = Mode.NONE;
  private static volatile String failure;
  private static final AtomicLong ITERATIONS = new AtomicLong();
  private static Thread thread;
  /** Set by the shutdown hook: the loop thread returns at its next iteration. */
  private static volatile boolean stopping;
  /** libvirt timer that wakes the loop at exit (disabled until then), or -1. */
  private static int wakeTimer = -1;
  /** The timer's callback; held here so that JNA's callback is never collected. */
  private static final org.libvirt.jna.Libvirt.VirEventTimeoutCallback WAKE = (timer, opaque) -> {};
  /** How long the exit waits for the loop thread to leave native code. */
  private static final long EXIT_WAIT_MILLIS = 250;

  private EventLoop() {}

  /**
   * Registers libvirt's default event implementation and starts the SDK's loop thread, unless that
   * happened already or the application runs its own loop (idempotent, thread-safe).
   *
   * @return the mode in effect
   */
  public static Mode ensureRunning() {
    if (mode != Mode.NONE) {
      return mode;
    }
    synchronized (LOCK) {
      if (mode != Mode.NONE) {
        return mode;
      }
      try {
        Library.initEventLoop();
      } catch (org.libvirt.LibvirtException e) {
        failure = "virEventRegisterDefaultImpl failed: " + e.getMessage();
        LOG.warn("op=eventLoop cannot register libvirt's event loop: keepalive and events will not work: {}",
            e.getMessage());
        return mode;
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        failure = "the native libvirt library cannot be loaded: " + e.getMessage();
        return mode; // the connect that follows reports the missing library with its fix
      }
      try {
        // a disabled timer (-1): armed (0) only at exit, to bring the loop thread out of poll()
        wakeTimer = org.libvirt.jna.Libvirt.INSTANCE.virEventAddTimeout(-1, WAKE, null, null);
      } catch (RuntimeException | LinkageError e) {
        wakeTimer = -1; // the exit then waits for the JVM's own 300 ms; nothing else depends on it
      }
      Thread t = new Thread(EventLoop::run, THREAD_NAME);
      t.setDaemon(true);
      t.start();
      thread = t;
      if (wakeTimer >= 0) {
        Thread hook = new Thread(EventLoop::stopAtExit, THREAD_NAME + "-stop");
        hook.setDaemon(true);
        try {
          Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already exiting (a connection opened from a shutdown hook): nothing to add
        }
      }
      mode = Mode.OWN;
      LOG.debug("op=eventLoop started thread {}", THREAD_NAME);
      return mode;
    }
  }

  /**
   * Declares that the application registers and runs its own libvirt event loop. Has no effect
   * once the SDK's own loop runs (it is then shared by everybody in the process).
   *
   * @return the mode in effect
   */
  public static Mode useExternal() {
    synchronized (LOCK) {
      if (mode == Mode.NONE) {
        mode = Mode.EXTERNAL;
      }
      return mode;
    }
  }

  /** {@return who drives libvirt's events in this process} */
  public static Mode mode() {
    return mode;
  }

  /** {@return true when the calling thread is the SDK's event loop thread} */
  public static boolean isLoopThread() {
    return Thread.currentThread() == thread;
  }

  /** {@return how many times the loop has run one iteration (a liveness hint for diagnostics)} */
  public static long iterations() {
    return ITERATIONS.get();
  }

  /** {@return a one-line description for health reports} */
  public static String describe() {
    switch (mode) {
      case OWN:
        return "SDK thread " + THREAD_NAME + (thread != null && thread.isAlive() ? "" : " (not running!)");
      case EXTERNAL:
        return "run by the application";
      default:
        return failure == null ? "not started" : "not available: " + failure;
    }
  }

  /** {@return true when the loop thread has been stopped at JVM exit} */
  static boolean stoppedAtExit() {
    Thread t = thread;
    return stopping && t != null && !t.isAlive();
  }

  /**
   * The shutdown hook: asks the loop thread to return and wakes it. The timer stays armed, so a wake
   * is never lost: whichever {@code virEventRunDefaultImpl} the thread is in or enters next returns.
   */
  static void stopAtExit() {
    Thread t = thread;
    if (t == null || stopping) {
      return;
    }
    stopping = true;
    try {
      org.libvirt.jna.Libvirt.INSTANCE.virEventUpdateTimeout(wakeTimer, 0);
      t.join(EXIT_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | LinkageError e) {
      // the JVM exits anyway, after its own wait
    }
  }

  private static void run() {
    int consecutiveErrors = 0;
    while (!stopping) {
      try {
        Library.processEvent();
        ITERATIONS.incrementAndGet();
        consecutiveErrors = 0;
      } catch (org.libvirt.LibvirtException e) {
        consecutiveErrors++;
        if (consecutiveErrors == 1) {
          LOG.warn("op=eventLoop virEventRunDefaultImpl failed: {}", e.getMessage());
        }
        pause(Math.min(1000, 10L * consecutiveErrors));
      } catch (RuntimeException | Error e) {
        // never let the loop die: keepalive and every callback of the process depend on it
        consecutiveErrors++;
        if (consecutiveErrors == 1) {
          LOG.warn("op=eventLoop unexpected failure in the libvirt event loop", e);
        }
        pause(Math.min(1000, 10L * consecutiveErrors));
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // the loop thread is never interrupted by the SDK; keep running
      Thread.interrupted();
    }
  }
}
