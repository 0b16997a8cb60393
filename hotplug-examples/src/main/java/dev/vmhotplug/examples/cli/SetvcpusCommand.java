package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.VcpuChange;
import dev.vmhotplug.core.VcpuResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] setvcpus DOMAIN COUNT [--live] [--config] [--timeout SECONDS]}: the guide's
 * {@code virsh setvcpus}, checked first (count >= 1, within the maximum, domain running for
 * --live, persistent for --config), verified in the domain XML afterwards (a hot-unplug is waited
 * for), then the resulting {@code vcpucount} table is printed.
 */
@Command(name = "setvcpus", header = "Set the total number of vCPUs, live and/or config (virsh setvcpus).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Set the total number of vCPUs (virsh setvcpus), then print the vcpucount table.",
      "Without --live/--config: live, as virsh does. A smaller COUNT is a hot-unplug, waited for."
    })
final class SetvcpusCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Parameters(index = "1", paramLabel = "COUNT", description = "total number of vCPUs wanted")
  int count;

  @Option(names = "--live", description = "change the running domain")
  boolean live;

  @Option(names = "--config", description = "change the persistent definition (next boot)")
  boolean config;

  @Option(names = "--online-through-agent", description = "online the added vCPUs through the guest agent once"
      + " the host shows them (guests without udev rules; the agent is checked first)")
  boolean agent;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "how long to wait for the change to show (default: ${DEFAULT-VALUE})", defaultValue = "30")
  long timeoutSeconds;

  @Override
  public Integer call() {
    if (timeoutSeconds < 0) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("--timeout must be 0 or more seconds, got " + timeoutSeconds);
      spec.commandLine().usage(err);
      return HotplugCli.USAGE;
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return connection.run(err, client -> {
      DomainHandle d = client.domain(domain);
      VcpuChange c = d.vcpus().set(count).timeout(Duration.ofSeconds(timeoutSeconds));
      if (live) {
        c = c.live();
      }
      if (config) {
        c = c.config();
      }
      if (agent) {
        c = c.onlineThroughAgent();
      }
      VcpuResult r = c.apply();
      out.println(r.summary());
      for (String w : r.warnings()) {
        err.println("warning: " + w);
      }
      out.println(d.vcpuCount()); // the whole table, both sides, read afresh
      return HotplugCli.OK;
    });
  }
}
