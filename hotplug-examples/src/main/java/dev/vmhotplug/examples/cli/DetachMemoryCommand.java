package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.MemoryChange;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.MemoryResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] detach-memory DOMAIN SIZE [--live] [--config] [--dry-run]}: hot-removes
 * hot-plugged DIMMs adding up to SIZE ({@code virsh detach-device} with the minimal DIMM XML) and
 * waits until the guest released them.
 */
@Command(name = "detach-memory", header = "Hot-remove DIMMs adding up to SIZE (virsh detach-device).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Hot-remove DIMMs whose sizes add up to SIZE (virsh detach-device with the minimal DIMM XML),",
      "then wait until the guest released them. The guest must have onlined that memory movable",
      "(udev rule with ATTR{state}=\"online_movable\"). Without --live/--config: live."
    })
final class DetachMemoryCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Parameters(index = "1", paramLabel = "SIZE", description = "memory to remove, with a unit: 1GiB, 512MiB")
  String size;

  @Option(names = "--node", paramLabel = "N", description = "only DIMMs on this guest NUMA node")
  Integer node;

  @Option(names = "--live", description = "change the running domain")
  boolean live;

  @Option(names = "--config", description = "change the persistent definition (next boot)")
  boolean config;

  @Option(names = "--dry-run", description = "print which DIMMs would be removed and change nothing")
  boolean dryRun;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      DomainHandle d = client.domain(domain);
      MemoryChange c = d.memory().model(dev.vmhotplug.core.MemoryModel.DIMM).remove(size);
      if (node != null) {
        c = c.node(node);
      }
      c = AttachMemoryCommand.Support.scoped(c, live, config);
      if (dryRun) {
        MemoryPlan p = c.plan();
        out.print("dry run, nothing changed: ");
        out.print(p);
        return HotplugCli.OK;
      }
      MemoryResult r = c.apply();
      out.print(r);
      out.print(d.memoryView());
      return HotplugCli.OK;
    });
  }
}
