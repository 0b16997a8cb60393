package dev.vmhotplug.lab;

import static dev.vmhotplug.lab.LabIt.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.xml.MemorySize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures (does not assert) the latency from the API call to the guest's first report showing the
 * resource online, SDK vs bare virsh + polling the same serial log, alternating, plus boot time.
 * Not an {@code *IT}, so {@code verify} does not run it; run it with
 * {@code mvn -pl hotplug-lab verify -Dit.test=LabLatencyBenchmark}. Prints a Markdown table and
 * writes it to lab-latency.md in the run directory ({@code /tmp/vmhotplug-lab/run-*}).
 */
class LabLatencyBenchmark {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final int ROUNDS = 10;

  @Test
  void latency_sdkVsVirsh() throws Exception {
    List<Double> boots = new ArrayList<>();
    LabDomain vm = LAB.boot(DomainSpec.builder("bench").maxVcpus(2 + 2 * ROUNDS).memoryMiB(512)
        .maxMemoryMiB(512 + 128 * 2 * ROUNDS).slots(2 * ROUNDS + 1).build());
    boots.add(vm.bootTime().toMillis() / 1000.0);
    List<Double> cpuSdk = new ArrayList<>();
    List<Double> cpuVirsh = new ArrayList<>();
    List<Double> memSdk = new ArrayList<>();
    List<Double> memVirsh = new ArrayList<>();
    Path dimm = LAB.lab().daemon().runDir().resolve("bench-dimm.xml");
    Files.writeString(dimm, "<memory model='dimm'>\n  <target>\n    <size unit='MiB'>128</size>\n"
        + "    <node>0</node>\n  </target>\n</memory>\n", StandardCharsets.UTF_8);
    try (HotplugClient client = HotplugClient.connect(LAB.lab().daemon().uri())) {
      int cpus = 2;
      for (int i = 0; i < 2 * ROUNDS; i++) {
        boolean sdk = i % 2 == 0;
        int target = ++cpus;
        long t0 = System.nanoTime();
        if (sdk) {
          client.domain(vm.name()).vcpus().set(target).live().apply();
        } else {
          vm.virsh().call("setvcpus", vm.name(), String.valueOf(target), "--live");
        }
        GuestReport r = vm.probe().awaitReport(target + " processors", x -> x.processorCount() == target, GUEST);
        (sdk ? cpuSdk : cpuVirsh).add((r.receivedNanos() - t0) / 1e6);

        int blocks = vm.probe().latest().orElseThrow().blocksTotal();
        t0 = System.nanoTime();
        if (sdk) {
          client.domain(vm.name()).memory().add(MemorySize.ofMiB(128)).live().apply();
        } else {
          vm.virsh().call("attach-device", vm.name(), dimm.toString(), "--live");
        }
        r = vm.probe().awaitReport("block " + (blocks + 1) + " online",
            x -> x.blocksTotal() == blocks + 1 && x.blocksOffline().isEmpty(), GUEST);
        (sdk ? memSdk : memVirsh).add((r.receivedNanos() - t0) / 1e6);
      }
    }
    assertThat(cpuSdk).hasSize(ROUNDS);
    StringBuilder md = new StringBuilder();
    md.append("| measurement (n=").append(ROUNDS).append(" each) | median | min | max |\n|---|---|---|---|\n");
    row(md, "vCPU: SDK vcpus().set(n).live().apply() -> guest reports it online (ms)", cpuSdk);
    row(md, "vCPU: virsh setvcpus --live -> guest reports it online (ms)", cpuVirsh);
    row(md, "DIMM 128 MiB: SDK memory().add().live().apply() -> guest block online (ms)", memSdk);
    row(md, "DIMM 128 MiB: virsh attach-device --live -> guest block online (ms)", memVirsh);
    md.append("| boot: create -> first guest report (s) | ").append(boots.get(0)).append(" | | |\n");
    System.out.println(md);
    Files.writeString(LAB.lab().daemon().runDir().resolve("lab-latency.md"), md.toString());
  }

  private static void row(StringBuilder md, String name, List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    md.append(String.format("| %s | %.0f | %.0f | %.0f |%n", name, median, s.get(0), s.get(s.size() - 1)));
  }
}
