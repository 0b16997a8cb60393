package dev.vmhotplug.guest.truth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Compares what a guest reports ({@link GuestFacts}) with what the hypervisor gave it
 * ({@link GuestExpectation}) and says whether the guest onlined it, and if not, why.
 *
 * <p>Rules:
 * <ul>
 *   <li>CPUs present but not online: NOT_ONLINE, "no udev rule onlines CPUs".</li>
 *   <li>Fewer CPUs present, online or in {@code /proc/cpuinfo} than expected vCPUs: NOT_ONLINE.
 *       More than expected: CANNOT_TELL (the expectation is stale, or an unplug is still pending).</li>
 *   <li>Memory blocks offline: NOT_ONLINE, naming the blocks.</li>
 *   <li>With a baseline {@code MemTotal} and the amount added: growth short by less than the page
 *       tables of the added memory (struct page, 64 bytes per 4 KiB page = 1/64) plus half a memory
 *       block is OK and explained; a bigger shortfall is NOT_ONLINE, in blocks.</li>
 *   <li>Without a baseline, {@code MemTotal} against the total given: a shortfall above
 *       max(1/8 of the total, 192 MiB) (kernel image, reserved ranges, crashkernel) is NOT_ONLINE;
 *       below it the check says it cannot see one missing block and how to be precise.</li>
 *   <li>An expectation with no fact to check it against: CANNOT_TELL, naming the missing facts.</li>
 * </ul>
 * Any NOT_ONLINE finding makes the verdict NOT_ONLINE, else any CANNOT_TELL finding makes it
 * CANNOT_TELL, else OK. Stateless and thread-safe.
 */
public final class GuestCheck {

  /** Linux's default memory block size on x86_64 guests below 64 GiB: 128 MiB. */
  static final long DEFAULT_BLOCK_BYTES = 128L << 20;

  private static final String CPU_ADVICE =
      "no udev rule onlines CPUs on this guest (see `hotplug udev-rules`)";
  private static final String MEMORY_ADVICE =
      "no udev rule onlines hot-added memory on this guest (see `hotplug udev-rules`)";

  private GuestCheck() {}

  /**
   * Checks the facts against the expectation.
   *
   * @param facts what the guest reports
   * @param expected what the hypervisor gave
   * @return the verdict with its findings
   */
  public static GuestVerdict check(GuestFacts facts, GuestExpectation expected) {
    List<String> problems = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    List<String> fine = new ArrayList<>();
    expected.vcpus().ifPresent(n -> checkCpus(facts, n, problems, unknown, fine));
    if (expected.memoryKiB().isPresent() || expected.addedKiB().isPresent()) {
      checkMemory(facts, expected, problems, unknown, fine);
    }
    List<String> all = new ArrayList<>(problems);
    all.addAll(unknown);
    all.addAll(fine);
    GuestVerdict.Status status = !problems.isEmpty() ? GuestVerdict.Status.NOT_ONLINE
        : !unknown.isEmpty() ? GuestVerdict.Status.CANNOT_TELL : GuestVerdict.Status.OK;
    return new GuestVerdict(status, all);
  }

