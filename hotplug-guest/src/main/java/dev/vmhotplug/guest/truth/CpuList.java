package dev.vmhotplug.guest.truth;

import java.util.BitSet;

/**
 * A set of CPU numbers in the kernel's range-list form, as in
 * {@code /sys/devices/system/cpu/online}, {@code present}, {@code possible} and {@code offline}:
 * {@code "0-3,5"}. An empty file (e.g. {@code offline} when no CPU is offline) is the empty set.
 *
 * <p>Immutable. Equality by members. CPU numbers run from 0 to {@value #MAX_CPU}.
 */
public final class CpuList {

  /** The highest CPU number accepted (Linux's NR_CPUS tops out at 8192 on x86_64). */
  public static final int MAX_CPU = 65535;

  private static final CpuList EMPTY = new CpuList(new BitSet());

  private final BitSet bits;

  private CpuList(BitSet bits) {
    this.bits = bits;
  }

  /** {@return the empty set} */
  public static CpuList empty() {
    return EMPTY;
  }

  /**
   * Parses a range list such as {@code "0-3,5"}; surrounding whitespace and the trailing newline of a
   * sysfs file are ignored, and blank text is the empty set.
   *
   * @param text the list
   * @return the set
   * @throws GuestDataException when the text is not a range list, a range is reversed, or a number
   *     exceeds {@value #MAX_CPU}
   */
  public static CpuList parse(String text) {
    GuestText.check(text, "CPU list");
    String s = text.strip();
    BitSet bits = new BitSet();
    if (s.isEmpty()) {
      return EMPTY;
    }
    for (String part : s.split(",", -1)) {
      String p = part.strip();
      int dash = p.indexOf('-');
      if (dash < 0) {
        int n = number(p, text);
        bits.set(n);
      } else {
        int from = number(p.substring(0, dash), text);
        int to = number(p.substring(dash + 1), text);
        if (to < from) {
          throw new GuestDataException("CPU list '" + shorten(text) + "' has the reversed range '" + p
              + "': expected from-to with from <= to, as in 0-3");
        }
        bits.set(from, to + 1);
      }
    }
    return new CpuList(bits);
  }

  private static int number(String s, String text) {
    if (s.isEmpty() || s.length() > 6 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new GuestDataException("CPU list '" + shorten(text) + "' is not a range list: '"
          + shorten(s) + "' is not a CPU number; expected a form like 0-3,5");
    }
    int n = Integer.parseInt(s);
    if (n > MAX_CPU) {
      throw new GuestDataException("CPU list '" + shorten(text) + "' names CPU " + n
          + ", above the highest CPU number " + MAX_CPU + " any kernel supports");
    }
    return n;
  }

  static String shorten(String s) {
    String t = s.strip();
    return t.length() > 60 ? t.substring(0, 60) + "..." : t;
  }

  /**
   * The set of the given CPU numbers.
   *
   * @param cpus CPU numbers, 0 to {@value #MAX_CPU}, in any order, duplicates allowed
   * @return the set of the given CPU numbers
   * @throws GuestDataException when a number is negative or above {@value #MAX_CPU}
   */
  public static CpuList of(int... cpus) {
    BitSet bits = new BitSet();
    for (int c : cpus) {
      if (c < 0 || c > MAX_CPU) {
        throw new GuestDataException("CPU number " + c + " is out of range 0-" + MAX_CPU);
      }
      bits.set(c);
    }
    return new CpuList(bits);
  }

  /**
   * Whether CPU {@code cpu} is in the set.
   *
   * @param cpu a CPU number
   * @return whether CPU {@code cpu} is in the set
   */
  public boolean contains(int cpu) {
    return cpu >= 0 && bits.get(cpu);
  }

  /** {@return how many CPUs are in the set} */
  public int size() {
    return bits.cardinality();
  }

  /** {@return whether the set is empty} */
  public boolean isEmpty() {
    return bits.isEmpty();
  }

  /** {@return the CPU numbers, ascending} */
  public int[] toArray() {
    return bits.stream().toArray();
  }

  /**
   * The CPUs of this set that are not in {@code other}.
   *
   * @param other the other set
   * @return the CPUs of this set that are not in {@code other}
   */
  public CpuList minus(CpuList other) {
    BitSet b = (BitSet) bits.clone();
    b.andNot(other.bits);
    return b.isEmpty() ? EMPTY : new CpuList(b);
  }

  /**
   * The CPUs in this set or in {@code other}.
   *
   * @param other the other set
   * @return the CPUs in this set or in {@code other}
   */
  public CpuList union(CpuList other) {
    BitSet b = (BitSet) bits.clone();
    b.or(other.bits);
    return new CpuList(b);
  }

  /** {@return the canonical range list, e.g. {@code "0-3,5"}; the empty set formats as {@code ""}} */
  public String format() {
    StringBuilder sb = new StringBuilder();
    int i = bits.nextSetBit(0);
    while (i >= 0) {
      int end = bits.nextClearBit(i) - 1;
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(i);
      if (end > i) {
        sb.append('-').append(end);
      }
      i = bits.nextSetBit(end + 1);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CpuList && ((CpuList) o).bits.equals(bits);
  }

  @Override
  public int hashCode() {
    return bits.hashCode();
  }

  /** Same as {@link #format()}. */
  @Override
  public String toString() {
    return format();
  }
}
