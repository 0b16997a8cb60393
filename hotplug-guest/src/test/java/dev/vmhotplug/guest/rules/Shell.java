package dev.vmhotplug.guest.rules;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs real programs (sh, dash, shellcheck) for the script tests. */
final class Shell {

  record Result(int exit, String out, String err) {
    String all() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private Shell() {}

  static Result run(List<String> command, Map<String, String> env, Path dir) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command);
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      if (env != null) {
        pb.environment().putAll(env);
      }
      Path out = Files.createTempFile("vmhotplug-out", ".txt");
      Path err = Files.createTempFile("vmhotplug-err", ".txt");
      try {
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(command + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The program's path on PATH, or null. */
  static Path which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The program's path; when missing, fails in CI (env CI=true: CI installs everything the tests
   * need) and skips elsewhere with the reason printed.
   */
  static Path require(String program, String debianPackage) {
    return require(program, debianPackage, System.getenv("CI"));
  }

  /** {@link #require(String, String)} with the value of the CI variable given (for its own test). */
  static Path require(String program, String debianPackage, String ci) {
    Path p = which(program);
    if (p == null) {
      String reason = program + " is not installed (apt-get install " + debianPackage + ")";
      if ("true".equalsIgnoreCase(ci)) {
        throw new AssertionError(reason + ": CI must install it");
      }
      System.out.println("SKIPPED: " + reason);
      Assumptions.assumeTrue(false, reason);
    }
    return p;
  }
}
