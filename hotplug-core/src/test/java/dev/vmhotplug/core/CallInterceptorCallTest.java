package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway hands an interceptor the whole call (URI, operation, domain, change flag and the
 * argument it carries): what hotplug-testkit's recording seam records and emulates from.
 */
class CallInterceptorCallTest {
  @TempDir Path dir;

  /** Records every call; swallows attachDevice (the test driver cannot attach devices). */
  static final class Calls implements CallInterceptor {
    final List<Call> seen = new CopyOnWriteArrayList<>();

    @Override
    public <T> T intercept(String operation, String domain, Supplier<T> call) {
      throw new AssertionError("the gateway must call intercept(Call, Supplier)");
    }

    @Override
    public <T> T intercept(Call call, Supplier<T> real) {
      seen.add(call);
      return call.operation().startsWith("attachDevice") ? null : real.get();
    }

    Call first(String operation) {
      return seen.stream().filter(c -> c.operation().equals(operation)).findFirst()
          .orElseThrow(() -> new AssertionError("no " + operation + " in " + seen));
    }
  }

  @Test
  void changeCalls_carryTheirArgument_readsCarryNone() {
    Calls calls = new Calls();
    String uri = MemoryTestNode.write(dir);
    try (HotplugClient c = HotplugClient.builder().pollInterval(Duration.ofMillis(5))
        .defaultTimeout(Duration.ofMillis(100)).interceptor(calls).connect(uri)) {
      DomainHandle d = c.domain("mem");
      d.vcpus().set(3).live().apply();
      MemoryPlan plan = d.memory().add(MemorySize.ofMiB(256)).live().plan();
      try {
        d.memory().add(MemorySize.ofMiB(256)).live().apply();
      } catch (VerificationTimeoutException expected) {
        // the swallowed attach never shows: only the call is of interest here
      }
      c.domain("plain").prepare(8, MemorySize.ofGiB(4), 4);

      CallInterceptor.Call set = calls.first("setVcpus(LIVE)");
      assertThat(set.argument()).isEqualTo("3");
      assertThat(set.change()).isTrue();
      assertThat(set.domain()).isEqualTo("mem");
      assertThat(set.uri()).isEqualTo(uri);
      CallInterceptor.Call attach = calls.first("attachDevice(LIVE)");
      assertThat(attach.argument()).isEqualTo(plan.steps().get(0).xml()).contains("<memory model='dimm'>");
      assertThat(attach.change()).isTrue();
      CallInterceptor.Call define = calls.first("defineXML");
      assertThat(define.domain()).isEqualTo("-");
      assertThat(define.optionalArgument()).hasValueSatisfying(x -> assertThat(x).contains("<name>plain</name>",
          "<maxMemory"));
      CallInterceptor.Call read = calls.first("xml(live)");
      assertThat(read.argument()).isNull();
      assertThat(read.optionalArgument()).isEmpty();
      assertThat(read.change()).isFalse();
    }
  }
}
