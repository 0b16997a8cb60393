package dev.vmhotplug.xml;

import java.util.BitSet;
import java.util.NoSuchElementException;

/**
 * A set of CPU numbers written in libvirt's range syntax, as in {@code <vcpu cpuset='…'>} and
 * {@code <cell cpus='…'>}: comma-separated items, each a number {@code N}, a range {@code N-M}
 * (inclusive) or an exclusion {@code ^N}. Items apply left to right, so {@code "0-7,^2"} is
 * 0, 1, 3-7. Spaces around items are allowed. As in libvirt, an exclusion takes a single number,
 * not a range, and numbers range from 0 to {@value #MAX_CPU} (libvirt's {@code VIR_DOMAIN_CPUMASK_LEN}
 * is 16384).
 *
 * <p>Instances are immutable; {@link #format()} writes the canonical form ({@code "0-3,8"}).
 */
public final class CpuSet {

    /** The largest CPU number accepted. */
    public static final int MAX_CPU = 16383;

    private static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = bits;
    }

    /**
     * Returns the empty set.
     *
     * @return the empty set
     */
    public static CpuSet empty() {
        return EMPTY;
    }

    /**
     * Parses libvirt's range syntax ({@code "0-31"}, {@code "0-3,8"}, {@code "0-7,^2"}).
     *
     * @param text the text
     * @return the set, never empty
     * @throws DomainXmlException (INVALID_VALUE) for a syntax error, a reversed range, a number
     *     above {@value #MAX_CPU}, or a text whose exclusions leave nothing
     */
    public static CpuSet parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text, "it is empty");
        }
        BitSet b = new BitSet();
        for (String rawItem : text.split(",", -1)) {
            String item = rawItem.strip();
            if (item.isEmpty()) {
                throw invalid(text, "it has an empty item between commas");
            }
            boolean exclude = item.startsWith("^");
            if (exclude) {
                item = item.substring(1).strip();
            }
            int dash = item.indexOf('-');
            if (dash >= 0) {
                if (exclude) {
                    throw invalid(text, "an exclusion '^' takes one number, not a range ("
                            + dev.vmhotplug.xml.internal.SafeText.quote(rawItem.strip(), 20) + ")");
                }
                int from = number(text, item.substring(0, dash).strip());
                int to = number(text, item.substring(dash + 1).strip());
                if (to < from) {
                    throw invalid(text, "the range " + from + "-" + to + " ends before it starts");
                }
                b.set(from, to + 1);
            } else {
                int n = number(text, item);
                if (exclude) {
                    b.clear(n);
                } else {
                    b.set(n);
                }
            }
        }
        if (b.isEmpty()) {
            throw invalid(text, "its exclusions leave no CPU");
        }
        return new CpuSet(b);
    }

    private static int number(String text, String s) {
        if (s.isEmpty() || s.length() > 9 || !Parts.digits(s)) {
            throw invalid(text, dev.vmhotplug.xml.internal.SafeText.quote(s, 20) + " is not a CPU number");
        }
        int n = Integer.parseInt(s);
        if (n > MAX_CPU) {
            throw invalid(text, "CPU " + n + " is above the largest CPU number " + MAX_CPU);
        }
        return n;
    }

    private static DomainXmlException invalid(String text, String why) {
        return new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                "CPU list " + dev.vmhotplug.xml.internal.SafeText.quote(text) + " is invalid: " + why
                        + "; write comma-separated numbers, ranges and exclusions, for example 0-3,8 or 0-7,^2");
    }

    /**
     * Returns the CPUs {@code from} to {@code toInclusive}.
     *
     * @param from the first CPU, {@code >= 0}
     * @param toInclusive the last CPU, {@code >= from} and {@code <= MAX_CPU}
     * @return the set
     * @throws DomainXmlException (INVALID_VALUE) if the bounds are out of range or reversed
     */
    public static CpuSet range(int from, int toInclusive) {
        if (from < 0 || toInclusive > MAX_CPU || toInclusive < from) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "CPU range " + from + "-" + toInclusive + " is invalid: it needs 0 <= from <= to <= " + MAX_CPU);
        }
        BitSet b = new BitSet();
        b.set(from, toInclusive + 1);
        return new CpuSet(b);
    }

    /**
     * Returns the set of the given CPUs (duplicates ignored; none gives the empty set).
     *
     * @param cpus CPU numbers, each between 0 and {@value #MAX_CPU}
     * @return the set
     * @throws DomainXmlException (INVALID_VALUE) if a number is out of range
     */
    public static CpuSet of(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            if (c < 0 || c > MAX_CPU) {
                throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                        "CPU number " + c + " is out of range 0-" + MAX_CPU);
            }
            b.set(c);
        }
        return b.isEmpty() ? EMPTY : new CpuSet(b);
    }

    /**
     * Tells whether the CPU is in the set.
     *
     * @param cpu a CPU number
     * @return true if present
     */
    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    /**
     * Returns the number of CPUs in the set.
     *
     * @return the count
     */
    public int size() {
        return bits.cardinality();
    }

    /**
     * Tells whether the set is empty.
     *
     * @return true if it holds no CPU
     */
    public boolean isEmpty() {
        return bits.isEmpty();
    }

    /**
     * Returns the smallest CPU number.
     *
     * @return the smallest number
     * @throws java.util.NoSuchElementException if the set is empty
     */
    public int min() {
        if (bits.isEmpty()) {
            throw new NoSuchElementException("the CPU set is empty");
        }
        return bits.nextSetBit(0);
    }

    /**
     * Returns the largest CPU number.
     *
     * @return the largest number
     * @throws java.util.NoSuchElementException if the set is empty
     */
    public int max() {
        if (bits.isEmpty()) {
            throw new NoSuchElementException("the CPU set is empty");
        }
        return bits.length() - 1;
    }

    /**
     * Returns the CPU numbers in ascending order (a new array each call).
     *
     * @return the numbers
     */
    public int[] toArray() {
        return bits.stream().toArray();
    }

    /**
     * Returns the CPUs in this set or in {@code other}.
     *
     * @param other the other set
     * @return the union
     */
    public CpuSet union(CpuSet other) {
        BitSet b = (BitSet) bits.clone();
        b.or(other.bits);
        return new CpuSet(b);
    }

    /**
     * Returns the CPUs in this set that are not in {@code other}.
     *
     * @param other the set to remove
     * @return the difference (possibly empty)
     */
    public CpuSet minus(CpuSet other) {
        BitSet b = (BitSet) bits.clone();
        b.andNot(other.bits);
        return b.isEmpty() ? EMPTY : new CpuSet(b);
    }

    /**
     * Tells whether this set and {@code other} share a CPU.
     *
     * @param other the other set
     * @return true if they intersect
     */
    public boolean intersects(CpuSet other) {
        return bits.intersects(other.bits);
    }

    /**
     * Writes the canonical form: ascending, runs of two or more consecutive CPUs as ranges
     * ({@code "0-3,8"}); the empty set is {@code ""}.
     *
     * @return the text
     */
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
    public String toString() {
        return format();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet && ((CpuSet) o).bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

}
