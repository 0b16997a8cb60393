package dev.vmhotplug.xml.internal;

/**
 * Quotes caller input (domain names, sizes, XML fragments…) for messages and logs: at most a fixed
 * number of characters, control characters and line breaks escaped, so that a message can neither
 * flood a log nor forge a log line. Used by every module of the SDK that echoes input.
 */
public final class SafeText {
  /** The default number of characters of an input quoted in a message. */
  public static final int DEFAULT_MAX = 80;

  private SafeText() {}

  /**
   * The input in single quotes, shortened to {@link #DEFAULT_MAX} characters, escaped.
   *
   * @param input any text, may be null
   * @return {@code 'web-1'}, {@code 'a\nb'}, {@code 'aaaa…' (1000000 chars)}, or {@code null}
   */
  public static String quote(String input) {
    return quote(input, DEFAULT_MAX);
  }

  /**
   * The input in single quotes, shortened to {@code max} characters, escaped.
   *
   * @param input any text, may be null
   * @param max the number of input characters kept, at least 1
   * @return the quoted text; a shortened one ends with {@code …' (N chars)}
   */
  public static String quote(String input, int max) {
    if (input == null) {
      return "null";
    }
    return "'" + escape(input, max) + "'" + (input.length() > max ? " (" + input.length() + " chars)" : "");
  }

  /**
   * The input shortened to {@code max} characters (then {@code …}) with control characters, line
   * breaks, the backslash and the single quote escaped ({@code \n}, {@code \t}, {@code \u001b}, …).
   *
   * @param input any text, not null
   * @param max the number of input characters kept, at least 1
   * @return the escaped text
   */
  public static String escape(String input, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, got " + max);
    }
    int n = Math.min(input.length(), max);
    StringBuilder b = new StringBuilder(n + 8);
    for (int i = 0; i < n; i++) {
      char c = input.charAt(i);
      switch (c) {
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        case '\\':
          b.append("\\\\");
          break;
        case '\'':
          b.append("\\'");
          break;
        default:
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(input.charAt(i + 1)))
              && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(input.charAt(i - 1)))) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    if (input.length() > max) {
      b.append('…');
    }
    return b.toString();
  }
}
