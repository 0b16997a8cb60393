package dev.vmhotplug.examples.cli;

import dev.vmhotplug.examples.demo.Demo;
import dev.vmhotplug.xml.MemorySize;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hotplug demo}: boots a throwaway VM and walks the whole guide on it. */
@Command(name = "demo", header = "Boot a throwaway VM and walk the whole hotplug guide on it (the demo).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Boot a throwaway QEMU guest (private libvirt daemon, tiny Linux guest with the generated udev rules)",
      "and walk the hotplug guide on it: prepared XML, vcpucount, setvcpus --live --config, a DIMM",
      "attached --live --config, dommemstat, the guest's own processor count and memory blocks, the guest",
      "check, shutdown + start. Each step shows the equivalent virsh command.",
      "With --uri and --domain it walks an existing domain of yours instead (read-only unless --yes).",
      "When QEMU cannot run here, the CPU part runs on libvirt's test driver and the rest is reported as skipped.",
      "Needs root for the VM lab (it starts its own libvirtd and QEMU)."})
final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--uri", paramLabel = "URI", description = "walk an existing domain on this libvirt URI instead of a throwaway VM")
  String uri;

  @Option(names = "--domain", paramLabel = "NAME", description = "the existing domain to walk (with --uri)")
  String domain;

  @Option(names = "--yes", description = "with --uri: really change the domain (without it the walk only inspects and plans)")
  boolean yes;

  @Option(names = "--vcpus", paramLabel = "N", defaultValue = "4", description = "vCPU total to reach (default: ${DEFAULT-VALUE})")
  int vcpus;

  @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "256MiB", description = "DIMM size to hot-add (default: ${DEFAULT-VALUE})")
  String memory;

  @Option(names = "--test-driver", description = "skip the VM lab and run the CPU part on libvirt's test driver")
  boolean testDriver;

  @Override
  public Integer call() throws Exception {
    if ((uri == null) != (domain == null)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--uri and --domain go together");
    }
    MemorySize size;
    try {
      size = MemorySize.parse(memory);
    } catch (RuntimeException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--memory: " + e.getMessage());
    }
    if (vcpus < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--vcpus must be at least 1");
    }
    Demo demo = new Demo(System.out, System.err);
    boolean ok;
    if (uri != null) {
      ok = demo.existing(uri, domain, vcpus, size, yes);
    } else if (testDriver) {
      ok = demo.testDriver(vcpus);
    } else {
      ok = demo.lab(vcpus, size);
    }
    return ok ? HotplugCli.OK : HotplugCli.FAILED;
  }
}
