package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.VcpuResult;
import java.io.PrintStream;

/** Sets the vCPU count of a running domain, live and persistently, and prints the vcpucount table. */
public final class AddVcpus {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    int vcpus = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, vcpus, System.out);
    }
  }

  public static VcpuResult run(HotplugClient client, String domain, int vcpus, PrintStream out) {
    VcpuResult result = client.domain(domain).vcpus().set(vcpus).live().config().apply();
    out.println(result.summary());
    out.println(result.after()); // the `virsh vcpucount` table
    return result;
  }
}
