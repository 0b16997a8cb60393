package dev.vmhotplug.guest.udev;

import java.util.List;
import java.util.Objects;

/**
 * One udev rule: the tokens of one logical line (after joining {@code \} continuations).
 *
 * @param file the rule file's name, e.g. {@code 40-redhat.rules}
 * @param line the 1-based number of the rule's first physical line
 * @param lastLine the 1-based number of its last physical line (differs when continued)
 * @param text the logical line as udev sees it (continuations joined)
 * @param tokens the parsed tokens, in order
 */
public record UdevRule(String file, int line, int lastLine, String text, List<UdevToken> tokens) {

  /**
   * Validates and copies the token list.
   *
   * @param file the rule file's name, e.g. {@code 40-redhat.rules}
   * @param line the 1-based number of the rule's first physical line
   * @param lastLine the 1-based number of its last physical line (differs when continued)
   * @param text the logical line as udev sees it (continuations joined)
   * @param tokens the parsed tokens, in order
   */
  public UdevRule {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(text, "text");
    tokens = List.copyOf(tokens);
  }

  /** {@return {@code file:line}, e.g. {@code 40-redhat.rules:4}} */
  public String location() {
    return file + ":" + line;
  }

  /** {@return the value of this rule's {@code LABEL=}, or {@code null}} */
  public String label() {
    for (UdevToken t : tokens) {
      if (t.key().equals("LABEL")) {
        return t.value();
      }
    }
    return null;
  }

  /** {@return the target of this rule's {@code GOTO=}, or {@code null}} */
  public String gotoLabel() {
    for (UdevToken t : tokens) {
      if (t.key().equals("GOTO")) {
        return t.value();
      }
    }
    return null;
  }
}
