package dev.vmhotplug.core;

/**
 * An argument given to the SDK is not acceptable (a vCPU count below 1, a size without a unit or
 * too large, a negative timeout…). Thrown by the call that takes the argument, before any libvirt
 * call: nothing was read or changed. {@link #refusal()} names the rule, the message quotes the value
 * (shortened and with control characters escaped) and says what to give instead.
 *
 * <p>A {@link PreconditionException}, so a caller that handles "refused before any change" handles
 * this too. {@code null} arguments are programming errors and throw {@link NullPointerException}.
 */
public class InvalidArgumentException extends PreconditionException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param refusal the rule that the argument broke
   * @param message what was given, why it is refused, what to give instead
   */
  public InvalidArgumentException(Refusal refusal, String message) {
    super(refusal, message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param refusal the rule that the argument broke
   * @param message what was given, why it is refused, what to give instead
   * @param cause the underlying failure (e.g. hotplug-xml's parse error)
   */
  public InvalidArgumentException(Refusal refusal, String message, Throwable cause) {
    super(refusal, message, cause);
  }
}
