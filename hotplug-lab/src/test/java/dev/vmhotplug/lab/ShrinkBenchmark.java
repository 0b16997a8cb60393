package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.internal.Poller;
import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.MemoryDevice;
import dev.vmhotplug.xml.MemorySize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures (does not assert) memory shrinking side by side in one lab run: virtio-mem with the guest
 * onlining its memory movable and normal, and DIMMs onlined movable and normal, N rounds each of
 * "add 256 MiB, wait until the guest has it online, remove it". A round succeeds when libvirt and the
 * guest are back where they were; its time runs from the removal call until the guest's report shows
 * it. Everything goes through virsh (the same tool for all four, so the mechanisms are compared, not
 * API layers). Not an {@code *IT}: run it with
 * {@code mvn -pl hotplug-lab -am verify -Dit.test=ShrinkBenchmark -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false}. Prints a Markdown table and writes it to
 * {@code lab-shrink.md} in the run directory.
 */
class ShrinkBenchmark {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final int ROUNDS = Integer.getInteger("vmhotplug.shrink.rounds", 10);
  static final long KIB = 256 * 1024;
  /** A virtio-mem shrink whose {@code <current>} has not moved for this long has ended. */
  static final Duration STALL = Duration.ofSeconds(10);

  record Round(boolean ok, double ms, String left) {}

  static HotplugClient client;

  @Test
  void shrink_virtioMemVsDimm_movableAndNormal() throws Exception {
    List<String> rows = new ArrayList<>();
    try (HotplugClient c = HotplugClient.connect(LAB.lab().daemon().uri())) {
      client = c;
      List<LabDomain> vmem = LabIt.bootAll(LAB,
          DomainSpec.builder("shr-vm-mov").rules(GuestRules.NONE).virtioMem(1024).maxMemoryMiB(2048).build(),
          DomainSpec.builder("shr-vm-norm").rules(GuestRules.NONE).virtioMem(1024).maxMemoryMiB(2048)
              .extraCmdline("memhp_default_state=online").build());
      rows.add(row("virtio-mem 256 MiB, guest `memhp_default_state=online_movable`", virtioMem(vmem.get(0))));
      rows.add(row("virtio-mem 256 MiB, guest `memhp_default_state=online` (ZONE_NORMAL)", virtioMem(vmem.get(1))));
      vmem.forEach(LAB::discard);
      long maxMiB = 512 + (ROUNDS + 1) * 256L;
      List<LabDomain> dimm = LabIt.bootAll(LAB,
          DomainSpec.builder("shr-dimm-mov").rules(GuestRules.MOVABLE).maxMemoryMiB(maxMiB).slots(ROUNDS + 1).build(),
          DomainSpec.builder("shr-dimm-norm").rules(GuestRules.STANDARD).maxMemoryMiB(maxMiB).slots(ROUNDS + 1).build());
      rows.add(row("DIMM 256 MiB, udev rule `online_movable`", dimm(dimm.get(0))));
      rows.add(row("DIMM 256 MiB, udev rule `online` (ZONE_NORMAL)", dimm(dimm.get(1))));
    }
    StringBuilder md = new StringBuilder("| shrink by 256 MiB (n=" + ROUNDS + " each) | succeeded | time to the guest's"
        + " report, median (min-max) ms | when it failed |\n|---|---|---|---|\n");
    rows.forEach(md::append);
    System.out.println(md);
    Files.writeString(LAB.lab().daemon().runDir().resolve("lab-shrink.md"), md.toString(), StandardCharsets.UTF_8);
    assertThat(rows).hasSize(4);
  }

