package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.DesiredState;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.EnsurePlan;
import dev.vmhotplug.core.EnsureResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] ensure DOMAIN [--vcpus N] [--memory SIZE] [--live] [--config] [--dry-run]}:
 * brings the domain to N vCPUs and SIZE memory (total) from whatever it has; running it twice
 * changes nothing the second time.
 */
@Command(name = "ensure", header = "Make a domain have N vCPUs and SIZE memory: plan, then apply.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Make the domain have N vCPUs and SIZE memory (total): computes the steps (setvcpus,",
      "attach/detach DIMMs, or resize the virtio-mem device when the domain has one: then SIZE is the",
      "memory given to the guest) from what is there and runs them. --dry-run prints the steps only.",
      "Without --live/--config: live."
    })
final class EnsureCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--vcpus", paramLabel = "N", description = "the vCPU count wanted (total)")
  Integer vcpus;

  @Option(names = "--memory", paramLabel = "SIZE", description = "the memory total wanted, with a unit: 8GiB")
  String memory;

  @Option(names = "--node", paramLabel = "N", description = "guest NUMA node for added DIMMs (default 0)")
  Integer node;

  @Option(names = "--live", description = "compare and change the running domain")
  boolean live;

  @Option(names = "--config", description = "compare and change the persistent definition")
  boolean config;

  @Option(names = "--model", paramLabel = "MODEL", description = "how memory changes: auto (virtio-mem when the"
      + " domain has it, else DIMMs), dimm, virtio-mem (default auto)")
  String model = "auto";

  @Option(names = "--online-through-agent", description = "online added vCPUs and memory through the guest agent"
      + " (guests without udev rules; the agent is checked first)")
  boolean agent;

  @Option(names = "--dry-run", description = "print the steps and change nothing")
  boolean dryRun;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (vcpus == null && memory == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --vcpus N and/or --memory SIZE");
    }
    if (!model.equals("auto") && !model.equals("dimm") && !model.equals("virtio-mem")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--model " + dev.vmhotplug.xml.internal.SafeText
          .quote(model) + " is not one of auto, dimm, virtio-mem");
    }
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      DomainHandle d = client.domain(domain);
      DesiredState s = d.ensure();
      if (vcpus != null) {
        s = s.vcpus(vcpus);
      }
      if (memory != null) {
        s = s.memory(memory);
      }
      if (node != null) {
        s = s.node(node);
      }
      if (!model.equals("auto")) {
        s = s.model(model.equals("dimm") ? dev.vmhotplug.core.MemoryModel.DIMM
            : dev.vmhotplug.core.MemoryModel.VIRTIO_MEM);
      }
      if (agent) {
        s = s.onlineThroughAgent();
      }
      if (live) {
        s = s.live();
      }
      if (config) {
        s = s.config();
      }
      if (dryRun) {
        EnsurePlan p = s.plan();
        out.print("dry run, nothing changed: ");
        out.print(p);
        return HotplugCli.OK;
      }
      EnsureResult r = s.apply();
      out.print(r);
      String table = d.vcpuCount().toString();
      out.print(table.endsWith("\n") ? table : table + "\n");
      out.print(d.memoryView());
      return HotplugCli.OK;
    });
  }
}
