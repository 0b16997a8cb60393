package dev.vmhotplug.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host command with a timeout (no shell unless the caller passes "sh -c" with fixed text). */
final class Exec {
  private Exec() {}

  /** Outcome of one command. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    boolean ok() {
      return exitCode == 0;
    }

    /** Returns this result when the command succeeded, else throws a LabException naming it. */
    Result check() {
      if (!ok()) {
        throw new LabException("command failed (exit " + exitCode + "): " + String.join(" ", command)
            + "\n" + tail(stderr.isBlank() ? stdout : stderr));
      }
      return this;
    }
  }

  static Result run(Duration timeout, String... command) {
    return run(timeout, null, Map.of(), List.of(command));
  }

  static Result run(Duration timeout, Path dir, Map<String, String> env, List<String> command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("vmhotplug-lab-", ".out");
      err = Files.createTempFile("vmhotplug-lab-", ".err");
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
          .redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      pb.environment().put("LC_ALL", "C");
      pb.environment().putAll(env);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        return new Result(command, 127, "", "cannot start " + command.get(0) + ": " + e.getMessage());
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(command, 124, Files.readString(out, StandardCharsets.UTF_8),
            "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command) + "\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new LabException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
  }

  static boolean isRoot() {
    Result r = run(Duration.ofSeconds(10), "id", "-u");
    return r.ok() && r.stdout().trim().equals("0");
  }

  static String tail(String text) {
    String t = text.strip();
    return t.length() <= 2000 ? t : "..." + t.substring(t.length() - 2000);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // temp file; nothing to do
      }
    }
  }
}
