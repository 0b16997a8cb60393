package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe PrepareDomain on libvirt's test driver. */
class RecipePrepareDomainTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() {
    uri = RecipeNodes.write(dir);
  }

  @Test
  void plainRunningDomain_definitionPrepared_liveUntouched_saysColdBoot() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      PrepareResult r = PrepareDomain.run(client, "plain", RecipeNodes.LIMITS, out.stream);

      assertThat(r.changed()).isTrue();
      assertThat(client.domain("plain").vcpuCount().maximumConfig()).hasValue(8);
      assertThat(client.domain("plain").vcpuCount().currentConfig()).hasValue(2);
      assertThat(client.domain("plain").vcpuCount().maximumLive()).hasValue(2);
      assertThat(client.domain("plain").xml(true)).contains("<maxMemory slots='16'");
      assertThat(client.domain("plain").xml(false)).doesNotContain("<maxMemory");
    }
    assertThat(out.text()).contains("changed: ").contains("next cold boot").contains("virsh shutdown plain");
  }

  @Test
  void secondRun_alreadyPrepared_nothingChanged() {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      PrepareDomain.run(client, "plain", RecipeNodes.LIMITS, new RecipeNodes.Out().stream);
      String xml = client.domain("plain").xml(true);

      PrepareResult again = PrepareDomain.run(client, "plain", RecipeNodes.LIMITS, out.stream);

      assertThat(again.changed()).isFalse();
      assertThat(client.domain("plain").xml(true)).isEqualTo(xml);
    }
    assertThat(out.text()).contains("plain is already prepared").contains("nothing changed");
  }

  @Test
  void main_withDefaults_preparesForEightVcpus() throws Exception {
    String printed = RecipeNodes.captureMain(() -> PrepareDomain.main(new String[] {uri, "plain"}));

    assertThat(printed).contains("changed: ").contains("next cold boot");
  }

  @Test
  void maximumBelowCurrent_refusedWithReason_definitionUnchanged() {
    HotplugLimits tooSmall = HotplugLimits.builder().maxVcpus(1).maxMemory(MemorySize.ofGiB(16)).slots(16).build();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      String xml = client.domain("plain").xml(true);

      assertThatThrownBy(() -> PrepareDomain.run(client, "plain", tooSmall, new RecipeNodes.Out().stream))
          .isInstanceOf(PreconditionException.class)
          .hasMessageContaining("cannot prepare domain 'plain'")
          .satisfies(e -> assertThat(((PreconditionException) e).refusal()).isEqualTo(Refusal.PREPARATION_REFUSED));
      assertThat(client.domain("plain").xml(true)).isEqualTo(xml);
    }
  }
}
