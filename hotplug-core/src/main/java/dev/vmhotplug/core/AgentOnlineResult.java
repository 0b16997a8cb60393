package dev.vmhotplug.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link GuestAgent#online()} (or {@code onlineCpus()} / {@code onlineMemory()}) did: the vCPUs
 * (guest logical ids) and memory blocks (guest block numbers, {@code memoryN} in sysfs) it brought
 * online, how many were online already, the agent commands it sent and how it verified them.
 * Immutable.
 */
public final class AgentOnlineResult {
  private final String domain;
  private final boolean cpusAsked;
  private final boolean memoryAsked;
  private final List<Integer> cpusOnlined;
  private final List<Long> blocksOnlined;
  private final int cpusAlreadyOnline;
  private final int blocksAlreadyOnline;
  private final List<String> commands;
  private final int verifyReads;
  private final Duration elapsed;

  AgentOnlineResult(String domain, boolean cpusAsked, boolean memoryAsked, List<Integer> cpusOnlined,
      List<Long> blocksOnlined, int cpusAlreadyOnline, int blocksAlreadyOnline, List<String> commands,
      int verifyReads, Duration elapsed) {
    this.domain = Objects.requireNonNull(domain);
    this.cpusAsked = cpusAsked;
    this.memoryAsked = memoryAsked;
    this.cpusOnlined = List.copyOf(cpusOnlined);
    this.blocksOnlined = List.copyOf(blocksOnlined);
    this.cpusAlreadyOnline = cpusAlreadyOnline;
    this.blocksAlreadyOnline = blocksAlreadyOnline;
    this.commands = List.copyOf(commands);
    this.verifyReads = verifyReads;
    this.elapsed = Objects.requireNonNull(elapsed);
  }

  /** {@return the domain's name} */
  public String domain() {
    return domain;
  }

  /** {@return the guest logical ids of the vCPUs brought online, ascending (empty when none was offline)} */
  public List<Integer> cpusOnlined() {
    return cpusOnlined;
  }

  /** {@return the guest memory block numbers brought online, ascending (empty when none was offline)} */
  public List<Long> blocksOnlined() {
    return blocksOnlined;
  }

  /** {@return vCPUs the agent reported online before (0 when vCPUs were not asked for)} */
  public int cpusAlreadyOnline() {
    return cpusAlreadyOnline;
  }

  /** {@return memory blocks the agent reported online before (0 when memory was not asked for)} */
  public int blocksAlreadyOnline() {
    return blocksAlreadyOnline;
  }

  /** {@return whether anything was brought online} */
  public boolean changed() {
    return !cpusOnlined.isEmpty() || !blocksOnlined.isEmpty();
  }

  /**
   * {@return the agent commands sent, in order, with the ids they changed:
   * {@code guest-ping}, {@code guest-get-vcpus}, {@code guest-set-vcpus [2, 3]}, … (the verification
   * reads are counted in {@link #verifyReads()})}
   */
  public List<String> commands() {
    return commands;
  }

  /** {@return how many times the agent was read back until it reported everything onlined as online} */
  public int verifyReads() {
    return verifyReads;
  }

  /** {@return wall time of the whole operation} */
  public Duration elapsed() {
    return elapsed;
  }

  /** {@return what was done, in words} */
  public String summary() {
    StringBuilder sb = new StringBuilder("domain '").append(domain).append("': ");
    if (!changed()) {
      sb.append("nothing to online through the guest agent (");
      if (cpusAsked) {
        sb.append(cpusAlreadyOnline).append(" vCPUs");
      }
      if (cpusAsked && memoryAsked) {
        sb.append(" and ");
      }
      if (memoryAsked) {
        sb.append(blocksAlreadyOnline).append(" memory blocks");
      }
      return sb.append(" already online)").toString();
    }
    sb.append("onlined through the guest agent");
    if (!cpusOnlined.isEmpty()) {
      sb.append(cpusOnlined.size() == 1 ? " vCPU " : " vCPUs ").append(join(cpusOnlined));
    }
    if (!cpusOnlined.isEmpty() && !blocksOnlined.isEmpty()) {
      sb.append(" and");
    }
    if (!blocksOnlined.isEmpty()) {
      sb.append(blocksOnlined.size() == 1 ? " memory block " : " memory blocks ").append(join(blocksOnlined));
    }
    return sb.append(", verified with the agent (").append(verifyReads).append(verifyReads == 1 ? " read" : " reads")
        .append(", ").append(elapsed.toMillis()).append(" ms)").toString();
  }

  private static String join(List<?> ids) {
    StringBuilder sb = new StringBuilder();
    for (Object o : ids) {
      sb.append(sb.length() == 0 ? "" : ", ").append(o);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
