package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages quote caller input shortened and escaped: no log flooding, no forged log lines. */
class CallerInputTest {
  @TempDir Path dir;

  @Test
  void aMillionCharacterDomainName_isQuotedShortInTheMessage() {
    String huge = "a".repeat(1_000_000);
    try (HotplugClient c = HotplugClient.connect(TestNode.write(dir))) {
      assertThatThrownBy(() -> c.domain(huge))
          .isInstanceOf(DomainNotFoundException.class)
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1000).contains("(1000000 chars)"));
    }
  }

  @Test
  void aDomainNameWithLineBreaks_cannotForgeALogLine() {
    String forged = "web\n2026-01-01 ERROR root login accepted\r\u001b[31m";
    try (HotplugClient c = HotplugClient.connect(TestNode.write(dir))) {
      assertThatThrownBy(() -> c.domain(forged))
          .isInstanceOf(DomainNotFoundException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u001b")
              .contains("'web\\n2026-01-01 ERROR root login accepted\\r\\u001b[31m'"));
    }
  }

  @Test
  void sizesWithLineBreaksOrAMillionCharacters_areQuotedShort() {
    try (HotplugClient c = HotplugClient.connect(MemoryTestNode.write(dir))) {
      DomainHandle d = c.domain("mem");
      assertThatThrownBy(() -> d.memory().add("12\nERROR forged"))
          .isInstanceOf(InvalidArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains("'12\\nERROR forged'"));
      assertThatThrownBy(() -> d.ensure().memory("9".repeat(1_000_000)))
          .isInstanceOf(InvalidArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2000));
    }
  }
}
