package dev.vmhotplug.guest.udev;

/**
 * A line of a rule file that could not be read as a udev rule (udev itself ignores such lines, with
 * a log message), or a whole file that could not be read.
 *
 * @param file the rule file's name
 * @param line the 1-based line number (0 for the whole file)
 * @param text the offending text (shortened to 200 characters, control characters escaped)
 * @param message what is wrong and what udev does with it
 */
public record UdevProblem(String file, int line, String text, String message) {

  /** {@code file:line: message}. */
  @Override
  public String toString() {
    return file + ":" + line + ": " + message + (text.isEmpty() ? "" : " [" + text + "]");
  }
}
