package dev.vmhotplug.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuSetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "0-31; 0-31; 32", "0-3,8; 0-3,8; 5", "0-7,^2; 0-1,3-7; 7", "8,0-3; 0-3,8; 5", "1,2,3; 1-3; 3",
        "0; 0; 1", " 0 - 3 , 5 ; 0-3,5; 5", "0-3,^3,3; 0-3; 4", "1-4,8-20,525; 1-4,8-20,525; 18", "0,2; 0,2; 2",
        "16383; 16383; 1", "2-2; 2; 1"})
    void parse_libvirtSyntax_formatsCanonically(String text, String canonical, int size) {
        CpuSet s = CpuSet.parse(text);
        assertThat(s.format()).isEqualTo(canonical);
        assertThat(s).hasToString(canonical);
        assertThat(s.size()).isEqualTo(size);
        assertThat(CpuSet.parse(canonical)).isEqualTo(s);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "''; it is empty", "' '; it is empty", "0,,1; empty item", "a; not a CPU number", "3-1; ends before it starts",
        "^1-3; takes one number", "0,^0; leave no CPU", "16384; above the largest", "-1; not a CPU number",
        "1-; not a CPU number", "0x1; not a CPU number", "99999999999; not a CPU number", "1,; empty item"})
    void parse_badSyntax_refusedWithReason(String text, String fragment) {
        assertThatThrownBy(() -> CpuSet.parse(text))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageContaining("CPU list '" + text + "' is invalid")
                .hasMessageContaining(fragment)
                .hasMessageContaining("for example 0-3,8");
    }

    @Test
    void setOperations_work() {
        CpuSet a = CpuSet.range(0, 3);
        CpuSet b = CpuSet.of(3, 8);
        assertThat(a.union(b).format()).isEqualTo("0-3,8");
        assertThat(a.minus(b).format()).isEqualTo("0-2");
        assertThat(a.minus(a).isEmpty()).isTrue();
        assertThat(a.contains(3)).isTrue();
        assertThat(a.contains(4)).isFalse();
        assertThat(a.contains(-1)).isFalse();
        assertThat(a.union(b).toArray()).containsExactly(0, 1, 2, 3, 8);
        assertThat(a.union(b).min()).isEqualTo(0);
        assertThat(a.union(b).max()).isEqualTo(8);
        assertThat(a.intersects(b)).isTrue();
        assertThat(CpuSet.of()).isEqualTo(CpuSet.empty());
        assertThat(CpuSet.empty().format()).isEmpty();
    }

    @Test
    void emptySet_minMax_throw() {
        assertThatThrownBy(() -> CpuSet.empty().min()).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> CpuSet.empty().max()).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void rangeAndOf_outOfBounds_refused() {
        assertThatThrownBy(() -> CpuSet.range(3, 1)).isInstanceOf(DomainXmlException.class).hasMessageContaining("3-1");
        assertThatThrownBy(() -> CpuSet.range(-1, 1)).isInstanceOf(DomainXmlException.class).hasMessageContaining("-1-1");
        assertThatThrownBy(() -> CpuSet.of(1, 20000)).isInstanceOf(DomainXmlException.class).hasMessageContaining("20000");
    }
}
