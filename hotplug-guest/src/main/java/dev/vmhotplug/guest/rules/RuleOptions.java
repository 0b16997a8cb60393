package dev.vmhotplug.guest.rules;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link RuleGenerator} writes: which udev rules (CPU, memory or both), under which file names,
 * and whether hot-added memory is onlined as {@code online_movable} instead of {@code online}.
 *
 * <p>Immutable; build with {@link #builder()} or derive with {@link #toBuilder()}. File names must
 * match {@value #FILE_NAME_RULE}: two digits (udev sorts rule files by name, so the number decides
 * the order), a dash, letters, digits, dots, underscores or dashes, and {@code .rules}. A file in
 * {@code /etc/udev/rules.d} with the same name as one in {@code /lib/udev/rules.d} replaces it, so
 * naming the file {@code 40-redhat.rules} shadows the distro's file of that name. When the CPU and
 * the memory file names are equal, both rules are written into that one file.
 */
public final class RuleOptions {

  /** The regular expression every rule file name must match. */
  public static final String FILE_NAME_RULE = "^[0-9]{2}-[A-Za-z0-9._-]+\\.rules$";

  /** Default name of the CPU rule file, as in the guide. */
  public static final String DEFAULT_CPU_FILE = "80-cpu-hotplug.rules";

  /** Default name of the memory rule file, as in the guide. */
  public static final String DEFAULT_MEMORY_FILE = "81-mem-hotplug.rules";

  private static final Pattern FILE_NAME = Pattern.compile(FILE_NAME_RULE);
  private static final int MAX_FILE_NAME_LENGTH = 200;

  private final boolean cpu;
  private final boolean memory;
  private final boolean movableMemory;
  private final String cpuFileName;
  private final String memoryFileName;

  private RuleOptions(Builder b) {
    this.cpu = b.cpu;
    this.memory = b.memory;
    this.movableMemory = b.movableMemory;
    this.cpuFileName = b.cpuFileName;
    this.memoryFileName = b.memoryFileName;
  }

  /** {@return the guide's rules: CPU and memory, memory onlined as {@code online}, default file names} */
  public static RuleOptions defaults() {
    return builder().build();
  }

  /** {@return a builder with the defaults of {@link #defaults()}} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding this object's values} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.cpu = cpu;
    b.memory = memory;
    b.movableMemory = movableMemory;
    b.cpuFileName = cpuFileName;
    b.memoryFileName = memoryFileName;
    return b;
  }

  /** {@return whether the CPU rule is written} */
  public boolean cpu() {
    return cpu;
  }

  /** {@return whether the memory rule is written} */
  public boolean memory() {
    return memory;
  }

  /** {@return whether hot-added memory is onlined as {@code online_movable} (hot-unpluggable later)} */
  public boolean movableMemory() {
    return movableMemory;
  }

  /** {@return file name of the CPU rule (no directory)} */
  public String cpuFileName() {
    return cpuFileName;
  }

  /** {@return file name of the memory rule (no directory)} */
  public String memoryFileName() {
    return memoryFileName;
  }

  /** {@return the memory state the memory rule writes: {@code online} or {@code online_movable}} */
  public String memoryOnlineState() {
    return movableMemory ? "online_movable" : "online";
  }

  /**
   * Checks a rule file name against {@value #FILE_NAME_RULE}.
   *
   * @param what which option the name was given for, used in the message
   * @param name the file name to check
   * @return the name
   * @throws IllegalArgumentException when the name is null or does not match, with the rule and an example
   */
  public static String validateFileName(String what, String name) {
    if (name == null) {
      throw new IllegalArgumentException(what + " is missing: give a udev rule file name such as "
          + DEFAULT_CPU_FILE);
    }
    if (name.length() > MAX_FILE_NAME_LENGTH || !FILE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + printable(name) + "' is not a safe udev rule"
          + " file name: it must match " + FILE_NAME_RULE + " (two digits, a dash, then letters,"
          + " digits, '.', '_' or '-', ending in .rules, at most " + MAX_FILE_NAME_LENGTH
          + " characters), for example 80-cpu-hotplug.rules or 40-redhat.rules");
    }
    return name;
  }

  /** Shows a refused name without control characters and cut to a readable length. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 80; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (out.length() >= 80) {
      out.append("...");
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RuleOptions)) {
      return false;
    }
    RuleOptions r = (RuleOptions) o;
    return cpu == r.cpu && memory == r.memory && movableMemory == r.movableMemory
        && cpuFileName.equals(r.cpuFileName) && memoryFileName.equals(r.memoryFileName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cpu, memory, movableMemory, cpuFileName, memoryFileName);
  }

  @Override
  public String toString() {
    return "RuleOptions{cpu=" + cpu + (cpu ? " (" + cpuFileName + ")" : "") + ", memory=" + memory
        + (memory ? " (" + memoryFileName + ", " + memoryOnlineState() + ")" : "") + "}";
  }

  /** Builder for {@link RuleOptions}; {@link #build()} validates. */
  public static final class Builder {
    private boolean cpu = true;
    private boolean memory = true;
    private boolean movableMemory;
    private String cpuFileName = DEFAULT_CPU_FILE;
    private String memoryFileName = DEFAULT_MEMORY_FILE;

    private Builder() {}

    /**
     * Whether to write the CPU rule (default true).
     *
     * @param cpu true to write the CPU rule
     * @return this builder
     */
    public Builder cpu(boolean cpu) {
      this.cpu = cpu;
      return this;
    }

    /**
     * Whether to write the memory rule (default true).
     *
     * @param memory true to write the memory rule
     * @return this builder
     */
    public Builder memory(boolean memory) {
      this.memory = memory;
      return this;
    }

    /**
     * Whether hot-added memory is onlined as {@code online_movable} (default false: {@code online}).
     * Movable memory can be hot-unplugged later, but the kernel cannot use it for its own
     * allocations; a guest whose memory is mostly movable can run short of kernel memory. Kernels
     * before 4.13 accept {@code online_movable} only for the block right below memory that is
     * already movable, so when udev onlines a multi-block DIMM lowest block first, some blocks can
     * stay offline there; the installer script onlines leftovers highest block first.
     *
     * @param movable true for {@code online_movable}, false for {@code online}
     * @return this builder
     */
    public Builder movableMemory(boolean movable) {
      this.movableMemory = movable;
      return this;
    }

    /**
     * File name of the CPU rule (default {@value RuleOptions#DEFAULT_CPU_FILE}); checked in {@link #build()}.
     *
     * @param name a plain file name ending in {@code .rules}, no directory
     * @return this builder
     */
    public Builder cpuFileName(String name) {
      this.cpuFileName = name;
      return this;
    }

    /**
     * File name of the memory rule (default {@value RuleOptions#DEFAULT_MEMORY_FILE}); checked in {@link #build()}.
     *
     * @param name a plain file name ending in {@code .rules}, no directory
     * @return this builder
     */
    public Builder memoryFileName(String name) {
      this.memoryFileName = name;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException when neither rule is chosen or a file name is not safe
     */
    public RuleOptions build() {
      if (!cpu && !memory) {
        throw new IllegalArgumentException("neither the CPU nor the memory rule is chosen: enable at"
            + " least one (cpu(true) or memory(true))");
      }
      validateFileName("cpuFileName", cpuFileName);
      validateFileName("memoryFileName", memoryFileName);
      return new RuleOptions(this);
    }
  }
}
