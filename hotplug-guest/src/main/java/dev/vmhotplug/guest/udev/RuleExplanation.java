package dev.vmhotplug.guest.udev;

/**
 * What one rule line means for a hot-added CPU or memory block.
 *
 * @param location {@code file:line}, e.g. {@code 40-vm-hotadd.rules:11}
 * @param text the rule as written (continuations joined)
 * @param message what it does on the evaluated machine and why
 */
public record RuleExplanation(String location, String text, String message) {

  /** {@code location: message}. */
  @Override
  public String toString() {
    return location + ": " + message;
  }
}
