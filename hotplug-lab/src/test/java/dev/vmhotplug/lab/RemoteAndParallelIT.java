package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static dev.vmhotplug.lab.LabIt.dimms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.Verification;
import dev.vmhotplug.xml.MemorySize;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Libvirt's remote protocol over TLS (qemu+tls://127.0.0.1:PORT/system with certificates generated
 * for the run, how a control plane drives many hosts) and several domains hot-plugged concurrently
 * from one client.
 */
class RemoteAndParallelIT {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();

  static List<LabDomain> vms;

  @BeforeAll
  static void boot() {
    vms = LabIt.bootAll(LAB, DomainSpec.builder("par-0").build(), DomainSpec.builder("par-1").build(),
        DomainSpec.builder("par-2").build());
  }

  @Test
  void overTls_threeGuestsCpuAndMemoryInParallel_eachReachesItsOwnTarget() {
    String uri = LAB.lab().daemon().tlsUri();
    assertThat(uri).startsWith("qemu+tls://127.0.0.1:");
    int[] cpus = {3, 4, 3};
    int[] mib = {128, 256, 384};
    long[] before = new long[3];
    for (int i = 0; i < 3; i++) {
      before[i] = vms.get(i).probe().latest().orElseThrow().node0MemTotalKiB();
    }
    try (HotplugClient client = HotplugClient.connect(uri)) {
      List<CompletableFuture<Void>> work = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        LabDomain vm = vms.get(i);
        int n = cpus[i];
        int size = mib[i];
        work.add(CompletableFuture.runAsync(() -> client.domain(vm.name()).vcpus().set(n).live().timeout(GUEST)
            .verify(Verification.guest(vm.probe())).apply()));
        work.add(CompletableFuture.runAsync(() -> client.domain(vm.name()).memory().add(MemorySize.ofMiB(size))
            .live().timeout(GUEST).verify(Verification.guest(vm.probe())).apply()));
      }
      CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();
    }
    for (int i = 0; i < 3; i++) {
      LabDomain vm = vms.get(i);
      long added = mib[i] * 1024L;
      int n = cpus[i];
      GuestReport r = vm.probe().awaitReport(n + " CPUs and +" + mib[i] + " MiB online",
          x -> x.processorCount() == n && x.blocksOffline().isEmpty(), GUEST);
      assertThat(r.node0MemTotalKiB()).as(vm.name()).isEqualTo(before[i] + added);
      assertThat(r.blocksTotal()).as(vm.name()).isEqualTo(4 + mib[i] / 128);
      String live = vm.xml(false);
      assertThat(dimms(live)).as(vm.name()).isEqualTo(1);
      assertThat(live).as(vm.name()).contains("<size unit='KiB'>" + added + "</size>");
      assertThat(vm.virsh().call("vcpucount", vm.name(), "--live", "--active").strip()).isEqualTo(String.valueOf(n));
    }
  }
}
