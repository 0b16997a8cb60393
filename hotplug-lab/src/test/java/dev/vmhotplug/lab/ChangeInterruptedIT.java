package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.TestDaemons.DOMAIN;
import static dev.vmhotplug.lab.TestDaemons.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.HotplugListener;
import dev.vmhotplug.core.OperationInfo;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.OutcomeUnknownException;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.EventLoop;
import dev.vmhotplug.core.internal.Instrumentation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A vCPU change interrupted for real, against a private libvirtd serving the test driver: the reply
 * lost on a silent network after the request was delivered, and the request sent to a frozen daemon
 * that is then killed (and restarted, or not). Each test asserts the exception type and message (or
 * the result and its warning), that it came within a bound (no hang), how often the daemon served
 * {@code virDomainSetVcpusFlags} (its log: never twice, never retried), and the domain XML before and
 * after.
 *
 * <p>The test driver's state lives in the daemon: {@code test:///default}'s is shared by all its
 * connections while one is open (an "anchor" connection keeps it across the client's reconnect) and
 * starts afresh when the daemon restarts; a node-file URI ({@link TestDriverDaemon#nodeUri}) starts
 * from its file with every connection, so with every restart too. The tests use that: a change the
 * killed daemon never served is gone with it, exactly as a change that never reached libvirt.
 */
class ChangeInterruptedIT {
  /** keepalive 1 s x 2: a silent daemon is noticed within 3 s. */
  static final Duration WINDOW = Duration.ofSeconds(3);
  /** The request's timeout: how long the re-read after a loss waits for the change to show. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  /**
   * A domain with room for a hot-plug: 2 of 4 vCPUs. With a fixed UUID: without one the test driver
   * makes up a new UUID for every connection, and a handle, looked up again by UUID after a
   * reconnect, would find no such domain (a different domain, as far as libvirt can tell).
   */
  static final String NODE = "<node>\n<domain type='test'><name>hp</name>"
      + "<uuid>3d1c5b64-8f0e-4a52-9a7e-2b6f0c4d8e11</uuid><memory unit='MiB'>1024</memory>"
      + "<vcpu placement='static' current='2'>4</vcpu><os><type arch='x86_64'>hvm</type></os></domain>\n</node>\n";

  private TestDriverDaemon daemon;
  private TcpProxy proxy;
  private org.libvirt.Connect anchor;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    if (anchor != null) {
      try {
        anchor.close();
      } catch (org.libvirt.LibvirtException ignored) {
        // the daemon is gone
      }
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  /** Runs {@code before} on the caller's thread right before each setVcpus call goes to libvirt. */
  private static CallInterceptor beforeSetVcpus(Runnable before) {
    return new CallInterceptor() {
      @Override
      public <T> T intercept(String op, String domain, Supplier<T> call) {
        if (op.startsWith("setVcpus")) {
          before.run();
        }
        return call.get();
      }
    };
  }

  /** Freezes the daemon (the request that follows goes into its socket, unread), then says so. */
  private void freezeThen(CountDownLatch sending) {
    daemon.freeze();
    sending.countDown();
  }

  private static HotplugClient.Builder fast() {
    return HotplugClient.builder().keepalive(Duration.ofSeconds(1), 2).connectTimeout(WINDOW)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).defaultTimeout(TIMEOUT);
  }

  /** Bound of a whole interrupted change: the keepalive, a reconnect attempt, the re-read's timeout, and slack. */
  private static long bound() {
    return WINDOW.toMillis() * 2 + TIMEOUT.toMillis() + 15_000;
  }

  @Test
  void setVcpus_replyLostOnASilentNetwork_keepaliveFires_reconciledAfterTheReconnect_reportedApplied()
      throws Exception {
    daemon = TestDaemons.start(TestDriverDaemon.builder().tls(true));
    EventLoop.ensureRunning();
    anchor = new org.libvirt.Connect(daemon.uri()); // keeps test:///default's state across the client's reconnect
    proxy = TcpProxy.start(daemon.tlsPort());
    List<String> seen = new CopyOnWriteArrayList<>();
    HotplugListener listener = new HotplugListener() {
      @Override
      public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
        seen.add(call + error.map(e -> " " + e.getClass().getSimpleName()).orElse(""));
      }

      @Override
      public void stepApplied(OperationInfo op, OperationStep step) {
        seen.add("step " + step.action());
      }
    };
    // the request is written through the proxy; from that moment the daemon's reply is held back
    HotplugClient.Builder b = Instrumentation.interceptor(fast().listener(listener), beforeSetVcpus(proxy::holdReplies));
    try (HotplugClient client = b.pkiPath(daemon.pki().clientDir())
        .connect("test+tls://127.0.0.1:" + proxy.port() + "/default")) {
      DomainHandle test = client.domain(DOMAIN);
      String live = test.xml(false);
      String config = test.xml(true);
      assertThat(live).contains("<vcpu placement='static'>2</vcpu>");

      long t0 = System.nanoTime();
      VcpuResult r = test.vcpus().set(1).live().apply();
      long took = ms(t0);

      assertThat(proxy.bytesHeld()).as("the daemon's reply was held back").isPositive();
      assertThat(r.after().currentLive()).hasValue(1);
      assertThat(r.warnings()).singleElement().asString()
          .contains("was lost during setVcpusFlags", "stopped answering", "the change was applied", "Nothing was retried");
      assertThat(took).as("keepalive window + reconnect, no hang").isGreaterThanOrEqualTo(WINDOW.toMillis() - 500)
          .isLessThan(bound());
      assertThat(client.health().lastCloseReason()).contains(CloseReason.KEEPALIVE_TIMEOUT);
      assertThat(client.health().reconnects()).isEqualTo(1);
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).as("served once, never retried").isEqualTo(1);
      assertThat(seen).contains("setVcpus(LIVE) ConnectionLostException", "step setVcpusFlags");
      String after = test.xml(false);
      assertThat(after.replace("<vcpu placement='static' current='1'>2</vcpu>", "<vcpu placement='static'>2</vcpu>"))
          .as("only <vcpu current> changed").isEqualTo(live);
      assertThat(after).contains("current='1'");
      assertThat(test.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void setVcpus_sentToAFrozenDaemon_thatIsKilledAndRestarted_reportedNotApplied() throws Exception {
    daemon = TestDaemons.start();
    String uri = daemon.nodeUri("node.xml", NODE);
    CountDownLatch sending = new CountDownLatch(1);
    try (HotplugClient client = Instrumentation.interceptor(fast(), beforeSetVcpus(() -> freezeThen(sending)))
        .connect(uri)) {
      DomainHandle hp = client.domain("hp");
      String live = hp.xml(false);
      String config = hp.xml(true);
      CompletableFuture<Throwable> change = CompletableFuture.supplyAsync(
          () -> catchThrowable(() -> hp.vcpus().set(3).live().apply()));
      assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300); // the request is in the frozen daemon's socket, unread
      long t0 = System.nanoTime();
      daemon.killFrozen();
      daemon.restart();
      Throwable t = change.get(bound(), TimeUnit.MILLISECONDS);
      long took = ms(t0);

      assertThat(t).isExactlyInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("was lost while setting the vCPUs of domain 'hp'")
          .hasMessageContaining("still shows the counts from before")
          .hasMessageContaining("the change was not applied. Nothing was changed and nothing was retried");
      assertThat(((ConnectionLostException) t.getCause()).reason()).isEqualTo(CloseReason.CLOSED_BY_SERVER);
      assertThat(took).as("the re-read's timeout after the restart, no hang").isLessThan(bound());
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).as("the killed daemon never served it, nobody retried")
          .isZero();
      assertThat(hp.xml(false)).isEqualTo(live);
      assertThat(hp.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void hotUnplug_sentToAFrozenDaemon_thatIsKilledAndRestarted_isOutcomeUnknown_carryingBothStates()
      throws Exception {
    daemon = TestDaemons.start();
    CountDownLatch sending = new CountDownLatch(1);
    try (HotplugClient client = Instrumentation.interceptor(fast(), beforeSetVcpus(() -> freezeThen(sending)))
        .connect(daemon.uri())) {
      DomainHandle test = client.domain(DOMAIN);
      String live = test.xml(false);
      CompletableFuture<Throwable> change = CompletableFuture.supplyAsync(
          () -> catchThrowable(() -> test.vcpus().set(1).live().apply()));
      assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300);
      long t0 = System.nanoTime();
      daemon.killFrozen();
      daemon.restart();
      Throwable t = change.get(bound(), TimeUnit.MILLISECONDS);

      // the state from before is all the SDK can see, but a guest may still complete a hot-unplug later
      assertThat(t).isInstanceOfSatisfying(OutcomeUnknownException.class, e -> {
        assertThat(e.stateBefore()).contains("live 2");
        assertThat(e.liveState()).isEqualTo("live vCPUs = 2");
        assertThat(e.step().action()).isEqualTo("setVcpusFlags");
        assertThat(e.vcpuCount()).isPresent();
      }).hasMessageContaining("a hot-unplug may still complete in the guest")
          .hasMessageContaining("cannot tell whether the change was applied, and did not retry it");
      assertThat(ms(t0)).isLessThan(bound());
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).isZero();
      assertThat(test.xml(false)).isEqualTo(live);
    }
  }

  @Test
  void setVcpus_sentToAFrozenDaemon_thatIsKilledAndNotBack_isOutcomeUnknown_afterTheTimeout() throws Exception {
    daemon = TestDaemons.start();
    String uri = daemon.nodeUri("node.xml", NODE);
    CountDownLatch sending = new CountDownLatch(1);
    try (HotplugClient client = Instrumentation.interceptor(fast(), beforeSetVcpus(() -> freezeThen(sending)))
        .connect(uri)) {
      DomainHandle hp = client.domain("hp");
      CompletableFuture<Throwable> change = CompletableFuture.supplyAsync(
          () -> catchThrowable(() -> hp.vcpus().set(3).live().apply()));
      assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300);
      long t0 = System.nanoTime();
      daemon.killFrozen();
      Throwable t = change.get(bound(), TimeUnit.MILLISECONDS);
      long took = ms(t0);

      assertThat(t).isInstanceOfSatisfying(OutcomeUnknownException.class, e -> {
        assertThat(e.liveState()).startsWith("could not be read after the connection loss")
            .contains("cannot connect to " + uri);
        assertThat(e.configState()).startsWith("could not be read after the connection loss");
      }).hasMessageContaining("could not be read again within " + TIMEOUT.toMillis() + " ms")
          .hasMessageContaining("did not retry it");
      assertThat(took).as("gave up at the re-read's timeout").isGreaterThanOrEqualTo(TIMEOUT.toMillis() - 500)
          .isLessThan(bound());
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).isZero();
      daemon.restart();
      assertThat(TestDaemons.eventually(Duration.ofSeconds(10), () -> hp.xml(false).contains("current='2'")))
          .as("the client works again once the daemon is back").isTrue();
    }
  }
}
