package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.testkit.TestDomain;
import dev.vmhotplug.testkit.TestDriverNode;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A libvirt test-driver node file ({@code test:///ABSOLUTE/PATH/node.xml}) for the recipe tests,
 * written with hotplug-testkit's {@link TestDomain} specs.
 * Every connection starts from the file's state, so a test that asserts an effect uses one client
 * for the recipe and the assertions. Domains (all type {@code kvm}, 1 GiB):
 *
 * <ul>
 *   <li>{@code plain}: running, persistent, 2 vCPUs, not prepared (no maxMemory, no NUMA cell)
 *   <li>{@code web}, {@code db}, {@code c0}…{@code c3}: running, persistent, prepared by
 *       {@link HotplugPreparer} for 8 vCPUs / 16 GiB / 16 slots, 2 vCPUs current
 *   <li>{@code off}: like {@code web} but shut off
 * </ul>
 */
final class RecipeNodes {
  static final HotplugLimits LIMITS =
      HotplugLimits.builder().maxVcpus(8).maxMemory(MemorySize.ofGiB(16)).slots(16).build();

  private RecipeNodes() {}

  static String write(Path dir) {
    List<TestDomain> domains = new ArrayList<>();
    domains.add(TestDomain.named("plain").type("kvm").vcpus(2, 2).build());
    for (String name : new String[] {"web", "db", "c0", "c1", "c2", "c3"}) {
      domains.add(prepared(name).build());
    }
    domains.add(prepared("off").shutOff().build());
    return TestDriverNode.write(dir, domains).uri();
  }

  /** A running, persistent kvm domain of 1 GiB with 2 vCPUs, prepared by HotplugPreparer for LIMITS. */
  private static TestDomain.Builder prepared(String name) {
    return TestDomain.named(name).type("kvm").vcpus(2, 2).prepared(LIMITS);
  }

  /** Collects what a recipe prints. */
  static final class Out {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Runs a main() with System.out captured; returns what it printed. */
  static String captureMain(ThrowingRunnable main) throws Exception {
    PrintStream old = System.out;
    Out out = new Out();
    System.setOut(out.stream);
    try {
      main.run();
    } finally {
      System.setOut(old);
    }
    return out.text();
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
