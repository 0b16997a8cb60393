package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libvirt prints every error on stderr ("libvirt: Test Driver error : Domain not found") unless
 * an error callback is installed. Native code writes to file descriptor 2, which only a child
 * process can capture: run failing calls there and read its stderr.
 */
class LibvirtSilenceTest {

  /** The child: two failed connects and a failed lookup, then "done". */
  public static final class Child {
    public static void main(String[] args) {
      try {
        HotplugClient.connect("qemu+tcp://127.0.0.1:1/system");
      } catch (ConnectionException expected) {
        System.out.println("connect refused");
      }
      try {
        HotplugClient.connect("test:///nonexistent/vmhotplug/node.xml");
      } catch (ConnectionException expected) {
        System.out.println("missing node file refused: " + expected.getMessage());
      }
      try (HotplugClient c = HotplugClient.connect("test:///default")) {
        c.domain("no-such-domain");
      } catch (DomainNotFoundException expected) {
        System.out.println("not found");
      }
      System.out.println("done");
    }
  }

  @Test
  void failingCalls_printNothingOnStderr_andStillThrow() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("connect refused", "not found", "done")
        .contains("missing node file refused: cannot connect to test:///nonexistent/vmhotplug/node.xml: the test"
            + " driver's node file /nonexistent/vmhotplug/node.xml does not exist");
    assertThat(err).doesNotContain("libvirt:");
    // libxml2 (inside libvirt's test driver) would print "I/O warning : failed to load external entity"
    assertThat(err).doesNotContain("I/O warning").doesNotContain("failed to load");
  }
}
