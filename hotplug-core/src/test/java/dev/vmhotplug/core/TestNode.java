package dev.vmhotplug.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a libvirt test-driver node file ({@code test:///ABSOLUTE/PATH/node.xml}) with the domains
 * the tests need. Every connection to the URI starts from the file's state (checked in
 * {@link HotplugClientTest}), so each test gets fresh domains by opening its own client.
 *
 * <ul>
 *   <li>{@code web}: running, persistent, {@code <vcpu current='2'>8</vcpu>}
 *   <li>{@code db}: running, persistent, {@code <vcpu current='1'>4</vcpu>}
 *   <li>{@code off}: shut off, persistent, {@code <vcpu current='2'>4</vcpu>}
 *   <li>{@code tr}: running, transient, {@code <vcpu current='1'>4</vcpu>}
 *   <li>{@code c0}…{@code c5}: running, persistent, {@code <vcpu current='1'>8</vcpu>} (concurrency)
 *   <li>{@code k1}: running, persistent, type {@code kvm} (the test driver accepts it), 2 vCPUs,
 *       1 GiB, not prepared for hotplug (no maxMemory, no NUMA cell)
 * </ul>
 */
public final class TestNode {
  /** UUID of {@code web}. */
  public static final String WEB_UUID = "6f1b2d9e-3c4a-4b7e-9a51-0d2c8e7f1a01";

  private TestNode() {}

  /**
   * Writes the node file into a directory.
   *
   * @param dir a temporary directory
   * @return the {@code test:///…} URI
   */
  public static String write(Path dir) {
    StringBuilder sb = new StringBuilder("<?xml version='1.0'?>\n<node>\n");
    sb.append(domain("web", WEB_UUID, 8, 2, ""));
    sb.append(domain("db", null, 4, 1, ""));
    sb.append(domain("off", null, 4, 2, "    <test:runstate>5</test:runstate>\n"));
    sb.append(domain("tr", null, 4, 1, "    <test:transient/>\n"));
    for (int i = 0; i < 6; i++) {
      sb.append(domain("c" + i, null, 8, 1, ""));
    }
    sb.append(domain("k1", null, 2, 2, "").replace("type='test'", "type='kvm'"));
    sb.append("</node>\n");
    Path file = dir.resolve("node.xml");
    try {
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "test://" + file.toAbsolutePath();
  }

  private static String domain(String name, String uuid, int max, int current, String extra) {
    return "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
        + "    <name>" + name + "</name>\n"
        + (uuid == null ? "" : "    <uuid>" + uuid + "</uuid>\n")
        + "    <memory unit='MiB'>1024</memory>\n"
        + "    <currentMemory unit='MiB'>1024</currentMemory>\n"
        + "    <vcpu placement='static' current='" + current + "'>" + max + "</vcpu>\n"
        + "    <os><type arch='x86_64'>hvm</type></os>\n"
        + extra
        + "  </domain>\n";
  }
}
