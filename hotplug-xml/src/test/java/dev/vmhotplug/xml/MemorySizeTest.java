package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MemorySizeTest {

    @ParameterizedTest(name = "{0} {1} = {2} bytes")
    @CsvSource({
        "1, b, 1", "1, B, 1", "1, byte, 1", "1, bytes, 1", "1, BYTES, 1",
        "1, k, 1024", "1, K, 1024", "1, KiB, 1024", "1, kib, 1024", "1, KIB, 1024", "1, kiB, 1024",
        "1, KB, 1000", "1, kb, 1000", "1, kB, 1000",
        "1, M, 1048576", "1, MiB, 1048576", "1, mib, 1048576", "1, MB, 1000000",
        "1, G, 1073741824", "1, GiB, 1073741824", "1, GB, 1000000000",
        "1, T, 1099511627776", "1, TiB, 1099511627776", "1, TB, 1000000000000",
        "1, P, 1125899906842624", "1, PiB, 1125899906842624", "1, PB, 1000000000000000",
        "1, E, 1152921504606846976", "1, EiB, 1152921504606846976", "1, EB, 1000000000000000000",
        "3, , 3072"
    })
    void of_libvirtUnitTable_scalesLikeVirScaleInteger(long value, String unit, long bytes) {
        assertThat(MemorySize.of(value, unit).bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"Ki", "KiBs", "x", "ib", "iB", "MBi", "kilobytes", "Mi", "Z", "ZiB", "KBB"})
    void of_unknownUnit_refusedWithUnitTable(String unit) {
        assertThatThrownBy(() -> MemorySize.of(1, unit))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("unknown memory unit '" + unit + "'")
                .hasMessageContaining("KiB/k")
                .extracting(e -> ((DomainXmlException) e).reason()).isEqualTo(DomainXmlException.Reason.INVALID_VALUE);
    }

    @Test
    void equality_byValue_oneGiBEqualsMiB() {
        assertThat(MemorySize.ofGiB(1)).isEqualTo(MemorySize.ofMiB(1024)).hasSameHashCodeAs(MemorySize.ofKiB(1048576));
        assertThat(MemorySize.parse("1 G")).isEqualTo(MemorySize.of(1073741824, "b"));
        assertThat(MemorySize.ofMiB(1).compareTo(MemorySize.ofKiB(1025))).isNegative();
    }

    @ParameterizedTest
    @CsvSource({"8GiB, 8589934592", "512 MiB, 536870912", "8192M, 8589934592", " 1 KB , 1000", "7 b, 7",
        "2   T, 2199023255552", "0MiB, 0"})
    void parse_humanText_acceptsUnitsAndSpaces(String text, long bytes) {
        assertThat(MemorySize.parse(text).bytes()).isEqualTo(bytes);
    }

    @Test
    void parse_bareNumber_refusedWithSuggestion() {
        assertThatThrownBy(() -> MemorySize.parse("8192"))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("has no unit").hasMessageContaining("8192MiB").hasMessageContaining("8192KiB");
    }

    @ParameterizedTest
    @CsvSource({"-1GiB, does not start with a whole", "1.5GiB, not a whole number", "GiB, does not start",
        "8 gigs, unknown memory unit", "'', empty", "1 2 GiB, unknown memory unit"})
    void parse_badText_refused(String text, String fragment) {
        assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining(fragment);
    }

    @Test
    void overflow_refusedWithClearMessage() {
        assertThatThrownBy(() -> MemorySize.of(8, "EiB")).isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("too large").hasMessageContaining("8 EiB");
        assertThatThrownBy(() -> MemorySize.parse("99999999999999999999999 KiB"))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("too large");
        assertThat(MemorySize.of(7, "EiB").bytes()).isEqualTo(7L << 60);
        assertThatThrownBy(() -> MemorySize.ofBytes(Long.MAX_VALUE).plus(MemorySize.ofBytes(1)))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> MemorySize.ofGiB(1).times(1L << 40))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("too large");
    }

    @Test
    void overflowingArithmetic_reportedAsTooLarge_neverAsNegative() {
        assertThatThrownBy(() -> MemorySize.ofBytes(Long.MAX_VALUE).plus(MemorySize.ofMiB(1)))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("too large")
                .hasMessageContaining("the sum").hasMessageNotContaining("negative");
        assertThatThrownBy(() -> MemorySize.ofMiB(1).plus(MemorySize.ofBytes(Long.MAX_VALUE)))
                .hasMessageContaining("too large").hasMessageNotContaining("negative");
        // a size whose KiB (or MiB, GiB) conversion overflows
        assertThatThrownBy(() -> MemorySize.ofKiB(Long.MAX_VALUE)).hasMessageContaining("too large")
                .hasMessageNotContaining("negative");
        assertThatThrownBy(() -> MemorySize.ofKiB(Long.MAX_VALUE / 1024 + 1)).hasMessageContaining("too large");
        assertThatThrownBy(() -> MemorySize.ofGiB(8L << 30)).hasMessageContaining("too large");
        assertThatThrownBy(() -> MemorySize.parse("9007199254740992 KiB")).hasMessageContaining("too large");
        assertThatThrownBy(() -> MemorySize.ofBytes(Long.MAX_VALUE).times(2)).hasMessageContaining("too large")
                .hasMessageNotContaining("negative");
        assertThat(MemorySize.ofKiB(Long.MAX_VALUE / 1024).toKiB()).isEqualTo(Long.MAX_VALUE / 1024);
        assertThat(MemorySize.ofBytes(Long.MAX_VALUE).toKiB()).isEqualTo(Long.MAX_VALUE / 1024 + 1);
    }

    @Test
    void messages_quoteInputShortenedAndEscaped() {
        assertThatThrownBy(() -> MemorySize.parse("12 " + "X".repeat(10_000) + "\nforged"))
                .hasMessageContaining("…' (10007 chars)").hasMessageNotContaining("\n").hasMessageNotContaining("X".repeat(200));
        assertThatThrownBy(() -> MemorySize.parse("8\u001bGiB")).hasMessageContaining("\\u001b");
    }

    @Test
    void negative_refused() {
        assertThatThrownBy(() -> MemorySize.ofKiB(-1)).isInstanceOf(DomainXmlException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> MemorySize.ofBytes(-5)).isInstanceOf(DomainXmlException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> MemorySize.ofMiB(1).times(-2)).isInstanceOf(DomainXmlException.class).hasMessageContaining("negative");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "1023, 1", "1024, 1", "1025, 2", "2048, 2", "1000000, 977"})
    void toKiB_roundsUpLikeLibvirt(long bytes, long kib) {
        assertThat(MemorySize.ofBytes(bytes).toKiB()).isEqualTo(kib);
        assertThat(MemorySize.ofBytes(bytes).isWholeKiB()).isEqualTo(bytes % 1024 == 0);
    }

    @Test
    void arithmetic_plusMinusTimesMultiple() {
        assertThat(MemorySize.ofGiB(1).plus(MemorySize.ofMiB(512))).isEqualTo(MemorySize.ofMiB(1536));
        assertThat(MemorySize.ofGiB(1).minus(MemorySize.ofMiB(512))).isEqualTo(MemorySize.ofMiB(512));
        assertThat(MemorySize.ofMiB(128).times(3)).isEqualTo(MemorySize.ofMiB(384));
        assertThat(MemorySize.ofMiB(384).isMultipleOf(MemorySize.ofMiB(128))).isTrue();
        assertThat(MemorySize.ofMiB(100).isMultipleOf(MemorySize.ofMiB(128))).isFalse();
        assertThat(MemorySize.ofMiB(100).isMultipleOf(MemorySize.ZERO)).isFalse();
        assertThatThrownBy(() -> MemorySize.ofMiB(1).minus(MemorySize.ofMiB(2)))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("would be negative");
    }

    @ParameterizedTest
    @CsvSource({"8589934592, 8 GiB", "1610612736, 1536 MiB", "671088640, 640 MiB", "1024, 1 KiB", "1, 1 B",
        "0, 0 B", "1000000, 1000000 B", "1536000, 1500 KiB", "1152921504606846976, 1 EiB"})
    void toString_shortestExactBinaryForm(long bytes, String text) {
        assertThat(MemorySize.ofBytes(bytes)).hasToString(text);
    }
}
