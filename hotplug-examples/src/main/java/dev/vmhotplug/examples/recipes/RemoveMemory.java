/*
 * Recipe: hot-remove memory (hot-plugged DIMMs adding up to SIZE), live and persistently.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.RemoveMemory [URI] [DOMAIN] [SIZE]
 * The guest must let the DIMM go: only memory it onlined "movable" can be unplugged.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;
import java.util.Optional;

/** Removes DIMMs; when the guest keeps them, prints why and the udev rule that makes the next DIMMs removable. */
public final class RemoveMemory {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    MemorySize size = MemorySize.parse(args.length > 2 ? args[2] : "1GiB");
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, size, System.out);
    }
  }

  /** Returns the result, or empty when the guest refused to release the memory. */
  public static Optional<MemoryResult> run(HotplugClient client, String domain, MemorySize size, PrintStream out) {
    try {
      MemoryResult result = client.domain(domain).memory().remove(size).live().config().apply();
      out.println(result);
      return Optional.of(result);
    } catch (GuestRefusedException e) {
      out.println("The guest kept its memory: " + e.getMessage());
      out.println("Nothing was forced: the DIMM stays attached. To make DIMMs added from now on removable,"
          + " install this rule in the guest's " + RuleGenerator.RULES_DIR + ":");
      RuleGenerator.generate(RuleOptions.builder().cpu(false).movableMemory(true).build())
          .forEach(f -> out.print(f.fileName() + ":\n" + f.content()));
      return Optional.empty();
    }
  }
}
