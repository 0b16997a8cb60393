package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.AgentOnlineResult;
import dev.vmhotplug.core.GuestAgent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] agent-online DOMAIN [--cpus | --memory] [--timeout 5s] [--json]}: brings
 * every offline vCPU and memory block of the guest online through its QEMU guest agent, for guests
 * without udev rules; verified with the agent.
 */
@Command(name = "agent-online", header = "Online offline vCPUs and memory in the guest through its guest agent.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Bring every vCPU and memory block that the guest has offline (hot-added, no udev rule) online",
      "through the QEMU guest agent (guest-set-vcpus, guest-set-memory-blocks), and verify it with the",
      "agent. Needs the agent channel in the domain and qemu-guest-agent running in the guest."
    })
final class AgentOnlineCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @CommandLine.ArgGroup(exclusive = true)
  Only only;

  static final class Only {
    @Option(names = "--cpus", required = true, description = "vCPUs only") boolean cpus;
    @Option(names = "--memory", required = true, description = "memory blocks only") boolean memory;
  }

  @Option(names = "--timeout", paramLabel = "DURATION", converter = ColdBootCommand.DurationConverter.class,
      description = "bound of each agent command, whole seconds: 5s, 30s (default 5s)")
  Duration timeout = GuestAgent.DEFAULT_TIMEOUT;

  @Option(names = "--json", description = "print one JSON object on stdout")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      GuestAgent agent = client.domain(domain).guestAgent().timeout(timeout);
      AgentOnlineResult r = only == null ? agent.online() : only.cpus ? agent.onlineCpus() : agent.onlineMemory();
      out.println(json ? toJson(r) : r.summary());
      return HotplugCli.OK;
    });
  }

  static String toJson(AgentOnlineResult r) {
    return "{\"domain\":" + Json.string(r.domain()) + ",\"cpus_onlined\":" + numbers(r.cpusOnlined())
        + ",\"blocks_onlined\":" + numbers(r.blocksOnlined()) + ",\"cpus_already_online\":" + r.cpusAlreadyOnline()
        + ",\"blocks_already_online\":" + r.blocksAlreadyOnline() + ",\"commands\":" + Json.strings(r.commands())
        + ",\"verify_reads\":" + r.verifyReads() + ",\"elapsed_ms\":" + r.elapsed().toMillis() + "}";
  }

  private static String numbers(List<? extends Number> ns) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < ns.size(); i++) {
      b.append(i == 0 ? "" : ",").append(ns.get(i));
    }
    return b.append(']').toString();
  }
}
