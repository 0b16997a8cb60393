package dev.vmhotplug.examples.demo;

import dev.vmhotplug.core.AgentGuestProbe;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.EnsurePlan;
import dev.vmhotplug.core.EnsureResult;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.Verification;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintStream;

/**
 * Entry point of {@code hotplug demo}: the throwaway-VM walk ({@link #lab}), its fallback on
 * libvirt's test driver ({@link #testDriver}), and the walk over a user's existing domain
 * ({@link #existing}).
 */
public final class Demo {
  /** vCPUs the throwaway guest boots with (the guide's example starts at 2). */
  public static final int BOOT_VCPUS = 2;

  private final PrintStream out;
  private final PrintStream err;

  /**
   * Creates a demo printing its transcript to {@code out} and errors to {@code err}.
   */
  public Demo(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Boots a throwaway VM with the VM lab and walks the guide on it; falls back to the test driver
   * when QEMU cannot run here.
   *
   * @return true when every check held
   */
  public boolean lab(int vcpus, MemorySize dimm) throws Exception {
    return new GuideDemo(out, BOOT_VCPUS, vcpus, dimm).run();
  }

  /**
   * Walks the guide on a VM lab that is already running (used by the integration test, which
   * shares one lab per run); the caller closes the lab.
   *
   * @return true when every check held
   */
  public boolean lab(dev.vmhotplug.lab.VmLab lab, int vcpus, MemorySize dimm) throws Exception {
    return new GuideDemo(out, BOOT_VCPUS, vcpus, dimm).walk(lab);
  }

  /**
   * Runs the CPU part of the guide on libvirt's test driver only.
   *
   * @return true when every check held
   */
  public boolean testDriver(int vcpus) throws Exception {
    Transcript t = new Transcript(out);
    out.println("hotplug demo (test driver): the CPU part of the hotplug guide on libvirt's built-in test driver.");
    return new TestDriverDemo(t, BOOT_VCPUS, vcpus).run();
  }

  /**
   * Walks an existing domain: inspects it, plans the change to {@code vcpus} vCPUs plus one DIMM of
   * {@code dimm}, and applies it (live only) when {@code apply} is true.
   *
   * @return true when every check held
   */
  public boolean existing(String uri, String name, int vcpus, MemorySize dimm, boolean apply) {
    Transcript t = new Transcript(out);
    out.println("hotplug demo on " + uri + ", domain " + name + (apply ? "" : " (read-only: add --yes to apply)"));
    try (HotplugClient client = HotplugClient.connect(uri)) {
      DomainHandle dom = client.domain(name);
      t.step("vCPUs", "virsh -c " + uri + " vcpucount " + name);
      t.show(dom.vcpuCount().toString());
      t.step("Memory: maxMemory, slots, DIMMs, NUMA cells", "virsh -c " + uri + " dumpxml " + name);
      t.show(dom.memoryView().toString());
      t.step("Memory as QEMU reports it", "virsh -c " + uri + " dommemstat " + name);
      t.show(dom.memoryStats().toString());
      MemorySize target = dom.memoryView().effective().memory().plus(dimm);
      t.step("Plan: " + vcpus + " vCPUs and " + target + " in total, running VM only (dry run)",
          "virsh setvcpus " + name + " " + vcpus + " --live; virsh attach-device " + name + " memory.xml --live");
      EnsurePlan plan = dom.ensure().vcpus(vcpus).memory(target).live().plan();
      t.show(plan.toString());
      t.check(true, "the request passed every check before any change");
      if (!apply) {
        t.skip("applying the plan", "read-only walk: run again with --yes to change " + name);
        t.summary("existing domain, read-only");
        return t.failed().isEmpty();
      }
      Verification verification = Verification.HOST;
      AgentGuestProbe agent = AgentGuestProbe.create();
      try {
        GuestFacts facts = agent.facts(dom);
        t.show("guest agent answers: " + facts.processorCount().orElse(-1) + " processors");
        verification = Verification.guest(agent);
      } catch (HotplugException e) {
        t.skip("guest-side verification", e.getMessage());
      }
      t.step("Apply", null);
      EnsureResult result = dom.ensure().vcpus(vcpus).memory(target).live().verify(verification).apply();
      t.show(result.toString());
      t.check(dom.vcpuCount().currentLive().orElse(-1) == vcpus, "current live = " + vcpus);
      t.show(dom.vcpuCount().toString());
      t.summary("existing domain " + name);
      return t.failed().isEmpty();
    } catch (HotplugException e) {
      err.println("hotplug demo: " + e.getMessage());
      t.check(false, e.getClass().getSimpleName());
      t.summary("existing domain " + name);
      return false;
    }
  }
}
