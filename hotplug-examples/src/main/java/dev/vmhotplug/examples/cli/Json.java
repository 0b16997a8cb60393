package dev.vmhotplug.examples.cli;

import java.util.List;

/** Tiny JSON writing helpers for the {@code --json} output of the CLI commands (no dependency). */
final class Json {

  private Json() {}

  /** {@code s} as a JSON string literal: quotes, backslash and control characters escaped. */
  static String string(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** A JSON array of strings, e.g. {@code ["a","b"]}. */
  static String strings(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(string(values.get(i)));
    }
    return b.append(']').toString();
  }
}
