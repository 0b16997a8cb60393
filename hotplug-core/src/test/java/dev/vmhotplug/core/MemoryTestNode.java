package dev.vmhotplug.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A libvirt test-driver node file with domains for the memory tests.
 *
 * <ul>
 *   <li>{@code mem}: running, persistent, prepared: maxMemory 4 GiB with 4 slots, 1 GiB in NUMA cell 0
 *       plus one 256 MiB DIMM in slot 0 (memory 1280 MiB), {@code <vcpu current='2'>4</vcpu>}
 *   <li>{@code full}: running, persistent, prepared, 2 slots both taken by 256 MiB DIMMs, cells 0 and 1
 *   <li>{@code plain}: running, persistent, not prepared (no maxMemory, no NUMA)
 *   <li>{@code memoff}: shut off, persistent, prepared
 *   <li>{@code memtr}: running, transient, prepared
 * </ul>
 */
final class MemoryTestNode {
  private MemoryTestNode() {}

  static String write(Path dir) {
    StringBuilder sb = new StringBuilder("<?xml version='1.0'?>\n<node>\n");
    sb.append(domain("mem", 4, 2, prepared(4, 4194304, "1310720", cell(0, "0-3"), dimm(262144, 0, 0)), ""));
    sb.append(domain("full", 4, 2, prepared(2, 8388608, "2621440", cell(0, "0-1") + cell(1, "2-3"),
        dimm(262144, 0, 0) + dimm(262144, 1, 1)), ""));
    sb.append(domain("plain", 4, 2, "    <memory unit='KiB'>1048576</memory>\n"
        + "    <currentMemory unit='KiB'>1048576</currentMemory>\n", ""));
    sb.append(domain("memoff", 4, 2, prepared(4, 4194304, "1310720", cell(0, "0-3"), dimm(262144, 0, 0)),
        "    <test:runstate>5</test:runstate>\n"));
    sb.append(domain("memtr", 4, 2, prepared(4, 4194304, "1310720", cell(0, "0-3"), dimm(262144, 0, 0)),
        "    <test:transient/>\n"));
    sb.append("</node>\n");
    Path file = dir.resolve("node.xml");
    try {
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "test://" + file.toAbsolutePath();
  }

  private static String prepared(int slots, long maxKiB, String memKiB, String cells, String dimms) {
    return "    <maxMemory slots='" + slots + "' unit='KiB'>" + maxKiB + "</maxMemory>\n"
        + "    <memory unit='KiB'>" + memKiB + "</memory>\n"
        + "    <currentMemory unit='KiB'>" + memKiB + "</currentMemory>\n"
        + "    <cpu>\n      <numa>\n" + cells + "      </numa>\n    </cpu>\n"
        + "    <devices>\n" + dimms + "    </devices>\n";
  }

  private static String cell(int id, String cpus) {
    return "        <cell id='" + id + "' cpus='" + cpus + "' memory='1048576' unit='KiB'/>\n";
  }

  private static String dimm(long kib, int node, int slot) {
    return "      <memory model='dimm'>\n        <target>\n          <size unit='KiB'>" + kib + "</size>\n"
        + "          <node>" + node + "</node>\n        </target>\n"
        + "        <address type='dimm' slot='" + slot + "'/>\n      </memory>\n";
  }

  private static String domain(String name, int max, int current, String memory, String extra) {
    return "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
        + "    <name>" + name + "</name>\n"
        + memory
        + "    <vcpu placement='static' current='" + current + "'>" + max + "</vcpu>\n"
        + "    <os><type arch='x86_64'>hvm</type></os>\n"
        + extra
        + "  </domain>\n";
  }
}
