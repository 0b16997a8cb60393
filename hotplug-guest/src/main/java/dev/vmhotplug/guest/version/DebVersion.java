package dev.vmhotplug.guest.version;

import java.util.Objects;

/**
 * A Debian package version ({@code [epoch:]upstream_version[-debian_revision]}) compared the way
 * dpkg compares it.
 *
 * <p>Parsing follows dpkg's {@code parseversion} rules as documented by its test suite
 * ({@code lib/dpkg/t/t-version.c}): surrounding whitespace is ignored; the epoch is the digits
 * before the FIRST colon; the revision is what follows the LAST hyphen; the upstream version must
 * not be empty and may contain letters, digits and {@code . + ~ - :} (the last two only when a
 * revision / epoch exists); the revision may contain letters, digits and {@code . + ~}.
 * Unlike dpkg, an upstream version not starting with a digit is accepted (dpkg only warns).
 *
 * <p>Comparison follows Debian policy 5.6.12 (dpkg's {@code verrevcmp}): epochs as numbers, then
 * the upstream version, then the revision (missing = {@code ""}, which equals {@code "0"}); each part
 * is compared as alternating non-digit and digit runs; in non-digit runs a tilde sorts before
 * everything, even the end of the part, letters sort before all other characters; digit runs
 * compare by value.
 */
public final class DebVersion implements Comparable<DebVersion> {
  private final long epoch;
  private final String upstream;
  private final String revision;

  private DebVersion(long epoch, String upstream, String revision) {
    this.epoch = epoch;
    this.upstream = upstream;
    this.revision = revision;
  }

  /**
   * Creates a version from its parts without validating the characters (used for dpkg's own test
   * vectors, which build versions from parts).
   *
   * @param epoch the epoch, {@code >= 0}
   * @param upstream the upstream version
   * @param revision the Debian revision, {@code ""} when absent
   * @return the version
   * @throws IllegalArgumentException when the epoch is negative or a part is null
   */
  public static DebVersion of(long epoch, String upstream, String revision) {
    if (epoch < 0 || upstream == null || revision == null) {
      throw new IllegalArgumentException(
          "Debian version parts must be epoch >= 0 and non-null strings, got epoch=" + epoch);
    }
    return new DebVersion(epoch, upstream, revision);
  }

  /**
   * Parses a Debian version as {@code dpkg -s} prints it ({@code 252.30-1~deb12u2},
   * {@code 1:2.3-4ubuntu1}).
   *
   * @param text the version text
   * @return the version
   * @throws IllegalArgumentException with the reason when the text is empty, has embedded spaces, a
   *     bad epoch, an empty upstream version, or a character dpkg rejects
   */
  public static DebVersion parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "Debian version is empty: expected [epoch:]upstream[-revision], e.g. 252.30-1~deb12u2");
    }
    String s = text.strip();
    String shown = RpmVersion.printable(s) + (s.length() > 80 ? "..." : ""); // never echo a huge input
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has embedded whitespace at index " + i);
      }
    }
    long epoch = 0;
    int colon = s.indexOf(':');
    if (colon >= 0) {
      String e = s.substring(0, colon);
      if (e.isEmpty() || !e.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has epoch '" + RpmVersion.printable(e) + "': the epoch must be a number");
      }
      if (e.length() > 9 || Long.parseLong(e) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has epoch " + RpmVersion.printable(e) + ", which is too big (dpkg allows up to "
                + Integer.MAX_VALUE + ")");
      }
      epoch = Long.parseLong(e);
      s = s.substring(colon + 1);
      if (s.isEmpty()) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has nothing after the epoch");
      }
    }
    String revision = "";
    int dash = s.lastIndexOf('-');
    if (dash >= 0) {
      revision = s.substring(dash + 1);
      s = s.substring(0, dash);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(
          "Debian version '" + shown + "' has an empty upstream version");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isAlnum(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':')) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has '" + c + "' in its upstream version: allowed are"
                + " letters, digits and . + ~ - :");
      }
    }
    for (int i = 0; i < revision.length(); i++) {
      char c = revision.charAt(i);
      if (!(isAlnum(c) || c == '.' || c == '+' || c == '~')) {
        throw new IllegalArgumentException(
            "Debian version '" + shown + "' has '" + c + "' in its revision: allowed are"
                + " letters, digits and . + ~");
      }
    }
    return new DebVersion(epoch, s, revision);
  }

  /** {@return the epoch; 0 when absent} */
  public long epoch() {
    return epoch;
  }

  /** {@return the upstream version} */
  public String upstream() {
    return upstream;
  }

  /** {@return the Debian revision; {@code ""} when absent} */
  public String revision() {
    return revision;
  }

  @Override
  public int compareTo(DebVersion o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) {
      return c;
    }
    c = verrevcmp(upstream, o.upstream);
    if (c != 0) {
      return c;
    }
    return verrevcmp(revision, o.revision);
  }

  /**
   * Compares two version parts (upstream versions or revisions) by Debian's rules.
   *
   * @param a one part
   * @param b the other part
   * @return a negative number when {@code a} is older, 0 when equal, positive when newer
   */
  public static int verrevcmp(String a, String b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    int i = 0;
    int j = 0;
    int na = a.length();
    int nb = b.length();
    while (i < na || j < nb) {
      while ((i < na && !isDigit(a.charAt(i))) || (j < nb && !isDigit(b.charAt(j)))) {
        int oa = order(a, i);
        int ob = order(b, j);
        if (oa != ob) {
          return oa - ob;
        }
        i++;
        j++;
      }
      while (i < na && a.charAt(i) == '0') {
        i++;
      }
      while (j < nb && b.charAt(j) == '0') {
        j++;
      }
      int firstDiff = 0;
      while (i < na && j < nb && isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (i < na && isDigit(a.charAt(i))) {
        return 1;
      }
      if (j < nb && isDigit(b.charAt(j))) {
        return -1;
      }
      if (firstDiff != 0) {
        return firstDiff;
      }
    }
    return 0;
  }

  /** Sort weight of the character at {@code k} (the end and digits weigh 0). */
  private static int order(String s, int k) {
    if (k >= s.length()) {
      return 0;
    }
    char c = s.charAt(k);
    if (isDigit(c)) {
      return 0;
    }
    if (isAlpha(c)) {
      return c;
    }
    if (c == '~') {
      return -1;
    }
    return c + 256;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAlnum(char c) {
    return isDigit(c) || isAlpha(c);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DebVersion v
        && epoch == v.epoch
        && upstream.equals(v.upstream)
        && revision.equals(v.revision);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, upstream, revision);
  }

  /** The version as dpkg prints it (epoch only when non-zero, revision only when non-empty). */
  @Override
  public String toString() {
    return (epoch != 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
  }
}
