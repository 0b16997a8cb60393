package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.MemoryStats;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hotplug [-c URI] dommemstat DOMAIN [--json]}: {@code virsh dommemstat}, same layout. */
@Command(name = "dommemstat", header = "Memory statistics of a running domain (virsh dommemstat).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Memory statistics of a running domain, as virsh dommemstat prints them (values in KiB,",
      "e.g. 'actual 786432' is the memory the guest has; 'rss' the QEMU process)."
    })
final class DommemstatCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--json", description = "print one JSON object instead of virsh's lines")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return AttachMemoryCommand.Support.run(connection, out, err, client -> {
      MemoryStats s = client.domain(domain).memoryStats();
      if (json) {
        out.println(s.toJson());
      } else {
        out.print(s);
      }
      return HotplugCli.OK;
    });
  }
}
