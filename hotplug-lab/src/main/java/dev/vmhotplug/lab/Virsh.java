package dev.vmhotplug.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code virsh -c URI ...} against the lab daemon: the harness's own hands (define, start,
 * destroy) and the bare-virsh side of comparisons. Arguments are passed as a list, never through a
 * shell.
 */
public final class Virsh {
  /** Output of one virsh call. */
  public record Output(List<String> command, int exitCode, String stdout, String stderr) {
    /** @return true when virsh exited with 0 */
    public boolean ok() {
      return exitCode == 0;
    }

    /**
     * @return this output when virsh succeeded
     * @throws LabException naming the command and virsh's error otherwise
     */
    public Output check() {
      if (!ok()) {
        throw new LabException("virsh failed (exit " + exitCode + "): " + String.join(" ", command) + ": "
            + Exec.tail(stderr.isBlank() ? stdout : stderr));
      }
      return this;
    }
  }

  private final String uri;
  private final Duration timeout;
  private final Map<String, String> env;

  /**
   * @param uri the libvirt URI
   * @param timeout per call
   */
  public Virsh(String uri, Duration timeout) {
    this(uri, timeout, Map.of());
  }

  /**
   * @param uri the libvirt URI
   * @param timeout per call
   * @param env extra environment, e.g. {@code LIBVIRT_AUTH_FILE} for a SASL daemon
   */
  public Virsh(String uri, Duration timeout, Map<String, String> env) {
    this.uri = uri;
    this.timeout = timeout;
    this.env = Map.copyOf(env);
  }

  /** @return the URI this virsh talks to */
  public String uri() {
    return uri;
  }

  /** Runs virsh with the arguments; never throws for a non-zero exit (see {@link Output#check()}). */
  public Output run(String... args) {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-c", uri));
    cmd.addAll(List.of(args));
    Exec.Result r = Exec.run(timeout, null, env, cmd);
    return new Output(cmd, r.exitCode(), r.stdout(), r.stderr());
  }

  /** Runs virsh and returns its standard output, or throws {@link LabException} on failure. */
  public String call(String... args) {
    return run(args).check().stdout();
  }
}
