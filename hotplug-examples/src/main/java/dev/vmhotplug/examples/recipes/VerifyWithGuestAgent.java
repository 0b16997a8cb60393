/*
 * Recipe: hot-add memory and prove that the guest onlined it, asking the QEMU guest agent.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.VerifyWithGuestAgent [URI] [DOMAIN] [SIZE]
 * Needs the agent channel in the domain (org.qemu.guest_agent.0) and qemu-ga running in the guest.
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.core.AgentGuestProbe;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.MemoryResult;
import dev.vmhotplug.core.Verification;
import dev.vmhotplug.core.VerificationTimeoutException;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;
import java.util.Optional;

/** Adds a DIMM live and persistently, verified inside the guest, and prints the guest's verdict. */
public final class VerifyWithGuestAgent {
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "qemu:///system";
    String domain = args.length > 1 ? args[1] : "web-1";
    MemorySize size = MemorySize.parse(args.length > 2 ? args[2] : "1GiB");
    try (HotplugClient client = HotplugClient.connect(uri)) {
      run(client, domain, size, System.out);
    }
  }

  /** Returns the guest's verdict; empty when the guest did not online the memory in time. */
  public static Optional<GuestVerdict> run(HotplugClient client, String domain, MemorySize size, PrintStream out) {
    try {
      MemoryResult result = client.domain(domain).memory().add(size).live().config()
          .verify(Verification.guest(AgentGuestProbe.create())).apply();
      out.println(result);
      result.guest().ifPresent(v -> out.println("guest verdict: " + v.status() + "\n" + String.join("\n", v.findings())));
      return result.guest();
    } catch (VerificationTimeoutException e) { // attached, but the guest did not online it: the message says why
      out.println("attached, but not in use by the guest: " + e.getMessage());
      return Optional.empty();
    }
  }
}
