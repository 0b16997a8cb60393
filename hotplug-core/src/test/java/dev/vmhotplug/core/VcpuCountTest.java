package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VcpuCountTest {
  @TempDir Path dir;

  @Test
  void toString_bothSides_printsVirshLayout() {
    VcpuCount c = VcpuCount.builder().config(4, 4).live(4, 4).build();
    assertThat(c.toString()).isEqualTo(
        "maximum      config         4\n"
            + "maximum      live           4\n"
            + "current      config         4\n"
            + "current      live           4");
  }

  @Test
  void builder_currentAboveMaximum_isRefused() {
    assertThatThrownBy(() -> VcpuCount.builder().live(2, 3))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("current=3");
  }

  @Test
  void vcpuCount_runningPersistentDomain_readsBothSides() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      VcpuCount c = client.domain("web").vcpuCount();
      assertThat(c.maximumConfig()).hasValue(8);
      assertThat(c.maximumLive()).hasValue(8);
      assertThat(c.currentConfig()).hasValue(2);
      assertThat(c.currentLive()).hasValue(2);
      assertThat(c.drifts()).isFalse();
    }
  }

  @Test
  void vcpuCount_shutOffDomain_hasNoLiveRows() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      VcpuCount c = client.domain("off").vcpuCount();
      assertThat(c.maximumLive()).isEmpty();
      assertThat(c.currentLive()).isEmpty();
      assertThat(c.toString()).isEqualTo("maximum      config         4\ncurrent      config         2");
    }
  }

  @Test
  void vcpuCount_transientDomain_hasNoConfigRows() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      VcpuCount c = client.domain("tr").vcpuCount();
      assertThat(c.maximumConfig()).isEmpty();
      assertThat(c.toString()).isEqualTo("maximum      live           4\ncurrent      live           1");
    }
  }

  @Test
  void vcpuCount_afterLiveOnlyChange_showsDrift() {
    try (HotplugClient client = HotplugClient.connect(TestNode.write(dir))) {
      DomainHandle web = client.domain("web");
      web.vcpus().set(5).live().apply();
      assertThat(web.vcpuCount().drifts()).isTrue();
    }
  }
}
