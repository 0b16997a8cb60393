package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.TestDaemons.DOMAIN;
import static dev.vmhotplug.lab.TestDaemons.eventually;
import static dev.vmhotplug.lab.TestDaemons.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.ConnectionException;
import dev.vmhotplug.core.ConnectionHealth;
import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.ConnectionState;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.Scope;
import dev.vmhotplug.core.internal.ConnectionOptions;
import dev.vmhotplug.core.internal.EventLoop;
import dev.vmhotplug.core.internal.LibvirtGateway;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real faults against a private libvirtd serving the test driver: a frozen daemon (SIGSTOP), a
 * killed and restarted one (SIGKILL), a change interrupted by a freeze, a read-only client. Each
 * asserts the exception type and message, a bound on the time to fail (no hang), how often the
 * daemon really served a change (its log), and the domain XML before and after.
 *
 * <p>libvirt's test driver keeps {@code test:///default}'s state only while some connection is
 * open: an "anchor" connection without keepalive keeps it across the client's reconnects (a
 * restart resets it, to the same default domain {@code test} with the same UUID).
 */
class ConnectionFaultIT {
  /** keepalive 1 s x 2: a silent daemon is noticed within 3 s. */
  static final Duration WINDOW = Duration.ofSeconds(3);

  private TestDriverDaemon daemon;
  private org.libvirt.Connect anchor;

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (anchor != null) {
      try {
        anchor.close();
      } catch (org.libvirt.LibvirtException ignored) {
        // the daemon is gone
      }
    }
  }

  private HotplugClient fastClient() {
    return HotplugClient.builder().keepalive(Duration.ofSeconds(1), 2).connectTimeout(WINDOW)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).connect(daemon.uri());
  }

  private void anchor() throws org.libvirt.LibvirtException {
    EventLoop.ensureRunning(); // so that the anchor answers the daemon's own keepalive probes
    anchor = new org.libvirt.Connect(daemon.uri());
  }

  @Test
  void frozenDaemon_inFlightAndNewCalls_failWithinTheKeepaliveWindow_thenRecover() throws Exception {
    daemon = TestDaemons.start();
    anchor();
    try (HotplugClient client = fastClient()) {
      DomainHandle test = client.domain(DOMAIN);
      String before = test.xml(false);
      assertThat(client.health().state()).isEqualTo(ConnectionState.CONNECTED);

      daemon.freeze();
      long t0 = System.nanoTime();
      CompletableFuture<Throwable> inFlight = CompletableFuture.supplyAsync(() -> catchThrowable(() -> test.xml(false)));
      Throwable first = inFlight.get(4 * WINDOW.toSeconds(), TimeUnit.SECONDS);
      long firstMs = ms(t0);
      assertThat(first).isInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("stopped answering")
          .hasMessageContaining("keepalive 1 s x 2")
          .hasMessageContaining("virsh -c '" + daemon.uri() + "' version");
      assertThat(((ConnectionLostException) first).reason()).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
      assertThat(((ConnectionLostException) first).wasChange()).isFalse();
      assertThat(firstMs).as("failed within 2x the detection window").isLessThan(2 * WINDOW.toMillis());
      assertThat(client.isAlive()).isFalse();

      // a new call: the reconnect's handshake gets no answer either
      long t1 = System.nanoTime();
      Throwable second = catchThrowable(() -> test.xml(false));
      long secondMs = ms(t1);
      assertThat(second).isExactlyInstanceOf(ConnectionException.class)
          .hasMessageContaining("did not answer the connection handshake within 3 s");
      assertThat(secondMs).isLessThan(2 * WINDOW.toMillis());
      ConnectionHealth h = client.health();
      assertThat(h.state()).isEqualTo(ConnectionState.DISCONNECTED);
      assertThat(h.lastCloseReason()).contains(CloseReason.KEEPALIVE_TIMEOUT);
      assertThat(h.failedAttempts()).isGreaterThanOrEqualTo(1);

      daemon.thaw();
      assertThat(eventually(Duration.ofSeconds(15), () -> test.xml(false).equals(before)))
          .as("the old handle works again after the thaw").isTrue();
      assertThat(client.health().reconnects()).isEqualTo(1);
      assertThat(client.health().state()).isEqualTo(ConnectionState.CONNECTED);
    }
  }

  @Test
  void killedAndRestartedDaemon_readOnTheOldHandle_reconnectsTransparently() {
    daemon = TestDaemons.start();
    try (HotplugClient client = fastClient()) {
      DomainHandle test = client.domain(DOMAIN);
      String before = test.xml(false);
      daemon.kill();
      daemon.restart();
      long t0 = System.nanoTime();
      String after = test.xml(false); // EOF noticed: the read reconnects (or is retried once) by itself
      assertThat(ms(t0)).isLessThan(2 * WINDOW.toMillis());
      assertThat(after).isEqualTo(before);
      ConnectionHealth h = client.health();
      assertThat(h.reconnects()).isEqualTo(1);
      assertThat(h.lastCloseReason()).contains(CloseReason.CLOSED_BY_SERVER);
      assertThat(h.state()).isEqualTo(ConnectionState.CONNECTED);
    }
  }

  @Test
  void killedDaemon_callsFailFastWithTheReason_untilItIsBack() {
    daemon = TestDaemons.start();
    try (HotplugClient client = fastClient()) {
      DomainHandle test = client.domain(DOMAIN);
      String before = test.xml(false);
      daemon.kill();
      long t0 = System.nanoTime();
      Throwable down = catchThrowable(() -> test.xml(false));
      assertThat(ms(t0)).isLessThan(WINDOW.toMillis());
      assertThat(down).isInstanceOf(ConnectionException.class).hasMessageContaining(daemon.uri());
      Throwable during = catchThrowable(() -> test.xml(false));
      assertThat(during).isExactlyInstanceOf(ConnectionException.class)
          .hasMessageMatching("(?s).*(not connected to .* reconnect attempt|cannot connect to ).*");
      daemon.restart();
      assertThat(eventually(Duration.ofSeconds(10), () -> test.xml(false).equals(before))).isTrue();
    }
  }

  @Test
  void changeInterruptedByAFreeze_isNotRetried_andIsServedAtMostOnce() throws Exception {
    daemon = TestDaemons.start();
    anchor();
    ConnectionOptions o = new ConnectionOptions(false, 1, 2, WINDOW, Duration.ofMillis(50), Duration.ofMillis(500),
        false, null);
    try (LibvirtGateway gw = LibvirtGateway.open(daemon.uri(), o, null)) {
      LibvirtGateway.DomainRef ref = gw.lookup(DOMAIN);
      String config = gw.xml(ref, true);
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).isZero();
      daemon.freeze();
      long t0 = System.nanoTime();
      Throwable t = catchThrowable(() -> gw.setVcpus(ref, 1, Scope.LIVE));
      assertThat(ms(t0)).isLessThan(2 * WINDOW.toMillis());
      assertThat(t).isInstanceOf(ConnectionLostException.class)
          .hasMessageContaining("setVcpus(LIVE) of domain 'test'")
          .hasMessageContaining("whether libvirt applied it is unknown");
      assertThat(((ConnectionLostException) t).wasChange()).isTrue();
      daemon.thaw();
      // the frozen daemon may still read the request from its socket after the thaw: once, never twice
      assertThat(eventually(Duration.ofSeconds(15), () -> gw.xml(ref, false) != null)).isTrue();
      long served = daemon.countCalls("virDomainSetVcpusFlags");
      assertThat(served).isBetween(0L, 1L);
      String live = gw.xml(ref, false);
      assertThat(live).contains(served == 1 ? "<vcpu placement='static' current='1'>2</vcpu>"
          : "<vcpu placement='static'>2</vcpu>");
      assertThat(gw.xml(ref, true)).isEqualTo(config); // a LIVE change never touches the definition
    }
  }

  @Test
  void changeAfterARestart_isSentOnceOnTheNewConnection() {
    daemon = TestDaemons.start();
    try (HotplugClient client = fastClient()) {
      DomainHandle test = client.domain(DOMAIN);
      String config = test.xml(true);
      daemon.kill();
      daemon.restart();
      test.vcpus().set(1).live().apply();
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).isEqualTo(1);
      assertThat(test.vcpuCount().currentLive()).hasValue(1);
      assertThat(test.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void readOnlyClient_refusesChangesBeforeAnyCall_readsWork() {
    daemon = TestDaemons.start();
    try (HotplugClient client = HotplugClient.builder().readOnly(true).connect(daemon.uri())) {
      DomainHandle test = client.domain(DOMAIN);
      String live = test.xml(false);
      String config = test.xml(true);
      Throwable t = catchThrowable(() -> test.vcpus().set(1).live().apply());
      assertThat(t).isInstanceOf(PreconditionException.class).hasMessageContaining("read-only");
      assertThat(((PreconditionException) t).refusal()).isEqualTo(Refusal.READ_ONLY);
      assertThat(daemon.countCalls("virDomainSetVcpusFlags")).isZero();
      assertThat(test.xml(false)).isEqualTo(live);
      assertThat(test.xml(true)).isEqualTo(config);
    }
  }

  @Test
  void wrappedConnection_lostToARestart_isNeverReopened_andSaysHowToRecover() throws Exception {
    daemon = TestDaemons.start();
    EventLoop.ensureRunning();
    org.libvirt.Connect own = new org.libvirt.Connect(daemon.uri());
    try (HotplugClient client = HotplugClient.wrap(own)) {
      DomainHandle test = client.domain(DOMAIN);
      test.xml(false);
      daemon.restart();
      Throwable t = catchThrowable(() -> test.xml(false));
      assertThat(t).isInstanceOf(ConnectionException.class)
          .hasMessageContaining("wrap")
          .hasMessageContaining("open a new org.libvirt.Connect");
      Throwable again = catchThrowable(() -> test.xml(false));
      assertThat(again).isExactlyInstanceOf(ConnectionException.class).hasMessageContaining("was not sent");
      assertThat(client.health().reconnects()).isZero();
    } finally {
      own.close();
    }
  }
}
