package dev.vmhotplug.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built CLI as users run it: {@code scripts/hotplug} (the launcher) on the shaded jar the
 * {@code package} phase made, as a separate process. Runs in {@code verify}, after the jar exists;
 * needs no VM lab, only native libvirt for the test driver (scripts/test.sh installs it).
 */
class LauncherIT {

  static final Path ROOT = Path.of(System.getProperty("vmhotplug.projectRoot", "..")).toAbsolutePath().normalize();
  static final Path LAUNCHER = ROOT.resolve("scripts/hotplug");
  /** This build's output folder (the test legs build into target-jdk25/, target-jna55/, ...). */
  static final Path TARGET = Path.of(System.getProperty("vmhotplug.buildDir", ROOT.resolve("hotplug-examples/target").toString()));

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
    pb.environment().remove("LIBVIRT_DEFAULT_URI");
    pb.environment().put("VMHOTPLUG_TARGET", TARGET.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("hotplug %s finished", String.join(" ", args)).isTrue();
    return new Run(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
  }

  @Test
  void vcpucount_onTheTestDriver_printsVirshsTable_nothingOnStderr() throws Exception {
    Run r = launch(Map.of(), "-c", "test:///default", "vcpucount", "test");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("maximum      config         2\nmaximum      live           2\n"
        + "current      config         2\ncurrent      live           2\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void theBuildsClassDataArchive_isUsable_byTheJvmTheLauncherPicks() throws Exception {
    assertThat(TARGET.resolve("hotplug.jsa")).isRegularFile();
    assertThat(TARGET.resolve("hotplug.java-home")).isRegularFile();
    // -Xshare:on makes the JVM refuse to start when the archive cannot be mapped
    Run r = launch(Map.of("VMHOTPLUG_JAVA_OPTS", "-Xshare:on"), "-c", "test:///default", "vcpucount", "test", "--json");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    JsonNode n = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(r.out());
    assertThat(n.get("currentLive").asInt()).isEqualTo(2);
  }

  @Test
  void jnaDispatchLibrary_comesFromTheBuild_notUnpackedPerStart() throws Exception {
    Path jnaTmp = tmp.resolve("jna-tmp");
    Files.createDirectories(jnaTmp);
    Run r = launch(Map.of("VMHOTPLUG_JAVA_OPTS", "-Djna.tmpdir=" + jnaTmp + " -Djna.nounpack=true"),
        "-c", "test:///default", "vcpucount", "test");
    assertThat(r.code()).as("with unpacking forbidden JNA must load the build's copy: " + r.err()).isZero();
    try (var files = Files.list(jnaTmp)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void script_throughTheLauncher_stdoutIsOnlyTheScript() throws Exception {
    Run r = launch(Map.of(), "udev-rules", "--distro", "debian", "--version", "12", "--script");
    assertThat(r.code()).isEqualTo(HotplugCli.NEEDS_ACTION);
    assertThat(r.out()).startsWith("#!/bin/sh\n");
    assertThat(r.err()).contains("NEEDS A RULE");
    Path script = Files.writeString(tmp.resolve("install.sh"), r.out());
    Process sh = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
    String shOut = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(sh.exitValue()).as(shOut).isZero();
  }

  @Test
  void cliJar_bundlesNoTestLibraries() throws IOException {
    try (ZipFile jar = new ZipFile(TARGET.resolve("hotplug.jar").toFile())) {
      List<String> test = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("org/junit/") || n.startsWith("org/opentest4j/") || n.startsWith("org/apiguardian/")
              || n.startsWith("org/assertj/"))
          .toList();
      assertThat(test).isEmpty();
      assertThat(jar.getEntry("dev/vmhotplug/examples/cli/HotplugCli.class")).isNotNull();
      assertThat(jar.getEntry("dev/vmhotplug/lab/VmLab.class")).isNotNull();
    }
  }

  @Test
  void notBuilt_saysHowToBuild_exit1() throws Exception {
    Path fake = tmp.resolve("repo");
    Files.createDirectories(fake.resolve("scripts"));
    Path copy = Files.copy(LAUNCHER, fake.resolve("scripts/hotplug"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Process p = new ProcessBuilder(copy.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(out).contains("hotplug.jar is missing").contains("mvn -B -q -DskipTests package");
  }
}