  private static void checkCpus(GuestFacts f, int n, List<String> problems, List<String> unknown,
      List<String> fine) {
    boolean offlineReported = false;
    if (f.cpusPresent().isPresent() && f.cpusOnline().isPresent()) {
      CpuList offline = f.cpusPresent().get().minus(f.cpusOnline().get());
      if (!offline.isEmpty()) {
        problems.add((offline.size() == 1 ? "CPU " : "CPUs ") + offline.format() + " present but offline: "
            + CPU_ADVICE);
        offlineReported = true;
      }
    }
    boolean presentShort = false;
    if (f.cpusPresent().isPresent()) {
      CpuList present = f.cpusPresent().get();
      if (present.size() < n) {
        presentShort = true;
        problems.add("the guest has " + cpus(present.size()) + " present (" + present.format()
            + ") but the hypervisor gives it " + n + " vCPUs: the hot-added vCPU has not reached the"
            + " guest kernel (check `virsh vcpucount` and the guest's dmesg for ACPI CPU hotplug)");
      } else if (present.size() > n) {
        unknown.add("the guest has " + cpus(present.size()) + " present (" + present.format()
            + ") but " + n + " vCPUs are expected: the expectation is stale, or a vCPU unplug is"
            + " still pending in the guest");
      }
    }
    OptionalInt online = f.cpusOnline().isPresent() ? OptionalInt.of(f.cpusOnline().get().size())
        : f.processorCount();
    String source = f.cpusOnline().isPresent() ? "/sys/devices/system/cpu/online: "
        + f.cpusOnline().get().format() : "/proc/cpuinfo";
    if (f.cpusOnline().isPresent() && f.processorCount().isPresent()
        && f.processorCount().getAsInt() != f.cpusOnline().get().size()) {
      unknown.add("/proc/cpuinfo lists " + f.processorCount().getAsInt() + " processors but"
          + " /sys/devices/system/cpu/online lists " + cpus(f.cpusOnline().get().size())
          + ": the two were not read at the same moment or from the same guest");
    }
    if (online.isEmpty()) {
      if (f.cpusPresent().isEmpty()) {
        unknown.add("cannot tell whether the guest onlined its vCPUs: no /proc/cpuinfo and no"
            + " /sys/devices/system/cpu/online" + why(f, "cpu"));
      } else if (!presentShort) {
        unknown.add("cannot tell which CPUs are online: /sys/devices/system/cpu/present is known but"
            + " neither /proc/cpuinfo nor /sys/devices/system/cpu/online" + why(f, "cpu"));
      }
      return;
    }
    int on = online.getAsInt();
    if (on < n) {
      if (!offlineReported) {
        problems.add("the guest has " + cpus(on) + " online (" + source + ") but the hypervisor gives"
            + " it " + n + " vCPUs: " + (n - on) + " added vCPU" + (n - on == 1 ? " is" : "s are")
            + " not online; probably " + CPU_ADVICE);
      }
    } else if (on > n) {
      unknown.add("the guest has " + cpus(on) + " online (" + source + ") but " + n + " vCPUs are"
          + " expected: the expectation is stale, or a vCPU unplug is still pending in the guest");
    } else {
      fine.add(cpus(on) + " online, as expected (" + source + ")");
    }
  }

