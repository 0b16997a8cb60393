/*
 * Recipe: check a mounted guest image (guestmount -a disk.qcow2 -i DIR) for the udev rules that online
 * hot-added CPUs and memory, and with --write install the missing ones into its /etc/udev/rules.d.
 * Run: java -cp hotplug.jar dev.vmhotplug.examples.recipes.RulesForImageRoot DIR [--write]
 */
package dev.vmhotplug.examples.recipes;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.GuestRoot;
import dev.vmhotplug.guest.rules.RuleFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Prints the distro and a verdict per resource for a guest root; writes the missing rules when asked. */
public final class RulesForImageRoot {
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "/mnt/guest");
    run(root, args.length > 1 && args[1].equals("--write"), System.out);
  }

  /** Returns the advice for the root as it is at the end (after writing, when asked). */
  public static Advice run(Path root, boolean write, PrintStream out) throws IOException {
    Advice advice = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    out.println("distro: " + advice.distro());
    advice.resources().forEach(r -> out.println((r.needsRule() ? "NEEDS A RULE  " : "covered       ") + r.reason()));
    if (advice.covered() || !write) {
      out.println(advice.covered() ? "nothing to install" : "run with --write to install " + advice.rules().size() + " rule file(s)");
      return advice;
    }
    Path dir = Files.createDirectories(root.resolve("etc/udev/rules.d"));
    if (!dir.toRealPath().startsWith(root.toRealPath())) { // a link in the image must not lead onto the host
      throw new IOException(dir + " leads outside the guest root (" + dir.toRealPath() + "): not writing");
    }
    for (RuleFile f : advice.rules()) {
      Files.deleteIfExists(dir.resolve(f.fileName())); // a mask (link to /dev/null) is replaced, never followed
      Files.writeString(dir.resolve(f.fileName()), f.content(), StandardOpenOption.CREATE_NEW);
      out.println("wrote /etc/udev/rules.d/" + f.fileName());
    }
    Advice after = Advice.forRoot(GuestRoot.open(root), AdviceOptions.defaults());
    after.detected().values().forEach(v -> out.println("now: " + v.summary()));
    return after;
  }
}
