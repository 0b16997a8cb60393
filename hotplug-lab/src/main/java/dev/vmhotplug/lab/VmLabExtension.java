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
 *
 * <p><b>In your own project: {@link #optIn()}.</b> The lab runs a root libvirt daemon and QEMU guests
 * and installs what it needs with {@code apt-get} (Debian 12), so a user's build must not start it by
 * surprise. {@code @RegisterExtension static final VmLabExtension LAB = VmLabExtension.optIn();} skips
 * the class, with the reason and how to opt in, unless the system property {@code vmhotplug.lab=true}
 * or the environment variable {@code VMHOTPLUG_LAB=true} is set; when the lab cannot run it skips with
 * the reason, and fails instead when the build says the lab is required ({@code vmhotplug.lab.required=true}
 * or {@code VMHOTPLUG_LAB_REQUIRED=true}: set it in the CI job that has QEMU). {@code CI=true} alone does
 * not make an opt-in extension fail. The lab proves what the test kit's emulation cannot: that
 * libvirt, QEMU and the guest accept the device and bring it online.
 */
public final class VmLabExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VmLabExtension.class);

  /** System property that opts an {@link #optIn()} extension in. */
  public static final String OPT_IN_PROPERTY = "vmhotplug.lab";
  /** Environment variable that opts an {@link #optIn()} extension in. */
  public static final String OPT_IN_ENV = "VMHOTPLUG_LAB";
  /** System property that makes an unavailable lab fail the tests of an {@link #optIn()} extension. */
  public static final String REQUIRED_PROPERTY = "vmhotplug.lab.required";
  /** Environment variable that makes an unavailable lab fail the tests of an {@link #optIn()} extension. */
  public static final String REQUIRED_ENV = "VMHOTPLUG_LAB_REQUIRED";

  private final List<LabDomain> domains = new ArrayList<>();
  private final boolean optIn;
  private Shared shared;

  /** The project's own extension: always tries the lab; an unavailable lab fails when {@code CI=true}. */
  public VmLabExtension() {
    this(false);
  }

  private VmLabExtension(boolean optIn) {
    this.optIn = optIn;
  }

  /**
   * The extension for a user's project: starts the lab only when opted in ({@code vmhotplug.lab=true}
   * or {@code VMHOTPLUG_LAB=true}), and fails rather than skips only when told the lab is required
   * ({@code vmhotplug.lab.required=true} or {@code VMHOTPLUG_LAB_REQUIRED=true}).
   *
   * @return a new opt-in extension
   */
  public static VmLabExtension optIn() {
    return new VmLabExtension(true);
  }

  /** @return true for an extension made by {@link #optIn()} */
  public boolean isOptIn() {
    return optIn;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (optIn && !flag(OPT_IN_PROPERTY, OPT_IN_ENV)) {
      String why = "the VM lab is opt-in (it runs a root libvirtd and QEMU guests and may apt-get install"
          + " packages): run with -D" + OPT_IN_PROPERTY + "=true or " + OPT_IN_ENV + "=true to use it";
      System.err.println("[vmhotplug-lab] SKIPPED: " + why);
      Assumptions.abort(why);
    }
    shared = context.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> new Shared(), Shared.class);
    try {
      shared.lab(); // fails or skips the class when the lab is unavailable
    } catch (LabUnavailableException e) {
      throw unavailable(e, required());
    }
  }

  /** Whether an unavailable lab fails (rather than skips) the tests of this extension. */
  boolean required() {
    return optIn ? flag(REQUIRED_PROPERTY, REQUIRED_ENV) : inCi();
  }

  static boolean flag(String property, String env) {
    return "true".equalsIgnoreCase(System.getProperty(property)) || "true".equalsIgnoreCase(System.getenv(env));
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
    try {
      return shared.lab();
    } catch (LabUnavailableException e) {
      throw unavailable(e, required());
    }
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
      throw unavailable(e, required());
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

  static RuntimeException unavailable(LabUnavailableException e, boolean required) {
    if (required) {
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
        throw unavailable;
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
