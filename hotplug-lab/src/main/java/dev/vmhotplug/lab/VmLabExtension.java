package dev.vmhotplug.lab;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving integration tests booted lab guests.
 *
 * <pre>{@code
 * @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
 * ...
 * LabDomain vm = LAB.boot(DomainSpec.builder("cpu").build());
 * }</pre>
 *
 * One {@link VmLab} (daemon) serves the whole test run: it lives in the root extension store and is
 * closed when the run ends. Domains booted through this extension are destroyed after the test class,
 * also when it failed. When the lab cannot run (not root, packages missing and not installable, QEMU
 * cannot boot a guest) the tests are skipped with the reason, except when the environment variable
 * {@code CI=true}: then they fail.
 */
public final class VmLabExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VmLabExtension.class);

  private final List<LabDomain> domains = new ArrayList<>();
  private Shared shared;

  @Override
  public void beforeAll(ExtensionContext context) {
    shared = context.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> new Shared(), Shared.class);
    shared.lab(); // fails or skips the class when the lab is unavailable
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<LabDomain> toClose;
    synchronized (domains) {
      toClose = new ArrayList<>(domains);
      domains.clear();
    }
    for (LabDomain d : toClose) {
      d.close();
    }
  }

  /** @return the shared lab of this test run */
  public VmLab lab() {
    if (shared == null) {
      throw new IllegalStateException("VmLabExtension is not registered: use @RegisterExtension on a static field");
    }
    return shared.lab();
  }

  /** Boots a guest for this test class (destroyed after the class). */
  public LabDomain boot(DomainSpec spec) {
    VmLab lab = lab();
    try {
      LabDomain d = lab.boot(spec);
      synchronized (domains) {
        domains.add(d);
      }
      return d;
    } catch (LabUnavailableException e) {
      throw unavailable(e);
    }
  }

  /** Destroys a domain now (e.g. one whose state is unreliable after a failed vCPU unplug). */
  public void discard(LabDomain d) {
    synchronized (domains) {
      domains.remove(d);
    }
    d.close();
  }

  /** @return true when the environment says this is CI ({@code CI=true}) */
  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  static RuntimeException unavailable(LabUnavailableException e) {
    if (inCi()) {
      return e;
    }
    System.err.println("[vmhotplug-lab] SKIPPED: " + e.getMessage());
    Assumptions.abort("VM lab unavailable: " + e.getMessage());
    return e; // not reached
  }

  /** The run-wide lab, or the reason there is none (remembered: not retried per class). */
  static final class Shared implements ExtensionContext.Store.CloseableResource {
    private VmLab lab;
    private LabUnavailableException unavailable;
    private boolean tried;

    synchronized VmLab lab() {
      if (!tried) {
        tried = true;
        try {
          lab = VmLab.start(true); // TLS on loopback for the remote-protocol tests
        } catch (LabUnavailableException e) {
          unavailable = e;
        }
      }
      if (unavailable != null) {
        throw unavailable(unavailable);
      }
      return lab;
    }

    @Override
    public synchronized void close() {
      if (lab != null) {
        lab.close();
      }
    }
  }
}
