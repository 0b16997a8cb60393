package dev.vmhotplug.examples.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's quick start is AddVcpus.java, verbatim from its package line on. */
class RecipeReadmeQuickstartTest {
  static final String START = "<!-- quickstart:start -->";
  static final String END = "<!-- quickstart:end -->";

  static Path projectRoot() {
    return Path.of(System.getProperty("vmhotplug.projectRoot", "..")).toAbsolutePath().normalize();
  }

  /** The recipe from its package line on (the header comment says how to run it; the README says that in prose). */
  static String recipeBody() throws IOException {
    String file = Files.readString(projectRoot()
        .resolve("hotplug-examples/src/main/java/dev/vmhotplug/examples/recipes/AddVcpus.java"));
    return file.substring(file.indexOf("package "));
  }

  @Test
  void readmeQuickstart_isTheAddVcpusFile() throws IOException {
    String readme = Files.readString(projectRoot().resolve("README.md"));
    assertThat(readme).as("README.md must contain " + START + " ... " + END).contains(START).contains(END);
    String block = readme.substring(readme.indexOf(START) + START.length(), readme.indexOf(END)).strip();

    assertThat(block).startsWith("```java\n").endsWith("```");
    String code = block.substring("```java\n".length(), block.length() - "```".length());
    assertThat(code)
        .as("the README quick start differs from AddVcpus.java: copy the file from its package line into README.md")
        .isEqualTo(recipeBody());
  }

  @Test
  void quickstart_isShort() throws IOException {
    long lines = recipeBody().lines().filter(l -> !l.isBlank() && !l.startsWith("import ")).count();
    assertThat(lines).as("non-blank, non-import lines of AddVcpus.java").isLessThanOrEqualTo(20);
  }
}
