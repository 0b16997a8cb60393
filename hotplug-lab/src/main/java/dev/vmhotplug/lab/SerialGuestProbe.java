package dev.vmhotplug.lab;

import dev.vmhotplug.core.internal.Poller;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import dev.vmhotplug.core.DomainHandle;
import dev.vmhotplug.core.GuestProbe;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.guest.truth.CpuList;
import dev.vmhotplug.guest.truth.GuestFacts;

/**
 * Reads what the lab guest reports on its serial console (a file QEMU appends to) and waits for
 * reports with a predicate. Thread-safe.
 *
 * <p>Lines starting with {@code HPINFO} mark a boot; {@code HP} lines are {@link GuestReport}s; all
 * other lines (kernel messages, {@code HPCMD}, {@code HPZONE}, {@code HPDMESG}) are kept for
 * {@link #awaitLine}.
 *
 * <p>As hotplug-core's {@link GuestProbe} it answers with the newest report as {@link GuestFacts}
 * (processor count, CPUs online/present, node0 MemTotal, memory block states, block size), so the
 * SDK's guest verification runs against what this guest's serial console says.
 */
public final class SerialGuestProbe implements GuestProbe {
  private final Path log;
  private final List<GuestReport> reports = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final List<String> infos = new ArrayList<>();
  private long offset;
  private int boot;

  /** @param log the serial console file of the domain */
  public SerialGuestProbe(Path log) {
    this.log = log;
  }

  /** @return the serial log file */
  public Path log() {
    return log;
  }

