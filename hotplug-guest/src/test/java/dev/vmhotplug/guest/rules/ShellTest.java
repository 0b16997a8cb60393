package dev.vmhotplug.guest.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class ShellTest {

  @Test
  void missingToolInCi_failsTheTest() {
    assertThatThrownBy(() -> Shell.require("vmhotplug-no-such-tool", "no-such-package", "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("vmhotplug-no-such-tool is not installed (apt-get install no-such-package)")
        .hasMessageContaining("CI must install it");
  }

  @Test
  void missingToolOutsideCi_skipsWithTheReason() {
    assertThatThrownBy(() -> Shell.require("vmhotplug-no-such-tool", "no-such-package", null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("vmhotplug-no-such-tool is not installed");
  }

  @Test
  void presentTool_isFound() {
    assertThat(Shell.require("sh", "dash", "true")).isNotNull();
  }
}
