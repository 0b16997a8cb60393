/*
 * Recipe: hot-add memory (one DIMM on NUMA node 0) to a running domain, live only.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.AddMemoryLive [URI] [DOMAIN] [SIZE]
 * Live only: the DIMM is gone after the next shutdown; add config() to keep it.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;

/** Attaches a DIMM to a running domain and prints the plan, the steps and the memory before/after. */
public final class AddMemoryLive {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    MemorySize size = MemorySize.parse(args.length > 2 ? args[2] : "1GiB");
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, size, System.out);
    }
  }

  public static MemoryResult run(HotplugClient client, String domain, MemorySize size, PrintStream out) {
    MemoryResult result = client.domain(domain).memory().add(size).node(0).live().apply();
    out.println(result); // plan, libvirt steps, verification attempts, warnings
    out.println("memory (live): " + result.before().effective().memory() + " -> " + result.after().effective().memory());
    return result;
  }
}
