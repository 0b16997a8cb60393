package dev.vmhotplug.guest.truth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads the output of {@code free -m} (MiB), in both procps formats:
 * <pre>
 * procps 3.2 (CentOS 6, Ubuntu 12.04/14.04):
 *              total       used       free     shared    buffers     cached
 * Mem:          1877        394       1483          0         22        158
 * -/+ buffers/cache:        213       1664
 * Swap:         3999          0       3999
 *
 * procps-ng 3.3.10 and later (CentOS 7.2+, Ubuntu 16.04+, Debian 9+):
 *                total        used        free      shared  buff/cache   available
 * Mem:           24105         288       23831           8         218       23816
 * Swap:              0           0           0
 * </pre>
 * Columns are matched by their header names, so {@code free -m -w} (separate {@code buffers} and
 * {@code cache}) works too. {@code free}'s total leaves out what the kernel reserved, which is why the
 * guide prefers node meminfo for checking added memory. Immutable.
 */
public final class FreeOutput {

  private final Map<String, Long> mem;
  private final OptionalLong usedWithoutBuffersMiB;
  private final OptionalLong swapTotalMiB;
  private final boolean oldFormat;

  private FreeOutput(Map<String, Long> mem, OptionalLong usedWithoutBuffers, OptionalLong swapTotal,
      boolean oldFormat) {
    this.mem = mem;
    this.usedWithoutBuffersMiB = usedWithoutBuffers;
    this.swapTotalMiB = swapTotal;
    this.oldFormat = oldFormat;
  }

  /**
   * Parses {@code free -m} output.
   *
   * @param text the output
   * @return the values, in MiB
   * @throws GuestDataException when the text is empty, binary, has no header or {@code Mem:} line, has
   *     unit suffixes (output of {@code free -h}), or its columns do not match the header
   */
  public static FreeOutput parse(String text) {
    GuestText.requireContent(text, "free -m output");
    String[] header = null;
    Map<String, Long> mem = null;
    OptionalLong usedWithout = OptionalLong.empty();
    OptionalLong swap = OptionalLong.empty();
    boolean old = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] t = line.split("\\s+");
      if (header == null && t[0].equals("total")) {
        header = t;
        continue;
      }
      if (t[0].equals("Mem:")) {
        if (header == null) {
          throw new GuestDataException("free -m output has a 'Mem:' line before its header line"
              + " ('total used free ...'): give the whole output of free -m");
        }
        if (t.length - 1 != header.length) {
          throw new GuestDataException("free -m output: the Mem: line has " + (t.length - 1)
              + " values but the header names " + header.length + " columns ("
              + String.join(" ", header) + ")");
        }
        mem = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
          mem.put(header[i], mib(t[i + 1], "Mem: " + header[i]));
        }
      } else if (t[0].equals("-/+") && t.length == 4 && t[1].equals("buffers/cache:")) {
        old = true;
        usedWithout = OptionalLong.of(mib(t[2], "-/+ buffers/cache used"));
      } else if (t[0].equals("Swap:") && t.length >= 2) {
        swap = OptionalLong.of(mib(t[1], "Swap: total"));
      }
    }
    if (mem == null) {
      throw new GuestDataException("free -m output has no 'Mem:' line"
          + (header == null ? " and no header line" : "") + ": expected the output of free -m"
          + " (first line: '" + CpuList.shorten(text.lines().findFirst().orElse("")) + "'; a localized"
          + " free prints another word: run it as LC_ALL=C free -m)");
    }
    for (String col : new String[] {"total", "used", "free"}) {
      if (!mem.containsKey(col)) {
        throw new GuestDataException("free -m output has no '" + col + "' column (header: "
            + String.join(" ", header) + ")");
      }
    }
    if (mem.containsKey("buffers") && mem.containsKey("cached")) {
      old = true;
    }
    return new FreeOutput(Collections.unmodifiableMap(mem), usedWithout, swap, old);
  }

  private static long mib(String s, String what) {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new GuestDataException("free -m output: " + what + " is '" + CpuList.shorten(s)
          + "', not a whole number of MiB (give the output of free -m, not free -h)");
    }
    return Long.parseLong(s);
  }

  /** {@return {@code Mem: total} in MiB (excludes what the kernel reserved)} */
  public long totalMiB() {
    return mem.get("total");
  }

  /** {@return {@code Mem: used} in MiB (in the old format, this includes buffers and cache)} */
  public long usedMiB() {
    return mem.get("used");
  }

  /** {@return {@code Mem: free} in MiB} */
  public long freeMiB() {
    return mem.get("free");
  }

  /** {@return {@code available} in MiB (new format only)} */
  public OptionalLong availableMiB() {
    Long v = mem.get("available");
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** {@return the {@code -/+ buffers/cache} line's used value in MiB (old format only)} */
  public OptionalLong usedWithoutBuffersMiB() {
    return usedWithoutBuffersMiB;
  }

  /** {@return {@code Swap: total} in MiB, when the output has a Swap line} */
  public OptionalLong swapTotalMiB() {
    return swapTotalMiB;
  }

  /** {@return whether this is procps 3.2's format (buffers and cached columns, {@code -/+ buffers/cache} line)} */
  public boolean oldFormat() {
    return oldFormat;
  }

  /** {@return every column of the {@code Mem:} line by its header name, in MiB} */
  public Map<String, Long> memColumns() {
    return mem;
  }
}
