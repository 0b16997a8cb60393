package dev.vmhotplug.core.internal;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Sees every libvirt call the gateway makes (for tests and metrics): it receives the operation
 * name, the domain name (or {@code "-"} for connection-level calls) and the call itself, already
 * translated to SDK exceptions. The default passes the call through.
 *
 * <p>Tests use it to record ordering and overlap, or to inject a fault a real libvirt cannot
 * produce on demand (a call that fails half way). It must call {@code call.get()} at most once.
 *
 * <p>The gateway calls {@link #intercept(Call, Supplier)}, whose default delegates to
 * {@link #intercept(String, String, Supplier)}; an interceptor that needs more than the operation
 * and the domain (the URI, whether the call changes something, the device XML it carries)
 * overrides the former. Not API: hotplug-testkit's {@code LibvirtSeam} is built on it.
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
   * One libvirt call as the gateway is about to make it.
   *
   * @param uri the connection's URI
   * @param operation the gateway operation, e.g. {@code attachDevice(LIVE)}, {@code xml(live)}
   * @param domain the domain name, or {@code "-"} for connection-level calls
   * @param change whether the call changes something (refused on a read-only client, never retried)
   * @param argument what the call carries, null when nothing: the device XML of
   *     {@code attachDevice}/{@code detachDevice}/{@code updateDevice}, the domain XML of
   *     {@code defineXML}, the vCPU count of {@code setVcpus}, the JSON of {@code qemuAgentCommand}
   */
  record Call(String uri, String operation, String domain, boolean change, String argument) {
    /**
     * Checks that the names are present.
     *
     * @param uri the connection's URI
     * @param operation the gateway operation, e.g. {@code attachDevice(LIVE)}, {@code xml(live)}
     * @param domain the domain name, or {@code "-"} for connection-level calls
     * @param change whether the call changes something (refused on a read-only client, never retried)
     * @param argument what the call carries, null when nothing: the device XML of
     *     {@code attachDevice}/{@code detachDevice}/{@code updateDevice}, the domain XML of
     *     {@code defineXML}, the vCPU count of {@code setVcpus}, the JSON of {@code qemuAgentCommand}
     */
    public Call {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(domain, "domain");
    }

    /** {@return the argument, empty when the call carries none} */
    public Optional<String> optionalArgument() {
      return Optional.ofNullable(argument);
    }
  }

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

  /**
   * Runs (or replaces) one libvirt call, seeing all of it. The default delegates to
   * {@link #intercept(String, String, Supplier)}.
   *
   * @param call the call: URI, operation, domain, whether it changes something, its argument
   * @param real the real call (already translating libvirt's errors into SDK exceptions)
   * @param <T> its result type
   * @return the result to hand back to the SDK
   */
  default <T> T intercept(Call call, Supplier<T> real) {
    return intercept(call.operation(), call.domain(), real);
  }
}
