package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's "Testing your integration" example is ScalerTest, character for character. */
class ReadmeTestingTest {
  @Test
  void readmeExampleIsScalerTest() throws IOException {
    String readme = Files.readString(Path.of(System.getProperty("readme", "../README.md")));
    String start = "<!-- testkit:start -->\n```java\n";
    String end = "```\n<!-- testkit:end -->";
    int from = readme.indexOf(start);
    int to = readme.indexOf(end);
    assertTrue(from >= 0 && to > from, "README.md has no testkit block");
    String block = readme.substring(from + start.length(), to);
    String source = Files.readString(Path.of("src/test/java/com/example/consumer/ScalerTest.java"));
    int a = source.indexOf("// testkit:start\n");
    int b = source.indexOf("// testkit:end");
    assertTrue(a >= 0 && b > a, "ScalerTest.java has no testkit markers");
    assertEquals(source.substring(a + "// testkit:start\n".length(), b), block,
        "README \"Testing your integration\" must show ScalerTest.java between its markers");
  }
}
