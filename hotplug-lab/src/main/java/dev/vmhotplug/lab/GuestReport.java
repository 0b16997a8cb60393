package dev.vmhotplug.lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One status line the lab guest printed on its serial console, parsed:
 * {@code HP seq=N t=UPTIME cpus_online=0-1 cpus_present=0-1 nproc=2 node0_memtotal_kb=K
 * blocks_online=0,1,2,3 blocks_offline=32,33 udevd=1}.
 *
 * @param boot which boot of the domain printed it (1 = first start, 2 = after a restart, …)
 * @param seq the guest's line counter within that boot
 * @param uptimeSeconds the guest's /proc/uptime when sampled
 * @param cpusOnline /sys/devices/system/cpu/online, a range list like "0-1,3"
 * @param cpusPresent /sys/devices/system/cpu/present
 * @param processorCount "processor" lines in /proc/cpuinfo (the guide's check)
 * @param node0MemTotalKiB MemTotal of /sys/devices/system/node/node0/meminfo, in KiB
 * @param blocksOnline memory block numbers whose state is online
 * @param blocksOffline memory block numbers whose state is anything else (offline)
 * @param udevdRunning whether systemd-udevd is alive
 * @param receivedNanos host System.nanoTime() when the harness read the line
 * @param line the raw line
 */
public record GuestReport(int boot, int seq, double uptimeSeconds, String cpusOnline, String cpusPresent,
    int processorCount, long node0MemTotalKiB, List<Integer> blocksOnline, List<Integer> blocksOffline,
    boolean udevdRunning, long receivedNanos, String line) {

  /** Canonical constructor: copies the lists. */
  public GuestReport {
    blocksOnline = List.copyOf(blocksOnline);
    blocksOffline = List.copyOf(blocksOffline);
  }

  /** Parses a "HP ..." line; empty when the line is not one. */
  static Optional<GuestReport> parse(String line, int boot, long receivedNanos) {
    if (!line.startsWith("HP ")) {
      return Optional.empty();
    }
    Map<String, String> kv = new HashMap<>();
    for (String part : line.substring(3).trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    try {
      return Optional.of(new GuestReport(boot, Integer.parseInt(kv.get("seq")), Double.parseDouble(kv.get("t")),
          kv.get("cpus_online"), kv.get("cpus_present"), Integer.parseInt(kv.get("nproc")),
          Long.parseLong(kv.get("node0_memtotal_kb")), numbers(kv.get("blocks_online")),
          numbers(kv.get("blocks_offline")), "1".equals(kv.get("udevd")), receivedNanos, line));
    } catch (RuntimeException e) {
      return Optional.empty(); // a line torn by console interleaving: skip it
    }
  }

  private static List<Integer> numbers(String csv) {
    if (csv == null || csv.isEmpty()) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      out.add(Integer.parseInt(s));
    }
    return out;
  }

  /** @return how many CPUs are online */
  public int cpusOnlineCount() {
    return countRange(cpusOnline);
  }

  /** @return how many CPUs are present */
  public int cpusPresentCount() {
    return countRange(cpusPresent);
  }

  /** @return all memory block numbers */
  public int blocksTotal() {
    return blocksOnline.size() + blocksOffline.size();
  }

  /** @return block number to state ("online" or "offline") */
  public Map<Integer, String> blockStates() {
    Map<Integer, String> m = new HashMap<>();
    blocksOnline.forEach(b -> m.put(b, "online"));
    blocksOffline.forEach(b -> m.put(b, "offline"));
    return Collections.unmodifiableMap(m);
  }

  /** Counts the CPUs of a sysfs range list like "0-2,5" (empty string: none). */
  static int countRange(String list) {
    if (list == null || list.isBlank()) {
      return 0;
    }
    int n = 0;
    for (String part : list.trim().split(",")) {
      int dash = part.indexOf('-');
      n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
    }
    return n;
  }

  @Override
  public String toString() {
    return line;
  }
}
