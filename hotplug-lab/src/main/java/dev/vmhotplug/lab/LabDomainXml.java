package dev.vmhotplug.lab;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import java.nio.file.Path;

/**
 * Writes the lab's domain XML: TCG ({@code type='qemu'}), pc machine, direct kernel boot, serial
 * console to a file (port 0), a pipe for host-to-guest commands (port 1), optional guest agent
 * channel, virtio memballoon. {@link #prepare} turns it into the guide's hotplug-ready form.
 */
final class LabDomainXml {
  private LabDomainXml() {}

  static final String EMULATOR = "/usr/bin/qemu-system-x86_64";

  /** The plain domain, not prepared for hotplug: {@code <vcpu>N</vcpu>}, no maxMemory, no NUMA. */
  static String base(DomainSpec spec, String name, Path kernel, Path initrd, Path serialLog, Path cmdPipe) {
    long kib = spec.memoryMiB() * 1024;
    String cmdline = "console=ttyS0 panic=-1 quiet" + (spec.agent() ? " hp.ga=1" : "")
        + (spec.extraCmdline().isBlank() ? "" : " " + spec.extraCmdline().trim());
    String channel = spec.agent()
        ? "    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n"
        : "";
    return "<domain type='qemu'>\n"
        + "  <name>" + esc(name) + "</name>\n"
        + "  <memory unit='KiB'>" + kib + "</memory>\n"
        + "  <currentMemory unit='KiB'>" + kib + "</currentMemory>\n"
        + "  <vcpu placement='static'>" + spec.vcpus() + "</vcpu>\n"
        + "  <os>\n"
        + "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        + "    <kernel>" + esc(kernel.toString()) + "</kernel>\n"
        + "    <initrd>" + esc(initrd.toString()) + "</initrd>\n"
        + "    <cmdline>" + esc(cmdline) + "</cmdline>\n"
        + "  </os>\n"
        + "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
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
