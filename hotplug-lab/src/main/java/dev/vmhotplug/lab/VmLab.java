package dev.vmhotplug.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM lab in one object: host packages, the guest image and the private libvirt daemon; boots
 * guests on it. Used by the integration tests (through {@link VmLabExtension}) and by the demo.
 *
 * <pre>{@code
 * try (VmLab lab = VmLab.start()) {
 *   LabDomain vm = lab.boot(DomainSpec.builder("web").build());     // 2 of 4 vCPUs, 512 MiB
 *   lab.daemon().virsh().call("setvcpus", vm.name(), "3", "--live");
 *   vm.probe().awaitReport("3 CPUs online", r -> r.cpusOnlineCount() == 3, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * At most two guests boot at the same time (a TCG boot keeps one core busy for ~10 s).
 */
public final class VmLab implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VmLab.class);

  private final GuestImage image;
  private final LabDaemon daemon;
  private final List<LabDomain> domains = new ArrayList<>();
  private final Semaphore boots = new Semaphore(2);
  private volatile boolean booted;
  private boolean closed;

  private VmLab(GuestImage image, LabDaemon daemon) {
    this.image = image;
    this.daemon = daemon;
  }

  /**
   * Installs missing host packages (when root), builds or reuses the guest image in
   * {@link LabPaths#cacheDir()}, starts the private daemon.
   *
   * @throws LabUnavailableException when the lab cannot run on this machine
   * @throws LabException when a step fails
   */
  public static VmLab start() {
    return start(false);
  }

  /**
   * Like {@link #start()}; with {@code remoteTls} the daemon also listens with TLS on 127.0.0.1
   * ({@link LabDaemon#tlsUri()}, client certificate generated for the run), for tests of libvirt's
   * remote protocol. The demo uses the private unix socket only.
   *
   * @param remoteTls add the loopback TLS listener
   * @return the lab
   * @throws LabUnavailableException when the lab cannot run on this machine
   * @throws LabException when a step fails
   */
  public static VmLab start(boolean remoteTls) {
    long t0 = System.nanoTime();
    if (!Exec.isRoot()) {
      throw new LabUnavailableException("the VM lab needs root (it runs a privileged libvirtd and QEMU)");
    }
    LabPackages.ensureHostPackages();
    GuestImage image = GuestImage.prepare(LabPaths.cacheDir());
    LabDaemon daemon = LabDaemon.start(LabPaths.stateDir(), remoteTls);
    LOG.info("VM lab ready in {} ms: guest kernel {} {}, daemon {}", (System.nanoTime() - t0) / 1_000_000,
        image.kernelPackage(), image.kernelVersion(), daemon.uri());
    return new VmLab(image, daemon);
  }

  /** @return the guest kernel and initramfs images */
  public GuestImage image() {
    return image;
  }

  /** @return the private libvirt daemon */
  public LabDaemon daemon() {
    return daemon;
  }

  /**
   * Boots a guest and waits for its first report ({@link LabDomain#BOOT_TIMEOUT}).
   *
   * @throws LabUnavailableException when the very first guest of this lab cannot boot (QEMU does not
   *     work here)
   * @throws LabException when the boot fails
   */
  public LabDomain boot(DomainSpec spec) {
    LabDomain d;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the VM lab is closed");
      }
      d = new LabDomain(daemon, spec, image.kernel(), image.initrd(spec.rules(), spec.agent()));
      domains.add(d);
    }
    try {
      boots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted before booting " + d.name(), e);
    }
    try {
      d.boot();
      booted = true;
      return d;
    } catch (LabException e) {
      d.close();
      if (!booted) {
        throw new LabUnavailableException("QEMU could not boot the lab guest " + d.name() + " on this machine: "
            + e.getMessage(), e);
      }
      throw e;
    } finally {
      boots.release();
    }
  }

  /** Destroys every domain this lab booted, stops the daemon, restores qemu.conf. Idempotent. */
  @Override
  public void close() {
    List<LabDomain> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(domains);
    }
    for (LabDomain d : toClose) {
      try {
        d.close();
      } catch (RuntimeException e) {
        LOG.warn("cannot remove domain {}: {}", d.name(), e.getMessage());
      }
    }
    daemon.close();
  }
}
