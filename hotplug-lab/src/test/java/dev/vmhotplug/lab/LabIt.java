package dev.vmhotplug.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Shared constants and helpers of the VM integration tests. */
final class LabIt {
  /** Per guest-visible change (observed &lt; 1 s; TCG gets slow when the other core compiles). */
  static final Duration GUEST = Duration.ofSeconds(30);
  /** A clean guest power off until libvirt shows it shut off. */
  static final Duration SHUTDOWN = Duration.ofSeconds(90);
  static final long DIMM_KIB = 256 * 1024;

  private LabIt() {}

  /** The guide's vcpucount layout. */
  static String table(int maxConfig, int maxLive, int curConfig, int curLive) {
    return String.format("maximum      config %9d%nmaximum      live %11d%ncurrent      config %9d%ncurrent      live %11d",
        maxConfig, maxLive, curConfig, curLive);
  }

  /** Boots several domains concurrently (the lab lets two boot at once). */
  static List<LabDomain> bootAll(VmLabExtension lab, DomainSpec... specs) {
    List<CompletableFuture<LabDomain>> fs = new ArrayList<>();
    for (DomainSpec s : specs) {
      fs.add(CompletableFuture.supplyAsync(() -> lab.boot(s)));
    }
    List<LabDomain> out = new ArrayList<>();
    for (CompletableFuture<LabDomain> f : fs) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
    return out;
  }

  /** Counts {@code <memory model='dimm'} in an XML. */
  static int dimms(String xml) {
    int n = 0;
    for (int i = xml.indexOf("<memory model='dimm'"); i >= 0; i = xml.indexOf("<memory model='dimm'", i + 1)) {
      n++;
    }
    return n;
  }
}
