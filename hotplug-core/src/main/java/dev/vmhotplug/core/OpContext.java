package dev.vmhotplug.core;

import dev.vmhotplug.core.internal.LibvirtGateway;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What an operation runs with: the domain, the request's timeout and verification policy, and the
 * verifier that waits for the change to show. Also the core's boundary rules every entry point
 * follows (read-only refusal, hotplug-xml's exceptions wrapped). Package-private plumbing.
 */
final class OpContext {
  final DomainHandle domain;
  final Duration timeout;
  final Verification verification;
  final List<GuestAction> guestActions;

  /**
   * Something done in the guest once the host shows the change and before the guest is verified
   * (the seam for onlining what was added through the guest agent when the guest's udev rules do
   * not). None by default.
   */
  @FunctionalInterface
  interface GuestAction {
    /**
     * Runs after the host verification of a change.
     *
     * @param ctx the operation's context
     * @param applied the libvirt calls that were made
     * @param warnings where to add what the caller should know
     */
    void afterHostVerified(OpContext ctx, List<OperationStep> applied, List<String> warnings);
  }

  OpContext(DomainHandle domain, Duration timeout, Verification verification) {
    this(domain, timeout, verification, List.of());
  }

  OpContext(DomainHandle domain, Duration timeout, Verification verification, List<GuestAction> guestActions) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.timeout = timeout;
    this.verification = Objects.requireNonNull(verification, "verification");
    this.guestActions = List.copyOf(guestActions);
  }

  /** Runs the guest actions (after the host verification, before the guest verification). */
  void afterHostVerified(List<OperationStep> applied, List<String> warnings) {
    for (GuestAction a : guestActions) {
      a.afterHostVerified(this, applied, warnings);
    }
  }

  LibvirtGateway gateway() {
    return domain.gateway();
  }

  String name() {
    return domain.name();
  }

  /** A poller with the request's timeout (or the client's default). */
  Poller poller() {
    return domain.client().poller(timeout);
  }

  /**
   * The verifier: event-based ({@link EventVerifier}) when the client uses device events (the
   * default), else polling; it reports each wait to the client's listener when one is set.
   */
  Verifier verifier() {
    Poller p = poller();
    Verifier v = domain.client().usesDeviceEvents() ? new EventVerifier(p) : Verifier.polling(p);
    Listening.Op op = Listening.current(domain);
    return op == null ? v : Verifier.recording(v, op::waited);
  }

  /**
   * A new list for the steps the operation applies; with a listener set, each step added is reported
   * to it as {@code stepApplied} (add only steps that took effect).
   */
  List<OperationStep> newSteps() {
    return newSteps(domain);
  }

  /** See {@link #newSteps()}. */
  static List<OperationStep> newSteps(DomainHandle domain) {
    Listening.Op op = Listening.current(domain);
    return op == null ? new ArrayList<>(2) : new Listening.StepList(op);
  }

  /**
   * Refuses a change through a read-only client before any libvirt call.
   *
   * @param domain the domain
   * @param what the change, e.g. {@code "set the vCPUs of"}
   * @throws PreconditionException {@link Refusal#READ_ONLY}
   */
  static void refuseReadOnly(DomainHandle domain, String what) {
    if (domain.client().isReadOnly()) {
      throw new PreconditionException(Refusal.READ_ONLY, "cannot " + what + " domain " + SafeText.quote(domain.name())
          + ": the client was opened read-only (HotplugClient.builder().readOnly(true), like virsh -r), so it"
          + " inspects and plans but changes nothing. Nothing was changed; use a client opened read-write");
    }
  }

  /**
   * Runs a public entry point's body: hotplug-xml's exceptions that escape the body (a value in
   * libvirt's XML that hotplug-xml refuses, size arithmetic) become the core's.
   *
   * @param domain the domain name, for the message
   * @param body the body
   * @param <T> its result
   * @return the result
   * @throws HotplugException for a hotplug-xml failure (the cause)
   */
  static <T> T guard(String domain, Supplier<T> body) {
    try {
      return body.get();
    } catch (DomainXmlException e) {
      throw Inspection.unreadable(domain, "domain XML read", e);
    }
  }
}
