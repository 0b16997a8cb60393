package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A libvirt test-driver node file ({@code test:///ABSOLUTE/PATH/node.xml}) for the recipe tests.
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
    StringBuilder sb = new StringBuilder("<?xml version='1.0'?>\n<node>\n");
    sb.append(domain("plain", false, ""));
    for (String name : new String[] {"web", "db", "c0", "c1", "c2", "c3"}) {
      sb.append(domain(name, true, ""));
    }
    sb.append(domain("off", true, "<test:runstate>5</test:runstate>"));
    sb.append("</node>\n");
    Path file = dir.resolve("node.xml");
    try {
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "test://" + file.toAbsolutePath();
  }

  private static String domain(String name, boolean prepared, String extra) {
    String xml = "<domain type='kvm'>\n"
        + "  <name>" + name + "</name>\n"
        + "  <memory unit='MiB'>1024</memory>\n"
        + "  <currentMemory unit='MiB'>1024</currentMemory>\n"
        + "  <vcpu placement='static'>2</vcpu>\n"
        + "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        + "</domain>";
    if (prepared) {
      xml = HotplugPreparer.prepare(DomainXml.parse(xml), LIMITS).xml();
    }
    xml = xml.replaceFirst("<\\?xml[^>]*\\?>\\s*", "");
    return xml.replaceFirst("<domain type='kvm'>",
        "<domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>")
        .replace("</domain>", extra + "</domain>") + "\n";
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
