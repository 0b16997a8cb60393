package dev.vmhotplug.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hotplug} command line: every step of the hotplug guide as a subcommand.
 *
 * <p>Exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 guest not covered / needs action.
 */
@Command(
    name = "hotplug",
    mixinStandardHelpOptions = true,
    versionProvider = HotplugCli.Version.class,
    description = "Hot-add and remove vCPUs and memory of running KVM/QEMU guests through libvirt.",
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      VcpucountCommand.class,
      SetvcpusCommand.class,
      PrepareDomainCommand.class,
      PrepareCommand.class,
      GuestCheckCommand.class,
      AttachMemoryCommand.class,
      DetachMemoryCommand.class,
      UpdateMemoryDeviceCommand.class,
      DommemstatCommand.class,
      EnsureCommand.class,
      UdevRulesCommand.class,
      ColdBootCommand.class,
      AgentOnlineCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok",
      "1:refused or failed (the reason and the fix are printed on stderr)",
      "2:usage error",
      "3:guest not covered: rules or other action needed"
    })
public final class HotplugCli implements Runnable {

  /** Exit code: success. */
  public static final int OK = 0;
  /** Exit code: the request was refused or failed. */
  public static final int FAILED = 1;
  /** Exit code: bad arguments. */
  public static final int USAGE = 2;
  /** Exit code: the guest is not covered (udev rules or another action needed). */
  public static final int NEEDS_ACTION = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** {@code hotplug -c URI <command>}, virsh's position; commands also accept -c themselves. */
  @CommandLine.Mixin ConnectionOptions connection;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  /** Builds the command line with the project's error handling (usage errors exit 2). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new HotplugCli());
    cl.setUsageHelpWidth(100);
    cl.setExitCodeExceptionMapper(e -> FAILED);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          PrintWriter err = c.getErr();
          err.println(ex.getMessage());
          c.usage(err);
          return USAGE;
        });
    return cl;
  }

  /** Runs the CLI and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = HotplugCli.class.getPackage().getImplementationVersion();
      return new String[] {"hotplug " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
