package dev.vmhotplug.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SDK's event loop thread leaves native code when the JVM exits (the JVM otherwise waits 300 ms
 * for it at exit). Each test runs a child JVM, because the hook under test runs only at JVM exit
 * and the loop is process-wide.
 */
class EventLoopExitTest {

  /** A child JVM: connects, reads, and reports from a shutdown hook of its own what the loop did. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      try (HotplugClient c = HotplugClient.connect("test:///default")) {
        System.out.println("vcpus=" + c.domain("test").vcpuCount().currentLive().orElse(-1));
      }
      Thread loop = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals(EventLoop.THREAD_NAME)).findFirst().orElse(null);
      System.out.println("mode=" + EventLoop.mode() + " loop-alive=" + (loop != null && loop.isAlive()));
      if (args.length > 0 && args[0].equals("direct")) {
        EventLoop.stopAtExit();
        System.out.println("stopped=" + EventLoop.stoppedAtExit());
        return;
      }
      // shutdown hooks run concurrently: this one watches the SDK's hook end the loop thread
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (loop != null && loop.isAlive() && System.nanoTime() < deadline) {
          try {
            loop.join(10);
          } catch (InterruptedException e) {
            return;
          }
        }
        System.out.println("at-exit loop-alive=" + (loop != null && loop.isAlive())
            + " stopped=" + EventLoop.stoppedAtExit());
      }));
    }
  }

  private static String runChild(String... args) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Child.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(new File("/dev/null")).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
    assertThat(p.exitValue()).as("child exit code; output: %s", out).isZero();
    return out;
  }

  @Test
  void jvmExit_loopThreadReturnsOutOfNativeCode() throws Exception {
    String out = runChild();
    assertThat(out).contains("vcpus=2").contains("mode=OWN loop-alive=true")
        .contains("at-exit loop-alive=false stopped=true");
  }

  @Test
  void stopAtExit_endsTheLoopThreadAtOnce() throws Exception {
    String out = runChild("direct");
    assertThat(out).contains("mode=OWN loop-alive=true").contains("stopped=true");
  }
}
