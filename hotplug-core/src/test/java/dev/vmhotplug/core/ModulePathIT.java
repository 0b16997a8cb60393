package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hotplug-core jar as a modular application uses it (README "Java modules"): on the module path
 * it is the automatic module {@code dev.vmhotplug.core} (its manifest's {@code Automatic-Module-Name};
 * libvirt-java has no module name of its own, see the README for why core has no module-info), next
 * to the real module {@code dev.vmhotplug.xml}, whose implementation package is exported to core
 * alone. A consumer module compiled against them and run on the module path connects to libvirt's
 * test driver and reads a domain. An IT: it needs the packaged jar ({@code mvn verify}).
 */
class ModulePathIT {
  @TempDir Path dir;

  private static Path coreJar() throws IOException {
    Path build = Path.of(System.getProperty("vmhotplug.buildDir", "target"));
    try (Stream<Path> s = Files.list(build)) {
      List<Path> jars = s.filter(p -> p.getFileName().toString().matches("hotplug-core-.*\\.jar")
          && !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar")).toList();
      assertThat(jars).as("the packaged hotplug-core jar in %s (run mvn verify)", build).hasSize(1);
      return jars.get(0);
    }
  }

  /** The core jar, and from the test's class path every jar and module directory core needs at run time. */
  private static String modulePath(Path coreJar) {
    Set<String> entries = new LinkedHashSet<>();
    entries.add(coreJar.toString());
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      String n = e.replace('\\', '/');
      boolean xmlOrGuest = n.contains("/hotplug-xml/") || n.contains("/hotplug-guest/")
          || n.matches(".*/hotplug-(xml|guest)-[^/]*\\.jar");
      boolean dependency = n.endsWith(".jar") && (n.contains("/jakarta/") || n.contains("/org/glassfish/")
          || n.contains("/com/sun/istack/") || n.contains("/org/eclipse/angus/") || n.contains("/org/libvirt/")
          || n.contains("/net/java/dev/jna/") || n.matches(".*/slf4j-api-[^/]*\\.jar"));
      if ((xmlOrGuest && !n.contains("test-classes")) || dependency) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("%s finished", cmd.get(0)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
    return out;
  }

  @Test
  void coreIsTheAutomaticModuleDevVmhotplugCore_andWorksOnTheModulePath() throws Exception {
    Path jar = coreJar();
    try (JarFile jf = new JarFile(jar.toFile())) {
      assertThat(jf.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
          .isEqualTo("dev.vmhotplug.core");
      assertThat(jf.getEntry("module-info.class")).as("core ships no module descriptor (README)").isNull();
    }
    String mp = modulePath(jar);
    assertThat(mp).contains("libvirt-").contains("jna-").contains("jaxb-runtime");

    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("consumer/core"));
    Files.writeString(src.resolve("module-info.java"), "module consumer.core {"
        // an automatic module does not pass readability of explicit modules on: who uses core's signatures
        // with hotplug-xml types (MemorySize, ...) requires hotplug-xml too (README "Java modules")
        + " requires dev.vmhotplug.core; requires dev.vmhotplug.xml; }\n");
    Files.writeString(src.resolve("consumer/core/Main.java"), """
        package consumer.core;
        import dev.vmhotplug.core.*;
        public class Main {
          public static void main(String[] args) {
            Module core = HotplugClient.class.getModule();
            Module xml = dev.vmhotplug.xml.PartXml.class.getModule();
            System.out.println("core=" + core.getName() + " automatic=" + core.getDescriptor().isAutomatic());
            System.out.println("xml=" + xml.getName() + " automatic=" + xml.getDescriptor().isAutomatic());
            System.out.println("xmlInternal toCore=" + xml.isExported("dev.vmhotplug.xml.internal", core)
                + " toMe=" + xml.isExported("dev.vmhotplug.xml.internal", Main.class.getModule()));
            try (HotplugClient c = HotplugClient.connect("test:///default")) {
              System.out.println("vcpus=" + c.domain("test").vcpuCount().currentLive().getAsInt());
              try {
                c.domain("no\\tsuch").vcpuCount();
              } catch (DomainNotFoundException e) {
                System.out.println("notFound=" + e.getMessage());
              }
            }
          }
        }
        """);
    Path out = dir.resolve("out");
    List<String> javac = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
        "--release", "17", "--module-path", mp, "-d", out.toString(),
        src.resolve("module-info.java").toString(), src.resolve("consumer/core/Main.java").toString()));
    run(javac);
    String output = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // slf4j-api 2 is an explicit module nobody requires by name (core is automatic): it must be added
        "--module-path", out + File.pathSeparator + mp, "--add-modules", "org.slf4j",
        "-m", "consumer.core/consumer.core.Main"));
    assertThat(output)
        .contains("core=dev.vmhotplug.core automatic=true")
        .contains("xml=dev.vmhotplug.xml automatic=false")
        .contains("xmlInternal toCore=true toMe=false")
        .contains("vcpus=")
        // the message is built with hotplug-xml's internal SafeText: the qualified export works at run time
        .containsPattern("notFound=.*no\\\\tsuch");
  }
}
