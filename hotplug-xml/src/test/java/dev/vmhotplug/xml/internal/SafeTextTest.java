package dev.vmhotplug.xml.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SafeTextTest {

  @Test
  void quote_plainName_isQuotedAsIs() {
    assertThat(SafeText.quote("web-1")).isEqualTo("'web-1'");
  }

  @Test
  void quote_lineBreaksAndEscapes_cannotForgeALogLine() {
    String forged = "x\n2026-12-01 INFO granted\r\t\u001b[31m'\\";
    String q = SafeText.quote(forged);
    assertThat(q).doesNotContain("\n", "\r", "\t", "\u001b");
    assertThat(q).isEqualTo("'x\\n2026-12-01 INFO granted\\r\\t\\u001b[31m\\'\\\\'");
  }

  @Test
  void quote_millionCharacters_isShortenedAndSaysHowLong() {
    String huge = "a".repeat(1_000_000);
    String q = SafeText.quote(huge);
    assertThat(q).hasSizeLessThan(120).startsWith("'aaaa").endsWith("…' (1000000 chars)");
  }

  @Test
  void quote_loneSurrogate_isEscapedAndPairKept() {
    assertThat(SafeText.quote("\ud800x")).isEqualTo("'\\ud800x'");
    assertThat(SafeText.quote("\ud83d\ude00")).isEqualTo("'\ud83d\ude00'");
  }

  @Test
  void quote_null_saysNull() {
    assertThat(SafeText.quote(null)).isEqualTo("null");
  }

  @Test
  void escape_maxBelowOne_isRefused() {
    assertThatThrownBy(() -> SafeText.escape("x", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
