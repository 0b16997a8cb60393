package dev.vmhotplug.guest.udev;

import java.util.Objects;

/**
 * One {@code KEY{attr}OP"value"} element of a udev rule, e.g. {@code ATTR{online}=="0"}.
 *
 * @param key the key in upper case as written ({@code ATTR}, {@code SUBSYSTEM}, …)
 * @param attr the text in braces, or {@code null} when the key has none
 * @param op the operator
 * @param value the value with udev's quoting removed ({@code \"} becomes {@code "})
 */
public record UdevToken(String key, String attr, UdevOperator op, String value) {

  /**
   * Validates the parts.
   *
   * @param key the key in upper case as written ({@code ATTR}, {@code SUBSYSTEM}, …)
   * @param attr the text in braces, or {@code null} when the key has none
   * @param op the operator
   * @param value the value with udev's quoting removed ({@code \"} becomes {@code "})
   */
  public UdevToken {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }

  /** The token written back in rule syntax, e.g. {@code ATTR{online}=="0"}. */
  @Override
  public String toString() {
    return key + (attr == null ? "" : "{" + attr + "}") + op.text() + "\"" + value.replace("\"", "\\\"") + "\"";
  }
}
