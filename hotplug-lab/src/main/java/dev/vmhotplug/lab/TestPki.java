package dev.vmhotplug.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * Certificates generated for one test run with GnuTLS's {@code certtool} (Debian package
 * {@code gnutls-bin}): a CA, a server certificate for {@code 127.0.0.1} / {@code localhost}, a
 * client certificate, and a second, unrelated CA with its own client certificate (the "wrong CA"
 * case). RSA 2048 keys (libvirt requires the key encipherment usage, which
 * certtool does not give ECDSA keys), valid for two days. Nothing is read from or written to {@code /etc/pki}.
 *
 * <p>Layout under the directory given to {@link #generate(Path)}:
 * <ul>
 *   <li>{@code server/} cacert.pem, servercert.pem, serverkey.pem (for libvirtd's
 *       {@code ca_file}, {@code cert_file}, {@code key_file})</li>
 *   <li>{@code client/} cacert.pem, clientcert.pem, clientkey.pem (a libvirt {@code pkipath})</li>
 *   <li>{@code wrong-ca-client/} the same three files of the unrelated CA</li>
 *   <li>{@code ca/} the CA keys (never given to a daemon or client)</li>
 * </ul>
 */
public final class TestPki {
  private static final Duration CERTTOOL = Duration.ofSeconds(60);

  private final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  /** @return true when certtool is installed */
  public static boolean available() {
    return Exec.onPath("certtool");
  }

  /**
   * Generates the certificates.
   *
   * @param dir an empty or missing directory
   * @return the PKI
   * @throws LabUnavailableException when certtool is missing
   * @throws LabException when certtool fails
   */
  public static TestPki generate(Path dir) {
    if (!available()) {
      throw new LabUnavailableException("certtool is missing: install " + LabPackages.TEST_DAEMON_PACKAGES);
    }
    try {
      Path ca = Files.createDirectories(dir.resolve("ca"));
      Path server = Files.createDirectories(dir.resolve("server"));
      Path client = Files.createDirectories(dir.resolve("client"));
      Path wrong = Files.createDirectories(dir.resolve("wrong-ca-client"));
      for (Path p : new Path[] {ca, client, wrong}) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
      }
      template(ca.resolve("ca.info"), "cn = vmhotplug test CA", "ca", "cert_signing_key", "expiration_days = 2");
      template(ca.resolve("wrong-ca.info"), "cn = vmhotplug unrelated CA", "ca", "cert_signing_key",
          "expiration_days = 2");
      template(ca.resolve("server.info"), "organization = vmhotplug", "cn = 127.0.0.1", "ip_address = 127.0.0.1",
          "dns_name = localhost", "tls_www_server", "encryption_key", "signing_key", "expiration_days = 2");
      template(ca.resolve("client.info"), "country = XX", "organization = vmhotplug", "cn = vmhotplug-test-client",
          "tls_www_client", "encryption_key", "signing_key", "expiration_days = 2");

      key(ca.resolve("cakey.pem"));
      selfSigned(ca.resolve("cakey.pem"), ca.resolve("ca.info"), ca.resolve("cacert.pem"));
      key(ca.resolve("wrong-cakey.pem"));
      selfSigned(ca.resolve("wrong-cakey.pem"), ca.resolve("wrong-ca.info"), ca.resolve("wrong-cacert.pem"));

      key(server.resolve("serverkey.pem"));
      signed(server.resolve("serverkey.pem"), ca, "cacert.pem", "cakey.pem", ca.resolve("server.info"),
          server.resolve("servercert.pem"));
      Files.copy(ca.resolve("cacert.pem"), server.resolve("cacert.pem"));

      key(client.resolve("clientkey.pem"));
      signed(client.resolve("clientkey.pem"), ca, "cacert.pem", "cakey.pem", ca.resolve("client.info"),
          client.resolve("clientcert.pem"));
      Files.copy(ca.resolve("cacert.pem"), client.resolve("cacert.pem"));

      key(wrong.resolve("clientkey.pem"));
      signed(wrong.resolve("clientkey.pem"), ca, "wrong-cacert.pem", "wrong-cakey.pem", ca.resolve("client.info"),
          wrong.resolve("clientcert.pem"));
      Files.copy(ca.resolve("wrong-cacert.pem"), wrong.resolve("cacert.pem"));
      return new TestPki(dir);
    } catch (IOException e) {
      throw new LabException("cannot write the test certificates in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void template(Path file, String... lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private static void key(Path out) {
    Exec.run(CERTTOOL, "certtool", "--generate-privkey", "--key-type=rsa", "--bits=2048", "--outfile", out.toString()).check();
  }

  private static void selfSigned(Path key, Path template, Path out) {
    Exec.run(CERTTOOL, "certtool", "--generate-self-signed", "--load-privkey", key.toString(), "--template",
        template.toString(), "--outfile", out.toString()).check();
  }

  private static void signed(Path key, Path ca, String caCert, String caKey, Path template, Path out) {
    Exec.run(CERTTOOL, "certtool", "--generate-certificate", "--load-privkey", key.toString(),
        "--load-ca-certificate", ca.resolve(caCert).toString(), "--load-ca-privkey", ca.resolve(caKey).toString(),
        "--template", template.toString(), "--outfile", out.toString()).check();
  }

  /** @return the directory with the server's cacert.pem, servercert.pem and serverkey.pem */
  public Path serverDir() {
    return dir.resolve("server");
  }

  /** @return a libvirt pkipath with the right CA and a client certificate it signed */
  public Path clientDir() {
    return dir.resolve("client");
  }

  /** @return a pkipath whose CA and client certificate are unrelated to the server's */
  public Path wrongCaClientDir() {
    return dir.resolve("wrong-ca-client");
  }

  /** @return the root directory */
  public Path dir() {
    return dir;
  }
}
