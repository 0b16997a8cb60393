package dev.vmhotplug.examples.cli;

import static dev.vmhotplug.examples.cli.AttachMemoryCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hotplug dommemstat} in-process against libvirt's test driver. */
class DommemstatCommandTest {
  @TempDir Path dir;

  @Test
  void testDefault_printsVirshLayout() {
    AttachMemoryCommandTest.Run r = run("dommemstat", "-c", "test:///default", "test");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("actual 2097152\n").contains("\nswap_in 0\n", "\nrss ");
  }

  @Test
  void json_printsOneObject() {
    AttachMemoryCommandTest.Run r = run("dommemstat", "-c", "test:///default", "test", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).startsWith("{\"actual\":2097152,").endsWith("}");
  }

  @Test
  void shutOff_exits1() throws IOException {
    AttachMemoryCommandTest.Run r = run("dommemstat", "-c", AttachMemoryCommandTest.node(dir), "off");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("NOT_RUNNING", "shut off");
  }

  @Test
  void badUri_exits1WithConnectionHint() {
    AttachMemoryCommandTest.Run r = run("dommemstat", "-c", "test:///nonexistent/path/node.xml", "x");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("test:///nonexistent/path/node.xml")
        .contains("node file /nonexistent/path/node.xml does not exist", "test:///ABSOLUTE/PATH/node.xml");
    assertThat(r.out()).isEmpty();
  }
}
