package dev.vmhotplug.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hotplug demo}: boots a throwaway VM and walks the whole guide on it (coming with the demo issue). */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Boot a throwaway VM and walk the hotplug guide on it (placeholder until the demo lands).")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("hotplug demo: not built yet. It will boot a throwaway QEMU guest through a private");
    System.out.println("libvirt daemon, hot-add vCPUs and a DIMM, and show that the guest onlined them.");
    return HotplugCli.OK;
  }
}
