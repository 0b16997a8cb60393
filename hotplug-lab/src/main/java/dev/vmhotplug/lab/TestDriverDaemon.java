package dev.vmhotplug.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private {@code libvirtd} serving only libvirt's built-in test driver
 * ({@code test+unix:///default?socket=…}): real RPC, keepalive and authentication, no QEMU, up in
 * about half a second. For fault tests: {@link #freeze()} (SIGSTOP), {@link #thaw()} (SIGCONT),
 * {@link #kill()} (SIGKILL) and {@link #restart()}, optionally a TLS listener on 127.0.0.1 with
 * certificates generated for the run ({@link TestPki}), and SASL (SCRAM-SHA-256) with one user.
 *
 * <p><b>Isolation</b> (checked with {@code strace -e trace=%file} on Debian 12, libvirt 9.0): the
 * daemon gets its own config, sockets, pid file and log in a fresh directory, an empty
 * {@code LIBVIRT_DRIVER_DIR} (so no QEMU, network, storage … driver module is loaded: the test
 * driver is built into libvirt itself), and private {@code XDG_RUNTIME_DIR}, {@code XDG_CONFIG_HOME},
 * {@code XDG_CACHE_HOME} and {@code HOME}. When the JVM is root it runs as the unprivileged user
 * {@code nobody} (uid 65534, {@code setpriv}): an unprivileged libvirtd runs in "session" mode and
 * touches nothing under {@code /run/libvirt}, {@code /etc/libvirt} or {@code /var/lib/libvirt}
 * (as root, even with no driver loaded, it still creates {@code /run/libvirt/common/system.token},
 * shared with the VM lab's daemon). It never reads {@code /etc/libvirt/qemu.conf}, so it cannot
 * clash with a root lab daemon running at the same time. Otherwise it runs as the JVM's user.
 *
 * <p>The daemon logs every public domain API call it serves ({@code log_filters="1:libvirt.domain"});
 * {@link #countCalls(String)} counts them, which is how tests prove that a change reached the
 * daemon exactly once.
 */
public final class TestDriverDaemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestDriverDaemon.class);
  private static final int NOBODY = 65534;

  private final Path dir;
  private final Path socket;
  private final Path conf;
  private final Path log;
  private final Map<String, String> env;
  private final List<String> command;
  private final int tlsPort;
  private final TestPki pki;
  private final String saslUser;
  private final Path authFile;
  private Process process;
  private volatile boolean frozen;
  private boolean closed;

  private TestDriverDaemon(Builder b, Path dir) throws IOException {
    this.dir = dir;
    Path run = Files.createDirectories(dir.resolve("run"));
    Path drivers = Files.createDirectories(dir.resolve("no-drivers"));
    Path home = Files.createDirectories(dir.resolve("home"));
    this.socket = run.resolve("libvirt-sock");
    this.conf = dir.resolve("libvirtd.conf");
    this.log = dir.resolve("libvirtd.log");
    this.tlsPort = b.tls ? freePort() : 0;
    this.pki = b.tls ? TestPki.generate(dir.resolve("pki")) : null;
    this.saslUser = b.saslUser;
    Map<String, String> e = new LinkedHashMap<>();
    e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    e.put("LC_ALL", "C");
    e.put("LIBVIRT_DRIVER_DIR", drivers.toString());
    e.put("XDG_RUNTIME_DIR", run.toString());
    e.put("XDG_CONFIG_HOME", home.resolve("config").toString());
    e.put("XDG_CACHE_HOME", home.resolve("cache").toString());
    e.put("HOME", home.toString());
    List<String> conf = new ArrayList<>(List.of(
        "# vmhotplug test-driver daemon",
        "unix_sock_dir = \"" + run + "\"",
        "unix_sock_rw_perms = \"0700\"",
        "auth_unix_rw = \"" + (b.saslUser != null ? "sasl" : "none") + "\"",
        "auth_unix_ro = \"" + (b.saslUser != null ? "sasl" : "none") + "\"",
        "listen_tcp = 0",
        "log_filters = \"1:libvirt.domain\"",
        "log_outputs = \"1:file:" + log + "\""));
    if (b.saslUser != null) {
      Path sasl = Files.createDirectories(dir.resolve("sasl"));
      Path db = sasl.resolve("passwd.db");
      Files.writeString(sasl.resolve("libvirt.conf"), "mech_list: scram-sha-256\nsasldb_path: " + db + "\n",
          StandardCharsets.UTF_8);
      saslPasswd(db, b.saslUser, b.saslPassword);
      e.put("SASL_CONF_PATH", sasl.toString());
      this.authFile = dir.resolve("virsh-auth.conf");
      Files.writeString(authFile, "[credentials-test]\nauthname=" + b.saslUser + "\npassword="
          + new String(b.saslPassword) + "\n[auth-libvirt-default]\ncredentials=test\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(authFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } else {
      this.authFile = null;
    }
    if (b.tls) {
      conf.addAll(List.of(
          "listen_tls = 1",
          "listen_addr = \"127.0.0.1\"",
          "tls_port = \"" + tlsPort + "\"",
          "auth_tls = \"" + (b.saslUser != null ? "sasl" : "none") + "\"",
          "key_file = \"" + pki.serverDir().resolve("serverkey.pem") + "\"",
          "cert_file = \"" + pki.serverDir().resolve("servercert.pem") + "\"",
          "ca_file = \"" + pki.serverDir().resolve("cacert.pem") + "\""));
    } else {
      conf.add("listen_tls = 0");
    }
    Files.writeString(this.conf, String.join("\n", conf) + "\n", StandardCharsets.UTF_8);
    this.env = Map.copyOf(e);
    List<String> cmd = new ArrayList<>();
    if (Exec.isRoot()) {
      // the daemon's own files must be readable by nobody; the client side of the PKI stays root's
      Exec.run(Duration.ofSeconds(30), "chown", "-R", NOBODY + ":" + NOBODY, run.toString(), drivers.toString(),
          home.toString()).check();
      Exec.run(Duration.ofSeconds(30), "chown", NOBODY + ":" + NOBODY, dir.toString(), this.conf.toString()).check();
      if (pki != null) {
        Exec.run(Duration.ofSeconds(30), "chown", "-R", NOBODY + ":" + NOBODY, pki.serverDir().toString()).check();
      }
      if (b.saslUser != null) {
        Exec.run(Duration.ofSeconds(30), "chown", "-R", NOBODY + ":" + NOBODY, dir.resolve("sasl").toString()).check();
      }
      cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
    }
    cmd.addAll(List.of("libvirtd", "-f", this.conf.toString(), "-p", run.resolve("libvirtd.pid").toString()));
    if (b.tls) {
      cmd.add("--listen");
    }
    this.command = List.copyOf(cmd);
  }

  private static void saslPasswd(Path db, String user, char[] password) throws IOException {
    Process p = new ProcessBuilder("saslpasswd2", "-p", "-c", "-f", db.toString(), "-a", "libvirt", user)
        .redirectErrorStream(true).start();
    try (OutputStream o = p.getOutputStream()) {
      o.write(new String(password).getBytes(StandardCharsets.UTF_8));
    }
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new LabException("saslpasswd2 failed: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted running saslpasswd2", e);
    }
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a plain daemon (unix socket, no authentication).
   *
   * @return the running daemon
   * @throws LabUnavailableException when libvirtd is not installed and cannot be
   * @throws LabException when it does not come up
   */
  public static TestDriverDaemon start() {
    return builder().start();
  }

  /** Options of a {@link TestDriverDaemon}. */
  public static final class Builder {
    private boolean tls;
    private String saslUser;
    private char[] saslPassword;

    private Builder() {}

    /**
     * @param on also listen with TLS on 127.0.0.1 (certificates generated)
     * @return this
     */
    public Builder tls(boolean on) {
      this.tls = on;
      return this;
    }

    /**
     * Requires SASL (SCRAM-SHA-256) on every listener, with one user.
     *
     * @param user the user
     * @param password the password
     * @return this
     */
    public Builder sasl(String user, char[] password) {
      this.saslUser = user;
      this.saslPassword = password.clone();
      return this;
    }

    /**
     * Starts the daemon and waits until it accepts connections.
     *
     * @return the running daemon
     * @throws LabUnavailableException when a needed program is missing and cannot be installed
     * @throws LabException when it does not come up within 30 s
     */
    public TestDriverDaemon start() {
      if (!Exec.onPath("libvirtd") || tls && !TestPki.available() || saslUser != null && !Exec.onPath("saslpasswd2")) {
        LabPackages.ensureTestDaemonPackages();
      }
      if (!Exec.onPath("libvirtd")) {
        throw new LabUnavailableException("libvirtd is missing: install " + LabPackages.TEST_DAEMON_PACKAGES);
      }
      try {
        Path dir = Files.createTempDirectory("vmhotplug-testd-");
        TestDriverDaemon d = null;
        try {
          d = new TestDriverDaemon(this, dir);
          d.launch();
          return d;
        } catch (IOException | RuntimeException e) {
          if (d != null) {
            d.close(); // kills what was started, deletes the directory
          } else {
            GuestImage.deleteTree(dir);
          }
          throw e;
        }
      } catch (IOException e) {
        throw new LabException("cannot prepare the test-driver daemon: " + e.getMessage(), e);
      }
    }
  }

  private synchronized void launch() throws IOException {
    Files.deleteIfExists(socket);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("libvirtd.stdout").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    process = pb.start();
    frozen = false;
    long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new LabException("the test-driver libvirtd exited with " + process.exitValue() + ": "
            + LabDaemon.tail(dir.resolve("libvirtd.stdout")) + " " + LabDaemon.tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new LabException("the test-driver libvirtd did not accept connections within 30 s; see " + log);
      }
      sleep(20);
    }
    LOG.debug("test-driver libvirtd pid {} up in {} ms in {}", process.pid(), (System.nanoTime() - t0) / 1_000_000, dir);
  }

  private boolean accepts() {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      return false;
    }
    if (tlsPort > 0) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), tlsPort), 500);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** @return {@code test+unix:///default?socket=…} */
  public String uri() {
    return "test+unix:///default?socket=" + socket;
  }

  /**
   * @param pkiPath the client's certificate directory, e.g. {@code pki().clientDir()}
   * @return {@code test+tls://127.0.0.1:PORT/default?pkipath=…}
   * @throws IllegalStateException if the daemon has no TLS listener
   */
  public String tlsUri(Path pkiPath) {
    return tlsUri(tlsPort(), pkiPath);
  }

  /**
   * @param port a port that leads to this daemon's TLS listener (e.g. a {@link TcpProxy}'s)
   * @param pkiPath the client's certificate directory
   * @return {@code test+tls://127.0.0.1:PORT/default?pkipath=…}
   */
  public String tlsUri(int port, Path pkiPath) {
    tlsPort();
    return "test+tls://127.0.0.1:" + port + "/default?pkipath=" + pkiPath;
  }

  /** @return the TLS port on 127.0.0.1 */
  public int tlsPort() {
    if (tlsPort == 0) {
      throw new IllegalStateException("this test-driver daemon has no TLS listener: build it with tls(true)");
    }
    return tlsPort;
  }

  /** @return the generated certificates (TLS daemons only) */
  public TestPki pki() {
    if (pki == null) {
      throw new IllegalStateException("this test-driver daemon has no TLS listener: build it with tls(true)");
    }
    return pki;
  }

  /** @return the SASL user, or null */
  public String saslUser() {
    return saslUser;
  }

  /** @return virsh bound to {@link #uri()} (authenticating itself on a SASL daemon) */
  public Virsh virsh() {
    return new Virsh(uri(), Duration.ofSeconds(60),
        authFile == null ? Map.of() : Map.of("LIBVIRT_AUTH_FILE", authFile.toString()));
  }

  /** @return the daemon's process id */
  public synchronized long pid() {
    return process.pid();
  }

  /** @return whether the daemon process runs (frozen counts as running) */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** @return the directory with config, sockets and log */
  public Path dir() {
    return dir;
  }

  /** @return the daemon's log */
  public Path log() {
    return log;
  }

  /** Freezes the daemon (SIGSTOP): it accepts connections (the kernel does) but answers nothing. */
  public synchronized void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** Resumes a frozen daemon (SIGCONT). */
  public synchronized void thaw() {
    signal("CONT");
    frozen = false;
  }

  /** Kills the daemon (SIGKILL) and waits for it to be gone. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      if (frozen) {
        signal("CONT");
      }
      process.destroyForcibly();
      try {
        process.waitFor(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    frozen = false;
  }

  /**
   * Kills a frozen daemon (SIGKILL while it is stopped, no SIGCONT first) and waits for it to be gone:
   * it never runs again, so a request waiting unread in its socket is never served. On a daemon that
   * is not frozen this is {@link #kill()}.
   */
  public synchronized void killFrozen() {
    if (!frozen) {
      kill();
      return;
    }
    if (process != null && process.isAlive()) {
      signal("KILL");
      try {
        process.waitFor(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    frozen = false;
  }

  /**
   * A URI of the test driver with its own domains: writes {@code nodeXml} (a {@code <node>} document
   * of libvirt's test driver) into the daemon's directory, readable by the daemon, and returns
   * {@code test+unix:///DIR/NAME?socket=…}. Unlike {@code test:///default}, whose state the daemon
   * shares between its connections while one is open, every connection to such a URI starts from the
   * file: the state starts afresh with each connection, and so with each restart.
   *
   * @param name the file name, e.g. {@code node.xml}
   * @param nodeXml the node document
   * @return the URI
   * @throws LabException if the file cannot be written
   */
  public String nodeUri(String name, String nodeXml) {
    Path file = dir.resolve(name);
    try {
      Files.writeString(file, nodeXml, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return "test+unix://" + file + "?socket=" + socket;
  }

  /**
   * Starts the daemon again with the same configuration, sockets and port (after {@link #kill()};
   * kills it first if it still runs). The test driver's state starts afresh.
   */
  public synchronized void restart() {
    kill();
    try {
      launch();
    } catch (IOException e) {
      throw new LabException("cannot restart the test-driver daemon: " + e.getMessage(), e);
    }
  }

  /**
   * How many times the daemon served a public API call, counted in its log (all runs of this
   * daemon, restarts included).
   *
   * @param api e.g. {@code virDomainSetVcpusFlags}
   * @return the count
   */
  public long countCalls(String api) {
    try {
      if (!Files.exists(log)) {
        return 0;
      }
      String needle = " : " + api + ":";
      try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        return lines.filter(l -> l.contains(needle)).count();
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new LabException("cannot read " + log + ": " + e.getMessage(), e);
    }
  }

  private void signal(String sig) {
    Exec.run(Duration.ofSeconds(10), "kill", "-" + sig, Long.toString(process.pid())).check();
  }

  /** Kills the daemon and deletes its directory (kept when -Dvmhotplug.keepTestDaemon=true). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    kill();
    if (!Boolean.getBoolean("vmhotplug.keepTestDaemon")) {
      try {
        GuestImage.deleteTree(dir);
      } catch (RuntimeException e) {
        LOG.debug("cannot delete {}: {}", dir, e.getMessage());
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for the test-driver daemon", e);
    }
  }

  @Override
  public String toString() {
    return "TestDriverDaemon[" + uri() + (tlsPort > 0 ? ", tls 127.0.0.1:" + tlsPort : "")
        + (saslUser != null ? ", sasl user " + saslUser : "") + "]";
  }
}
