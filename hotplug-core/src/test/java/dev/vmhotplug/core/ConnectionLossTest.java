package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change call interrupted by a lost connection is never retried: the operation re-reads and
 * reports applied, not applied, or outcome unknown. The fault is injected on libvirt's test driver
 * at the two points a real daemon cannot be made to fail at on demand: after the call ran (the
 * answer was lost) and before it ran (the request was lost). The connection itself stays usable,
 * as it would after the gateway reconnected; the real-daemon version is the connection stream's.
 */
class ConnectionLossTest {
  @TempDir Path dir;

  /** Where the injected loss happens. */
  enum When { BEFORE_THE_CALL, AFTER_THE_CALL }

  /** Records every call; loses the connection on the first call named {@code op}. */
  static final class Fault extends Recorder {
    final String op;
    final When when;
    final AtomicInteger hits = new AtomicInteger();
    Runnable instead;

    Fault(String op, When when) {
      this.op = op;
      this.when = when;
    }

    @Override
    public <T> T intercept(String operation, String domain, Supplier<T> call) {
      if (operation.equals(op) && hits.getAndIncrement() == 0) {
        super.intercept(operation, domain, () -> null);
        if (when == When.AFTER_THE_CALL) {
          if (instead != null) {
            unrecorded(instead);
          } else {
            call.get();
          }
        }
        throw new ConnectionLostException("test:///node", "the connection to test:///node was closed (injected:"
            + " end of file from the daemon)", null);
      }
      return super.intercept(operation, domain, call);
    }

    long count(String operation) {
      return ops.stream().filter(operation::equals).count();
    }
  }

