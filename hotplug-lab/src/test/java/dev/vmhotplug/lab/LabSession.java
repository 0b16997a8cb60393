package dev.vmhotplug.lab;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Holds the VM lab (its daemon and the machine-wide lab lock) while a shell script explores it with
 * virsh: the tool behind the findings in docs/lab-virtio-mem.md and docs/lab-topology.md. Not a
 * test. The script gets the lab in its environment:
 *
 * <pre>
 * LAB_URI      qemu+unix:///system?socket=… of the private libvirtd
 * LAB_RUN      this run's directory (write domain XML, serial logs and pipes there)
 * LAB_PREFIX   hp-RUNID- : name domains with it, the lab destroys them at the end
 * LAB_KERNEL   the guest kernel
 * LAB_INITRD_NONE, LAB_INITRD_STANDARD, LAB_INITRD_MOVABLE   initramfs with those rules, no agent
 * LAB_INITRD_NONE_AGENT, LAB_INITRD_STANDARD_AGENT            ... with qemu-guest-agent
 * </pre>
 *
 * Run from the worktree root after {@code mvn -q -pl hotplug-lab -am test-compile}:
 * {@code java -cp "$(cat /tmp/lab-cp.txt):hotplug-lab/target/classes:hotplug-lab/target/test-classes"
 * dev.vmhotplug.lab.LabSession script.sh [MAX_MINUTES]}. The lab is closed (domains destroyed,
 * daemon stopped) when the script ends or after MAX_MINUTES (default 10: other users of the machine
 * wait for the lab lock at most 15 min).
 */
public final class LabSession {
  private LabSession() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: LabSession SCRIPT [MAX_MINUTES]");
      System.exit(2);
    }
    long minutes = args.length > 1 ? Long.parseLong(args[1]) : 10;
    int rc;
    try (VmLab lab = VmLab.start()) {
      GuestImage img = lab.image();
      List<String> cmd = new ArrayList<>(List.of("bash", args[0]));
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      Map<String, String> env = pb.environment();
      env.put("LAB_URI", lab.daemon().uri());
      env.put("LAB_RUN", lab.daemon().runDir().toString());
      env.put("LAB_PREFIX", lab.daemon().domainPrefix());
      env.put("LAB_KERNEL", img.kernel().toString());
      env.put("LAB_INITRD_NONE", img.initrd(GuestRules.NONE, false).toString());
      env.put("LAB_INITRD_STANDARD", img.initrd(GuestRules.STANDARD, false).toString());
      env.put("LAB_INITRD_MOVABLE", img.initrd(GuestRules.MOVABLE, false).toString());
      env.put("LAB_INITRD_NONE_AGENT", img.initrd(GuestRules.NONE, true).toString());
      env.put("LAB_INITRD_STANDARD_AGENT", img.initrd(GuestRules.STANDARD, true).toString());
      pb.directory(new File(Path.of("").toAbsolutePath().toString()));
      Process p = pb.start();
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        System.err.println("[LabSession] script still running after " + minutes + " min: killing it");
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        rc = 124;
      } else {
        rc = p.exitValue();
      }
    }
    System.exit(rc);
  }
}
