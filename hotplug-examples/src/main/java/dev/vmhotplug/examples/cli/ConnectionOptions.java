package dev.vmhotplug.examples.cli;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.OperationStep;
import dev.vmhotplug.core.PartialApplyException;
import dev.vmhotplug.core.PreconditionException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The shared {@code -c/--connect URI} option (a picocli mixin) and the way every libvirt command
 * connects and reports failures.
 *
 * <p>The URI is, in order: {@code -c} on the subcommand ({@code hotplug vcpucount -c URI web}),
 * {@code -c} before it ({@code hotplug -c URI vcpucount web}, as with virsh), the
 * {@code LIBVIRT_DEFAULT_URI} environment variable, else {@code qemu:///system}.
 *
 * <p>{@link #run(PrintWriter, Action)} maps failures to exit codes: a refusal
 * ({@link PreconditionException}: nothing was changed) prints {@code refused (REASON): message}; a
 * partial apply ({@link PartialApplyException}) prints {@code partially applied: message}, the steps
 * done, the step that failed and the state read afterwards; any other failure prints
 * {@code failed: message} on stderr; all exit {@link HotplugCli#FAILED}.
 */
public final class ConnectionOptions {
  /** Used when neither {@code -c} nor {@code LIBVIRT_DEFAULT_URI} is given (virsh's default as root). */
  public static final String DEFAULT_URI = "qemu:///system";

  @Option(names = {"-c", "--connect"}, paramLabel = "URI",
      description = "libvirt URI (default: $LIBVIRT_DEFAULT_URI, else " + DEFAULT_URI + ")")
  String uri;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandSpec mixee;

  /** Work done on an open client; returns the exit code. */
  @FunctionalInterface
  public interface Action {
    /**
     * Runs.
     *
     * @param client an open client (closed afterwards)
     * @return the exit code
     */
    int run(HotplugClient client);
  }

  /** The URI to connect to (see the class comment for the order). */
  public String uri() {
    if (uri != null && !uri.isBlank()) {
      return uri;
    }
    for (CommandSpec p = mixee == null ? null : mixee.parent(); p != null; p = p.parent()) {
      for (CommandSpec m : p.mixins().values()) {
        if (m.userObject() instanceof ConnectionOptions) {
          ConnectionOptions o = (ConnectionOptions) m.userObject();
          if (o.uri != null && !o.uri.isBlank()) {
            return o.uri;
          }
        }
      }
    }
    return resolve(null, System.getenv());
  }

  /**
   * The URI given, else {@code LIBVIRT_DEFAULT_URI} from the environment, else {@link #DEFAULT_URI}.
   *
   * @param given the {@code -c} value, may be null
   * @param env the environment
   * @return the URI to use
   */
  static String resolve(String given, Map<String, String> env) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    String fromEnv = env.get("LIBVIRT_DEFAULT_URI");
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : DEFAULT_URI;
  }

  /**
   * Connects, runs the action, closes the client; refusals and failures go to stderr.
   *
   * @param err where errors go
   * @param action the work
   * @return the action's exit code, or {@link HotplugCli#FAILED}
   */
  public int run(PrintWriter err, Action action) {
    try (HotplugClient client = HotplugClient.connect(uri())) {
      return action.run(client);
    } catch (PreconditionException e) {
      err.println("refused (" + e.refusal() + "): " + e.getMessage());
      err.println("nothing was changed");
      return HotplugCli.FAILED;
    } catch (PartialApplyException e) {
      err.println("partially applied: " + e.getMessage());
      for (OperationStep s : e.applied()) {
        err.println("  done: " + s);
      }
      err.println("  failed: " + e.failed());
      String now = e.observedState() == null ? "(not read)" : e.observedState();
      err.print("state now:\n" + now + (now.endsWith("\n") ? "" : "\n"));
      return HotplugCli.FAILED;
    } catch (HotplugException e) {
      err.println("failed: " + e.getMessage());
      return HotplugCli.FAILED;
    }
  }
}
