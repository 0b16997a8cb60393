package dev.vmhotplug.lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One status line the lab guest printed on its serial console, parsed:
 * {@code HP seq=N t=UPTIME cpus_online=0-1 cpus_present=0-1 nproc=2 node0_memtotal_kb=K
 * blocks_online=0,1,2,3 blocks_offline=32,33 udevd=1 memtotal_kb=K nodes_kb=0:K,1:K vmem_kb=K}.
 * The last three fields are newer: a line without them parses with {@code memTotalKiB} equal to
 * node 0's, node 0 alone in {@code nodeMemTotalKiB} and {@code virtioMemKiB} 0.
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
 * @param memTotalKiB MemTotal of /proc/meminfo (all NUMA nodes), in KiB
 * @param nodeMemTotalKiB MemTotal of each NUMA node, in KiB, by node number
 * @param virtioMemKiB memory the guest's virtio-mem driver added ("System RAM (virtio_mem)" in
 *     /proc/iomem), in KiB: whole memory blocks; how much of it is plugged shows in MemTotal
 * @param receivedNanos host System.nanoTime() when the harness read the line
 * @param line the raw line
 */
public record GuestReport(int boot, int seq, double uptimeSeconds, String cpusOnline, String cpusPresent,
    int processorCount, long node0MemTotalKiB, List<Integer> blocksOnline, List<Integer> blocksOffline,
    boolean udevdRunning, long memTotalKiB, Map<Integer, Long> nodeMemTotalKiB, long virtioMemKiB,
    long receivedNanos, String line) {

  /** Canonical constructor: copies the lists and the map. */
  public GuestReport {
    blocksOnline = List.copyOf(blocksOnline);
    blocksOffline = List.copyOf(blocksOffline);
    nodeMemTotalKiB = Collections.unmodifiableMap(new TreeMap<>(nodeMemTotalKiB));
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
      long node0 = Long.parseLong(kv.get("node0_memtotal_kb"));
      Map<Integer, Long> nodes = new TreeMap<>();
      String nodesKb = kv.get("nodes_kb");
      if (nodesKb == null || nodesKb.isEmpty()) {
        nodes.put(0, node0);
      } else {
        for (String n : nodesKb.split(",")) {
          int colon = n.indexOf(':');
          nodes.put(Integer.parseInt(n.substring(0, colon)), Long.parseLong(n.substring(colon + 1)));
        }
      }
      String all = kv.get("memtotal_kb");
      String vmem = kv.get("vmem_kb");
      return Optional.of(new GuestReport(boot, Integer.parseInt(kv.get("seq")), Double.parseDouble(kv.get("t")),
          kv.get("cpus_online"), kv.get("cpus_present"), Integer.parseInt(kv.get("nproc")),
          node0, numbers(kv.get("blocks_online")),
          numbers(kv.get("blocks_offline")), "1".equals(kv.get("udevd")),
          all == null ? node0 : Long.parseLong(all), nodes, vmem == null ? 0 : Long.parseLong(vmem),
          receivedNanos, line));
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

  /**
   * @param node a NUMA node number
   * @return that node's MemTotal in KiB, or -1 when the guest has no such node
   */
  public long nodeMemTotal(int node) {
    return nodeMemTotalKiB.getOrDefault(node, -1L);
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
