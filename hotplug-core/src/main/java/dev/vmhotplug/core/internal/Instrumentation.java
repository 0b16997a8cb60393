package dev.vmhotplug.core.internal;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.xml.DomainXml;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Internal hooks for the SDK's own tests and benchmarks (not API: may change without notice): the
 * core's one entry point for parsing a whole domain document, with a counter that tests read, and
 * a way to give a {@link HotplugClient.Builder} a {@link CallInterceptor} from outside the core
 * package (the VM lab's ITs count the libvirt calls of an operation with it).
 *
 * <p>The parse counters count the core's own parses only (not a caller's {@code DomainXml.parse}).
 * {@link #documentParses()} is process-wide; {@link #documentParsesOnThisThread()} counts the
 * calling thread only, which is exact for an operation, since an operation parses on the thread
 * that runs it.
 */
public final class Instrumentation {
  private static final LongAdder PARSES = new LongAdder();
  private static final ThreadLocal<long[]> THREAD_PARSES = ThreadLocal.withInitial(() -> new long[1]);

  private Instrumentation() {}

  /**
   * Parses a whole domain document: the only place in hotplug-core that does (every XML the core
   * reads from libvirt goes through here, once per read).
   *
   * @param xml the document libvirt returned
   * @return the parsed document
   * @throws dev.vmhotplug.xml.DomainXmlException when hotplug-xml cannot read it (the caller wraps
   *     it into a HotplugException at the core's boundary)
   */
  public static DomainXml parseDomain(String xml) {
    PARSES.increment();
    THREAD_PARSES.get()[0]++;
    return DomainXml.parse(xml);
  }

  /** {@return whole-document parses made by hotplug-core in this process so far} */
  public static long documentParses() {
    return PARSES.sum();
  }

  /** {@return whole-document parses made by hotplug-core on the calling thread so far} */
  public static long documentParsesOnThisThread() {
    return THREAD_PARSES.get()[0];
  }

  /**
   * Gives a client builder a call interceptor (the builder's own setter is package-private, as the
   * interceptor is not API).
   *
   * @param builder the builder
   * @param interceptor sees every libvirt call of the clients the builder makes
   * @return the builder
   * @throws IllegalStateException if the builder has no interceptor setter (a build mismatch)
   */
  public static HotplugClient.Builder interceptor(HotplugClient.Builder builder, CallInterceptor interceptor) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(interceptor, "interceptor");
    try {
      // same module: reflective access to the package-private setter is allowed and needs no change
      // to the public API of HotplugClient
      Method m = HotplugClient.Builder.class.getDeclaredMethod("interceptor", CallInterceptor.class);
      m.setAccessible(true);
      return (HotplugClient.Builder) m.invoke(builder, interceptor);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalStateException("HotplugClient.Builder has no interceptor(CallInterceptor) setter: " + e, e);
    } catch (InvocationTargetException e) {
      Throwable t = e.getCause();
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      throw new IllegalStateException(t);
    }
  }
}
