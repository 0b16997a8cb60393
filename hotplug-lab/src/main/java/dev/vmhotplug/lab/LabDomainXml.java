package dev.vmhotplug.lab;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;

/**
 * Writes the lab's domain XML: TCG ({@code type='qemu'}), pc machine, direct kernel boot, serial
 * console to a file (port 0), a pipe for host-to-guest commands (port 1), optional guest agent
 * channel, virtio memballoon, optional CPU topology. {@link #prepare} turns it into the guide's
 * hotplug-ready form; {@link #virtioMem} writes a virtio-mem domain whole.
 */
final class LabDomainXml {
  private LabDomainXml() {}

  static final String EMULATOR = "/usr/bin/qemu-system-x86_64";

  /**
   * The XML the lab boots for a spec: the virtio-mem domain ({@link #virtioMem}), the prepared
   * domain ({@link #prepare} of the base XML, with the topology's sockets raised to reach the vCPU
   * maximum), or the plain base XML.
   */
  static String definition(DomainSpec spec, String name, Path kernel, Path initrd, Path serialLog, Path cmdPipe) {
    if (spec.hasVirtioMem()) {
      return virtioMem(spec, name, kernel, initrd, serialLog, cmdPipe);
    }
    if (!spec.prepared()) {
      return base(spec, name, kernel, initrd, serialLog, cmdPipe);
    }
    long kib = spec.memoryMiB() * 1024;
    String memory = "  <memory unit='KiB'>" + kib + "</memory>\n  <currentMemory unit='KiB'>" + kib + "</currentMemory>\n";
    String cpu = spec.hasTopology() ? "  <cpu>\n" + topology(spec, spec.preparedSockets()) + "  </cpu>\n" : "";
    return prepare(write(spec, name, kernel, initrd, serialLog, cmdPipe, memory,
        "  <vcpu placement='static'>" + spec.vcpus() + "</vcpu>\n", cpu, "", ""), spec);
  }

  /**
   * The plain domain, not prepared for hotplug: {@code <vcpu>N</vcpu>}, no maxMemory, no NUMA; the
   * boot topology when the spec has one.
   */
  static String base(DomainSpec spec, String name, Path kernel, Path initrd, Path serialLog, Path cmdPipe) {
    long kib = spec.memoryMiB() * 1024;
    String memory = "  <memory unit='KiB'>" + kib + "</memory>\n  <currentMemory unit='KiB'>" + kib + "</currentMemory>\n";
    String cpu = spec.hasTopology() ? "  <cpu>\n" + topology(spec, spec.sockets()) + "  </cpu>\n" : "";
    return write(spec, name, kernel, initrd, serialLog, cmdPipe, memory,
        "  <vcpu placement='static'>" + spec.vcpus() + "</vcpu>\n", cpu, "", "");
  }

