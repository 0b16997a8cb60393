package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.core.Refusal;
import dev.vmhotplug.core.VcpuCount;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.examples.recipes.AddVcpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's test of the README quick start, with nothing but JUnit and libvirt's in-process test
 * driver: a node file with one running, persistent domain prepared for hotplug (2 of 8 vCPUs).
 */
class QuickstartTest {
  @TempDir Path dir;
  String uri;

  @BeforeEach
  void node() throws IOException {
    Path node = dir.resolve("node.xml");
    Files.writeString(node, "<node><domain type='kvm'><name>web-1</name><memory unit='MiB'>1024</memory>"
        + "<vcpu placement='static' current='2'>8</vcpu><os><type arch='x86_64'>hvm</type></os>"
        + "</domain></node>\n");
    uri = "test://" + node.toAbsolutePath();
  }

  @Test
  void quickstart_setsFourVcpus_liveAndConfig() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      VcpuResult r = AddVcpus.run(client, "web-1", 4, new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertTrue(r.changed());
      VcpuCount after = client.domain("web-1").vcpuCount();
      assertEquals(4, after.currentLive().getAsInt());
      assertEquals(4, after.currentConfig().getAsInt());
      assertEquals(8, after.maximumConfig().getAsInt());
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("current      live           4"), text);
    assertTrue(text.contains("current      config         4"), text);
  }

  @Test
  void aboveTheMaximum_isRefusedBeforeAnyChange() {
    try (HotplugClient client = HotplugClient.connect(uri)) {
      String before = client.domain("web-1").vcpuCount().toString();
      PreconditionException e = assertThrows(PreconditionException.class,
          () -> AddVcpus.run(client, "web-1", 9, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
      assertEquals(Refusal.ABOVE_MAXIMUM, e.refusal());
      assertEquals(before, client.domain("web-1").vcpuCount().toString());
    }
  }

  /** The code in src/main/java is the README's quick start block, character for character. */
  @Test
  void sourceIsTheReadmeQuickstart() throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("readme", "../README.md")));
    String start = "<!-- quickstart:start -->\n```java\n";
    String end = "```\n<!-- quickstart:end -->";
    int from = readme.indexOf(start);
    int to = readme.indexOf(end);
    assertTrue(from >= 0 && to > from, "README.md has no quick start block");
    String block = readme.substring(from + start.length(), to);
    String source = Files.readString(Path.of("src/main/java/dev/vmhotplug/examples/recipes/AddVcpus.java"));
    assertEquals(block, source, "consumer/src/main/java/.../AddVcpus.java must be the README quick start");
  }
}
