package dev.vmhotplug.guest.truth;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code /proc/cpuinfo}: how many processors the guest kernel has online.
 *
 * <p>The guide counts them with {@code cat /proc/cpuinfo | grep -i "processor" | wc -l}, i.e. every
 * line that contains "processor" in any case. On x86 that is one {@code processor\t: N} line per
 * online CPU, unless the model name itself contains the word: QEMU's named CPU models do (for
 * example {@code model name : Intel Xeon Processor (Cascadelake)}), and so do many real CPUs
 * ({@code AMD EPYC 7B13 64-Core Processor}); then the guide's count is twice the CPU count.
 * {@link #processorCount(String)} therefore counts only lines of the form
 * {@code processor <spaces or tabs> : <number>}; {@link #guideGrepCount(String)} reproduces the
 * guide's count so a difference can be explained.
 */
public final class ProcCpuinfo {

  private ProcCpuinfo() {}

  /**
   * Counts the {@code processor : N} lines (one per online CPU).
   *
   * @param cpuinfo the text of {@code /proc/cpuinfo}
   * @return the number of processors, at least 1
   * @throws GuestDataException when the text is empty, binary, too large, or has no
   *     {@code processor : N} line
   */
  public static int processorCount(String cpuinfo) {
    GuestText.requireContent(cpuinfo, "/proc/cpuinfo");
    int count = 0;
    for (String line : cpuinfo.split("\n")) {
      if (isProcessorLine(line)) {
        count++;
      }
    }
    if (count == 0) {
      throw new GuestDataException("/proc/cpuinfo has no 'processor : N' line (first line: '"
          + CpuList.shorten(cpuinfo.lines().findFirst().orElse("")) + "'): this is not the"
          + " /proc/cpuinfo of an x86 or arm64 Linux guest");
    }
    return count;
  }

  /**
   * What the guide's {@code grep -i "processor" | wc -l} prints for this text: the number of lines
   * containing "processor" in any case.
   *
   * @param cpuinfo the text of {@code /proc/cpuinfo}
   * @return the count, possibly 0
   * @throws GuestDataException when the text is binary or too large
   */
  public static int guideGrepCount(String cpuinfo) {
    GuestText.check(cpuinfo, "/proc/cpuinfo");
    int count = 0;
    for (String line : cpuinfo.split("\n")) {
      if (line.toLowerCase(Locale.ROOT).contains("processor")) {
        count++;
      }
    }
    return count;
  }

  /**
   * Explains why the guide's count differs from the processor count, when it does: e.g. a model
   * name containing "Processor" makes {@code grep -i processor | wc -l} count each CPU twice.
   *
   * @param cpuinfo the text of {@code /proc/cpuinfo}
   * @return a one-line note, or empty when both counts agree
   * @throws GuestDataException as {@link #processorCount(String)}
   */
  public static Optional<String> guideCountNote(String cpuinfo) {
    int n = processorCount(cpuinfo);
    int g = guideGrepCount(cpuinfo);
    if (g == n) {
      return Optional.empty();
    }
    String other = "";
    for (String line : cpuinfo.split("\n")) {
      if (!isProcessorLine(line) && line.toLowerCase(Locale.ROOT).contains("processor")) {
        other = CpuList.shorten(line.replace('\t', ' '));
        break;
      }
    }
    return Optional.of("the guide's `cat /proc/cpuinfo | grep -i processor | wc -l` prints " + g
        + " on this guest, not " + n + ": " + (g - n) + " other line" + (g - n == 1 ? "" : "s")
        + " contain \"processor\" (e.g. '" + other + "'); count the 'processor : N' lines instead");
  }

  static boolean isProcessorLine(String line) {
    if (!line.startsWith("processor")) {
      return false;
    }
    int i = "processor".length();
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ':') {
      return false;
    }
    String rest = line.substring(i + 1).strip();
    return !rest.isEmpty() && rest.length() <= 6 && rest.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
