package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.EnsureResult;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.VcpuCount;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe EnsureWithDryRun, vCPU part, on libvirt's test driver (memory needs a real hypervisor: RecipesIT). */
class RecipeEnsureWithDryRunTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() {
    uri = RecipeNodes.write(dir);
  }

  @Test
  void twoToSix_planPrintedFirst_applied_secondApplyChangesNothing() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      EnsureResult again = EnsureWithDryRun.run(client, "web", 6, null, out.stream);

      assertThat(again.changed()).isFalse();
      assertThat(again.plan().isEmpty()).isTrue();
      VcpuCount after = client.domain("web").vcpuCount();
      assertThat(after.currentLive()).hasValue(6);
      assertThat(after.currentConfig()).hasValue(6);
    }
    String text = out.text();
    assertThat(text).contains("dry run:").contains("applied:").contains("second apply: nothing to change");
    assertThat(text.indexOf("dry run:")).isLessThan(text.indexOf("applied:"));
    assertThat(text.substring(0, text.indexOf("applied:"))).contains("6");
  }

  @Test
  void alreadyThere_planEmpty_nothingChanged() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      EnsureResult again = EnsureWithDryRun.run(client, "db", 2, null, out.stream);

      assertThat(again.changed()).isFalse();
      assertThat(client.domain("db").vcpuCount().currentLive()).hasValue(2);
    }
    assertThat(out.text()).contains("second apply: nothing to change");
  }

  @Test
  void main_memoryDash_vcpusOnly() throws Exception {
    String printed = RecipeNodes.captureMain(() -> EnsureWithDryRun.main(new String[] {uri, "c0", "3", "-"}));

    assertThat(printed).contains("dry run:").contains("second apply: nothing to change");
  }

  @Test
  void zeroVcpus_refusedAtTheDryRun_nothingChanged() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      VcpuCount before = client.domain("web").vcpuCount();

      assertThatThrownBy(() -> EnsureWithDryRun.run(client, "web", 0, null, out.stream))
          .isInstanceOf(PreconditionException.class)
          .hasMessageContaining("0");
      assertThat(client.domain("web").vcpuCount()).isEqualTo(before);
    }
    assertThat(out.text()).doesNotContain("applied:");
  }

  @Test
  void memoryWithoutUnit_mainRefusesWithAHint() {
    assertThatThrownBy(() -> EnsureWithDryRun.main(new String[] {uri, "web", "4", "2048"}))
        .hasMessageContaining("MiB");
  }
}
