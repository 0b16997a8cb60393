package dev.vmhotplug.guest.truth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a guest reports about its CPUs and memory, as far as it is known. Every fact is optional;
 * {@link GuestCheck} says which ones it missed. A fact that could not be read can be recorded with
 * {@link Builder#unavailable(String, String)} so that the verdict says why it is missing.
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class GuestFacts {

  private final OptionalInt processorCount;
  private final Optional<CpuList> cpusOnline;
  private final Optional<CpuList> cpusPresent;
  private final OptionalLong memTotalKiB;
  private final Optional<SortedMap<Integer, String>> memoryBlockStates;
  private final OptionalLong blockSizeBytes;
  private final Map<String, String> unavailable;

  private GuestFacts(Builder b) {
    this.processorCount = b.processorCount;
    this.cpusOnline = b.cpusOnline;
    this.cpusPresent = b.cpusPresent;
    this.memTotalKiB = b.memTotalKiB;
    this.memoryBlockStates = b.memoryBlockStates == null ? Optional.empty()
        : Optional.of(Collections.unmodifiableSortedMap(new TreeMap<>(b.memoryBlockStates)));
    this.blockSizeBytes = b.blockSizeBytes;
    this.unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(b.unavailable));
  }

  /** {@return a builder with no facts} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return number of {@code processor : N} lines in {@code /proc/cpuinfo} (CPUs online)} */
  public OptionalInt processorCount() {
    return processorCount;
  }

  /** {@return {@code /sys/devices/system/cpu/online}} */
  public Optional<CpuList> cpusOnline() {
    return cpusOnline;
  }

  /** {@return {@code /sys/devices/system/cpu/present}} */
  public Optional<CpuList> cpusPresent() {
    return cpusPresent;
  }

  /** {@return {@code MemTotal} in KiB, of node 0's meminfo or of {@code /proc/meminfo}} */
  public OptionalLong memTotalKiB() {
    return memTotalKiB;
  }

  /** {@return memory block number to state ({@code online}, {@code offline}, {@code going-offline})} */
  public Optional<SortedMap<Integer, String>> memoryBlockStates() {
    return memoryBlockStates;
  }

  /** {@return memory block size in bytes} */
  public OptionalLong blockSizeBytes() {
    return blockSizeBytes;
  }

  /** {@return facts that could not be read, by name, with the reason} */
  public Map<String, String> unavailable() {
    return unavailable;
  }

  /** Builder for {@link GuestFacts}; setters validate their value. */
  public static final class Builder {
    private OptionalInt processorCount = OptionalInt.empty();
    private Optional<CpuList> cpusOnline = Optional.empty();
    private Optional<CpuList> cpusPresent = Optional.empty();
    private OptionalLong memTotalKiB = OptionalLong.empty();
    private Map<Integer, String> memoryBlockStates;
    private OptionalLong blockSizeBytes = OptionalLong.empty();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Processor count from {@code /proc/cpuinfo}.
     *
     * @param count the number of {@code processor} lines, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder processorCount(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("processorCount " + count + " is below 1: a running guest"
            + " has at least one processor");
      }
      this.processorCount = OptionalInt.of(count);
      return this;
    }

    /**
     * CPUs online ({@code /sys/devices/system/cpu/online}).
     *
     * @param cpus the CPU set as the guest reports it
     * @return this builder
     */
    public Builder cpusOnline(CpuList cpus) {
      this.cpusOnline = Optional.of(cpus);
      return this;
    }

    /**
     * CPUs present ({@code /sys/devices/system/cpu/present}).
     *
     * @param cpus the CPU set as the guest reports it
     * @return this builder
     */
    public Builder cpusPresent(CpuList cpus) {
      this.cpusPresent = Optional.of(cpus);
      return this;
    }

    /**
     * {@code MemTotal} in KiB.
     *
     * @param kib {@code MemTotal} in KiB, at least 1
     * @return this builder
     * @throws IllegalArgumentException when below 1
     */
    public Builder memTotalKiB(long kib) {
      if (kib < 1) {
        throw new IllegalArgumentException("memTotalKiB " + kib + " is below 1 KiB");
      }
      this.memTotalKiB = OptionalLong.of(kib);
      return this;
    }

    /**
     * Memory block states by block number.
     *
     * @param states block number to state ({@code online}, {@code offline}, ...)
     * @return this builder
     * @throws GuestDataException when a state is not one of {@link MemoryBlocks#STATES}
     */
    public Builder memoryBlockStates(Map<Integer, String> states) {
      Map<Integer, String> m = new TreeMap<>();
      states.forEach((k, v) -> m.put(k, MemoryBlocks.parseState(v)));
      this.memoryBlockStates = m;
      return this;
    }

    /**
     * Memory block size in bytes.
     *
     * @param bytes the block size in bytes, a power of two
     * @return this builder
     * @throws IllegalArgumentException when not a positive power of two
     */
    public Builder blockSizeBytes(long bytes) {
      if (bytes <= 0 || Long.bitCount(bytes) != 1) {
        throw new IllegalArgumentException("blockSizeBytes " + bytes + " is not a positive power of two");
      }
      this.blockSizeBytes = OptionalLong.of(bytes);
      return this;
    }

    /**
     * Block states and, when known, the block size from a {@link MemoryBlocks} view.
     *
     * @param blocks the blocks as read from the guest
     * @return this builder
     */
    public Builder memoryBlocks(MemoryBlocks blocks) {
      memoryBlockStates(blocks.states());
      blocks.blockSizeBytes().ifPresent(this::blockSizeBytes);
      return this;
    }

    /**
     * CPUs present (every reported logical id) and online, from a {@code guest-get-vcpus} reply.
     *
     * @param vcpus the vCPUs of the agent's reply
     * @return this builder
     */
    public Builder agentVcpus(List<AgentReplies.AgentVcpu> vcpus) {
      CpuList present = CpuList.empty();
      CpuList online = CpuList.empty();
      for (AgentReplies.AgentVcpu v : vcpus) {
        present = present.union(CpuList.of(v.logicalId()));
        if (v.online()) {
          online = online.union(CpuList.of(v.logicalId()));
        }
      }
      return cpusPresent(present).cpusOnline(online);
    }

    /**
     * Memory block states from a {@code guest-get-memory-blocks} reply.
     *
     * @param blocks the blocks as read from the guest
     * @return this builder
     * @throws GuestDataException when a block number exceeds {@link Integer#MAX_VALUE}
     */
    public Builder agentMemoryBlocks(List<AgentReplies.AgentMemoryBlock> blocks) {
      Map<Integer, String> m = new TreeMap<>();
      for (AgentReplies.AgentMemoryBlock b : blocks) {
        if (b.physIndex() > Integer.MAX_VALUE) {
          throw new GuestDataException("memory block number " + b.physIndex() + " is out of range");
        }
        m.put((int) b.physIndex(), b.online() ? "online" : "offline");
      }
      return memoryBlockStates(m);
    }

    /**
     * Records that a fact could not be read, so the verdict can say why.
     *
     * @param fact what is missing, e.g. "/proc/cpuinfo"
     * @param reason why, e.g. the parser's message
     *
     * @return this builder
     */
    public Builder unavailable(String fact, String reason) {
      unavailable.put(String.valueOf(fact), String.valueOf(reason));
      return this;
    }

    /**
     * Builds the facts.
     *
     * @return the facts
     */
    public GuestFacts build() {
      return new GuestFacts(this);
    }
  }
}