  private HotplugClient client(CallInterceptor i, String uri) {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(5)).defaultTimeout(Duration.ofMillis(300))
        .interceptor(i).connect(uri);
  }

  // ---------------------------------------------------------------- vCPUs

  @Test
  void setVcpus_lostAfterTheCallRan_isReportedAppliedWithAWarningAndNotRetried() {
    Fault f = new Fault("setVcpus(LIVE)", When.AFTER_THE_CALL);
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      VcpuResult r = web.vcpus().set(4).live().apply();
      assertThat(r.after().currentLive()).hasValue(4);
      assertThat(r.steps()).singleElement().satisfies(s -> assertThat(s.scope()).isEqualTo(Scope.LIVE));
      assertThat(r.warnings()).singleElement().asString()
          .contains("was lost during setVcpusFlags", "the change was applied", "Nothing was retried");
      assertThat(f.count("setVcpus(LIVE)")).as("never retried").isEqualTo(1);
      assertThat(web.vcpuCount().currentLive()).hasValue(4);
    }
  }

  @Test
  void setVcpus_lostBeforeTheCallRan_saysNothingWasChangedAndDoesNotRetry() {
    Fault f = new Fault("setVcpus(LIVE_AND_CONFIG)", When.BEFORE_THE_CALL);
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      String live = web.xml(false);
      String config = web.xml(true);
      assertThatThrownBy(() -> web.vcpus().set(4).live().config().apply())
          .isExactlyInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("was lost while setting the vCPUs of domain 'web'")
          .hasMessageContaining("the change was not applied")
          .hasMessageContaining("Nothing was changed and nothing was retried")
          .hasCauseInstanceOf(ConnectionLostException.class);
      assertThat(f.count("setVcpus(LIVE_AND_CONFIG)")).isEqualTo(1);
      assertThat(f.changes()).hasSize(1);
      assertThat(web.xml(false)).isEqualTo(live);
      assertThat(web.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void setVcpusBothScopes_lostAfterOnlyTheLivePartRan_isAPartialApplyWithBothStates() {
    HotplugClient[] self = new HotplugClient[1];
    Fault f = new Fault("setVcpus(LIVE_AND_CONFIG)", When.AFTER_THE_CALL);
    f.instead = () -> self[0].domain("web").vcpus().set(4).live().verify(Verification.NONE).apply();
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      self[0] = c;
      DomainHandle web = c.domain("web");
      assertThatThrownBy(() -> web.vcpus().set(4).live().config().apply())
          .isInstanceOfSatisfying(PartialApplyException.class, e -> {
            assertThat(e.applied()).extracting(OperationStep::scope).containsExactly(Scope.LIVE);
            assertThat(e.failed().scope()).isEqualTo(Scope.CONFIG);
            assertThat(e.vcpuCount()).hasValue(VcpuCount.builder().config(8, 2).live(8, 4).build());
          })
          .hasCauseInstanceOf(ConnectionLostException.class);
      assertThat(f.changes()).containsExactly("setVcpus(LIVE_AND_CONFIG)");
    }
  }

  @Test
  void hotUnplug_lostBeforeTheCall_isOutcomeUnknownCarryingBothStates() {
    Fault f = new Fault("setVcpus(LIVE_AND_CONFIG)", When.BEFORE_THE_CALL);
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      DomainHandle web = c.domain("web");
      f.hits.set(1); // not armed yet
      web.vcpus().set(3).live().config().apply();
      f.hits.set(0); // the next combined call (an unplug 3 -> 2) is lost before it runs
      assertThatThrownBy(() -> web.vcpus().set(2).live().config().apply())
          .isInstanceOfSatisfying(OutcomeUnknownException.class, e -> {
            assertThat(e.step().detail()).isEqualTo("vCPUs 3 -> 2 (hot-unplug)");
            assertThat(e.liveState()).isEqualTo("live vCPUs = 3");
            assertThat(e.configState()).isEqualTo("config vCPUs = 3");
            assertThat(e.vcpuCount()).hasValue(VcpuCount.builder().config(8, 3).live(8, 3).build());
            assertThat(e.stateBefore()).contains("live 3", "config 3");
          })
          .hasMessageContaining("a hot-unplug may still complete in the guest")
          .hasMessageContaining("did not retry it")
          .hasCauseInstanceOf(ConnectionLostException.class);
    }
  }

  @Test
  void lostAndTheDomainCannotBeReadAgain_isOutcomeUnknownSayingWhy() {
    List<String> seen = new CopyOnWriteArrayList<>();
    CallInterceptor down = new CallInterceptor() {
      boolean lost;

      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        seen.add(op);
        if (op.equals("setVcpus(LIVE)")) {
          lost = true;
        }
        if (lost) {
          throw new ConnectionLostException("test:///node", "cannot reconnect to test:///node (injected)", null);
        }
        return call.get();
      }
    };
    try (HotplugClient c = client(down, TestNode.write(dir))) {
      assertThatThrownBy(() -> c.domain("web").vcpus().set(4).apply())
          .isInstanceOfSatisfying(OutcomeUnknownException.class,
              e -> assertThat(e.liveState()).startsWith("could not be read after the connection loss"))
          .hasMessageContaining("could not be read again")
          .hasCauseInstanceOf(ConnectionLostException.class);
      assertThat(seen.stream().filter(o -> o.startsWith("setVcpus"))).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- memory

  @Test
  void dimmAttach_lostAfterTheCallRan_isApplied() {
    HotplugClient[] self = new HotplugClient[1];
    Fault f = new Fault("attachDevice(CONFIG)", When.AFTER_THE_CALL);
    f.instead = () -> MemoryApplyTest.attachToDefinition(self[0], "memoff", MemorySize.ofMiB(256));
    try (HotplugClient c = client(f, MemoryTestNode.write(dir))) {
      self[0] = c;
      MemoryResult r = c.domain("memoff").memory().add(MemorySize.ofMiB(256)).config().apply();
      assertThat(r.after().config().orElseThrow().memory()).isEqualTo(MemorySize.ofMiB(1536));
      assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("was lost during attachDeviceFlags",
          "the step was applied", "Nothing was retried"));
      assertThat(f.changes()).containsExactly("attachDevice(CONFIG)");
    }
  }

  @Test
  void dimmAttach_lostBeforeTheCallRan_saysNothingWasChanged() {
    Fault f = new Fault("attachDevice(CONFIG)", When.BEFORE_THE_CALL);
    try (HotplugClient c = client(f, MemoryTestNode.write(dir))) {
      DomainHandle off = c.domain("memoff");
      String config = off.xml(true);
      assertThatThrownBy(() -> off.memory().add(MemorySize.ofMiB(256)).config().apply())
          .isExactlyInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("the change was not applied")
          .hasMessageContaining("Nothing was changed and nothing was retried");
      assertThat(f.changes()).containsExactly("attachDevice(CONFIG)");
      assertThat(off.xml(true)).isEqualTo(config);
    }
  }

  // ---------------------------------------------------------------- defineXML (prepare)

  private static HotplugLimits limits() {
    return HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build();
  }

  @Test
  void prepare_lostAfterTheDefineRan_isAppliedWithAWarning() {
    Fault f = new Fault("defineXML", When.AFTER_THE_CALL);
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      PrepareResult r = c.domain("k1").prepare(limits());
      assertThat(r.changed()).isTrue();
      assertThat(r.warnings()).singleElement().asString().contains("was lost during defineXML", "it was defined",
          "Nothing was retried");
      assertThat(f.count("defineXML")).isEqualTo(1);
      assertThat(c.domain("k1").vcpuCount().maximumConfig()).hasValue(8);
    }
  }

  @Test
  void prepare_lostBeforeTheDefineRan_saysNothingWasChanged() {
    Fault f = new Fault("defineXML", When.BEFORE_THE_CALL);
    try (HotplugClient c = client(f, TestNode.write(dir))) {
      DomainHandle k1 = c.domain("k1");
      String config = k1.xml(true);
      assertThatThrownBy(() -> k1.prepare(limits()))
          .isExactlyInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("it was not defined")
          .hasMessageContaining("Nothing was changed and nothing was retried");
      assertThat(f.count("defineXML")).isEqualTo(1);
      assertThat(k1.xml(true)).isEqualTo(config);
    }
  }
}
