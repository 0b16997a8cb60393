package dev.vmhotplug.guest.rules;

import java.util.Objects;

/**
 * One generated udev rule file: its name (no directory; install it in {@code /etc/udev/rules.d})
 * and its exact content (ASCII, lines ending in {@code \n}).
 *
 * @param fileName the file name, matching {@link RuleOptions#FILE_NAME_RULE}
 * @param content the file's bytes as text, ending in a newline
 */
public record RuleFile(String fileName, String content) {

  /**
   * Checks the parts.
   *
   * @param fileName the file name, matching {@link RuleOptions#FILE_NAME_RULE}
   * @param content the file's bytes as text, ending in a newline
   * @throws IllegalArgumentException when the name is unsafe or the content is null
   */
  public RuleFile {
    RuleOptions.validateFileName("fileName", fileName);
    Objects.requireNonNull(content, "content of a rule file must not be null");
  }
}
