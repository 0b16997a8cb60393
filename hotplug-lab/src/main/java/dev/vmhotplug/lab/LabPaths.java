package dev.vmhotplug.lab;

import java.nio.file.Path;

/**
 * Where the lab keeps its files.
 *
 * <ul>
 *   <li>cache: downloaded .debs, the guest kernel and initramfs images (content-hashed, reusable
 *       across runs). System property {@code vmhotplug.lab.cache}, environment variable
 *       {@code VMHOTPLUG_LAB_CACHE}, default {@code ~/.cache/vmhotplug/lab}.</li>
 *   <li>state: the private libvirtd's config, socket, pid file and per-run logs. A fixed place so
 *       that the next start finds and cleans what a crashed run left. System property
 *       {@code vmhotplug.lab.state}, environment variable {@code VMHOTPLUG_LAB_STATE}, default
 *       {@code /tmp/vmhotplug-lab}.</li>
 * </ul>
 */
public final class LabPaths {
  private LabPaths() {}

  /** @return the cache directory (not created here) */
  public static Path cacheDir() {
    return pick("vmhotplug.lab.cache", "VMHOTPLUG_LAB_CACHE",
        Path.of(System.getProperty("user.home"), ".cache", "vmhotplug", "lab"));
  }

  /** @return the state directory (not created here) */
  public static Path stateDir() {
    return pick("vmhotplug.lab.state", "VMHOTPLUG_LAB_STATE", Path.of("/tmp", "vmhotplug-lab"));
  }

  private static Path pick(String property, String env, Path fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? fallback : Path.of(v).toAbsolutePath();
  }
}
