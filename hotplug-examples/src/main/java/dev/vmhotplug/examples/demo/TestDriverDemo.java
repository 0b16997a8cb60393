package dev.vmhotplug.examples.demo;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.VcpuCount;
import dev.vmhotplug.core.VcpuResult;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PreparedDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The CPU part of the guide on libvirt's built-in test driver (a real libvirt inside this process,
 * no daemon, no QEMU): used when QEMU cannot run here. The domain is prepared by hotplug-xml and
 * loaded from a node file, so the walk is the same as on a real hypervisor for the vCPU steps.
 */
final class TestDriverDemo {
  static final String DOMAIN = "hp-demo";

  private final Transcript t;
  private final int fromVcpus;
  private final int toVcpus;

  TestDriverDemo(Transcript t, int fromVcpus, int toVcpus) {
    this.t = t;
    this.fromVcpus = fromVcpus;
    this.toVcpus = toVcpus;
  }

  boolean run() throws IOException {
    Path dir = Files.createTempDirectory("hotplug-demo-");
    try {
      t.step("Prepare the domain XML (the guide's \"xml 修改\")", "virsh edit " + DOMAIN);
      String plain = "<domain type='kvm'>\n  <name>" + DOMAIN + "</name>\n"
          + "  <memory unit='KiB'>524288</memory>\n  <currentMemory unit='KiB'>524288</currentMemory>\n"
          + "  <vcpu placement='static'>" + fromVcpus + "</vcpu>\n"
          + "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n</domain>\n";
      PreparedDomain prepared = HotplugPreparer.prepare(DomainXml.parse(plain), HotplugLimits.builder()
          .maxVcpus(Math.max(toVcpus, 4)).maxMemory(MemorySize.ofGiB(2)).slots(16).build());
      prepared.changes().forEach(c -> t.show("- " + c));
      t.show(XmlParts.of(prepared.xml()));
      Path node = dir.resolve("node.xml");
      String domainXml = prepared.xml().replaceFirst("^<\\?xml[^>]*>\\s*", "");
      Files.writeString(node, "<?xml version='1.0'?>\n<node>\n" + domainXml + "</node>\n");
      String uri = "test://" + node.toAbsolutePath();
      t.show("libvirt URI: " + uri + " (libvirt's test driver)");

      try (HotplugClient client = HotplugClient.connect(uri)) {
        DomainHandle dom = client.domain(DOMAIN);
        t.step("vCPUs before", "virsh vcpucount " + DOMAIN);
        VcpuCount before = dom.vcpuCount();
        t.show(before.toString());
        t.check(before.currentLive().equals(OptionalInt.of(fromVcpus)), "current live = " + fromVcpus);

        t.step("Hot-add vCPUs: " + fromVcpus + " -> " + toVcpus + ", running VM and definition",
            "virsh setvcpus " + DOMAIN + " " + toVcpus + " --live --config");
        VcpuResult r = dom.vcpus().set(toVcpus).live().config().apply();
        t.show(r.summary());
        VcpuCount after = dom.vcpuCount();
        t.show(after.toString());
        t.check(after.currentLive().equals(OptionalInt.of(toVcpus))
            && after.currentConfig().equals(OptionalInt.of(toVcpus)), "current live and config = " + toVcpus);
      } catch (HotplugException e) {
        t.check(false, "SDK call failed: " + e.getMessage());
      }
      t.skip("guest processor count", "no guest OS runs on the test driver");
      t.skip("DIMM hot-add, dommemstat, guest MemTotal", "libvirt's test driver cannot attach devices");
      t.skip("shutdown + start", "no guest OS to boot");
      t.summary("libvirt test driver only: QEMU unavailable");
      return t.failed().isEmpty();
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
