package dev.vmhotplug.xml;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hotplug-xml as a JPMS module, the way a modular application uses it: a consumer module that
 * {@code requires dev.vmhotplug.xml} is compiled and run on the module path (hotplug-xml's classes and
 * its JAXB jars only, nothing on the class path). It binds a part with JAXB both ways and parses a
 * domain; a consumer that imports the internal package does not compile.
 */
class ModulePathTest {
  @TempDir Path dir;

  /** hotplug-xml's main classes (with module-info.class) and the JAXB jars of the test's own path. */
  private static String modulePath() {
    Set<String> entries = new LinkedHashSet<>();
    String build = System.getProperty("vmhotplug.buildDir", "target");
    Path classes = Path.of(build, "classes");
    assertThat(classes.resolve("module-info.class")).as("hotplug-xml's module descriptor").exists();
    entries.add(classes.toAbsolutePath().toString());
    for (String prop : new String[] {"jdk.module.path", "java.class.path"}) {
      String v = System.getProperty(prop, "");
      for (String e : v.split(File.pathSeparator)) {
        String n = e.replace('\\', '/');
        if (n.endsWith(".jar") && (n.contains("/jakarta/") || n.contains("/org/glassfish/")
            || n.contains("/com/sun/istack/") || n.contains("/org/eclipse/angus/"))) {
          entries.add(e);
        }
      }
    }
    assertThat(String.join(" ", entries)).contains("jakarta.xml.bind-api").contains("jaxb-runtime");
    return String.join(File.pathSeparator, entries);
  }

  private Path source(String module, String main, String body) throws IOException {
    return source(module, "requires dev.vmhotplug.xml;", main, body);
  }

  private Path source(String module, String directives, String main, String body) throws IOException {
    Path src = dir.resolve("src-" + module);
    Files.createDirectories(src.resolve(module));
    Files.writeString(src.resolve("module-info.java"), "module " + module + " { " + directives + " }\n");
    Files.writeString(src.resolve(module).resolve(main + ".java"), "package " + module + ";\n" + body);
    return src;
  }

  private static List<String> sources(Path src) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.walk(src)) {
      s.filter(p -> p.toString().endsWith(".java")).forEach(p -> out.add(p.toString()));
    }
    return out;
  }

  /** Runs the JDK's javac in its own process (the tests run inside the module, which reads no java.compiler). */
  private static String compile(Path src, Path out, String modulePath, boolean expectOk) throws Exception {
    Path javac = Path.of(System.getProperty("java.home"), "bin", "javac");
    assertThat(javac).as("a JDK (javac) runs the tests").exists();
    List<String> cmd = new ArrayList<>(List.of(javac.toString(), "--release", "17", "--module-path", modulePath,
        "-d", out.toString()));
    cmd.addAll(sources(src));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String diagnostics = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("javac finished").isTrue();
    assertThat(p.exitValue() == 0).as("javac: %s", diagnostics).isEqualTo(expectOk);
    return diagnostics;
  }

  @Test
  void aModularConsumer_bindsPartsAndParsesDomains_onTheModulePath() throws Exception {
    String mp = modulePath();
    // the consumer's own JAXB model holds one of our parts (README: "The XML parts in your own JAXB model")
    Path src = source("consumer.app", "requires dev.vmhotplug.xml; opens consumer.app to jakarta.xml.bind;", "Main", """
        import dev.vmhotplug.xml.*;
        import jakarta.xml.bind.JAXBContext;
        import jakarta.xml.bind.annotation.XmlElement;
        import jakarta.xml.bind.annotation.XmlRootElement;
        import java.io.StringWriter;
        public class Main {
          @XmlRootElement(name = "domain")
          public static class UserDomain {
            @XmlElement(name = "memory") public MemoryDevice device;
          }
          public static void main(String[] args) {
            String xml = PartXml.toXml(MemoryDevice.dimm(MemorySize.ofMiB(256), 1));
            MemoryDevice back = PartXml.fromXml(xml, MemoryDevice.class);
            DomainXml d = DomainXml.parse("<domain type='kvm'><name>web</name>"
                + "<memory unit='MiB'>1024</memory><vcpu current='2'>4</vcpu><devices/></domain>");
            UserDomain u = new UserDomain();
            u.device = MemoryDevice.dimm(MemorySize.ofMiB(512), 0);
            StringWriter w = new StringWriter();
            try {
              JAXBContext.newInstance(UserDomain.class).createMarshaller().marshal(u, w);
            } catch (Exception e) {
              throw new RuntimeException(e);
            }
            System.out.println("user=" + w.toString().replace('\\n', ' '));
            Module m = PartXml.class.getModule();
            System.out.println("part=" + xml.replace('\\n', ' '));
            System.out.println("back=" + back.targetSize().orElseThrow() + " node " + back.targetNode().orElseThrow());
            System.out.println("vcpu=" + d.vcpu().orElseThrow().maximum());
            System.out.println("module=" + m.getName() + " named=" + m.isNamed());
            System.out.println("apiExported=" + m.isExported("dev.vmhotplug.xml"));
            System.out.println("internalExported=" + m.isExported("dev.vmhotplug.xml.internal")
                + " toMe=" + m.isExported("dev.vmhotplug.xml.internal", Main.class.getModule()));
            System.out.println("open=" + m.isOpen("dev.vmhotplug.xml", Main.class.getModule()));
          }
        }
        """);
    Path out = dir.resolve("out");
    compile(src, out, mp, true);

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "--module-path", out + File.pathSeparator + mp,
        "-m", "consumer.app/consumer.app.Main").redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the consumer finished").isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("part=<memory model='dimm'>")
        .contains("<size unit='MiB'>256</size>")
        .containsPattern("user=.*<domain><memory model=\"dimm\"><target><size unit=\"MiB\">512</size>")
        .contains("back=256 MiB node 1")
        .contains("vcpu=4")
        .contains("module=dev.vmhotplug.xml named=true")
        .contains("apiExported=true")
        .contains("internalExported=false toMe=false")
        .contains("open=false");
  }

  @Test
  void theInternalPackage_isNotVisibleToAModularConsumer() throws Exception {
    Path src = source("consumer.bad", "Bad", """
        public class Bad {
          public static void main(String[] args) {
            System.out.println(dev.vmhotplug.xml.internal.SafeText.quote("x"));
          }
        }
        """);
    String diagnostics = compile(src, dir.resolve("out-bad"), modulePath(), false);
    assertThat(diagnostics).contains("dev.vmhotplug.xml.internal").contains("does not export");
  }
}
