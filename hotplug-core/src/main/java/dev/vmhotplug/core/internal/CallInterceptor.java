package dev.vmhotplug.core.internal;

import java.util.function.Supplier;

/**
 * Sees every libvirt call the gateway makes (for tests and metrics): it receives the operation
 * name, the domain name (or {@code "-"} for connection-level calls) and the call itself, already
 * translated to SDK exceptions. The default passes the call through.
 *
 * <p>Tests use it to record ordering and overlap, or to inject a fault a real libvirt cannot
 * produce on demand (a call that fails half way). It must call {@code call.get()} at most once.
 */
@FunctionalInterface
public interface CallInterceptor {

  /** Passes every call through unchanged. */
  CallInterceptor NONE = new CallInterceptor() {
    @Override
    public <T> T intercept(String operation, String domain, Supplier<T> call) {
      return call.get();
    }
  };

  /**
   * Runs (or replaces) one libvirt call.
   *
   * @param operation the gateway operation, e.g. {@code setVcpus(LIVE)}, {@code xml(live)}
   * @param domain the domain name, or {@code "-"}
   * @param call the real call
   * @param <T> its result type
   * @return the result to hand back to the SDK
   */
  <T> T intercept(String operation, String domain, Supplier<T> call);
}
