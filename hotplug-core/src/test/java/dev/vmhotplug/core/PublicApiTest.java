package dev.vmhotplug.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No public signature of dev.vmhotplug.core (outside .internal) may mention libvirt-java or JNA
 * types, except the wrap bridge.
 */
class PublicApiTest {
  private static final List<String> FORBIDDEN = List.of("org.libvirt", "com.sun.jna");

  static List<Class<?>> publicCoreClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(HotplugClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path pkg = root.resolve("dev/vmhotplug/core");
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String f = p.getFileName().toString();
        if (f.endsWith(".class") && !f.equals("package-info.class")) {
          Class<?> c = Class.forName("dev.vmhotplug.core." + f.substring(0, f.length() - 6));
          if (isVisible(c)) {
            out.add(c);
          }
        }
      }
    }
    return out;
  }

  private static boolean isVisible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  static List<String> violations(Class<?> c) {
    List<String> bad = new ArrayList<>();
    check(bad, c.getName() + " extends", c.getGenericSuperclass());
    for (Type t : c.getGenericInterfaces()) {
      check(bad, c.getName() + " implements", t);
    }
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isPublic(f.getModifiers()) || Modifier.isProtected(f.getModifiers())) {
        check(bad, c.getName() + "." + f.getName(), f.getGenericType());
      }
    }
    List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
    members.addAll(List.of(c.getDeclaredConstructors()));
    for (Executable m : members) {
      if (!(Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())) || m.isSynthetic()) {
        continue;
      }
      if (c == HotplugClient.class && m.getName().equals("wrap")
          || c == HotplugClient.Builder.class && m.getName().equals("wrap")) {
        continue; // the one bridge
      }
      String where = c.getName() + "." + (m instanceof Constructor ? "<init>" : m.getName());
      if (m instanceof Method) {
        check(bad, where + " returns", ((Method) m).getGenericReturnType());
      }
      for (Type t : m.getGenericParameterTypes()) {
        check(bad, where + " parameter", t);
      }
      for (Type t : m.getGenericExceptionTypes()) {
        check(bad, where + " throws", t);
      }
    }
    return bad;
  }

  private static void check(List<String> bad, String where, Type t) {
    if (t == null) {
      return;
    }
    String name = t.getTypeName();
    for (String f : FORBIDDEN) {
      if (name.contains(f)) {
        bad.add(where + ": " + name);
      }
    }
  }

  @Test
  void publicSignatures_mentionNoLibvirtOrJnaTypes_exceptTheWrapBridge() throws Exception {
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> c : publicCoreClasses()) {
      classes.add(c);
    }
    assertThat(classes).contains(HotplugClient.class, HotplugClient.Builder.class, DomainHandle.class, VcpuChange.class);
    List<String> bad = new ArrayList<>();
    for (Class<?> c : classes) {
      bad.addAll(violations(c));
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void checker_findsALeak_whenOneExists() {
    assertThat(violations(Leaky.class)).singleElement().asString().contains("org.libvirt.Connect");
  }

  /** The class files under {@code dir} whose bytes mention libvirt-java or JNA (constant pool names). */
  static List<String> classesTouchingLibvirt(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class")).sorted()::iterator) {
        String bytes = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (bytes.contains("org/libvirt/") || bytes.contains("com/sun/jna/")) {
          out.add(dir.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
        }
      }
    }
    return out;
  }

  @Test
  void libvirtAccess_isOnlyInTheGatewayAndTheWrapBridge() throws Exception {
    Path root = Path.of(HotplugClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> touching = classesTouchingLibvirt(root.resolve("dev/vmhotplug/core"));
    assertThat(touching).isNotEmpty().allSatisfy(c -> assertThat(c).matches(
        "internal/(LibvirtGateway|Session|EventLoop|LibvirtNative|CredentialBridge)(\\$[A-Za-z0-9]+)*\\.class"
        + "|HotplugClient(\\$Builder)?\\.class"));
    assertThat(touching).contains("internal/LibvirtGateway.class");
  }

  @Test
  void libvirtScan_seesAReference_whenOneExists() throws Exception {
    Path testClasses = Path.of(PublicApiTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(classesTouchingLibvirt(testClasses.resolve("dev/vmhotplug/core")))
        .contains("PublicApiTest$Leaky.class");
  }

  /** A deliberately bad public type, to prove the checker sees leaks. */
  public static final class Leaky {
    public org.libvirt.Connect connection() {
      return null;
    }
  }
}
