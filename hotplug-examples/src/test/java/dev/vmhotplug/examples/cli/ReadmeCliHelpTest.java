package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's CLI reference is the real {@code hotplug --help} output (regenerate it when this fails). */
class ReadmeCliHelpTest {
  static final String START = "<!-- cli-help:start -->";
  static final String END = "<!-- cli-help:end -->";

  @Test
  void readmeCliReference_isTheCurrentHelpOutput() throws IOException {
    CommandLine cl = HotplugCli.commandLine();
    StringWriter help = new StringWriter();
    cl.setOut(new PrintWriter(help));
    assertThat(cl.execute("--help")).isZero();
    Path readme = Path.of(System.getProperty("vmhotplug.projectRoot", "..")).resolve("README.md");
    String text = Files.readString(readme);
    assertThat(text).contains(START).contains(END);
    String block = text.substring(text.indexOf(START) + START.length(), text.indexOf(END));
    String expected = "\n```\n$ hotplug --help\n" + help.toString().replace("\r\n", "\n") + "```\n";
    assertThat(block)
        .as("README.md's block between %s and %s must be `hotplug --help` (update the README)", START, END)
        .isEqualTo(expected);
  }
}
