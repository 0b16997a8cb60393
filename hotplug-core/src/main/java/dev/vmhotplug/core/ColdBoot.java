package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.Poller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cold boot of one running, persistent domain: a graceful shutdown (ACPI power button, or the guest
 * agent when libvirt has one), a wait until libvirt shows it shut off, then a start and a wait for the
 * running state. This is what makes a changed definition (from {@link DomainHandle#prepare}) take
 * effect; a reboot inside the guest does not. Built fluently from {@link DomainHandle#coldBoot()} and
 * run by {@link #apply()}:
 * <pre>{@code
 * domain.coldBoot().apply();                                   // 60 s for the guest to power off
 * domain.coldBoot().shutdownTimeout(Duration.ofMinutes(3)).forceOffAfterTimeout().apply();
 *
 * PrepareResult p = domain.prepare(limits);
 * ColdBootResult r = domain.coldBoot().after(p).apply();       // boots only if p changed the definition
 * }</pre>
 *
 * <p>The domain is never forced off unless {@link #forceOffAfterTimeout()} was asked for: a guest
 * that does not power off in time gets a {@link ShutdownTimeoutException} with the steps taken, and
 * keeps running. Before any change {@code apply()} refuses a read-only client, a transient domain (it
 * would vanish when it shuts down) and a shut-off domain (there is nothing to shut down: start it).
 *
 * <p>libvirt's shutdown call itself can take up to a minute when the guest agent is configured but
 * hung (libvirt waits for the agent before falling back to ACPI, docs/lab-agent.md); that time counts
 * against the shutdown timeout.
 *
 * <p>Immutable: every method returns a new request. {@code apply()} holds the domain's lock.
 */
public final class ColdBoot {
  private static final Logger LOG = LoggerFactory.getLogger(ColdBoot.class);

  /** How long the guest has to power off unless {@link #shutdownTimeout(Duration)} says otherwise. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
  /** How long a start, or a forced power off, may take to show in libvirt's state. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private final DomainHandle domain;
  private final Duration shutdownTimeout;
  private final boolean forceOff;
  private final Duration startTimeout;
  private final PrepareResult after;

  ColdBoot(DomainHandle domain) {
    this(domain, DEFAULT_SHUTDOWN_TIMEOUT, false, DEFAULT_START_TIMEOUT, null);
  }

  private ColdBoot(DomainHandle domain, Duration shutdownTimeout, boolean forceOff, Duration startTimeout,
      PrepareResult after) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.shutdownTimeout = shutdownTimeout;
    this.forceOff = forceOff;
    this.startTimeout = startTimeout;
    this.after = after;
  }

  /**
   * How long the guest has to power off after the shutdown request (default 60 s), counted from
   * before libvirt's shutdown call.
   *
   * @param timeout positive
   * @return a new request
   * @throws InvalidArgumentException when zero or negative
   */
  public ColdBoot shutdownTimeout(Duration timeout) {
    return new ColdBoot(domain, positive(timeout, "shutdown timeout"), forceOff, startTimeout, after);
  }

  /**
   * Forces the domain off ({@code virDomainDestroy}, like pulling the power plug: the guest gets no
   * chance to flush its disks) when it has not powered off within the shutdown timeout, then starts
   * it. Without this, such a domain gets a {@link ShutdownTimeoutException} and keeps running.
   *
   * @return a new request
   */
  public ColdBoot forceOffAfterTimeout() {
    return new ColdBoot(domain, shutdownTimeout, true, startTimeout, after);
  }

  /**
   * How long the start (and a forced power off) may take to show in libvirt's state (default 60 s).
   *
   * @param timeout positive
   * @return a new request
   * @throws InvalidArgumentException when zero or negative
   */
  public ColdBoot startTimeout(Duration timeout) {
    return new ColdBoot(domain, shutdownTimeout, forceOff, positive(timeout, "start timeout"), after);
  }

  /**
   * Boots only when this preparation needs it ({@link PrepareResult#coldBootNeeded()}: the
   * definition changed and the domain was running); otherwise {@link #apply()} returns a
   * {@link ColdBootResult.Outcome#SKIPPED} result without touching the domain.
   *
   * @param prepared the result of {@code domain.prepare(...)} for this domain
   * @return a new request
   * @throws InvalidArgumentException when the result is of another domain
   */
  public ColdBoot after(PrepareResult prepared) {
    Objects.requireNonNull(prepared, "prepared");
    if (!prepared.domain().equals(domain.name())) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "the PrepareResult is of domain '"
          + prepared.domain() + "', not of '" + domain.name() + "': pass the result of this domain's prepare(...)");
    }
    return new ColdBoot(domain, shutdownTimeout, forceOff, startTimeout, prepared);
  }

  /** {@return the shutdown timeout} */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** {@return whether the domain is forced off after the shutdown timeout} */
  public boolean forcesOffAfterTimeout() {
    return forceOff;
  }

  /** {@return the start timeout} */
  public Duration startTimeout() {
    return startTimeout;
  }

  /**
   * Shuts the domain down, waits until it is off (forcing it off only when asked), starts it and
   * waits until it runs.
   *
   * @return the steps with their timings
   * @throws PreconditionException before any change: {@link Refusal#READ_ONLY},
   *     {@link Refusal#NOT_PERSISTENT} (transient: it would vanish), {@link Refusal#NOT_RUNNING}
   *     (shut off: just start it)
   * @throws ShutdownTimeoutException when the guest did not power off within the timeout and no
   *     force was asked: the domain is still running, nothing was forced
   * @throws VerificationTimeoutException when the forced power off or the start does not show within
   *     the start timeout
   * @throws DomainNotFoundException if the domain no longer exists
   * @throws LibvirtException if libvirt refuses the shutdown, the destroy or the start
   */
  public ColdBootResult apply() {
    return Listening.observe(domain, OperationInfo.COLD_BOOT, null, this::run,
        r -> r.outcome() != ColdBootResult.Outcome.SKIPPED);
  }

  private ColdBootResult run() {
    String name = domain.name();
    HotplugClient client = domain.client();
    if (after != null && !after.coldBootNeeded()) {
      String why = after.changed() ? "the domain was not running when it was prepared: the next start uses the"
          + " new definition" : "prepare changed nothing";
      return new ColdBootResult(name, ColdBootResult.Outcome.SKIPPED, List.of(new ColdBootResult.Step("skipped",
          Duration.ZERO, Duration.ZERO, "no cold boot needed: " + why)), Duration.ZERO);
    }
    if (client.isReadOnly()) {
      throw new PreconditionException(Refusal.READ_ONLY, "the client for " + client.uri() + " is read-only: a cold"
          + " boot of domain '" + name + "' shuts it down and starts it. Connect without readOnly(true)");
    }
    return domain.locked(() -> run(name, client));
  }

  private ColdBootResult run(String name, HotplugClient client) {
    LibvirtGateway gw = domain.gateway();
    LibvirtGateway.DomainRef ref = domain.ref();
    if (!gw.isPersistent(ref)) {
      throw new PreconditionException(Refusal.NOT_PERSISTENT, "domain '" + name + "' is transient: it has no"
          + " persistent definition and would vanish when it shuts down, so it cannot be cold-booted. Make it"
          + " persistent first (virsh dumpxml " + name + " > " + name + ".xml; virsh define " + name + ".xml)");
    }
    if (!gw.isActive(ref)) {
      throw new PreconditionException(Refusal.NOT_RUNNING, "domain '" + name + "' is shut off: there is nothing to"
          + " shut down, its next start already uses its definition. Just start it (virsh start " + name + ")");
    }
    long t0 = System.nanoTime();
    List<ColdBootResult.Step> steps = new ArrayList<>();
    LOG.debug("domain={} op=coldBoot shutdown timeoutMs={} force={}", name, shutdownTimeout.toMillis(), forceOff);
    long s0 = System.nanoTime();
    try {
      gw.shutdown(ref);
    } catch (LibvirtException e) {
      if (gw.isActive(ref)) {
        throw e;
      }
      LOG.debug("domain={} op=coldBoot shutdown failed but the domain is off already: {}", name, e.getMessage());
    }
    steps.add(step("shutdown requested", t0, s0, "virDomainShutdown (ACPI power button, or the guest agent)"));
    Duration left = shutdownTimeout.minus(Duration.ofNanos(System.nanoTime() - s0));
    long w0 = System.nanoTime();
    Poller.Outcome<Boolean> off = client.poller(left.isNegative() ? Duration.ZERO : left)
        .await(() -> gw.isActive(ref), active -> !active, "domain " + name + " to shut off");
    boolean forced = false;
    if (off.satisfied()) {
      steps.add(step("shut off", t0, s0, "the guest powered off " + seconds(System.nanoTime() - s0)
          + " after the request (" + off.attempts() + " state reads)"));
    } else if (!forceOff) {
      steps.add(step("still running", t0, w0, "the guest did not power off within " + shutdownTimeout.toSeconds()
          + " s; nothing was forced"));
      throw new ShutdownTimeoutException("domain '" + name + "' is still running " + shutdownTimeout.toSeconds()
          + " s after the shutdown request: the guest did not power off (no ACPI power button handling, e.g. no"
          + " acpid / systemd-logind; a hung guest agent; a paused domain (virsh resume); or the guest is busy)."
          + " Nothing was forced and the domain"
          + " keeps running. Fix the guest's shutdown handling, retry with a longer shutdownTimeout, or ask for"
          + " forceOffAfterTimeout() (virsh destroy " + name + ": like pulling the plug)", shutdownTimeout,
          off.attempts(), Duration.ofNanos(System.nanoTime() - s0), steps);
    } else {
      long d0 = System.nanoTime();
      gw.destroy(ref);
      Poller.Outcome<Boolean> gone = client.poller(startTimeout)
          .await(() -> gw.isActive(ref), active -> !active, "domain " + name + " to be off after destroy");
      if (!gone.satisfied()) {
        throw new VerificationTimeoutException("domain '" + name + "' was forced off (virDomainDestroy) but libvirt"
            + " still shows it active after " + startTimeout.toSeconds() + " s: check virsh domstate " + name,
            "domain shut off", "domain active", gone.attempts(), gone.elapsed(), null);
      }
      forced = true;
      steps.add(step("forced off", t0, d0, "the guest did not power off within " + shutdownTimeout.toSeconds()
          + " s: virDomainDestroy, as asked (forceOffAfterTimeout)"));
    }
    long c0 = System.nanoTime();
    gw.create(ref);
    Poller.Outcome<Boolean> up = client.poller(startTimeout)
        .await(() -> gw.isActive(ref), active -> active, "domain " + name + " to run");
    if (!up.satisfied()) {
      throw new VerificationTimeoutException("domain '" + name + "' was started (virDomainCreate) but libvirt does"
          + " not show it running after " + startTimeout.toSeconds() + " s: check virsh domstate " + name
          + " and the QEMU log", "domain running", "domain shut off", up.attempts(), up.elapsed(), null);
    }
    steps.add(step("started", t0, c0, "virDomainCreate; libvirt shows it running"));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    LOG.debug("domain={} op=coldBoot done forced={} elapsedMs={}", name, forced, elapsed.toMillis());
    return new ColdBootResult(name, forced ? ColdBootResult.Outcome.FORCED_OFF_AND_STARTED
        : ColdBootResult.Outcome.BOOTED, steps, elapsed);
  }

  private static ColdBootResult.Step step(String action, long t0, long since, String detail) {
    long now = System.nanoTime();
    return new ColdBootResult.Step(action, Duration.ofNanos(now - t0), Duration.ofNanos(now - since), detail);
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, what + " " + d + " is refused: give a positive"
          + " duration, e.g. Duration.ofSeconds(60)");
    }
    return d;
  }

  @Override
  public String toString() {
    return "ColdBoot[" + domain.name() + ", shutdown timeout " + shutdownTimeout.toSeconds() + " s"
        + (forceOff ? ", force off after it" : "") + (after == null ? "" : ", only if prepare needs it") + "]";
  }
}
