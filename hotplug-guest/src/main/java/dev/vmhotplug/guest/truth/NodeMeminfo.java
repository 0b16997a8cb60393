package dev.vmhotplug.guest.truth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads {@code /sys/devices/system/node/nodeN/meminfo} ({@code Node 0 MemTotal:  1234 kB}), which
 * the guide recommends over {@code free -m} for checking added memory, and also
 * {@code /proc/meminfo} ({@code MemTotal:  1234 kB}, no node prefix).
 *
 * <p>Values with the {@code kB} suffix are KiB (the kernel's "kB" means 1024 bytes); values without
 * a unit ({@code HugePages_Total}) are counts. Immutable.
 */
public final class NodeMeminfo {

  private final OptionalInt node;
  private final Map<String, Long> kib;
  private final Map<String, Long> counts;

  private NodeMeminfo(OptionalInt node, Map<String, Long> kib, Map<String, Long> counts) {
    this.node = node;
    this.kib = kib;
    this.counts = counts;
  }

  /**
   * Parses a node meminfo file or {@code /proc/meminfo}.
   *
   * @param text the file's text
   * @return the values
   * @throws GuestDataException when the text is empty, binary, mixes nodes, has a malformed line, or
   *     has no {@code MemTotal}
   */
  public static NodeMeminfo parse(String text) {
    GuestText.requireContent(text, "meminfo");
    Integer node = null;
    boolean sawPlain = false;
    Map<String, Long> kib = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    int lineNo = 0;
    for (String raw : text.split("\n")) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] t = line.split("\\s+");
      int i = 0;
      if (t[0].equals("Node")) {
        if (t.length < 2 || !isDigits(t[1]) || t[1].length() > 5) {
          throw bad(lineNo, raw, "'Node' must be followed by a node number");
        }
        int n = Integer.parseInt(t[1]);
        if (node != null && node != n) {
          throw bad(lineNo, raw, "lines of node " + node + " and node " + n
              + " are mixed: give one node's meminfo file");
        }
        node = n;
        i = 2;
      } else {
        sawPlain = true;
      }
      if (t.length - i < 2 || !t[i].endsWith(":") || t[i].length() < 2) {
        throw bad(lineNo, raw, "expected 'Key: value [kB]'");
      }
      String key = t[i].substring(0, t[i].length() - 1);
      String value = t[i + 1];
      if (!isDigits(value) || value.length() > 18) {
        throw bad(lineNo, raw, "'" + CpuList.shorten(value) + "' is not a whole number");
      }
      long v = Long.parseLong(value);
      if (t.length - i == 3 && t[i + 2].equals("kB")) {
        kib.put(key, v);
      } else if (t.length - i == 2) {
        counts.put(key, v);
      } else {
        throw bad(lineNo, raw, "expected 'Key: value' or 'Key: value kB'");
      }
    }
    if (node != null && sawPlain) {
      throw new GuestDataException("meminfo mixes 'Node " + node + " ...' lines with lines without a"
          + " node: give either one node's meminfo or /proc/meminfo");
    }
    if (!kib.containsKey("MemTotal")) {
      throw new GuestDataException("meminfo has no 'MemTotal: N kB' line: expected the text of"
          + " /sys/devices/system/node/node0/meminfo or /proc/meminfo");
    }
    return new NodeMeminfo(node == null ? OptionalInt.empty() : OptionalInt.of(node),
        Collections.unmodifiableMap(kib), Collections.unmodifiableMap(counts));
  }

  private static GuestDataException bad(int lineNo, String raw, String why) {
    return new GuestDataException("meminfo line " + lineNo + " '" + CpuList.shorten(raw) + "' is not"
        + " a meminfo line: " + why);
  }

  private static boolean isDigits(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** {@return the node number, or empty for {@code /proc/meminfo}} */
  public OptionalInt node() {
    return node;
  }

  /** {@return {@code MemTotal} in KiB} */
  public long memTotalKiB() {
    return kib.get("MemTotal");
  }

  /** {@return {@code MemFree} in KiB, when present} */
  public OptionalLong memFreeKiB() {
    return kib("MemFree");
  }

  /**
   * The value of a {@code kB} line in KiB, e.g. {@code kib("MemUsed")}.
   *
   * @param key the key as written in the file, e.g. {@code MemUsed}
   * @return the value of a {@code kB} line in KiB, e.g
   */
  public OptionalLong kib(String key) {
    Long v = kib.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** {@return all {@code kB} values in KiB, in file order} */
  public Map<String, Long> kibValues() {
    return kib;
  }

  /** {@return all values without a unit (counts such as {@code HugePages_Total}), in file order} */
  public Map<String, Long> counts() {
    return counts;
  }
}