  /** Reads what is new in the log. */
  public synchronized void poll() {
    if (!Files.exists(log)) {
      return;
    }
    long now = System.nanoTime();
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      if (len < offset) { // truncated: a new file
        offset = 0;
        partial.setLength(0);
      }
      if (len == offset) {
        return;
      }
      f.seek(offset);
      byte[] buf = new byte[(int) Math.min(len - offset, 4 << 20)];
      f.readFully(buf);
      offset += buf.length;
      partial.append(new String(buf, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new LabException("cannot read the serial log " + log + ": " + e.getMessage(), e);
    }
    int nl;
    while ((nl = partial.indexOf("\n")) >= 0) {
      String line = partial.substring(0, nl).replace("\r", "");
      partial.delete(0, nl + 1);
      line = unglue(line);
      lines.add(line);
      if (line.startsWith("HPINFO ")) {
        boot++;
        infos.add(line);
      } else if (line.startsWith("HP ")) {
        GuestReport.parse(line, Math.max(boot, 1), now).ifPresent(reports::add);
      }
    }
  }

  private static final String[] MARKERS = {"HP seq=", "HPINFO ", "HPCMD ", "HPZONE ", "HPRULE ", "HPDMESG ", "HPTOPO "};

  /** The console may glue a kernel message in front of one of our lines: cut it off. */
  private static String unglue(String line) {
    for (String m : MARKERS) {
      int at = line.indexOf(m);
      if (at > 0) {
        return line.substring(at);
      }
    }
    return line;
  }

  /**
   * The newest report as hotplug-guest facts. The probe is bound to one guest: {@code domain} is
   * only used in the error message.
   *
   * @throws HotplugException when the guest has not reported yet
   */
  @Override
  public GuestFacts facts(DomainHandle domain) {
    GuestReport r = latest().orElseThrow(() -> new HotplugException("the lab guest of domain '"
        + (domain == null ? "?" : domain.name()) + "' has not printed a status line yet on " + log
        + ": wait for the boot to finish"));
    return toFacts(r);
  }

  /** Converts a report to hotplug-guest facts (with the block size from the boot's HPINFO line). */
  public GuestFacts toFacts(GuestReport r) {
    GuestFacts.Builder b = GuestFacts.builder().processorCount(r.processorCount())
        .cpusOnline(CpuList.parse(r.cpusOnline())).cpusPresent(CpuList.parse(r.cpusPresent()))
        .memTotalKiB(r.node0MemTotalKiB()).memoryBlockStates(r.blockStates());
    blockSizeBytes().ifPresent(b::blockSizeBytes);
    return b.build();
  }

  /** @return the guest's memory block size from the latest HPINFO line (128 MiB on x86_64) */
  public java.util.OptionalLong blockSizeBytes() {
    Optional<String> i = info();
    if (i.isPresent()) {
      for (String part : i.get().split("\\s+")) {
        if (part.startsWith("block_size_bytes=0x")) {
          return java.util.OptionalLong.of(Long.parseLong(part.substring("block_size_bytes=0x".length()), 16));
        }
      }
    }
    return java.util.OptionalLong.empty();
  }

  /** @return the newest report, if any */
  public synchronized Optional<GuestReport> latest() {
    poll();
    return reports.isEmpty() ? Optional.empty() : Optional.of(reports.get(reports.size() - 1));
  }

  /** @return how many reports were read so far (a mark for {@link #awaitReportAfter}) */
  public synchronized int mark() {
    poll();
    return reports.size();
  }

  /** @return how many boots (HPINFO lines) were seen */
  public synchronized int boots() {
    poll();
    return boot;
  }

  /** @return the HPINFO line of the latest boot, if any */
  public synchronized Optional<String> info() {
    poll();
    return infos.isEmpty() ? Optional.empty() : Optional.of(infos.get(infos.size() - 1));
  }

  /** @return a copy of every line read so far */
  public synchronized List<String> lines() {
    poll();
    return List.copyOf(lines);
  }

  /** @return the number of lines read so far (a mark for {@link #awaitLine}) */
  public synchronized int lineMark() {
    poll();
    return lines.size();
  }

  /**
   * Waits for a report (the newest one or a later one) that matches.
   *
   * @param what a description for the timeout message, e.g. "4 CPUs online"
   * @throws GuestTimeoutException with the last report when none matches in time
   */
  public GuestReport awaitReport(String what, Predicate<GuestReport> condition, Duration timeout) {
    int from;
    synchronized (this) {
      poll();
      from = Math.max(0, reports.size() - 1);
    }
    return awaitReportAfter(from, what, condition, timeout);
  }

  /** Waits for a report with index {@code >= mark} (see {@link #mark()}) that matches. */
  public GuestReport awaitReportAfter(int mark, String what, Predicate<GuestReport> condition, Duration timeout) {
    Optional<GuestReport> found = awaitMatch(reports, mark, condition, timeout, "a guest report of " + what);
    if (found.isPresent()) {
      return found.get();
    }
    Optional<GuestReport> last = latest();
    throw new GuestTimeoutException("the guest did not report " + what + " within " + timeout.toSeconds()
        + " s; last report: " + last.map(GuestReport::line).orElse("none (no HP line at all)")
        + "; serial log: " + log, last.orElse(null));
  }

  /** Waits for a console line with index {@code >= lineMark} that matches. */
  public String awaitLine(int lineMark, String what, Predicate<String> condition, Duration timeout) {
    Optional<String> found = awaitMatch(lines, lineMark, condition, timeout, "a console line " + what);
    if (found.isPresent()) {
      return found.get();
    }
    throw new GuestTimeoutException("the guest printed no " + what + " within " + timeout.toSeconds()
        + " s; serial log: " + log, latest().orElse(null));
  }

  /**
   * Polls the serial log until an element of {@code list} (reports or lines, appended by
   * {@link #poll()}) at index {@code >= from} matches; empty on timeout. Each element is tested once.
   */
  private <T> Optional<T> awaitMatch(List<T> list, int from, Predicate<T> condition, Duration timeout, String what) {
    int[] next = {from};
    return new Poller(timeout, Duration.ofMillis(20), Duration.ofMillis(100)).await(() -> {
      synchronized (this) {
        poll();
        for (; next[0] < list.size(); next[0]++) {
          if (condition.test(list.get(next[0]))) {
            return Optional.of(list.get(next[0]));
          }
        }
        return Optional.<T>empty();
      }
    }, Optional::isPresent, what).last();
  }

  /** @return every line read since the mark */
  public synchronized List<String> linesSince(int lineMark) {
    poll();
    return List.copyOf(lines.subList(Math.min(lineMark, lines.size()), lines.size()));
  }
}
