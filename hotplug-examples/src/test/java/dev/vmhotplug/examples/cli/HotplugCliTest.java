package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The root command: lazy subcommand building (start-up) gives the same command line as building all. */
class HotplugCliTest {

  @Test
  void commandNames_areTheAnnotatedNames_andAllAreRegisteredForHelp() {
    for (Map.Entry<String, Class<?>> c : HotplugCli.COMMANDS.entrySet()) {
      assertThat(c.getValue().getAnnotation(CommandLine.Command.class).name()).isEqualTo(c.getKey());
    }
    assertThat(HotplugCli.commandLine().getSubcommands().keySet())
        .containsExactlyElementsOf(concat("help", HotplugCli.COMMANDS.keySet()));
  }

  @Test
  void commandsThatStartJaxbEarly_areCommands_andNotTheOnesThatReadNoDomain() {
    assertThat(HotplugCli.COMMANDS.keySet()).containsAll(HotplugCli.READS_DOMAINS);
    assertThat(HotplugCli.READS_DOMAINS).contains("vcpucount", "setvcpus", "attach-memory")
        .doesNotContain("udev-rules", "dommemstat", "help");
  }

  @Test
  void subcommandIn_skipsTheRootConnectOption_andGivesUpOnAnythingElse() {
    assertThat(HotplugCli.subcommandIn("vcpucount", "web")).isEqualTo("vcpucount");
    assertThat(HotplugCli.subcommandIn("-c", "test:///default", "vcpucount", "web")).isEqualTo("vcpucount");
    assertThat(HotplugCli.subcommandIn("--connect", "test:///default", "udev-rules")).isEqualTo("udev-rules");
    assertThat(HotplugCli.subcommandIn("--connect=test:///default", "setvcpus", "web", "3")).isEqualTo("setvcpus");
    assertThat(HotplugCli.subcommandIn("-ctest:///default", "dommemstat", "web")).isEqualTo("dommemstat");
    assertThat(HotplugCli.subcommandIn("--help")).isNull();
    assertThat(HotplugCli.subcommandIn("--version")).isEmpty();
    assertThat(HotplugCli.subcommandIn("-c", "test:///default", "-V")).isEmpty();
    assertThat(HotplugCli.subcommandIn("help", "vcpucount")).isNull();
    assertThat(HotplugCli.subcommandIn("vcpucounts", "web")).isNull();
    assertThat(HotplugCli.subcommandIn()).isNull();
  }

  @Test
  void lazyCommandLine_hasOnlyTheNamedCommand_withTheSameSettingsAndHelp() {
    CommandLine cl = HotplugCli.commandLineFor("-c", "test:///default", "vcpucount", "test");
    assertThat(cl.getSubcommands().keySet()).containsExactly("vcpucount");
    assertThat(cl.getSubcommands().get("vcpucount").getUsageHelpWidth()).isEqualTo(100);
    StringWriter lazy = new StringWriter();
    StringWriter full = new StringWriter();
    cl.getSubcommands().get("vcpucount").usage(new PrintWriter(lazy));
    HotplugCli.commandLine().getSubcommands().get("vcpucount").usage(new PrintWriter(full));
    assertThat(lazy.toString()).isEqualTo(full.toString()).contains("Usage: hotplug vcpucount");
  }

  @Test
  void version_buildsNoSubcommand_andPrintsTheVersion() {
    CommandLine cl = HotplugCli.commandLineFor("--version");
    assertThat(cl.getSubcommands()).isEmpty();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    assertThat(cl.execute("--version")).isZero();
    assertThat(out.toString()).startsWith("hotplug ");
  }

  @Test
  void unknownCommand_buildsAll_andIsAUsageError() {
    CommandLine cl = HotplugCli.commandLineFor("vcpucounts", "web");
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute("vcpucounts", "web")).isEqualTo(HotplugCli.USAGE);
    assertThat(err.toString()).contains("vcpucounts").contains("Commands:");
  }

  private static java.util.List<String> concat(String first, java.util.Collection<String> rest) {
    java.util.List<String> l = new java.util.ArrayList<>();
    l.add(first);
    l.addAll(rest);
    return l;
  }
}
