package dev.vmhotplug.examples.cli;

import dev.vmhotplug.xml.PartXml;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hotplug} command line: every step of the hotplug guide as a subcommand.
 *
 * <p>Exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 guest not covered / needs action.
 *
 * <p>Start-up: {@link #main} builds only the subcommand it is asked for (picocli reads the
 * annotations of every command it is given, which cost a third of a one-shot run); help, an unknown
 * name or no name builds them all, in {@link #COMMANDS} order.
 */
@Command(
    name = "hotplug",
    mixinStandardHelpOptions = true,
    versionProvider = HotplugCli.Version.class,
    description = "Hot-add and remove vCPUs and memory of running KVM/QEMU guests through libvirt.",
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

  /**
   * The subcommands by name, in the order {@code hotplug --help} lists them (after {@code help}).
   * A name must equal its class's {@code @Command(name)} ({@code HotplugCliTest} checks).
   */
  static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("demo", DemoCommand.class);
    COMMANDS.put("vcpucount", VcpucountCommand.class);
    COMMANDS.put("setvcpus", SetvcpusCommand.class);
    COMMANDS.put("prepare-domain", PrepareDomainCommand.class);
    COMMANDS.put("prepare", PrepareCommand.class);
    COMMANDS.put("guest-check", GuestCheckCommand.class);
    COMMANDS.put("attach-memory", AttachMemoryCommand.class);
    COMMANDS.put("detach-memory", DetachMemoryCommand.class);
    COMMANDS.put("update-memory-device", UpdateMemoryDeviceCommand.class);
    COMMANDS.put("dommemstat", DommemstatCommand.class);
    COMMANDS.put("ensure", EnsureCommand.class);
    COMMANDS.put("udev-rules", UdevRulesCommand.class);
    COMMANDS.put("cold-boot", ColdBootCommand.class);
    COMMANDS.put("agent-online", AgentOnlineCommand.class);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** {@code hotplug -c URI <command>}, virsh's position; commands also accept -c themselves. */
  @CommandLine.Mixin ConnectionOptions connection;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  /**
   * Builds the whole command line, every subcommand, with the project's error handling (usage errors
   * exit 2).
   *
   * @return the command line
   */
  public static CommandLine commandLine() {
    return commandLine((String) null);
  }

  /**
   * Builds the command line for these arguments: only the subcommand they name, or all of them when
   * they name none (root options, {@code help}, an unknown name).
   *
   * @param args the arguments {@link CommandLine#execute} will get
   * @return the command line
   */
  static CommandLine commandLineFor(String... args) {
    return commandLine(subcommandIn(args));
  }

  private static CommandLine commandLine(String only) {
    CommandLine cl = new CommandLine(new HotplugCli());
    if (only == null) {
      cl.addSubcommand("help", new CommandLine.HelpCommand());
    }
    for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
      if (only == null || only.equals(c.getKey())) {
        cl.addSubcommand(c.getKey(), c.getValue());
      }
    }
    // settings after the subcommands: picocli passes them on to the subcommands present
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

  /**
   * The subcommand the arguments name: the first argument that is not the root's {@code -c URI}, when
   * it is a known name; {@code ""} (build none) for {@code -V}/{@code --version}; null (build all)
   * for anything else.
   */
  static String subcommandIn(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-c") || a.equals("--connect")) {
        i++;
      } else if (a.startsWith("-c") || a.startsWith("--connect=")) {
        continue;
      } else if (a.equals("-V") || a.equals("--version")) {
        return "";
      } else {
        return COMMANDS.containsKey(a) ? a : null;
      }
    }
    return null;
  }

  /**
   * Runs the CLI and returns its exit code (for tests and embedding).
   *
   * @param args the command line arguments
   * @return the exit code
   */
  public static int run(String... args) {
    return commandLineFor(args).execute(args);
  }

  /**
   * The {@code hotplug} command: runs and exits with the exit code.
   *
   * @param args the command line arguments
   */
  public static void main(String[] args) {
    String command = subcommandIn(args);
    if (command != null && READS_DOMAINS.contains(command)) {
      // the JAXB context takes the longest to build: a second core builds it while picocli parses
      // and libvirt connects (it is then ready when the first domain XML is read)
      PartXml.prestart();
    }
    System.exit(run(args));
  }

  /** The subcommands that read a domain's XML (for them {@link #main} starts the JAXB context early). */
  static final Set<String> READS_DOMAINS = Set.of("vcpucount", "setvcpus", "prepare-domain",
      "prepare", "guest-check", "attach-memory", "detach-memory", "update-memory-device", "ensure", "cold-boot",
      "agent-online", "demo");

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = HotplugCli.class.getPackage().getImplementationVersion();
      return new String[] {"hotplug " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
