package dev.vmhotplug.testkit;

import dev.vmhotplug.testkit.internal.ErrorNames;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure {@link LibvirtSeam} injects into one libvirt call (or every matching call) of a client:
 * a libvirt error with a chosen error name and message, or a lost connection before or after the
 * real call was made.
 *
 * <pre>{@code
 * seam.inject(Fault.on("attachDevice").nth(2).libvirtError("VIR_ERR_INTERNAL_ERROR", "no free slot"));
 * seam.inject(Fault.on("setVcpus").domain("web").connectionLost(Fault.Timing.AFTER_CALL));
 * seam.inject(Fault.onCall(3).libvirtError("VIR_ERR_OPERATION_FAILED", "injected"));
 * }</pre>
 *
 * <p>The fault reaches the SDK exactly where a failure of the real call would: a libvirt error
 * becomes the SDK's {@code LibvirtException} with that error code and name (or the exception the
 * SDK makes of it, e.g. {@code GuestRefusedException} for a refused memory detach,
 * {@code PartialApplyException} half way through a split), {@code VIR_ERR_NO_DOMAIN} becomes
 * {@code DomainNotFoundException}, and a lost connection becomes {@code ConnectionLostException}
 * (the SDK retries a lost read once, as it does on a real connection; it never retries a change).
 *
 * <p>Operations are the names the SDK's gateway gives its calls: {@code lookup},
 * {@code xml(live)}, {@code xml(inactive)}, {@code xml(inactive,secure)}, {@code isActive},
 * {@code isPersistent}, {@code memoryStats}, {@code setVcpus(LIVE)} (also {@code CONFIG},
 * {@code LIVE_AND_CONFIG}), {@code attachDevice(…)}, {@code detachDevice(…)}, {@code updateDevice(…)},
 * {@code qemuAgentCommand}, {@code defineXML}, {@code shutdown}, {@code create}, {@code destroy};
 * {@link LibvirtSeam#calls()} shows them as they happen. A fault matches an operation by prefix
 * ({@code "attachDevice"} matches every scope).
 *
 * <p>Immutable. A fault fires once (the nth matching call, the first by default) unless built with
 * {@link Selector#everyTime()}.
 */
public final class Fault {

  /** When a lost connection is injected, relative to the real call. */
  public enum Timing {
    /** The real call is not made: nothing changed (the SDK cannot know that). */
    BEFORE_CALL,
    /** The real (or emulated) call is made, then the connection is reported lost: it did change. */
    AFTER_CALL
  }

  /** What the fault does. */
  public enum Kind {
    /** Fails the call with a libvirt error. */
    LIBVIRT_ERROR,
    /** Reports the connection lost during the call. */
    CONNECTION_LOST
  }

  private final Selector selector;
  private final Kind kind;
  private final String errorName;
  private final int errorCode;
  private final String message;
  private final Timing timing;

  private Fault(Selector selector, Kind kind, String errorName, int errorCode, String message, Timing timing) {
    this.selector = selector;
    this.kind = kind;
    this.errorName = errorName;
    this.errorCode = errorCode;
    this.message = message;
    this.timing = timing;
  }

  /**
   * Selects the calls whose operation starts with this prefix.
   *
   * @param operationPrefix e.g. {@code "attachDevice"}, {@code "setVcpus(LIVE)"}, {@code "xml(live)"}
   * @return a selector (the first matching call unless {@link Selector#nth} or
   *     {@link Selector#everyTime()} says otherwise)
   * @throws IllegalArgumentException if the prefix is empty
   * @throws NullPointerException if the prefix is null
   */
  public static Selector on(String operationPrefix) {
    Objects.requireNonNull(operationPrefix, "operationPrefix");
    if (operationPrefix.isBlank()) {
      throw new IllegalArgumentException("Fault.on(…) needs an operation, e.g. \"attachDevice\" or \"setVcpus\"");
    }
    return new Selector(Optional.of(operationPrefix), Optional.empty(), 1, false, 0);
  }

  /**
   * Selects the nth libvirt call the seam sees, whatever its operation (counting from the seam's
   * creation or last {@link LibvirtSeam#reset()}).
   *
   * @param n the call's number, 1 for the first
   * @return a selector
   * @throws IllegalArgumentException if n is below 1
   */
  public static Selector onCall(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("Fault.onCall(" + n + "): calls are counted from 1");
    }
    return new Selector(Optional.empty(), Optional.empty(), 1, false, n);
  }

  /**
   * Returns which calls the fault applies to.
   *
   * @return the selector
   */
  public Selector selector() {
    return selector;
  }

  /**
   * Returns what the fault does.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the libvirt error name of a {@link Kind#LIBVIRT_ERROR} fault.
   *
   * @return e.g. {@code VIR_ERR_INTERNAL_ERROR}; empty for a lost connection
   */
  public Optional<String> errorName() {
    return Optional.ofNullable(errorName);
  }

  /**
   * Returns libvirt's error code ({@code virErrorNumber}) of a {@link Kind#LIBVIRT_ERROR} fault.
   *
   * @return the code, -1 for a lost connection
   */
  public int errorCode() {
    return errorCode;
  }

  /**
   * Returns the message libvirt would give (the error's text, or the lost connection's).
   *
   * @return the message
   */
  public String message() {
    return message;
  }

  /**
   * Returns when a lost connection is reported; {@link Timing#BEFORE_CALL} for a libvirt error
   * (the real call is never made).
   *
   * @return the timing
   */
  public Timing timing() {
    return timing;
  }

  @Override
  public String toString() {
    return "Fault[" + selector + " -> " + (kind == Kind.LIBVIRT_ERROR ? errorName + " '" + message + "'"
        : "connection lost " + timing) + "]";
  }

  /** Which calls a fault applies to; immutable, each method returns a new selector. */
  public static final class Selector {
    private final Optional<String> operation;
    private final Optional<String> domain;
    private final int nth;
    private final boolean every;
    private final int callIndex;

    private Selector(Optional<String> operation, Optional<String> domain, int nth, boolean every, int callIndex) {
      this.operation = operation;
      this.domain = domain;
      this.nth = nth;
      this.every = every;
      this.callIndex = callIndex;
    }

    /**
     * Narrows the selection to calls on this domain.
     *
     * @param name the domain name as the SDK looked it up ({@code "-"} for connection-level calls)
     * @return a new selector
     * @throws NullPointerException if name is null
     */
    public Selector domain(String name) {
      return new Selector(operation, Optional.of(Objects.requireNonNull(name, "name")), nth, every, callIndex);
    }

    /**
     * Fires on the nth matching call instead of the first.
     *
     * @param n 1 for the first matching call
     * @return a new selector
     * @throws IllegalArgumentException if n is below 1
     */
    public Selector nth(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("Fault nth(" + n + "): matching calls are counted from 1");
      }
      return new Selector(operation, domain, n, false, callIndex);
    }

    /**
     * Fires on every matching call, not once.
     *
     * @return a new selector
     */
    public Selector everyTime() {
      return new Selector(operation, domain, nth, true, callIndex);
    }

    /**
     * Fails the selected call with a libvirt error, without making the real call.
     *
     * @param errorName libvirt's symbolic error name, e.g. {@code VIR_ERR_OPERATION_FAILED},
     *     {@code VIR_ERR_INTERNAL_ERROR}, {@code VIR_ERR_OPERATION_INVALID}, {@code VIR_ERR_NO_DOMAIN}
     * @param message libvirt's message, e.g. {@code "unplug of device was rejected by the guest"}
     * @return the fault
     * @throws IllegalArgumentException if libvirt has no error of that name (the message says where
     *     the names come from)
     * @throws NullPointerException if an argument is null
     */
    public Fault libvirtError(String errorName, String message) {
      Objects.requireNonNull(errorName, "errorName");
      Objects.requireNonNull(message, "message");
      int code = ErrorNames.code(errorName);
      return new Fault(this, Kind.LIBVIRT_ERROR, errorName, code, message, Timing.BEFORE_CALL);
    }

    /**
     * Reports the connection lost during the selected call.
     *
     * @param timing whether the real call is made first ({@link Timing#AFTER_CALL}) or not
     * @return the fault
     * @throws NullPointerException if timing is null
     */
    public Fault connectionLost(Timing timing) {
      Objects.requireNonNull(timing, "timing");
      return new Fault(this, Kind.CONNECTION_LOST, null, -1, "the connection was lost (injected by LibvirtSeam, "
          + (timing == Timing.AFTER_CALL ? "after the call was made" : "before the call was made") + ")", timing);
    }

    boolean matches(String op, String dom) {
      return operation.map(op::startsWith).orElse(true) && domain.map(dom::equals).orElse(true);
    }

    /** Whether the call (its global index, and its number among matching calls) triggers the fault. */
    boolean fires(int globalIndex, int matchCount) {
      if (callIndex > 0) {
        return every ? globalIndex >= callIndex : globalIndex == callIndex;
      }
      return every ? matchCount >= nth : matchCount == nth;
    }

    @Override
    public String toString() {
      if (callIndex > 0) {
        return "call #" + callIndex + (every ? " and later" : "");
      }
      return operation.orElse("*") + domain.map(d -> " on '" + d + "'").orElse("")
          + (every ? " from match #" + nth + " on" : " match #" + nth);
    }
  }
}
