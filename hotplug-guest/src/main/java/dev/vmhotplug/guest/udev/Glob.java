package dev.vmhotplug.guest.udev;

/**
 * udev's value patterns: {@code *}, {@code ?}, {@code [a-z]}, {@code [!0-9]} (also {@code [^…]}),
 * and {@code |} between alternatives ({@code "s390*|ppc64*"}).
 */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String value) {
    if (pattern.isEmpty()) {
      return value.isEmpty();
    }
    for (String alt : pattern.split("\\|", -1)) {
      if (one(alt, 0, value, 0)) {
        return true;
      }
    }
    return false;
  }

  static boolean hasWildcards(String pattern) {
    return pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '|');
  }

  private static boolean one(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        while (pi < p.length() && p.charAt(pi) == '*') {
          pi++;
        }
        if (pi == p.length()) {
          return true;
        }
        for (int k = si; k <= s.length(); k++) {
          if (one(p, pi, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      if (c == '?') {
        pi++;
        si++;
        continue;
      }
      if (c == '[') {
        int close = p.indexOf(']', pi + 2);
        if (close < 0) {
          if (s.charAt(si) != '[') {
            return false;
          }
          pi++;
          si++;
          continue;
        }
        boolean negate = p.charAt(pi + 1) == '!' || p.charAt(pi + 1) == '^';
        int k = pi + (negate ? 2 : 1);
        boolean hit = false;
        char ch = s.charAt(si);
        while (k < close) {
          char lo = p.charAt(k);
          if (k + 2 < close && p.charAt(k + 1) == '-') {
            if (ch >= lo && ch <= p.charAt(k + 2)) {
              hit = true;
            }
            k += 3;
          } else {
            if (ch == lo) {
              hit = true;
            }
            k++;
          }
        }
        if (hit == negate) {
          return false;
        }
        pi = close + 1;
        si++;
        continue;
      }
      if (c == '\\' && pi + 1 < p.length()) {
        pi++;
        c = p.charAt(pi);
      }
      if (s.charAt(si) != c) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }
}
