package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.PrepareResult;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug [-c URI] prepare-domain DOMAIN --max-vcpus N --max-memory SIZE --slots S}: the
 * guide's "domain XML change" steps applied to a defined domain through libvirt (inactive XML,
 * prepare, define). Prints what changed and that it takes effect at the next cold boot; defines
 * nothing when the domain is already prepared. For XML files without libvirt see {@code prepare}.
 */
@Command(name = "prepare-domain", header = "Prepare a defined domain for CPU and memory hotplug (next cold boot).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Prepare a defined domain for hotplug: raise the vCPU maximum, add maxMemory with slots and a",
      "NUMA cell, define it. Takes effect at the next cold boot (shutdown + start)."
    })
final class PrepareDomainCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "domain name or UUID")
  String domain;

  @Option(names = "--max-vcpus", required = true, paramLabel = "N", description = "most vCPUs the domain may have")
  int maxVcpus;

  @Option(names = "--max-memory", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
      description = "most memory the domain may reach, with a unit: 16GiB, 16384MiB")
  MemorySize maxMemory;

  @Option(names = "--slots", required = true, paramLabel = "S", description = "memory slots (DIMMs), 1..256")
  int slots;

  @Override
  public Integer call() {
    HotplugLimits limits;
    try {
      limits = HotplugLimits.builder().maxVcpus(maxVcpus).maxMemory(maxMemory).slots(slots).build();
    } catch (DomainXmlException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(e.getMessage());
      spec.commandLine().usage(err);
      return HotplugCli.USAGE;
    }
    PrintWriter out = spec.commandLine().getOut();
    return connection.run(spec.commandLine().getErr(), client -> {
      PrepareResult r = client.domain(domain).prepare(limits);
      if (r.changed()) {
        out.println("domain '" + r.domain() + "' prepared for " + limits + ":");
        for (String c : r.changes()) {
          out.println("  " + c);
        }
        out.println(r.coldBootNeeded()
            ? "takes effect at the next cold boot: virsh shutdown " + r.domain() + "; virsh start " + r.domain()
                + " (a reboot inside the guest is not enough)"
            : "takes effect when the domain is next started: virsh start " + r.domain());
      } else {
        out.println(r.summary());
      }
      return HotplugCli.OK;
    });
  }

  /** Parses a size with a unit; a bare number is a usage error that suggests the unit. */
  static final class SizeConverter implements CommandLine.ITypeConverter<MemorySize> {
    @Override
    public MemorySize convert(String value) {
      try {
        return MemorySize.parse(value);
      } catch (DomainXmlException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
