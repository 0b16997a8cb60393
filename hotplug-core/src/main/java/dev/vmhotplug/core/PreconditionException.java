package dev.vmhotplug.core;

import java.util.Objects;

/**
 * A request was refused before any change was made: nothing on the domain was touched.
 *
 * <p>{@link #refusal()} says which rule blocked it; the message says what was found and how to
 * fix it (the call or XML to use).
 */
public class PreconditionException extends HotplugException {
  private static final long serialVersionUID = 1L;

  /** The rule that blocked the request. */
  private final Refusal refusal;

  /**
   * Creates a refusal.
   *
   * @param refusal the rule that blocked the request
   * @param message what was found, why it blocks, what to do
   */
  public PreconditionException(Refusal refusal, String message) {
    super(message);
    this.refusal = Objects.requireNonNull(refusal, "refusal");
  }

  /**
   * Creates a refusal that keeps its cause.
   *
   * @param refusal the rule that blocked the request
   * @param message what was found, why it blocks, what to do
   * @param cause the underlying failure
   */
  public PreconditionException(Refusal refusal, String message, Throwable cause) {
    super(message, cause);
    this.refusal = Objects.requireNonNull(refusal, "refusal");
  }

  /** {@return the rule that blocked the request} */
  public Refusal refusal() {
    return refusal;
  }
}
