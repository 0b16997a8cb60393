package dev.vmhotplug.testkit;

import dev.vmhotplug.core.HotplugClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A libvirt test-driver node file with the domains of some {@link TestDomain} specs, and the
 * {@code test:///ABSOLUTE/PATH/node.xml} URI that opens it: libvirt's in-process test driver, no
 * daemon, no root, no QEMU.
 *
 * <p><b>State is per connection.</b> Every connection to the URI starts from the file's content:
 * a change made through one client is seen by that client only, and a second client (or
 * {@code virsh -c} on the same URI) starts from the file again. Test with one client for the code
 * under test and the assertions; open a new client for a fresh start.
 *
 * <p>Without JUnit: {@code TestDriverNode node = TestDriverNode.write(dir, specs)}, then
 * {@link #connect()}. With JUnit 5, {@link HotplugTestDriver} does it and closes the client.
 */
public final class TestDriverNode {
  private final Path file;
  private final List<TestDomain> domains;

  private TestDriverNode(Path file, List<TestDomain> domains) {
    this.file = file;
    this.domains = List.copyOf(domains);
  }

  /**
   * Writes {@code node.xml} with these domains into a directory.
   *
   * @param dir an existing directory (a JUnit {@code @TempDir})
   * @param domains the domains, at least one, with distinct names
   * @return the node
   * @throws IllegalArgumentException if no domain is given or two share a name
   * @throws UncheckedIOException if the file cannot be written
   * @throws NullPointerException if an argument is null
   */
  public static TestDriverNode write(Path dir, List<TestDomain> domains) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(domains, "domains");
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("a test-driver node needs at least one domain: give a TestDomain");
    }
    Set<String> names = new HashSet<>();
    StringBuilder sb = new StringBuilder("<?xml version='1.0'?>\n<node>\n");
    for (TestDomain d : domains) {
      Objects.requireNonNull(d, "domain");
      if (!names.add(d.name())) {
        throw new IllegalArgumentException("two TestDomains are named " + TestDomain.quote(d.name())
            + ": give each domain its own name");
      }
      sb.append(d.nodeEntry());
    }
    sb.append("</node>\n");
    Path file = dir.toAbsolutePath().resolve("node.xml");
    try {
      Files.writeString(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test-driver node file " + file + ": " + e.getMessage(), e);
    }
    return new TestDriverNode(file, domains);
  }

  /**
   * Writes {@code node.xml} with these domains into a directory.
   *
   * @param dir an existing directory
   * @param domains the domains, at least one, with distinct names
   * @return the node
   * @throws IllegalArgumentException if no domain is given or two share a name
   * @throws UncheckedIOException if the file cannot be written
   * @throws NullPointerException if an argument is null
   */
  public static TestDriverNode write(Path dir, TestDomain... domains) {
    return write(dir, List.of(domains));
  }

  /**
   * Returns the URI of the node: {@code test://} followed by the file's absolute path.
   *
   * @return the URI
   */
  public String uri() {
    return "test://" + file;
  }

  /**
   * Returns the node file.
   *
   * @return its absolute path
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the domains written into the node.
   *
   * @return the specs, in file order
   */
  public List<TestDomain> domains() {
    return domains;
  }

  /**
   * Opens a new client on the node with the SDK's defaults; it starts from the file's state.
   *
   * @return a client the caller closes
   * @throws dev.vmhotplug.core.ConnectionException if libvirt cannot open the node
   */
  public HotplugClient connect() {
    return HotplugClient.connect(uri());
  }

  /**
   * Opens a new client on the node, its builder set up by the caller (timeouts, poll interval,
   * a {@link LibvirtSeam}).
   *
   * @param setup changes the builder, e.g. {@code b -> b.defaultTimeout(Duration.ofSeconds(1))}
   * @return a client the caller closes
   * @throws dev.vmhotplug.core.ConnectionException if libvirt cannot open the node
   * @throws NullPointerException if setup is null or returns null
   */
  public HotplugClient connect(UnaryOperator<HotplugClient.Builder> setup) {
    Objects.requireNonNull(setup, "setup");
    HotplugClient.Builder b = Objects.requireNonNull(setup.apply(HotplugClient.builder()), "setup returned null");
    return b.connect(uri());
  }

  @Override
  public String toString() {
    return "TestDriverNode[" + uri() + ", " + domains.size() + " domain(s)]";
  }
}
