package dev.vmhotplug.testkit;

import dev.vmhotplug.core.HotplugClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test a {@link HotplugClient} over libvirt's in-process test
 * driver, with domains from {@link TestDomain} specs written to a temporary node file. No root, no
 * daemon, no QEMU.
 *
 * <pre>{@code
 * @RegisterExtension
 * final HotplugTestDriver libvirt = HotplugTestDriver.with(
 *     TestDomain.named("web").vcpus(2, 8).build());
 *
 * @Test
 * void scalesUp() {
 *   new MyScaler(libvirt.client()).scaleTo("web", 4);
 *   assertEquals(4, libvirt.client().domain("web").vcpuCount().currentLive().getAsInt());
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> On an instance field, each test gets a fresh node file and client (closed
 * and deleted after the test, also when it failed). On a {@code static} field, the test class
 * shares one node and one client: changes made by one test are seen by the next. Each new
 * connection starts from the node file's state ({@link TestDriverNode}), so {@link #newClient()}
 * does not see what {@link #client()} changed.
 *
 * <p>With {@link #seam(LibvirtSeam)} every client the extension opens has the seam on its libvirt
 * calls (recording, faults, memory-device emulation); the seam's recording and faults are cleared
 * before each test of a per-test extension.
 */
public final class HotplugTestDriver implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  private final List<TestDomain> domains;
  private final UnaryOperator<HotplugClient.Builder> setup;
  private final Optional<LibvirtSeam> seam;

  private boolean perClass;
  private Path dir;
  private TestDriverNode node;
  private HotplugClient client;
  private final List<HotplugClient> opened = new ArrayList<>();

  private HotplugTestDriver(List<TestDomain> domains, UnaryOperator<HotplugClient.Builder> setup,
      Optional<LibvirtSeam> seam) {
    this.domains = List.copyOf(domains);
    this.setup = setup;
    this.seam = seam;
  }

  /**
   * Creates the extension for these domains.
   *
   * @param domains at least one domain, names distinct
   * @return the extension
   * @throws IllegalArgumentException if no domain is given
   * @throws NullPointerException if a domain is null
   */
  public static HotplugTestDriver with(TestDomain... domains) {
    return with(List.of(domains));
  }

  /**
   * Creates the extension for these domains.
   *
   * @param domains at least one domain, names distinct
   * @return the extension
   * @throws IllegalArgumentException if no domain is given
   * @throws NullPointerException if the list or a domain is null
   */
  public static HotplugTestDriver with(List<TestDomain> domains) {
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("HotplugTestDriver needs at least one TestDomain");
    }
    domains.forEach(d -> Objects.requireNonNull(d, "domain"));
    return new HotplugTestDriver(domains, UnaryOperator.identity(), Optional.empty());
  }

  /**
   * Returns a copy that sets up each client's builder (timeouts, poll interval, listener, ...).
   *
   * @param setup changes the builder; applied before the seam is installed
   * @return a new extension
   * @throws NullPointerException if setup is null
   */
  public HotplugTestDriver clientSetup(UnaryOperator<HotplugClient.Builder> setup) {
    Objects.requireNonNull(setup, "setup");
    return new HotplugTestDriver(domains, setup, seam);
  }

  /**
   * Returns a copy whose clients have this seam on their libvirt calls.
   *
   * @param seam the recording, fault-injecting, emulating layer
   * @return a new extension
   * @throws NullPointerException if seam is null
   */
  public HotplugTestDriver seam(LibvirtSeam seam) {
    return new HotplugTestDriver(domains, setup, Optional.of(Objects.requireNonNull(seam, "seam")));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      seam.ifPresent(LibvirtSeam::reset);
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  /**
   * Returns the client of the current test (or class), opened before the test and closed after it.
   *
   * @return the client
   * @throws IllegalStateException outside a test, or if the extension is not registered with
   *     {@code @RegisterExtension}
   */
  public HotplugClient client() {
    if (client == null) {
      throw new IllegalStateException("HotplugTestDriver has no client now: register it with @RegisterExtension"
          + " and call client() from a test (or @BeforeEach) method");
    }
    return client;
  }

  /**
   * Opens another client on the same node, set up like {@link #client()}; it starts from the node
   * file's state, not from what other clients changed. Closed with the node.
   *
   * @return a new client
   * @throws IllegalStateException outside a test
   */
  public HotplugClient newClient() {
    TestDriverNode n = node();
    HotplugClient c = n.connect(this::configure);
    synchronized (opened) {
      opened.add(c);
    }
    return c;
  }

  /**
   * Returns the node file of the current test (or class).
   *
   * @return the node
   * @throws IllegalStateException outside a test
   */
  public TestDriverNode node() {
    if (node == null) {
      throw new IllegalStateException("HotplugTestDriver has no node now: register it with @RegisterExtension");
    }
    return node;
  }

  /**
   * Returns the URI of the current node ({@code test:///…/node.xml}).
   *
   * @return the URI
   * @throws IllegalStateException outside a test
   */
  public String uri() {
    return node().uri();
  }

  private HotplugClient.Builder configure(HotplugClient.Builder b) {
    HotplugClient.Builder out = Objects.requireNonNull(setup.apply(b), "clientSetup returned null");
    return seam.isPresent() ? seam.get().installOn(out) : out;
  }

  private void start() {
    try {
      dir = Files.createTempDirectory("vmhotplug-testkit-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the test-driver node: " + e, e);
    }
    node = TestDriverNode.write(dir, domains);
    client = newClient();
  }

  private void stop() {
    List<HotplugClient> toClose;
    synchronized (opened) {
      toClose = new ArrayList<>(opened);
      opened.clear();
    }
    RuntimeException first = null;
    for (HotplugClient c : toClose) {
      try {
        c.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    client = null;
    node = null;
    if (dir != null) {
      delete(dir);
      dir = null;
    }
    if (first != null) {
      throw first;
    }
  }

  private static void delete(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the test-driver node directory " + dir + ": " + e, e);
    }
  }
}