  /**
   * The virtio-mem domain, written here the way libvirt 9.0 wants it (docs/lab-virtio-mem.md):
   * {@code <maxMemory slots>}, {@code <memory>} = boot memory + every device's size (what libvirt
   * shows), {@code <currentMemory>} = boot memory, {@code <vcpu current>}, one NUMA cell per node
   * holding its share of the vCPUs and of the boot memory, and per node one
   * {@code <memory model='virtio-mem'>} with size, node, a 2 MiB block and the requested size. The
   * guest gets {@code hp.vmem=1} (unless the driver is switched off) and
   * {@code memhp_default_state=online_movable} (unless the spec's command line sets it).
   */
  static String virtioMem(DomainSpec spec, String name, Path kernel, Path initrd, Path serialLog, Path cmdPipe) {
    int nodes = spec.numaNodes();
    long bootKib = spec.memoryMiB() * 1024;
    long totalKib = bootKib + nodes * spec.virtioMemMiB() * 1024;
    String memory = "  <maxMemory slots='" + spec.slots() + "' unit='KiB'>" + spec.maxMemoryMiB() * 1024 + "</maxMemory>\n"
        + "  <memory unit='KiB'>" + totalKib + "</memory>\n"
        + "  <currentMemory unit='KiB'>" + bootKib + "</currentMemory>\n";
    String vcpu = "  <vcpu placement='static' current='" + spec.vcpus() + "'>" + spec.maxVcpus() + "</vcpu>\n";
    StringBuilder cpu = new StringBuilder("  <cpu>\n");
    if (spec.hasTopology()) {
      cpu.append(topology(spec, spec.preparedSockets()));
    }
    cpu.append("    <numa>\n");
    int perNode = spec.maxVcpus() / nodes;
    for (int i = 0; i < nodes; i++) {
      int first = i * perNode;
      int last = first + perNode - 1;
      cpu.append("      <cell id='").append(i).append("' cpus='").append(first == last ? "" + first : first + "-" + last)
          .append("' memory='").append(bootKib / nodes).append("' unit='KiB'/>\n");
    }
    cpu.append("    </numa>\n  </cpu>\n");
    StringBuilder devices = new StringBuilder();
    for (int i = 0; i < nodes; i++) {
      devices.append("    <memory model='virtio-mem'>\n      <target>\n")
          .append("        <size unit='MiB'>").append(spec.virtioMemMiB()).append("</size>\n")
          .append("        <node>").append(i).append("</node>\n")
          .append("        <block unit='KiB'>2048</block>\n")
          .append("        <requested unit='MiB'>").append(spec.virtioMemRequestedMiB()).append("</requested>\n")
          .append("      </target>\n    </memory>\n");
    }
    String cmdline = (spec.virtioMemDriver() ? " hp.vmem=1" : "")
        + (spec.extraCmdline().contains("memhp_default_state=") ? "" : " memhp_default_state=online_movable");
    return write(spec, name, kernel, initrd, serialLog, cmdPipe, memory, vcpu, cpu.toString(), devices.toString(),
        cmdline);
  }

  private static String topology(DomainSpec spec, int sockets) {
    return "    <topology sockets='" + sockets + "' dies='1' cores='" + spec.cores() + "' threads='" + spec.threads()
        + "'/>\n";
  }

  private static String write(DomainSpec spec, String name, Path kernel, Path initrd, Path serialLog, Path cmdPipe,
      String memory, String vcpu, String cpu, String extraDevices, String extraCmdline) {
    String cmdline = "console=ttyS0 panic=-1 quiet" + (spec.agent() ? " hp.ga=1" : "") + extraCmdline
        + (spec.extraCmdline().isBlank() ? "" : " " + spec.extraCmdline().trim());
    String channel = spec.agent()
        ? "    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n"
        : "";
    return "<domain type='qemu'>\n"
        + "  <name>" + esc(name) + "</name>\n"
        + memory
        + vcpu
        + "  <os>\n"
        + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        + "    <kernel>" + esc(kernel.toString()) + "</kernel>\n"
        + "    <initrd>" + esc(initrd.toString()) + "</initrd>\n"
        + "    <cmdline>" + esc(cmdline) + "</cmdline>\n"
        + "  </os>\n"
        + "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
        + cpu
        + "  <clock offset='utc'/>\n"
        + "  <on_poweroff>destroy</on_poweroff>\n"
        + "  <on_reboot>destroy</on_reboot>\n"
        + "  <on_crash>destroy</on_crash>\n"
        + "  <devices>\n"
        + "    <emulator>" + EMULATOR + "</emulator>\n"
        + "    <serial type='file'>\n"
        + "      <source path='" + esc(serialLog.toString()) + "' append='on'/>\n"
        + "      <target port='0'/>\n"
        + "    </serial>\n"
        + "    <serial type='pipe'>\n"
        + "      <source path='" + esc(cmdPipe.toString()) + "'/>\n"
        + "      <target port='1'/>\n"
        + "    </serial>\n"
        + channel
        + extraDevices
        + "    <controller type='usb' model='none'/>\n"
        + "    <memballoon model='virtio'/>\n"
        + "  </devices>\n"
        + "</domain>\n";
  }

  /**
   * The guide's preparation, done by hotplug-xml's {@link HotplugPreparer}: {@code <vcpu current=N>MAX</vcpu>},
   * {@code <maxMemory slots>} and one NUMA cell holding all vCPUs and the boot memory.
   */
  static String prepare(String baseXml, DomainSpec spec) {
    return HotplugPreparer.prepare(DomainXml.parse(baseXml), HotplugLimits.builder().maxVcpus(spec.maxVcpus())
        .maxMemory(MemorySize.ofMiB(spec.maxMemoryMiB())).slots(spec.slots()).build()).xml();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")
        .replace("\"", "&quot;");
  }
}
