/*
 * Recipe: prepare a domain's definition for hotplug (vCPU maximum, <maxMemory slots>, a NUMA cell).
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.PrepareDomain [URI] [DOMAIN] [MAX_VCPUS] [MAX_MEMORY] [SLOTS]
 * The running domain is not touched: the new definition takes effect at its next cold boot.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;

/** Prepares the persistent definition of a domain for vCPU and memory hotplug. */
public final class PrepareDomain {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    HotplugLimits limits = HotplugLimits.builder()
        .maxVcpus(args.length > 2 ? Integer.parseInt(args[2]) : 8)
        .maxMemory(MemorySize.parse(args.length > 3 ? args[3] : "16GiB"))
        .slots(args.length > 4 ? Integer.parseInt(args[4]) : 16)
        .build();
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, limits, System.out);
    }
  }

  public static PrepareResult run(HotplugClient client, String domain, HotplugLimits limits, PrintStream out) {
    PrepareResult result = client.domain(domain).prepare(limits);
    if (!result.changed()) {
      out.println(domain + " is already prepared for " + limits + ": nothing changed");
      return result;
    }
    result.changes().forEach(change -> out.println("changed: " + change));
    out.println("This takes effect at the next cold boot: virsh shutdown " + domain + ", then virsh start "
        + domain + " (a reboot inside the guest is not enough).");
    return result;
  }
}
