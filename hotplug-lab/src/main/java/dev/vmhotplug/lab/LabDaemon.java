package dev.vmhotplug.lab;

import dev.vmhotplug.core.internal.Poller;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private libvirtd for the lab, started without systemd.
 *
 * <p>Its config, socket, pid file and logs live in the state directory ({@link LabPaths#stateDir()});
 * clients connect with {@link #uri()} ({@code qemu+unix:///system?socket=…}): a private unix socket
 * that only root may open (read-write and read-only sockets both {@code 0770 root:root}). No TCP
 * listener exists. For tests of libvirt's remote protocol, {@link #start(Path, boolean)} with TLS
 * adds a TLS listener on 127.0.0.1 that accepts only the client certificate generated for this run
 * ({@link TestPki}; keys readable by root only): {@link #tlsUri()}. Never {@code auth_tcp = "none"}.
 * The daemon is privileged (root), so it also needs two things outside the state
 * directory: the {@code libvirt-qemu} system user (created when missing; Debian's libvirt resolves it
 * before reading qemu.conf) and {@code /etc/libvirt/qemu.conf} with {@code user/group="root"},
 * {@code stdio_handler="file"} (no virtlogd) and {@code cgroup_controllers=[ ]} (QEMU stays in the
 * caller's cgroup). An existing qemu.conf is moved aside and restored by {@link #close()}.
 *
 * <p>Domains started through the lab carry the name prefix {@link #domainPrefix()} ({@code hp-RUNID-});
 * {@link #close()} destroys them (stopping libvirtd does not stop QEMU), stops the daemon and restores
 * qemu.conf, also from a JVM shutdown hook. A start cleans what a crashed run left: a stale daemon and
 * every domain whose name starts with {@code hp-}. One lab daemon per machine at a time (file lock).
 */
public final class LabDaemon implements AutoCloseable {
  /** Name prefix of every lab domain, of any run. */
  public static final String PREFIX = "hp-";
  static final Path QEMU_CONF = Path.of("/etc/libvirt/qemu.conf");
  static final Path QEMU_CONF_BACKUP = Path.of("/etc/libvirt/qemu.conf.vmhotplug-lab-backup");
  static final String MARK = "# vmhotplug-lab: written by dev.vmhotplug.lab.LabDaemon, restored at close";

  private static final Logger LOG = LoggerFactory.getLogger(LabDaemon.class);
  private static final int KEEP_RUNS = 5;

  private final Path stateDir;
  private final Path runDir;
  private final String runId;
  private final int tlsPort;
  private final TestPki pki;
  private final Path socket;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Thread shutdownHook;
  private Process process;
  private Virsh virsh;
  private Duration firstAnswer = Duration.ZERO;
  private volatile boolean closed;

  private LabDaemon(Path stateDir, String runId, int tlsPort, FileChannel lockChannel, FileLock lock) {
    this.stateDir = stateDir;
    this.runId = runId;
    this.runDir = stateDir.resolve("run-" + runId);
    this.tlsPort = tlsPort;
    this.pki = tlsPort > 0 ? TestPki.generate(runDir.resolve("pki")) : null;
    this.socket = stateDir.resolve("libvirt-sock");
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.shutdownHook = new Thread(this::closeQuietly, "vmhotplug-lab-daemon-shutdown");
  }

  /**
   * Starts the daemon in {@link LabPaths#stateDir()} and waits for its first answer.
   *
   * @throws LabUnavailableException when not root or libvirtd is missing
   * @throws LabException when the daemon does not come up
   */
  public static LabDaemon start() {
    return start(LabPaths.stateDir(), false);
  }

  /** Starts the daemon with the given state directory, unix socket only; see {@link #start()}. */
  public static LabDaemon start(Path stateDir) {
    return start(stateDir, false);
  }

  /**
   * Starts the daemon with the given state directory; see {@link #start()}.
   *
   * @param stateDir the state directory
   * @param tls also listen with TLS on 127.0.0.1 (certificates generated for this run, client
   *     certificate required; needs {@code certtool})
   * @return the running daemon
   */
  public static LabDaemon start(Path stateDir, boolean tls) {
    if (!Exec.isRoot()) {
      throw new LabUnavailableException("the VM lab runs a privileged libvirtd and needs root (uid 0)");
    }
    if (!Exec.onPath("libvirtd") || !Exec.onPath("virsh")) {
      throw new LabUnavailableException("libvirtd or virsh is missing: install " + LabPackages.HOST_PACKAGES);
    }
    FileChannel ch = null;
    try {
      Files.createDirectories(stateDir);
      ch = FileChannel.open(stateDir.resolve("daemon.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = acquire(ch, stateDir);
      String runId = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000_000L, 36);
      if (tls && !TestPki.available()) {
        LabPackages.install(List.of("gnutls-bin"), "the lab's TLS listener");
      }
      LabDaemon d = new LabDaemon(stateDir, runId, tls ? freePort() : 0, ch, lock);
      Runtime.getRuntime().addShutdownHook(d.shutdownHook);
      try {
        d.boot();
      } catch (RuntimeException e) {
        d.closeQuietly();
        throw e;
      }
      return d;
    } catch (IOException e) {
      closeChannel(ch);
      throw new LabException("cannot start the lab daemon in " + stateDir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (ch != null && ch.isOpen()) {
        closeChannel(ch);
      }
      throw e;
    }
  }

  private static FileLock acquire(FileChannel ch, Path stateDir) throws IOException {
    FileLock first = ch.tryLock();
    if (first != null) {
      return first;
    }
    LOG.warn("another lab daemon holds {}; waiting up to 15 min for it to finish", stateDir.resolve("daemon.lock"));
    Poller.Outcome<FileLock> o = new Poller(Duration.ofMinutes(15), Duration.ofMillis(200), Duration.ofSeconds(2))
        .await(() -> tryLock(ch), l -> l != null, "the lab daemon lock " + stateDir.resolve("daemon.lock"));
    if (!o.satisfied()) {
      throw new LabException("another process has been running the lab daemon in " + stateDir
          + " for 15 min (lock " + stateDir.resolve("daemon.lock") + "); stop it or use another "
          + "-Dvmhotplug.lab.state directory");
    }
    return o.last();
  }

  private static FileLock tryLock(FileChannel ch) {
    try {
      return ch.tryLock();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void boot() throws IOException {
    pruneOldRuns();
    Files.createDirectories(runDir);
    cleanStaleDaemon();
    ensureQemuUser();
    writeQemuConf();
    Path conf = stateDir.resolve("libvirtd.conf");
    Path log = runDir.resolve("libvirtd.log");
    Files.writeString(conf, String.join("\n",
        "# vmhotplug lab: private libvirtd (run " + runId + ")",
        "unix_sock_dir = \"" + stateDir + "\"",
        "unix_sock_group = \"root\"",
        "unix_sock_rw_perms = \"0770\"",
        "unix_sock_ro_perms = \"0770\"",
        "auth_unix_rw = \"none\"",
        "auth_unix_ro = \"none\"",
        "listen_tcp = 0",
        tlsPort > 0 ? String.join("\n",
            "listen_tls = 1",
            "listen_addr = \"127.0.0.1\"",
            "tls_port = \"" + tlsPort + "\"",
            "auth_tls = \"none\"", // the client certificate (verified against this run's CA) authenticates
            "key_file = \"" + pki.serverDir().resolve("serverkey.pem") + "\"",
            "cert_file = \"" + pki.serverDir().resolve("servercert.pem") + "\"",
            "ca_file = \"" + pki.serverDir().resolve("cacert.pem") + "\"")
            : "listen_tls = 0",
        "log_outputs = \"3:file:" + log + "\"",
        ""), StandardCharsets.UTF_8);
    Files.deleteIfExists(socket);
    long t0 = System.nanoTime();
    List<String> cmd = new ArrayList<>(List.of("libvirtd", "-f", conf.toString(), "-p",
        stateDir.resolve("libvirtd.pid").toString()));
    if (tlsPort > 0) {
      cmd.add("--listen");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(runDir.resolve("libvirtd.stdout").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("LC_ALL", "C");
    process = pb.start();
    virsh = new Virsh(uri(), Duration.ofSeconds(180));
    new Poller(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(500))
        .await(() -> Files.exists(socket) || !process.isAlive(), done -> done, "libvirtd's socket " + socket);
    if (!Files.exists(socket)) {
      if (!process.isAlive()) {
        throw new LabException("libvirtd exited with " + process.exitValue() + " before creating " + socket + ": "
            + tail(runDir.resolve("libvirtd.stdout")) + " " + tail(log));
      }
      throw new LabException("libvirtd did not create " + socket + " within 30 s; see " + log);
    }
    // the first call makes libvirtd probe QEMU's capabilities (8-12 s cold on a 2-core machine)
    Virsh.Output v = virsh.run("version");
    if (!v.ok()) {
      throw new LabException("libvirtd does not answer on " + uri() + ": " + v.stderr().strip() + "; see " + log);
    }
    firstAnswer = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info("lab libvirtd pid {} answered after {} ms; uri {} and {}; run id {}; domains use TCG "
        + "(type='qemu'): KVM is not used", process.pid(), firstAnswer.toMillis(), uri(), tlsPort > 0 ? tlsUri() : "no network listener", runId);
    cleanLeftoverDomains(PREFIX);
  }

  /** @return the URI over the private unix socket */
  public String uri() {
    return "qemu+unix:///system?socket=" + socket;
  }

  /**
   * @return {@code qemu+tls://127.0.0.1:PORT/system?pkipath=…}: libvirt's remote protocol over TLS
   *     on loopback, with this run's client certificate
   * @throws IllegalStateException if the daemon was started without TLS
   */
  public String tlsUri() {
    return "qemu+tls://127.0.0.1:" + tlsPort() + "/system?pkipath=" + pki.clientDir();
  }

  /** @return the TLS port on 127.0.0.1 */
  public int tlsPort() {
    if (tlsPort == 0) {
      throw new IllegalStateException("the lab daemon was started without TLS: LabDaemon.start(dir, true)"
          + " or VmLab.start(true)");
    }
    return tlsPort;
  }

  /** @return this run's certificates (TLS only) */
  public TestPki pki() {
    tlsPort();
    return pki;
  }

  /** @return the run id, part of every domain name of this run */
  public String runId() {
    return runId;
  }

  /** @return {@code hp-RUNID-}: the name prefix of this run's domains */
  public String domainPrefix() {
    return PREFIX + runId + "-";
  }

  /** @return the directory of this run's logs, domain XML, serial logs and command pipes */
  public Path runDir() {
    return runDir;
  }

  /** @return virsh bound to {@link #uri()} */
  public Virsh virsh() {
    return virsh;
  }

  /** @return how long the daemon took from start to its first answer */
  public Duration firstAnswer() {
    return firstAnswer;
  }

  /** @return libvirtd's process id */
  public long pid() {
    return process.pid();
  }

  /** Destroys and undefines every domain whose name starts with the prefix. */
  public void cleanLeftoverDomains(String prefix) {
    Virsh.Output list = virsh.run("list", "--all", "--name");
    if (!list.ok()) {
      LOG.warn("cannot list domains for cleanup: {}", list.stderr().strip());
      return;
    }
    for (String name : list.stdout().split("\n")) {
      String n = name.trim();
      if (n.startsWith(prefix)) {
        LOG.info("removing lab domain {}", n);
        virsh.run("destroy", n);
        virsh.run("undefine", n);
        killQemuOf(n);
      }
    }
  }

  /** Kills the QEMU process of a domain by libvirt's pid file, if it still runs. */
  static void killQemuOf(String domain) {
    Path pidFile = Path.of("/run/libvirt/qemu", domain + ".pid");
    try {
      if (Files.isRegularFile(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").contains("qemu")).ifPresent(h -> {
          LOG.warn("killing leftover QEMU {} of {}", pid, domain);
          h.destroyForcibly();
        });
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("domain={} op=killQemu pid file unreadable: {}", domain, e.getMessage());
    }
  }

  /** Keeps the logs of the last few runs only. */
  private void pruneOldRuns() throws IOException {
    List<Path> runs;
    try (java.util.stream.Stream<Path> s = Files.list(stateDir)) {
      runs = s.filter(p -> p.getFileName().toString().startsWith("run-") && Files.isDirectory(p))
          .sorted(java.util.Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()).toList();
    }
    for (int i = KEEP_RUNS; i < runs.size(); i++) {
      GuestImage.deleteTree(runs.get(i));
    }
  }

  private void cleanStaleDaemon() throws IOException {
    Path pidFile = stateDir.resolve("libvirtd.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    Optional<ProcessHandle> stale = Optional.empty();
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      stale = ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").endsWith("libvirtd"));
    } catch (NumberFormatException e) {
      LOG.debug("op=cleanStale unreadable pid file {}", pidFile);
    }
    if (stale.isPresent()) {
      LOG.warn("a lab libvirtd (pid {}) of a crashed run is still running: removing its domains and stopping it",
          stale.get().pid());
      if (Files.exists(socket)) {
        Virsh old = new Virsh(uri(), Duration.ofSeconds(60));
        this.virsh = old;
        cleanLeftoverDomains(PREFIX);
      }
      stop(stale.get());
    }
    Files.deleteIfExists(pidFile);
    Files.deleteIfExists(socket);
  }

  private static void ensureQemuUser() {
    if (!Exec.run(Duration.ofSeconds(20), "getent", "group", "libvirt-qemu").ok()) {
      Exec.run(Duration.ofSeconds(30), "groupadd", "--system", "libvirt-qemu").check();
    }
    if (!Exec.run(Duration.ofSeconds(20), "getent", "passwd", "libvirt-qemu").ok()) {
      Exec.run(Duration.ofSeconds(30), "useradd", "--system", "-g", "libvirt-qemu", "-d", "/var/lib/libvirt", "-M",
          "-s", "/usr/sbin/nologin", "libvirt-qemu").check();
    }
  }

  private static void writeQemuConf() throws IOException {
    Files.createDirectories(QEMU_CONF.getParent());
    if (Files.exists(QEMU_CONF) && !isOurs(QEMU_CONF) && !Files.exists(QEMU_CONF_BACKUP)) {
      Files.move(QEMU_CONF, QEMU_CONF_BACKUP);
    }
    // user/group root: QEMU can open /dev/kvm if present, else libvirt re-probes capabilities on every call;
    // stdio_handler=file: no virtlogd; cgroup_controllers=[]: QEMU stays in the caller's cgroup
    Files.writeString(QEMU_CONF, String.join("\n", MARK,
        "user = \"root\"", "group = \"root\"", "stdio_handler = \"file\"", "cgroup_controllers = [ ]", ""),
        StandardCharsets.UTF_8);
  }

  private static boolean isOurs(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).startsWith(MARK);
    } catch (IOException e) {
      return false;
    }
  }

  static void restoreQemuConf() {
    try {
      if (Files.exists(QEMU_CONF) && isOurs(QEMU_CONF)) {
        Files.delete(QEMU_CONF);
      }
      if (Files.exists(QEMU_CONF_BACKUP) && !Files.exists(QEMU_CONF)) {
        Files.move(QEMU_CONF_BACKUP, QEMU_CONF, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      LOG.warn("cannot restore {} (backup {}): {}", QEMU_CONF, QEMU_CONF_BACKUP, e.getMessage());
    }
  }

  private static void stop(ProcessHandle h) {
    h.destroy();
    try {
      h.onExit().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      h.destroyForcibly();
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // gave up
      }
    }
  }

  /**
   * Destroys this run's domains, stops libvirtd, restores qemu.conf and releases the lock.
   * Idempotent; never throws.
   */
  @Override
  public void close() {
    closeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // already shutting down
    }
  }

  private synchronized void closeQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    try {
      if (process != null && process.isAlive() && virsh != null) {
        cleanLeftoverDomains(domainPrefix());
      }
    } catch (RuntimeException e) {
      problems.add("domain cleanup: " + e.getMessage());
    }
    try {
      if (process != null) {
        stop(process.toHandle());
      }
    } catch (RuntimeException e) {
      problems.add("stopping libvirtd: " + e.getMessage());
    }
    try {
      Files.deleteIfExists(stateDir.resolve("libvirtd.pid"));
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      problems.add(e.getMessage());
    }
    restoreQemuConf();
    try {
      lock.release();
    } catch (IOException e) {
      problems.add(e.getMessage());
    }
    closeChannel(lockChannel);
    if (!problems.isEmpty()) {
      LOG.warn("lab daemon teardown: {}", problems);
    }
  }

  private static void closeChannel(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String tail(Path file) {
    try {
      return Files.exists(file) ? Exec.tail(Files.readString(file, StandardCharsets.UTF_8)) : "";
    } catch (IOException e) {
      return "";
    }
  }

}
