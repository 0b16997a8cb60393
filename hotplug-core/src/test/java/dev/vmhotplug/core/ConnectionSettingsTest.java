package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.internal.CallInterceptor;
import dev.vmhotplug.core.internal.EventLoop;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder settings of the connection layer, health, credentials and the retry rules (test driver). */
class ConnectionSettingsTest {
  @TempDir Path dir;

  @Test
  void builder_badKeepaliveBackoffOrTimeout_isRefusedSayingWhatToGive() {
    HotplugClient.Builder b = HotplugClient.builder();
    assertThatThrownBy(() -> b.keepalive(Duration.ofMillis(500), 5)).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("whole number of seconds").hasMessageContaining("keepaliveOff()");
    assertThatThrownBy(() -> b.keepalive(Duration.ofMillis(1500), 5)).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> b.keepalive(Duration.ofSeconds(5), 0)).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("count 0 is below 1");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("max at least initial");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("connectTimeout must be positive");
    assertThatThrownBy(() -> b.pkiPath(dir)).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("lacks cacert.pem, clientcert.pem, clientkey.pem");
  }

  @Test
  void health_localDriver_connectedWithoutKeepalive_thenClosed() {
    HotplugClient client = HotplugClient.connect(TestNode.write(dir));
    ConnectionHealth h = client.health();
    assertThat(h.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(h.isConnected()).isTrue();
    assertThat(h.connectedSince()).isPresent();
    assertThat(h.reconnects()).isZero();
    assertThat(h.failedAttempts()).isZero();
    assertThat(h.lastCloseReason()).isEmpty();
    assertThat(h.keepalive()).startsWith("not applicable to this driver");
    assertThat(h.eventLoop()).contains(EventLoop.THREAD_NAME);
    assertThat(client.isAlive()).isTrue();
    client.close();
    assertThat(client.isAlive()).isFalse();
    assertThat(client.isClosed()).isTrue();
    assertThat(client.health().state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(client.health().toString()).contains("CLOSED").contains("last close CLOSED_BY_CLIENT");
  }

  @Test
  void eventLoop_isOneDaemonThreadPerProcess() {
    try (HotplugClient a = HotplugClient.connect(TestNode.write(dir));
        HotplugClient b = HotplugClient.connect("test:///default")) {
      assertThat(EventLoop.mode()).isEqualTo(EventLoop.Mode.OWN);
      List<Thread> loops = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals(EventLoop.THREAD_NAME)).toList();
      assertThat(loops).singleElement().satisfies(t -> assertThat(t.isDaemon()).isTrue());
    }
  }

  @Test
  void credentials_neverShowThePassword() {
    Credentials c = Credentials.password("alice", "s3cret!".toCharArray());
    assertThat(c.toString()).isEqualTo("Credentials[username=alice, password=***]");
    CredentialRequest pass = new CredentialRequest(CredentialType.PASSPHRASE, "Please enter your password", null, null);
    CredentialRequest name = new CredentialRequest(CredentialType.AUTHNAME, "name", null, null);
    CredentialRequest realm = new CredentialRequest(CredentialType.REALM, "realm", null, "example.org");
    CredentialRequest other = new CredentialRequest(CredentialType.CNONCE, "nonce", null, null);
    c.answer(List.of(pass, name, realm, other));
    assertThat(new String(pass.answerBytes())).isEqualTo("s3cret!");
    assertThat(new String(name.answerBytes())).isEqualTo("alice");
    assertThat(new String(realm.answerBytes())).isEqualTo("example.org");
    assertThat(other.isAnswered()).isFalse();
    assertThat(pass.toString()).doesNotContain("s3cret").contains("(answered)");
    assertThat(CredentialType.PASSPHRASE.isSecret()).isTrue();
    assertThat(CredentialType.AUTHNAME.isSecret()).isFalse();
    c.wipe();
    CredentialRequest again = new CredentialRequest(CredentialType.PASSPHRASE, "", null, null);
    c.answer(List.of(again));
    assertThat(new String(again.answerBytes())).doesNotContain("s3cret");
  }

  @Test
  void credentials_blankOrControlCharacterUser_isRefused() {
    assertThatThrownBy(() -> Credentials.password(" ", new char[0])).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("blank or contains a control character");
    assertThatThrownBy(() -> Credentials.password("a\nb", new char[0])).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("\\n");
  }

  /** Counts the real calls and throws a lost connection from the first one of the given operation. */
  static final class LoseFirst implements CallInterceptor {
    final String op;
    final List<String> calls = new CopyOnWriteArrayList<>();
    boolean lost;

    LoseFirst(String op) {
      this.op = op;
    }

    @Override
    public <T> T intercept(String operation, String domain, Supplier<T> call) {
      calls.add(operation);
      if (operation.equals(op) && !lost) {
        lost = true;
        throw new ConnectionLostException("test:///", "injected", null, CloseReason.CLOSED_BY_SERVER, operation,
            !operation.startsWith("xml"));
      }
      return call.get();
    }
  }

  @Test
  void lostConnection_duringARead_isRetriedOnce_duringAChange_never() {
    LoseFirst read = new LoseFirst("xml(live)");
    try (HotplugClient client = HotplugClient.builder().interceptor(read).connect(TestNode.write(dir))) {
      DomainHandle web = client.domain("web");
      assertThat(web.xml(false)).contains("<name>web</name>");
      assertThat(read.calls).containsExactly("lookup", "xml(live)", "xml(live)");
    }
    LoseFirst change = new LoseFirst("setVcpus(LIVE)");
    try (HotplugClient client = HotplugClient.builder().interceptor(change).connect(TestNode.write(dir))) {
      dev.vmhotplug.core.internal.LibvirtGateway gw = client.gateway();
      dev.vmhotplug.core.internal.LibvirtGateway.DomainRef web = gw.lookup("web");
      assertThatThrownBy(() -> gw.setVcpus(web, 3, Scope.LIVE)).isInstanceOf(ConnectionLostException.class);
      assertThat(change.calls).containsExactly("lookup", "setVcpus(LIVE)");
      assertThat(client.domain("web").vcpuCount().currentLive()).hasValue(2);
    }
  }

  @Test
  void readOnlyClient_gatewayRefusesEveryChangeBeforeAnyCall() {
    List<String> calls = new CopyOnWriteArrayList<>();
    CallInterceptor record = new CallInterceptor() {
      @Override
      public <T> T intercept(String operation, String domain, Supplier<T> call) {
        calls.add(operation);
        return call.get();
      }
    };
    try (HotplugClient client = HotplugClient.builder().readOnly(true).interceptor(record).connect(TestNode.write(dir))) {
      dev.vmhotplug.core.internal.LibvirtGateway gw = client.gateway();
      dev.vmhotplug.core.internal.LibvirtGateway.DomainRef web = gw.lookup("web");
      String live = gw.xml(web, false);
      String config = gw.xml(web, true);
      List<Runnable> changes = List.of(() -> gw.setVcpus(web, 3, Scope.LIVE),
          () -> gw.attachDevice(web, "<memory model='dimm'/>", Scope.LIVE),
          () -> gw.detachDevice(web, "<memory model='dimm'/>", Scope.LIVE),
          () -> gw.updateDevice(web, "<memory model='virtio-mem'/>", Scope.LIVE),
          () -> gw.defineXml(config), () -> gw.shutdown(web), () -> gw.create(web), () -> gw.destroy(web),
          () -> gw.qemuAgentCommand(web, "{\"execute\":\"guest-ping\"}", 1));
      for (Runnable c : changes) {
        assertThatThrownBy(c::run).isInstanceOf(PreconditionException.class).hasMessageContaining("read-only")
            .satisfies(t -> assertThat(((PreconditionException) t).refusal()).isEqualTo(Refusal.READ_ONLY));
      }
      assertThat(calls).containsExactly("lookup", "xml(live)", "xml(inactive)");
      assertThat(gw.xml(web, false)).isEqualTo(live);
      assertThat(gw.xml(web, true)).isEqualTo(config);
    }
  }
}
