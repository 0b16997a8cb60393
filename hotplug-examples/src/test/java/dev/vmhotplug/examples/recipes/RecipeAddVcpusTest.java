package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.VcpuCount;
import dev.vmhotplug.core.VcpuResult;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe AddVcpus (the README quick start) on libvirt's test driver. */
class RecipeAddVcpusTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() {
    uri = RecipeNodes.write(dir);
  }

  @Test
  void preparedDomain_twoToFour_liveAndConfigShowFour() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      VcpuResult r = AddVcpus.run(client, "web", 4, out.stream);

      assertThat(r.changed()).isTrue();
      VcpuCount after = client.domain("web").vcpuCount();
      assertThat(after.currentLive()).hasValue(4);
      assertThat(after.currentConfig()).hasValue(4);
      assertThat(after.maximumConfig()).hasValue(8);
    }
    assertThat(out.text())
        .contains("current      config         4")
        .contains("current      live           4")
        .contains("maximum      live           8");
  }

  @Test
  void main_withUriDomainAndCount_printsTheTable() throws Exception {
    String printed = RecipeNodes.captureMain(() -> AddVcpus.main(new String[] {uri, "db", "3"}));

    assertThat(printed).contains("current      live           3").contains("current      config         3");
  }

  @Test
  void aboveTheMaximum_refusedWithTheMaximum_nothingChanged() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      VcpuCount before = client.domain("web").vcpuCount();

      assertThatThrownBy(() -> AddVcpus.run(client, "web", 9, out.stream))
          .isInstanceOf(PreconditionException.class)
          .hasMessageContaining("8")
          .satisfies(e -> assertThat(((PreconditionException) e).refusal()).isEqualTo(Refusal.ABOVE_MAXIMUM));
      assertThat(client.domain("web").vcpuCount()).isEqualTo(before);
    }
    assertThat(out.text()).isEmpty();
  }

  @Test
  void countNotANumber_mainFailsBeforeConnecting() {
    assertThatThrownBy(() -> AddVcpus.main(new String[] {"test:///nowhere/node.xml", "web", "four"}))
        .isInstanceOf(NumberFormatException.class)
        .hasMessageContaining("four");
  }
}