  private static void checkMemory(GuestFacts f, GuestExpectation e, List<String> problems,
      List<String> unknown, List<String> fine) {
    long blockBytes = f.blockSizeBytes().orElse(DEFAULT_BLOCK_BYTES);
    long blockKiB = blockBytes / 1024;
    boolean anyFact = false;
    if (f.memoryBlockStates().isPresent()) {
      anyFact = true;
      Map<Integer, String> states = f.memoryBlockStates().get();
      List<Integer> offline = states.entrySet().stream().filter(x -> x.getValue().equals("offline"))
          .map(Map.Entry::getKey).collect(Collectors.toList());
      List<Integer> going = states.entrySet().stream().filter(x -> x.getValue().equals("going-offline"))
          .map(Map.Entry::getKey).collect(Collectors.toList());
      if (!offline.isEmpty()) {
        String size = f.blockSizeBytes().isPresent()
            ? ", " + size(offline.size() * blockKiB) + " in all" : "";
        problems.add(offline.size() + " memory block" + (offline.size() == 1 ? "" : "s") + " offline ("
            + names(offline) + size + "): " + MEMORY_ADVICE);
      } else {
        fine.add("all " + states.size() + " memory blocks are online");
      }
      if (!going.isEmpty()) {
        unknown.add(going.size() + " memory block" + (going.size() == 1 ? " is" : "s are")
            + " going offline (" + names(going) + "): an unplug is in progress; check again later");
      }
    }
    if (f.memTotalKiB().isPresent()) {
      anyFact = true;
      long total = f.memTotalKiB().getAsLong();
      if (e.addedKiB().isPresent() && e.baselineMemTotalKiB().isPresent()) {
        long added = e.addedKiB().getAsLong();
        long grew = total - e.baselineMemTotalKiB().getAsLong();
        long shortfall = added - grew;
        long allowance = added / 64 + blockKiB / 2;
        if (grew <= 0) {
          problems.add("MemTotal did not grow (" + size(e.baselineMemTotalKiB().getAsLong())
              + " before, " + size(total) + " now) although " + size(added) + " was added: the new"
              + " memory is not online; " + MEMORY_ADVICE);
        } else if (shortfall <= 0) {
          fine.add("MemTotal grew by " + size(grew) + ", all of the " + size(added) + " added");
        } else if (shortfall <= allowance) {
          fine.add("MemTotal grew by " + size(grew) + " of " + size(added) + ": the kernel reserves"
              + " the rest for its page tables (struct page)");
        } else {
          long blocks = (shortfall + blockKiB / 2) / blockKiB;
          problems.add("MemTotal grew by " + size(grew) + " of " + size(added) + ": " + size(shortfall)
              + " is missing, about " + blocks + " memory block" + (blocks == 1 ? "" : "s") + " of "
              + size(blockKiB) + " not online; " + MEMORY_ADVICE);
        }
      } else if (e.memoryKiB().isPresent()) {
        long given = e.memoryKiB().getAsLong();
        long shortfall = given - total;
        long allowance = Math.max(given / 8, 192L * 1024);
        if (shortfall < 0) {
          unknown.add("MemTotal is " + size(total) + ", more than the " + size(given) + " expected:"
              + " the expectation is stale, or a memory unplug is still pending in the guest");
        } else if (shortfall > allowance) {
          problems.add("MemTotal is " + size(total) + ", " + size(shortfall) + " short of the "
              + size(given) + " the hypervisor gives, more than the kernel reserves (up to about "
              + size(allowance) + "): added memory is missing or offline; " + MEMORY_ADVICE);
        } else {
          fine.add("MemTotal is " + size(total) + " of the " + size(given) + " given: the " + size(shortfall)
              + " difference is within what the kernel reserves (a single offline block of "
              + size(blockKiB) + " could hide in it: give the memory blocks, or a baseline and the"
              + " amount added, for a precise check)");
        }
      }
    }
    if (!anyFact) {
      unknown.add("cannot tell whether the guest onlined its memory: no node meminfo (MemTotal) and no"
          + " memory block states" + why(f, "mem"));
    } else if (e.addedKiB().isPresent() && e.baselineMemTotalKiB().isEmpty()
        && f.memoryBlockStates().isEmpty() && e.memoryKiB().isEmpty()) {
      unknown.add("cannot tell whether the " + size(e.addedKiB().getAsLong()) + " added is online:"
          + " MemTotal alone says nothing without the MemTotal from before the hot-add (baseline)");
    }
  }

  private static String why(GuestFacts f, String prefix) {
    StringBuilder sb = new StringBuilder();
    f.unavailable().forEach((k, v) -> {
      String key = k.toLowerCase(Locale.ROOT);
      boolean cpu = key.contains("cpu");
      if (prefix.equals("cpu") == cpu) {
        sb.append("; ").append(k).append(": ").append(v);
      }
    });
    return sb.toString();
  }

  private static String names(List<Integer> blocks) {
    int shown = Math.min(blocks.size(), 8);
    String s = blocks.subList(0, shown).stream().map(b -> "memory" + b).collect(Collectors.joining(", "));
    return blocks.size() > shown ? s + ", ... " + (blocks.size() - shown) + " more" : s;
  }

  private static String cpus(int n) {
    return n + (n == 1 ? " CPU" : " CPUs");
  }

  /** Formats KiB: whole GiB as "2 GiB", whole MiB as "240 MiB", else MiB with one decimal. */
  static String size(long kib) {
    if (kib != 0 && kib % (1024 * 1024) == 0) {
      return kib / (1024 * 1024) + " GiB";
    }
    if (kib % 1024 == 0) {
      return kib / 1024 + " MiB";
    }
    return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
  }
}
