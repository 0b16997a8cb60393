package dev.vmhotplug.xml;

import dev.vmhotplug.xml.internal.SafeText;
import java.util.Locale;

/**
 * An amount of memory, held as a number of bytes, with libvirt's unit table.
 *
 * <p>Units follow libvirt's {@code virScaleInteger} exactly, case-insensitively:
 * {@code b}, {@code byte}, {@code bytes} = 1; a single letter {@code k m g t p e} or the letter
 * followed by {@code iB} ({@code KiB}, {@code MiB}, ...) = powers of 1024; the letter followed by
 * {@code B} ({@code KB}, {@code MB}, ...) = powers of 1000. In domain XML a missing unit means KiB.
 * Because this class stores a signed {@code long}, the largest size is 2<sup>63</sup>-1 bytes
 * (just under 8 EiB); anything larger is refused as an overflow.
 *
 * <p>Instances are immutable and compared by value: 1 GiB equals 1024 MiB.
 */
public final class MemorySize implements Comparable<MemorySize> {

    private static final long KIB = 1024L;
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    /** Zero bytes. */
    public static final MemorySize ZERO = new MemorySize(0);

    private final long bytes;

    private MemorySize(long bytes) {
        this.bytes = bytes;
    }

    /**
     * Returns a size of the given number of bytes.
     *
     * @param bytes the number of bytes, {@code >= 0}
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if {@code bytes} is negative
     */
    public static MemorySize ofBytes(long bytes) {
        if (bytes < 0) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + bytes + " bytes is negative; sizes must be 0 or more");
        }
        return bytes == 0 ? ZERO : new MemorySize(bytes);
    }

    /**
     * Returns a size of the given number of KiB (1024 bytes).
     *
     * @param kib the number of KiB, {@code >= 0}
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if negative or larger than 2^63-1 bytes
     */
    public static MemorySize ofKiB(long kib) {
        return of(kib, "KiB");
    }

    /**
     * Returns a size of the given number of MiB (1024 KiB).
     *
     * @param mib the number of MiB, {@code >= 0}
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if negative or larger than 2^63-1 bytes
     */
    public static MemorySize ofMiB(long mib) {
        return of(mib, "MiB");
    }

    /**
     * Returns a size of the given number of GiB (1024 MiB).
     *
     * @param gib the number of GiB, {@code >= 0}
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if negative or larger than 2^63-1 bytes
     */
    public static MemorySize ofGiB(long gib) {
        return of(gib, "GiB");
    }

    /**
     * Returns {@code value} scaled by a libvirt unit, as libvirt reads {@code <memory unit='…'>}.
     *
     * @param value the number, {@code >= 0}
     * @param libvirtUnit a unit of libvirt's table (see the class comment); {@code null} or empty
     *     means KiB, as in domain XML
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) for a negative value, an unknown unit or a result
     *     larger than 2^63-1 bytes
     */
    public static MemorySize of(long value, String libvirtUnit) {
        long scale = scaleOf(libvirtUnit);
        if (value < 0) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + value + " " + unitLabel(libvirtUnit)
                            + " is negative; sizes must be 0 or more");
        }
        if (value > Long.MAX_VALUE / scale) {
            throw overflow(Long.toString(value), libvirtUnit);
        }
        return ofBytes(value * scale);
    }

    /**
     * Parses a decimal number (digits only, possibly longer than a {@code long}) in a libvirt unit,
     * as found in domain XML text.
     *
     * @param digits the number as written
     * @param libvirtUnit the unit, {@code null} or empty for KiB
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if the text is not a non-negative whole number,
     *     the unit is unknown or the size overflows
     */
    static MemorySize ofText(String digits, String libvirtUnit) {
        String t = digits == null ? "" : digits.trim();
        long scale = scaleOf(libvirtUnit);
        if (t.isEmpty() || !Parts.digits(t)) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + SafeText.quote(digits) + " is not a whole number of " + unitLabel(libvirtUnit)
                            + "; write digits only, for example 1048576");
        }
        long value;
        try {
            value = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw overflow(t, libvirtUnit);
        }
        if (value > Long.MAX_VALUE / scale) {
            throw overflow(t, libvirtUnit);
        }
        return ofBytes(value * scale);
    }

    /**
     * Parses a human-written size such as {@code "8GiB"}, {@code "512 MiB"} or {@code "8192M"}.
     *
     * <p>The number must be a whole, non-negative decimal; the unit is any unit of libvirt's table
     * (case-insensitive), optionally separated by spaces. A bare number is refused because it is
     * ambiguous (libvirt would read KiB, people usually mean MiB).
     *
     * @param human the text
     * @return the size
     * @throws DomainXmlException (INVALID_VALUE) if the text is not a number with a known unit or
     *     the size overflows
     */
    public static MemorySize parse(String human) {
        if (human == null || human.isBlank()) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size is empty; write a number with a unit, for example 8GiB or 512MiB");
        }
        String t = human.strip();
        int i = 0;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        String number = t.substring(0, i);
        String unit = t.substring(i).strip();
        if (number.isEmpty()) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + SafeText.quote(human) + " does not start with a whole non-negative number;"
                            + " write for example 8GiB or 512 MiB");
        }
        if (unit.isEmpty()) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + SafeText.quote(human) + " has no unit; a bare number is ambiguous,"
                            + " write for example " + SafeText.escape(number, 24) + "MiB or " + SafeText.escape(number, 24) + "KiB");
        }
        if (unit.startsWith(".") || unit.startsWith(",")) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "memory size " + SafeText.quote(human) + " is not a whole number; use a smaller unit,"
                            + " for example 1536MiB instead of 1.5GiB");
        }
        return ofText(number, unit);
    }

    /**
     * Returns the number of bytes one unit of libvirt's table stands for.
     *
     * @param libvirtUnit the unit; {@code null} or empty means KiB
     * @return the bytes per unit
     * @throws DomainXmlException (INVALID_VALUE) for an unknown unit
     */
    public static long unitBytes(String libvirtUnit) {
        return scaleOf(libvirtUnit);
    }

    private static long scaleOf(String unit) {
        if (unit == null || unit.isEmpty()) {
            return KIB;
        }
        String u = unit.toLowerCase(Locale.ROOT);
        if (u.equals("b") || u.equals("byte") || u.equals("bytes")) {
            return 1;
        }
        long base;
        if (u.length() == 1 || u.substring(1).equals("ib")) {
            base = 1024;
        } else if (u.length() == 2 && u.charAt(1) == 'b') {
            base = 1000;
        } else {
            throw unknownUnit(unit);
        }
        int power = "kmgtpe".indexOf(u.charAt(0)) + 1;
        if (power == 0) {
            throw unknownUnit(unit);
        }
        long scale = 1;
        for (int p = 0; p < power; p++) {
            scale *= base;
        }
        return scale;
    }

    private static DomainXmlException unknownUnit(String unit) {
        return new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                "unknown memory unit " + SafeText.quote(unit) + "; libvirt accepts b, bytes, KiB/k, MiB/M,"
                        + " GiB/G, TiB/T, PiB/P, EiB/E (powers of 1024) and KB, MB, GB, TB, PB, EB"
                        + " (powers of 1000)");
    }

    private static DomainXmlException overflow(String value, String unit) {
        return new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                "memory size " + SafeText.escape(value, 40) + " " + SafeText.escape(unitLabel(unit), 20)
                        + " is too large: the largest size is " + Long.MAX_VALUE
                        + " bytes (just under 8 EiB)");
    }

    private static String unitLabel(String unit) {
        return unit == null || unit.isEmpty() ? "KiB" : unit;
    }

    private static DomainXmlException arithmeticOverflow(String what) {
        return new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                what + " is too large: the result would exceed " + Long.MAX_VALUE
                        + " bytes (just under 8 EiB), the largest size there is");
    }

    /**
     * Returns the number of bytes.
     *
     * @return bytes, {@code >= 0}
     */
    public long bytes() {
        return bytes;
    }

    /**
     * Returns this size in KiB, rounded <em>up</em> to a whole KiB: the rule libvirt applies when it
     * reads a byte-exact size ({@code VIR_DIV_UP(bytes, 1024)} in {@code virDomainParseMemory}).
     * 1 byte gives 1 KiB, 1024 bytes give 1 KiB, 1025 bytes give 2 KiB.
     *
     * @return the size in KiB, rounded up
     */
    public long toKiB() {
        return bytes / KIB + (bytes % KIB == 0 ? 0 : 1);
    }

    /**
     * Tells whether this size is a whole number of KiB, i.e. whether {@link #toKiB()} is exact.
     *
     * @return true if {@code bytes() % 1024 == 0}
     */
    public boolean isWholeKiB() {
        return bytes % KIB == 0;
    }

    /**
     * Returns the sum of this size and {@code other}.
     *
     * @param other the size to add
     * @return the sum
     * @throws DomainXmlException (INVALID_VALUE) if the sum is larger than 2^63-1 bytes ("too large",
     *     never a negative size)
     */
    public MemorySize plus(MemorySize other) {
        try {
            return ofBytes(Math.addExact(bytes, other.bytes));
        } catch (ArithmeticException e) {
            throw arithmeticOverflow("the sum " + this + " + " + other);
        }
    }

    /**
     * Returns this size minus {@code other}.
     *
     * @param other the size to subtract, not larger than this one
     * @return the difference
     * @throws DomainXmlException (INVALID_VALUE) if {@code other} is larger than this size
     */
    public MemorySize minus(MemorySize other) {
        if (other.bytes > bytes) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "cannot subtract " + other + " from " + this + ": the result would be negative");
        }
        return ofBytes(bytes - other.bytes);
    }

    /**
     * Returns this size multiplied by {@code factor}.
     *
     * @param factor the factor, {@code >= 0}
     * @return the product
     * @throws DomainXmlException (INVALID_VALUE) if the factor is negative or the product overflows
     */
    public MemorySize times(long factor) {
        if (factor < 0) {
            throw new DomainXmlException(DomainXmlException.Reason.INVALID_VALUE,
                    "cannot multiply " + this + " by " + factor + ": the factor is negative");
        }
        try {
            return ofBytes(Math.multiplyExact(bytes, factor));
        } catch (ArithmeticException e) {
            throw arithmeticOverflow("the product " + this + " × " + factor);
        }
    }

    /**
     * Tells whether this size is a whole multiple of {@code unit} (0 is a multiple of everything).
     *
     * @param unit the step, for example the guest's 128 MiB memory block
     * @return true if {@code bytes() % unit.bytes() == 0}; false if {@code unit} is zero and this
     *     size is not
     */
    public boolean isMultipleOf(MemorySize unit) {
        if (unit.bytes == 0) {
            return bytes == 0;
        }
        return bytes % unit.bytes == 0;
    }

    /**
     * Returns the shortest exact form in binary units: "8 GiB", "1536 MiB", "1 KiB", "1 B".
     * A size that is not a whole KiB is written in bytes ("1000000 B" for 1000 KB).
     *
     * @return the text
     */
    @Override
    public String toString() {
        long v = bytes;
        int u = 0;
        while (v != 0 && u < BINARY_UNITS.length - 1 && v % KIB == 0) {
            v /= KIB;
            u++;
        }
        return v + " " + BINARY_UNITS[u];
    }

    @Override
    public int compareTo(MemorySize o) {
        return Long.compare(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemorySize && ((MemorySize) o).bytes == bytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bytes);
    }
}
