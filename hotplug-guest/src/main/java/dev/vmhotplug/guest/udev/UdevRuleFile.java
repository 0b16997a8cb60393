package dev.vmhotplug.guest.udev;

import java.util.List;
import java.util.Objects;

/**
 * One parsed udev rules file.
 *
 * @param name the file name (what udev sorts by), e.g. {@code 40-redhat.rules}
 * @param path where it was read from, for messages (e.g. {@code /usr/lib/udev/rules.d/40-redhat.rules})
 * @param rules the valid rules in file order
 * @param problems lines udev would ignore, and notes about the file (binary content, truncation)
 * @param truncated whether only the first {@link UdevRulesParser#MAX_BYTES} bytes were read
 */
public record UdevRuleFile(
    String name, String path, List<UdevRule> rules, List<UdevProblem> problems, boolean truncated) {

  /**
   * Validates and copies the lists.
   *
   * @param name the file name (what udev sorts by), e.g. {@code 40-redhat.rules}
   * @param path where it was read from, for messages (e.g. {@code /usr/lib/udev/rules.d/40-redhat.rules})
   * @param rules the valid rules in file order
   * @param problems lines udev would ignore, and notes about the file (binary content, truncation)
   * @param truncated whether only the first {@link UdevRulesParser#MAX_BYTES} bytes were read
   */
  public UdevRuleFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    rules = List.copyOf(rules);
    problems = List.copyOf(problems);
  }

  /**
   * A file (or directory) that could not be read: it has no rules and one problem saying why, so
   * that a verdict that would otherwise be "does not online" becomes "cannot tell".
   *
   * @param name the file name
   * @param path where it is
   * @param message why it could not be read, starting with "cannot read"
   * @return the placeholder
   */
  public static UdevRuleFile unreadable(String name, String path, String message) {
    return new UdevRuleFile(name, path, List.of(), List.of(new UdevProblem(name, 0, "", message)), false);
  }
}
