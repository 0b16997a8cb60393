package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.TestDaemons.DOMAIN;
import static dev.vmhotplug.lab.TestDaemons.eventually;
import static dev.vmhotplug.lab.TestDaemons.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.vmhotplug.core.CloseReason;
import dev.vmhotplug.core.ConnectionException;
import dev.vmhotplug.core.ConnectionLostException;
import dev.vmhotplug.core.CredentialRequest;
import dev.vmhotplug.core.CredentialType;
import dev.vmhotplug.core.Credentials;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Secured transports against a private test-driver libvirtd: TLS with certificates generated for
 * the test (right CA, wrong CA), a silent network between client and daemon (a proxy that stops
 * forwarding), SASL SCRAM-SHA-256 (right, wrong and missing password, the callback SPI, and
 * re-authentication after a daemon restart). No secret may appear in any message.
 */
class ConnectionAuthIT {
  static final String USER = "alice";
  static final String PASSWORD = "Corr3ct-horse";
  static final Duration WINDOW = Duration.ofSeconds(3);

  private TestDriverDaemon daemon;
  private TcpProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private String tlsUriWithoutPki() {
    return "test+tls://127.0.0.1:" + daemon.tlsPort() + "/default";
  }

  @Test
  void tls_withTheTestCertificates_connectsAndReads() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().tls(true));
    try (HotplugClient client = HotplugClient.builder().pkiPath(daemon.pki().clientDir()).connect(tlsUriWithoutPki())) {
      assertThat(client.uri()).startsWith("test+tls://127.0.0.1:").contains("pkipath=" + daemon.pki().clientDir());
      assertThat(client.domain(DOMAIN).uuid()).isEqualTo(TestDaemons.DOMAIN_UUID);
      assertThat(client.health().keepalive()).startsWith("5 s x 5");
    }
  }

  @Test
  void tls_clientTrustsAnotherCa_isRefusedQuicklyWithTheFix() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().tls(true));
    long t0 = System.nanoTime();
    Throwable t = catchThrowable(() -> HotplugClient.builder().pkiPath(daemon.pki().wrongCaClientDir())
        .connect(tlsUriWithoutPki()));
    assertThat(ms(t0)).isLessThan(WINDOW.toMillis());
    assertThat(t).isExactlyInstanceOf(ConnectionException.class)
        .hasMessageContaining("cannot connect to test+tls://127.0.0.1:")
        .hasMessageContaining("certificate")
        .hasMessageContaining("cacert.pem of the CA that signed the server's certificate");
  }

  @Test
  void tls_pkiPathWithoutTheFiles_isRefusedBeforeConnecting() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().tls(true));
    Throwable t = catchThrowable(() -> HotplugClient.builder().pkiPath(daemon.dir()));
    assertThat(t).hasMessageContaining("lacks cacert.pem, clientcert.pem, clientkey.pem");
  }

  @Test
  void silentNetwork_callsFailWithinTheKeepaliveWindow_andRecoverWhenItForwardsAgain() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().tls(true));
    proxy = TcpProxy.start(daemon.tlsPort());
    String uri = "test+tls://127.0.0.1:" + proxy.port() + "/default";
    try (HotplugClient client = HotplugClient.builder().pkiPath(daemon.pki().clientDir())
        .keepalive(Duration.ofSeconds(1), 2).connectTimeout(WINDOW)
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).connect(uri)) {
      DomainHandle test = client.domain(DOMAIN);
      String before = test.xml(false);
      proxy.stopForwarding();
      long t0 = System.nanoTime();
      Throwable lost = catchThrowable(() -> test.xml(false));
      assertThat(ms(t0)).as("failed within 2x the detection window").isLessThan(2 * WINDOW.toMillis());
      assertThat(lost).isInstanceOf(ConnectionLostException.class).hasMessageContaining("stopped answering");
      assertThat(((ConnectionLostException) lost).reason()).isEqualTo(CloseReason.KEEPALIVE_TIMEOUT);
      long t1 = System.nanoTime();
      Throwable again = catchThrowable(() -> test.xml(false));
      assertThat(ms(t1)).isLessThan(2 * WINDOW.toMillis());
      assertThat(again).isExactlyInstanceOf(ConnectionException.class).hasMessageContaining("did not answer");
      proxy.resumeForwarding();
      assertThat(eventually(Duration.ofSeconds(15), () -> test.xml(false).equals(before))).isTrue();
      assertThat(client.health().reconnects()).isEqualTo(1);
    }
  }

  @Test
  void sasl_rightPassword_connects_andReauthenticatesAfterARestart() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().sasl(USER, PASSWORD.toCharArray()));
    List<CredentialType> asked = new CopyOnWriteArrayList<>();
    Credentials creds = Credentials.password(USER, PASSWORD.toCharArray());
    try (HotplugClient client = HotplugClient.builder().credentials(requests -> {
      requests.forEach(r -> asked.add(r.type()));
      creds.answer(requests);
    }).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).connect(daemon.uri())) {
      DomainHandle test = client.domain(DOMAIN);
      String before = test.xml(false);
      assertThat(asked).contains(CredentialType.USERNAME, CredentialType.AUTHNAME, CredentialType.PASSPHRASE);
      int rounds = asked.size();
      daemon.restart();
      assertThat(eventually(Duration.ofSeconds(10), () -> test.xml(false).equals(before))).isTrue();
      assertThat(asked.size()).as("asked again on the new connection").isGreaterThan(rounds);
    }
  }

  @Test
  void sasl_wrongPassword_saysTheServerRefusedIt_withoutTheSecret() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().sasl(USER, PASSWORD.toCharArray()));
    String wrong = "Wr0ng-password";
    Throwable t = catchThrowable(() -> HotplugClient.builder()
        .credentials(Credentials.password(USER, wrong.toCharArray())).connect(daemon.uri()));
    assertThat(t).isExactlyInstanceOf(ConnectionException.class)
        .hasMessageContaining("authentication to " + daemon.uri() + " failed: the server refused the credentials"
            + " (user 'alice')")
        .hasMessageContaining("saslpasswd2");
    assertNoSecret(t, wrong);
    assertNoSecret(t, PASSWORD);
  }

  @Test
  void sasl_noCredentials_saysWhatTheServerAskedFor() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().sasl(USER, PASSWORD.toCharArray()));
    Throwable t = catchThrowable(() -> HotplugClient.connect(daemon.uri()));
    assertThat(t).isExactlyInstanceOf(ConnectionException.class)
        .hasMessageContaining("asks for credentials that were not given: USERNAME")
        .hasMessageContaining("AUTHNAME ('Please enter your authentication name')")
        .hasMessageContaining("PASSPHRASE ('Please enter your password')")
        .hasMessageContaining("Credentials.password(user, password)")
        .hasMessageContaining("never prompts");
  }

  @Test
  void sasl_callbackThatAnswersOnlyTheName_isToldThePassphraseWasMissing() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().sasl(USER, PASSWORD.toCharArray()));
    Throwable t = catchThrowable(() -> HotplugClient.builder().credentials(requests -> {
      for (CredentialRequest r : requests) {
        if (r.type() == CredentialType.AUTHNAME) {
          r.answer(USER);
        }
      }
    }).connect(daemon.uri()));
    assertThat(t).isExactlyInstanceOf(ConnectionException.class)
        .hasMessageContaining("that the CredentialCallback did not give: USERNAME")
        .hasMessageContaining("PASSPHRASE ('Please enter your password')")
        .hasMessageNotContaining("AUTHNAME");
  }

  @Test
  void sasl_callbackThatThrows_isReported() {
    daemon = TestDaemons.start(TestDriverDaemon.builder().sasl(USER, PASSWORD.toCharArray()));
    Throwable t = catchThrowable(() -> HotplugClient.builder().credentials(requests -> {
      throw new IllegalStateException("vault unreachable");
    }).connect(daemon.uri()));
    assertThat(t).isExactlyInstanceOf(ConnectionException.class)
        .hasMessageContaining("the CredentialCallback failed")
        .hasMessageContaining("IllegalStateException: vault unreachable");
  }

  private static void assertNoSecret(Throwable t, String secret) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
      assertThat(c.toString()).doesNotContain(secret);
    }
  }
}
