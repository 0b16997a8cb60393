package dev.vmhotplug.lab;

import dev.vmhotplug.core.internal.Poller;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lab guest: a libvirt domain booted from the {@link GuestImage}, its serial log read by a
 * {@link SerialGuestProbe}, and a command channel into the guest. {@link #close()} destroys it (and
 * undefines it when persistent). Create with {@link VmLab#boot(DomainSpec)}.
 */
public final class LabDomain implements AutoCloseable {
  /** Boot timeout: create/start until the guest's first report. */
  public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

  private static final Logger LOG = LoggerFactory.getLogger(LabDomain.class);

  private final LabDaemon daemon;
  private final DomainSpec spec;
  private final String name;
  private final Path serialLog;
  private final Path cmdPipe;
  private final String xml;
  private final SerialGuestProbe probe;
  private Duration bootTime = Duration.ZERO;
  private boolean closed;

  LabDomain(LabDaemon daemon, DomainSpec spec, Path kernel, Path initrd) {
    this.daemon = daemon;
    this.spec = spec;
    this.name = daemon.domainPrefix() + spec.suffix();
    this.serialLog = daemon.runDir().resolve(name + ".serial.log");
    this.cmdPipe = daemon.runDir().resolve(name + ".cmd");
    this.xml = LabDomainXml.definition(spec, name, kernel, initrd, serialLog, cmdPipe);
    this.probe = new SerialGuestProbe(serialLog);
  }

  /** Defines (persistent) or creates (transient) the domain and waits for the guest's first report. */
  void boot() {
    try {
      daemon.virsh().run("destroy", name);
      daemon.virsh().run("undefine", name);
      Files.deleteIfExists(serialLog);
      for (String end : new String[] {".in", ".out"}) {
        Path fifo = Path.of(cmdPipe + end);
        Files.deleteIfExists(fifo);
        Exec.run(Duration.ofSeconds(10), "mkfifo", fifo.toString()).check();
      }
      Path xmlFile = daemon.runDir().resolve(name + ".xml");
      Files.writeString(xmlFile, xml, StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      if (spec.persistent()) {
        daemon.virsh().call("define", xmlFile.toString());
        daemon.virsh().call("start", name);
      } else {
        daemon.virsh().call("create", xmlFile.toString());
      }
      awaitBoot(1, t0);
    } catch (IOException e) {
      throw new LabException("cannot prepare domain " + name + " in " + daemon.runDir() + ": " + e.getMessage(), e);
    }
  }

  private void awaitBoot(int bootNumber, long t0) {
    try {
      GuestReport first = probe.awaitReportAfter(0, "its first status line (boot " + bootNumber + ")",
          r -> r.boot() >= bootNumber, BOOT_TIMEOUT);
      bootTime = Duration.ofNanos(first.receivedNanos() - t0);
      LOG.info("domain {} booted in {} ms: {}", name, bootTime.toMillis(), first.line());
    } catch (GuestTimeoutException e) {
      throw new GuestTimeoutException(e.getMessage() + "; QEMU log: " + qemuLogTail(), e.last().orElse(null));
    }
  }

  /** @return the domain name ({@code hp-RUNID-suffix}) */
  public String name() {
    return name;
  }

  /** @return what was booted */
  public DomainSpec spec() {
    return spec;
  }

  /** @return the XML the domain was defined or created from */
  public String definitionXml() {
    return xml;
  }

  /** @return the probe reading the guest's serial reports */
  public SerialGuestProbe probe() {
    return probe;
  }

  /** @return the serial console file */
  public Path serialLog() {
    return serialLog;
  }

  /** @return time from the define/create call to the guest's first report, of the latest boot */
  public Duration bootTime() {
    return bootTime;
  }

  /** @return the daemon this domain runs on */
  public LabDaemon daemon() {
    return daemon;
  }

  /** @return virsh bound to the daemon */
  public Virsh virsh() {
    return daemon.virsh();
  }

  /** @return {@code virsh dumpxml} (live) or {@code dumpxml --inactive} */
  public String xml(boolean inactive) {
    return inactive ? virsh().call("dumpxml", "--inactive", name) : virsh().call("dumpxml", name);
  }

  /** @return {@code virsh domstate}, e.g. "running", "shut off" */
  public String state() {
    Virsh.Output o = virsh().run("domstate", name);
    return o.ok() ? o.stdout().trim() : "absent";
  }

  /**
   * Sends one command line to the guest (ttyS1): {@code online}, {@code online-movable},
   * {@code dmesg [N]}, {@code zones}, {@code topology}, {@code agent-freeze}, {@code agent-thaw},
   * {@code acpi-ignore}, {@code poweroff} (see guest-init.sh). Output appears in the serial log.
   */
  public void send(String command) {
    if (!command.matches("[a-z-]+( [0-9]+)?")) {
      throw new IllegalArgumentException("unknown guest command '" + command + "'");
    }
    // O_RDWR on a FIFO never blocks, even when QEMU does not read it (any more)
    try (RandomAccessFile f = new RandomAccessFile(cmdPipe + ".in", "rw")) {
      f.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new LabException("cannot write to the command pipe " + cmdPipe + ".in of " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Sends a command and waits for the guest's {@code HPCMD <command> done} line.
   *
   * @return the console lines printed between sending and the done line
   */
  public java.util.List<String> command(String command, Duration timeout) {
    int mark = probe.lineMark();
    send(command);
    String word = command.split(" ")[0];
    probe.awaitLine(mark, "'HPCMD " + word + " done'", l -> l.equals("HPCMD " + word + " done"), timeout);
    return probe.linesSince(mark);
  }

  /**
   * Shuts the guest down cleanly from inside (the {@code poweroff} command: sync + ACPI power off) and
   * waits until libvirt shows it shut off (or gone, when transient). The guest also powers off on an
   * ACPI power button press ({@code virsh shutdown}, busybox acpid) unless {@code acpi-ignore} was sent;
   * this method does not depend on that.
   */
  public void shutdown(Duration timeout) {
    send("poweroff");
    Poller.Outcome<String> o = new Poller(timeout, Duration.ofMillis(100), Duration.ofSeconds(1))
        .await(this::state, st -> st.equals("shut off") || st.equals("absent"), "domain " + name + " to power off");
    if (!o.satisfied()) {
      throw new LabException("domain " + name + " is still '" + o.last() + "' " + timeout.toSeconds()
          + " s after the guest was told to power off; serial log " + serialLog);
    }
  }

  /**
   * Waits until the guest agent of this domain answers (it starts a moment after the first report;
   * the domain needs {@code DomainSpec.agent(true)}).
   *
   * @return the agent's first answer
   * @throws dev.vmhotplug.core.HotplugException the agent's last error when it did not answer in time
   */
  public dev.vmhotplug.guest.truth.GuestFacts awaitAgent(dev.vmhotplug.core.DomainHandle domain, Duration timeout) {
    dev.vmhotplug.core.AgentGuestProbe agent = dev.vmhotplug.core.AgentGuestProbe.create();
    dev.vmhotplug.core.HotplugException[] lastError = {null};
    Poller.Outcome<dev.vmhotplug.guest.truth.GuestFacts> o =
        new Poller(timeout, Duration.ofMillis(250), Duration.ofSeconds(2)).await(() -> {
          try {
            return agent.facts(domain);
          } catch (dev.vmhotplug.core.HotplugException e) {
            lastError[0] = e;
            return null;
          }
        }, f -> f != null, "the guest agent of " + name);
    if (!o.satisfied()) {
      throw lastError[0];
    }
    return o.last();
  }

  /** Starts the (persistent, shut off) domain again and waits for the new boot's first report. */
  public void start() {
    int bootsBefore = probe.boots();
    long t0 = System.nanoTime();
    virsh().call("start", name);
    awaitBoot(bootsBefore + 1, t0);
  }

  /** Destroys the domain (hard power off); keeps a persistent definition. */
  public void destroy() {
    virsh().run("destroy", name);
  }

  private String qemuLogTail() {
    return LabDaemon.tail(Path.of("/var/log/libvirt/qemu", name + ".log"));
  }

  /** Destroys the domain, undefines it when persistent and removes its pipes. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    virsh().run("destroy", name);
    if (spec.persistent()) {
      virsh().run("undefine", name);
    }
    LabDaemon.killQemuOf(name);
    try {
      Files.deleteIfExists(Path.of(cmdPipe + ".in"));
      Files.deleteIfExists(Path.of(cmdPipe + ".out"));
    } catch (IOException e) {
      LOG.debug("domain={} op=close cannot remove pipes: {}", name, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
