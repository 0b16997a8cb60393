/*
 * Recipe: reach a desired state ("4 vCPUs and 2 GiB") with a dry run first, apply exactly the plan shown;
 * applying it again changes nothing.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.EnsureWithDryRun [URI] [DOMAIN] [VCPUS] [MEMORY|-]
 * MEMORY is the wanted total (<memory>, e.g. 2GiB); "-" leaves memory alone.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.DesiredState;
import dev.vmhotplug.core.EnsurePlan;
import dev.vmhotplug.core.EnsureResult;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;

/** Prints the plan of a desired-state change, applies it, then shows that a second apply has nothing to do. */
public final class EnsureWithDryRun {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    int vcpus = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    MemorySize memory = args.length > 3 && !args[3].equals("-") ? MemorySize.parse(args[3]) : null;
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, vcpus, memory, System.out);
    }
  }

  /** Returns the result of the second apply (nothing changed when the first one reached the target). */
  public static EnsureResult run(HotplugClient client, String domain, int vcpus, MemorySize memory, PrintStream out) {
    DesiredState wanted = client.domain(domain).ensure().vcpus(vcpus).live().config();
    if (memory != null) {
      wanted = wanted.memory(memory);
    }
    EnsurePlan plan = wanted.plan(); // nothing is changed yet
    out.println("dry run:\n" + plan);
    out.println("applied:\n" + wanted.apply(plan)); // exactly the plan shown; refused if the domain changed since
    EnsureResult again = wanted.apply();
    out.println(again.changed() ? "second apply changed something:\n" + again : "second apply: nothing to change");
    return again;
  }
}
