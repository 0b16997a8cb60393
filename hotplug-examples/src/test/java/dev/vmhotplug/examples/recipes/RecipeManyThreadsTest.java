package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipe ManyThreads on libvirt's test driver: one client, a pool, several domains. */
class RecipeManyThreadsTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() {
    uri = RecipeNodes.write(dir);
  }

  @Test
  void sixDomains_allChangedInParallel_eachReported() throws Exception {
    List<String> names = List.of("web", "db", "c0", "c1", "c2", "c3");
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      Map<String, String> results = ManyThreads.run(client, names, 5, out.stream);

      assertThat(results).containsOnlyKeys(names);
      assertThat(results.values()).noneMatch(v -> v.startsWith("FAILED"));
      for (String name : names) {
        assertThat(client.domain(name).vcpuCount().currentLive()).as(name).hasValue(5);
        assertThat(client.domain(name).vcpuCount().currentConfig()).as(name).hasValue(5);
      }
    }
    assertThat(out.text().lines()).hasSize(6);
    assertThat(out.text()).startsWith("web: ");
  }

  @Test
  void oneDomainShutOff_itFailsWithTheReason_othersStillChanged() throws Exception {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      Map<String, String> results = ManyThreads.run(client, List.of("c0", "off", "c1"), 3, out.stream);

      assertThat(results.get("off")).startsWith("FAILED: ").contains("not running");
      assertThat(client.domain("c0").vcpuCount().currentLive()).hasValue(3);
      assertThat(client.domain("c1").vcpuCount().currentLive()).hasValue(3);
      assertThat(client.domain("off").vcpuCount().currentConfig()).hasValue(2);
    }
    assertThat(out.text()).contains("off: FAILED: ");
  }

  @Test
  void unknownDomain_reportedAsFailed_namesTheUri() throws Exception {
    RecipeNodes.Out out = new RecipeNodes.Out();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      Map<String, String> results = ManyThreads.run(client, List.of("nope", "web"), 4, out.stream);

      assertThat(results.get("nope")).startsWith("FAILED: ").contains("nope");
      assertThat(client.domain("web").vcpuCount().currentLive()).hasValue(4);
    }
  }

  @Test
  void main_domainsFromArgs() throws Exception {
    String printed = RecipeNodes.captureMain(() -> ManyThreads.main(new String[] {uri, "4", "c2", "c3"}));

    assertThat(printed.lines()).hasSize(2).allMatch(l -> l.matches("c[23]: .*"));
  }
}
