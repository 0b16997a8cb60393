package dev.vmhotplug.examples.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's readable transcript: numbered steps, the equivalent {@code virsh} command of each
 * step, indented output, and checks that are counted for the final one-line summary.
 */
final class Transcript {
  private final PrintStream out;
  private final long start = System.nanoTime();
  private final List<String> failed = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private int passed;
  private int step;

  Transcript(PrintStream out) {
    this.out = out;
  }

  /** Starts a numbered step with what it does and the virsh command an operator would type. */
  void step(String title, String virsh) {
    step++;
    out.println();
    out.printf("== %d. %s%n", step, title);
    if (virsh != null) {
      out.printf("   virsh: %s%n", virsh);
    }
    out.flush();
  }

  /** Prints text indented under the current step. */
  void show(String text) {
    for (String line : text.split("\n", -1)) {
      if (!line.isEmpty()) {
        out.println("   " + line);
      }
    }
    out.flush();
  }

  void showf(String format, Object... args) {
    show(String.format(Locale.ROOT, format, args));
  }

  /** Records a check: what was expected and whether it held. */
  boolean check(boolean ok, String what) {
    if (ok) {
      passed++;
      out.println("   [ok]   " + what);
    } else {
      failed.add(what);
      out.println("   [FAIL] " + what);
    }
    out.flush();
    return ok;
  }

  /** Records something the demo could not do here, with the reason. */
  void skip(String what, String why) {
    skipped.add(what);
    out.println("   [skip] " + what + ": " + why);
    out.flush();
  }

  /** Runs a slow action while printing a progress line every two seconds. */
  <T> T withProgress(String what, Callable<T> action) throws Exception {
    long t0 = System.nanoTime();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "demo-progress");
      th.setDaemon(true);
      return th;
    });
    ticker.scheduleAtFixedRate(() -> {
      out.printf("   ... %s (%d s)%n", what, Duration.ofNanos(System.nanoTime() - t0).toSeconds());
      out.flush();
    }, 2, 2, TimeUnit.SECONDS);
    try {
      return action.call();
    } finally {
      ticker.shutdownNow();
    }
  }

  int passed() {
    return passed;
  }

  List<String> failed() {
    return List.copyOf(failed);
  }

  List<String> skipped() {
    return List.copyOf(skipped);
  }

  /** Prints the final one-line summary. */
  void summary(String scope) {
    double secs = (System.nanoTime() - start) / 1e9;
    out.println();
    String skippedPart = skipped.isEmpty() ? "" : ", " + skipped.size() + " skipped";
    if (failed.isEmpty()) {
      out.printf(Locale.ROOT, "DEMO PASSED: %d checks held%s (%s) in %.0f s%n", passed, skippedPart, scope, secs);
    } else {
      out.printf(Locale.ROOT, "DEMO FAILED: %d of %d checks failed%s (%s) in %.0f s: %s%n", failed.size(),
          passed + failed.size(), skippedPart, scope, secs, String.join("; ", failed));
    }
    out.flush();
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