  /** Grows 0 → 256 MiB, waits until the guest has it online, shrinks to 0 and waits until it ends. */
  private static List<Round> virtioMem(LabDomain vm) {
    long boot = vm.probe().latest().orElseThrow().memTotalKiB();
    List<Round> out = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      long start = current(vm);
      vm.virsh().call("update-memory-device", vm.name(), "--live", "--requested-size", "256MiB");
      awaitCurrent(vm, KIB, LabIt.GUEST);
      vm.probe().awaitReport("MemTotal +256 MiB", r -> r.memTotalKiB() == boot + KIB && r.blocksOffline().isEmpty(),
          LabIt.GUEST);
      long t0 = System.nanoTime();
      vm.virsh().call("update-memory-device", vm.name(), "--live", "--requested-size", "0");
      long end = awaitShrinkEnd(vm);
      if (end == 0) {
        GuestReport g = vm.probe().awaitReport("MemTotal back", r -> r.memTotalKiB() == boot, LabIt.GUEST);
        out.add(new Round(true, (g.receivedNanos() - t0) / 1e6, ""));
      } else {
        out.add(new Round(false, (System.nanoTime() - t0) / 1e6, "current stayed at " + end + " KiB"
            + (start > 0 ? " (round began at " + start + " KiB)" : "")));
      }
    }
    return out;
  }

  /** Attaches a 256 MiB DIMM, waits until the guest has it online, detaches it by alias. */
  private static List<Round> dimm(LabDomain vm) throws Exception {
    Path xml = LAB.lab().daemon().runDir().resolve(vm.name() + "-shrink-dimm.xml");
    Files.writeString(xml, "<memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target></memory>\n",
        StandardCharsets.UTF_8);
    List<Round> out = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      List<String> before = dimmAliases(vm);
      int blocks = vm.probe().latest().orElseThrow().blocksTotal();
      vm.virsh().call("attach-device", vm.name(), xml.toString(), "--live");
      vm.probe().awaitReport("2 more blocks, all online",
          r -> r.blocksTotal() == blocks + 2 && r.blocksOffline().isEmpty(), LabIt.GUEST);
      List<String> after = dimmAliases(vm);
      after.removeAll(before);
      assertThat(after).hasSize(1);
      String alias = after.get(0);
      long t0 = System.nanoTime();
      Virsh.Output o = vm.virsh().run("detach-device-alias", vm.name(), alias, "--live");
      if (!o.ok()) {
        out.add(new Round(false, (System.nanoTime() - t0) / 1e6, o.stderr().strip().replace("error: ", "")
            .replace("\n", " ")));
        continue;
      }
      Optional<GuestReport> g = tryAwait(vm, blocks);
      boolean gone = !dimmAliases(vm).contains(alias);
      out.add(g.isPresent() && gone ? new Round(true, (g.get().receivedNanos() - t0) / 1e6, "")
          : new Round(false, (System.nanoTime() - t0) / 1e6, "libvirt " + (gone ? "removed" : "kept")
              + " the DIMM, the guest " + (g.isPresent() ? "dropped" : "kept") + " its blocks"));
    }
    return out;
  }

  private static Optional<GuestReport> tryAwait(LabDomain vm, int blocks) {
    try {
      return Optional.of(vm.probe().awaitReport("the DIMM's blocks gone", r -> r.blocksTotal() == blocks, LabIt.GUEST));
    } catch (GuestTimeoutException e) {
      return Optional.empty();
    }
  }

  private static List<String> dimmAliases(LabDomain vm) {
    List<String> out = new ArrayList<>();
    for (MemoryDevice d : DomainXml.parse(client.domain(vm.name()).xml(false)).memoryDevices()) {
      if (d.model().equals("dimm")) {
        d.alias().ifPresent(out::add);
      }
    }
    return out;
  }

  private static long current(LabDomain vm) {
    return DomainXml.parse(client.domain(vm.name()).xml(false)).memoryDevices().get(0).currentSize()
        .map(MemorySize::toKiB).orElse(-1L);
  }

  private static long awaitCurrent(LabDomain vm, long kib, Duration timeout) {
    return new Poller(timeout, Duration.ofMillis(100), Duration.ofMillis(500))
        .await(() -> current(vm), c -> c == kib, "current " + kib).last();
  }

  /** Waits until current reaches 0 or has not changed for {@link #STALL}; returns where it ended. */
  private static long awaitShrinkEnd(LabDomain vm) {
    long[] last = {current(vm)};
    long[] since = {System.nanoTime()};
    return new Poller(Duration.ofMinutes(2), Duration.ofMillis(100), Duration.ofMillis(250)).await(() -> {
      long c = current(vm);
      if (c != last[0]) {
        last[0] = c;
        since[0] = System.nanoTime();
      }
      return c;
    }, c -> c == 0 || System.nanoTime() - since[0] > STALL.toNanos(), "the shrink to end").last();
  }

  private static String row(String what, List<Round> rounds) {
    List<Double> ok = new ArrayList<>();
    List<String> fails = new ArrayList<>();
    for (Round r : rounds) {
      if (r.ok()) {
        ok.add(r.ms());
      } else if (!fails.contains(r.left())) {
        fails.add(r.left());
      }
    }
    Collections.sort(ok);
    String time = ok.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median(ok), ok.get(0),
        ok.get(ok.size() - 1));
    return "| " + what + " | " + ok.size() + "/" + rounds.size() + " | " + time + " | "
        + (fails.isEmpty() ? "–" : String.join("; ", fails)) + " |\n";
  }

  private static double median(List<Double> s) {
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
