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
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ColdBoot against libvirt's test driver (its shutdown powers off at once, its create starts). A
 * guest that ignores the shutdown request cannot be made on the test driver: there the interceptor
 * drops the shutdown call (the lab's ColdBootIT has a real one).
 */
class ColdBootTest {
  @TempDir Path dir;
  String uri;
  final List<String> ops = new CopyOnWriteArrayList<>();
  volatile boolean dropShutdown;

  @BeforeEach
  void node() {
    uri = TestNode.write(dir);
  }

  private HotplugClient client() {
    return HotplugClient.builder().pollInterval(Duration.ofMillis(10)).interceptor(new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        ops.add(op);
        if (dropShutdown && op.equals("shutdown")) {
          return null; // the guest ignores the power button
        }
        return call.get();
      }
    }).connect(uri);
  }

  @Test
  void runningPersistent_shutsDownAndStarts_reportsEachStep() {
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      String config = web.xml(true);

      ColdBootResult r = web.coldBoot().apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
      assertThat(r.booted()).isTrue();
      assertThat(r.forced()).isFalse();
      assertThat(r.steps()).extracting(ColdBootResult.Step::action).containsExactly("shutdown requested", "shut off",
          "started");
      assertThat(r.steps()).allSatisfy(s -> assertThat(s.at()).isLessThanOrEqualTo(r.elapsed()));
      assertThat(ops).containsSubsequence("isPersistent", "isActive", "shutdown", "isActive", "create", "isActive")
          .doesNotContain("destroy");
      assertThat(web.isRunning()).isTrue();
      assertThat(web.xml(true)).isEqualTo(config);
      assertThat(r.summary()).contains("shut off", "started", "domain 'web': cold boot done in");
    }
  }

  @Test
  void afterPrepare_bootsTheNewDefinitionIntoTheLiveDomain() {
    try (HotplugClient client = client()) {
      DomainHandle k1 = client.domain("k1");
      PrepareResult p = k1.prepare(HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build());
      assertThat(p.coldBootNeeded()).isTrue();
      assertThat(k1.vcpuCount().maximumLive()).hasValue(2);

      ColdBootResult r = k1.coldBoot().after(p).apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.BOOTED);
      assertThat(k1.vcpuCount().maximumLive()).hasValue(8);
      assertThat(k1.memoryView().toString()).contains("16");
    }
  }

  @Test
  void afterPrepareThatChangedNothing_skipped_noLibvirtCall() {
    try (HotplugClient client = client()) {
      DomainHandle k1 = client.domain("k1");
      HotplugLimits limits = HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build();
      k1.prepare(limits);
      PrepareResult again = k1.prepare(limits);
      ops.clear();

      ColdBootResult r = k1.coldBoot().after(again).apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.SKIPPED);
      assertThat(r.booted()).isFalse();
      assertThat(r.steps()).singleElement().satisfies(s -> assertThat(s.detail()).contains("prepare changed nothing"));
      assertThat(ops).isEmpty();
      assertThat(k1.vcpuCount().maximumLive()).hasValue(2);
    }
  }

  @Test
  void afterPrepareOfAShutOffDomain_skipped_theNextStartUsesIt() throws java.io.IOException {
    Path f = dir.resolve("off-kvm.xml");
    java.nio.file.Files.writeString(f, "<node>\n  <domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
        + "    <name>off</name>\n    <memory unit='MiB'>1024</memory>\n    <vcpu placement='static'>2</vcpu>\n"
        + "    <os><type arch='x86_64'>hvm</type></os>\n    <test:runstate>5</test:runstate>\n  </domain>\n</node>\n");
    uri = "test://" + f.toAbsolutePath();
    try (HotplugClient client = client()) {
      DomainHandle off = client.domain("off");
      assertThat(off.isRunning()).isFalse();
      PrepareResult p = off.prepare(HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build());
      assertThat(p.changed()).isTrue();

      ColdBootResult r = off.coldBoot().after(p).apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.SKIPPED);
      assertThat(r.steps().get(0).detail()).contains("not running when it was prepared");
      assertThat(off.isRunning()).isFalse();
    }
  }

  @Test
  void afterPrepareOfAnotherDomain_invalidArgument() {
    try (HotplugClient client = client()) {
      PrepareResult p = client.domain("k1").prepare(HotplugLimits.builder().maxVcpus(8)
          .maxMemory(MemorySize.ofGiB(16)).slots(16).build());
      assertThatThrownBy(() -> client.domain("web").coldBoot().after(p))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("of domain 'k1', not of 'web'");
    }
  }

  @Test
  void transientDomain_refusedNotPersistent_stillRunning_xmlUnchanged() {
    try (HotplugClient client = client()) {
      DomainHandle tr = client.domain("tr");
      String live = tr.xml(false);

      assertThatThrownBy(() -> tr.coldBoot().apply())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_PERSISTENT))
          .hasMessageContaining("domain 'tr' is transient")
          .hasMessageContaining("would vanish")
          .hasMessageContaining("virsh define tr.xml");

      assertThat(ops).doesNotContain("shutdown", "destroy", "create");
      assertThat(tr.isRunning()).isTrue();
      assertThat(tr.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void shutOffDomain_refusedNotRunning_justStartIt() {
    try (HotplugClient client = client()) {
      DomainHandle off = client.domain("off");
      String config = off.xml(true);

      assertThatThrownBy(() -> off.coldBoot().apply())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_RUNNING))
          .hasMessageContaining("domain 'off' is shut off")
          .hasMessageContaining("Just start it (virsh start off)");

      assertThat(ops).doesNotContain("shutdown", "destroy", "create");
      assertThat(off.isRunning()).isFalse();
      assertThat(off.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void readOnlyClient_refusedReadOnly() {
    try (HotplugClient client = HotplugClient.builder().readOnly(true).connect(uri)) {
      assertThatThrownBy(() -> client.domain("web").coldBoot().apply())
          .isInstanceOfSatisfying(PreconditionException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.READ_ONLY));
      assertThat(client.domain("web").isRunning()).isTrue();
    }
  }

  @Test
  void guestIgnoresShutdown_shutdownTimeout_neverForced_keepsRunning() {
    dropShutdown = true;
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");
      String live = web.xml(false);
      long t0 = System.nanoTime();

      assertThatThrownBy(() -> web.coldBoot().shutdownTimeout(Duration.ofSeconds(1)).apply())
          .isInstanceOfSatisfying(ShutdownTimeoutException.class, e -> {
            assertThat(e.steps()).extracting(ColdBootResult.Step::action).containsExactly("shutdown requested",
                "still running");
            assertThat(e.expected()).isEqualTo("domain shut off within 1 s");
            assertThat(e.observed()).isEqualTo("domain still running");
            assertThat(e.attempts()).isGreaterThan(1);
          })
          .isInstanceOf(VerificationTimeoutException.class)
          .hasMessageContaining("still running 1 s after the shutdown request")
          .hasMessageContaining("Nothing was forced")
          .hasMessageContaining("forceOffAfterTimeout()");

      // bounded: the timeout, far below this "does not hang" bound
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      assertThat(ops).doesNotContain("destroy", "create");
      assertThat(web.isRunning()).isTrue();
      assertThat(web.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void guestIgnoresShutdown_forceOffAsked_destroysThenStarts() {
    dropShutdown = true;
    try (HotplugClient client = client()) {
      DomainHandle web = client.domain("web");

      ColdBootResult r = web.coldBoot().shutdownTimeout(Duration.ofSeconds(1)).forceOffAfterTimeout().apply();

      assertThat(r.outcome()).isEqualTo(ColdBootResult.Outcome.FORCED_OFF_AND_STARTED);
      assertThat(r.forced()).isTrue();
      assertThat(r.steps()).extracting(ColdBootResult.Step::action).containsExactly("shutdown requested",
          "forced off", "started");
      assertThat(ops).containsSubsequence("shutdown", "destroy", "create");
      assertThat(web.isRunning()).isTrue();
      assertThat(r.summary()).contains("forced off");
    }
  }

  @Test
  void badTimeouts_invalidArgument() {
    try (HotplugClient client = client()) {
      ColdBoot c = client.domain("web").coldBoot();
      assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(60));
      assertThat(c.forcesOffAfterTimeout()).isFalse();
      assertThatThrownBy(() -> c.shutdownTimeout(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("shutdown timeout PT0S is refused");
      assertThatThrownBy(() -> c.startTimeout(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
      assertThat(ops).doesNotContain("shutdown");
    }
  }
}
