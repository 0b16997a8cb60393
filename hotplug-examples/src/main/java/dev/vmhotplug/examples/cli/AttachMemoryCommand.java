package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.MemoryChange;
import dev.vmhotplug.core.MemoryPlan;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.PreconditionException;
import dev.vmhotplug.xml.DomainXmlException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] attach-memory DOMAIN SIZE [--node N] [--live] [--config] [--dry-run]}: the
 * guide's {@code virsh attach-device DOMAIN memory.xml}, with the DIMM XML written for you and the
 * request checked first. Prints the resulting memory view.
 */
@Command(name = "attach-memory", header = "Hot-add memory as a DIMM (virsh attach-device with the guide's XML).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Hot-add memory as a DIMM (virsh attach-device with the guide's <memory model='dimm'> XML).",
      "Checks first: domain prepared (maxMemory slots + NUMA cell), total <= maxMemory, a free slot,",
      "the node exists, SIZE is a multiple of the guest memory block (128 MiB). Without --live/--config: live."
    })
final class AttachMemoryCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Parameters(index = "1", paramLabel = "SIZE", description = "memory to add, with a unit: 1GiB, 512MiB")
  String size;

  @Option(names = "--node", paramLabel = "N", description = "guest NUMA node (a <cell id>; default 0)")
  Integer node;

  @Option(names = "--split", paramLabel = "SIZE", description = "split into DIMMs of this size (each takes a slot)")
  String split;

  @Option(names = "--live", description = "change the running domain")
  boolean live;

  @Option(names = "--config", description = "change the persistent definition (next boot)")
  boolean config;

  @Option(names = "--dry-run", description = "print the plan (DIMM XML included) and change nothing")
  boolean dryRun;

  @Option(names = "--online-through-agent", description = "online the DIMM's memory blocks through the guest"
      + " agent once the host shows it (guests without udev rules; the agent is checked first)")
  boolean agent;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      DomainHandle d = client.domain(domain);
      MemoryChange c = d.memory().model(dev.vmhotplug.core.MemoryModel.DIMM).add(size);
      if (agent) {
        c = c.onlineThroughAgent();
      }
      if (node != null) {
        c = c.node(node);
      }
      if (split != null) {
        c = c.split(AttachMemoryCommand.Support.size(split));
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

  /** What the memory commands share: connecting, scopes, sizes, and the exit codes for failures. */
  static final class Support {
    private Support() {}

    /**
     * Connects through the shared {@code -c} option, runs the action, closes; refusals and failures
     * go to stderr with exit code 1 (see {@link ConnectionOptions#run}); a domain XML libvirt returned
     * that cannot be parsed is a failure too. Flushes stdout.
     */
    static int run(ConnectionOptions connection, PrintWriter out, PrintWriter err, ConnectionOptions.Action action) {
      try {
        return connection.run(err, action);
      } catch (DomainXmlException e) {
        err.println("failed: " + e.getMessage());
        return HotplugCli.FAILED;
      } finally {
        out.flush();
        err.flush();
      }
    }

    /** Applies --live/--config; neither means live, as virsh does. */
    static MemoryChange scoped(MemoryChange c, boolean live, boolean config) {
      MemoryChange s = c;
      if (live) {
        s = s.live();
      }
      if (config) {
        s = s.config();
      }
      return s;
    }

    /** Parses a size with a unit, refusing a bare number like the SDK does. */
    static dev.vmhotplug.xml.MemorySize size(String text) {
      try {
        return dev.vmhotplug.xml.MemorySize.parse(text);
      } catch (DomainXmlException e) {
        throw new PreconditionException(dev.vmhotplug.core.Refusal.NO_UNIT, "cannot use the size '" + text + "': "
            + e.getMessage(), e);
      }
    }
  }
}
