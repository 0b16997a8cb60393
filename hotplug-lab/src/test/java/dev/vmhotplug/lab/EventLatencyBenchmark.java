package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.core.GuestRefusedException;
import dev.vmhotplug.core.HotplugClient;
import dev.vmhotplug.core.HotplugException;
import dev.vmhotplug.core.HotplugListener;
import dev.vmhotplug.core.OperationInfo;
import dev.vmhotplug.xml.MemorySize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures (does not assert) DIMM verification with device events against polling, the two clients
 * alternating round by round on the same guests in one lab run (QEMU 7.2 TCG, libvirt 9.0, one
 * 256 MiB DIMM per round, client poll interval 50 ms doubling to 1 s):
 *
 * <ul>
 *   <li>attach → verified: {@code memory().add(256 MiB).live().apply()} from the call to its return
 *       (the verified result), movable guest;
 *   <li>detach → verified: {@code memory().remove(256 MiB).live().apply()}, same guest, after the
 *       guest onlined the DIMM;
 *   <li>detach completing after libvirt's 5 s wait: the domain paused during the detach call and
 *       resumed as soon as it returned; from the resume to the verified result;
 *   <li>refused after libvirt's wait (guest onlining ZONE_NORMAL): from the resume to the
 *       {@code GuestRefusedException}; the polling client with a 10 s timeout (fewer rounds: each
 *       costs its timeout).
 * </ul>
 *
 * Run: {@code mvn -pl hotplug-lab -am verify -Dit.test=EventLatencyBenchmark -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dvmhotplug.events.rounds=10}). Prints a Markdown
 * table and writes it to {@code lab-events.md} in the run directory.
 */
class EventLatencyBenchmark {
  @RegisterExtension static final VmLabExtension LAB = new VmLabExtension();
  static final int ROUNDS = Integer.getInteger("vmhotplug.events.rounds", 10);
  static final int REFUSED_POLLING_ROUNDS = Integer.getInteger("vmhotplug.events.refusedPollingRounds", 3);
  static final MemorySize DIMM = MemorySize.ofMiB(256);
  static final Duration POLLING_REFUSAL_TIMEOUT = Duration.ofSeconds(10);

  /** Per client: when the last operation finished, and how its verification went. */
  static final class Timing extends HotplugListener {
    volatile long finishedAt;
    volatile int attempts;
    volatile boolean byEvent;
    volatile CountDownLatch detachReturned = new CountDownLatch(1);

    @Override
    public void callFinished(OperationInfo op, String call, Duration took, Optional<HotplugException> error) {
      if (call.startsWith("detachDevice")) {
        detachReturned.countDown();
      }
    }

    @Override
    public void verified(OperationInfo op, Duration took, int attempts, boolean byEvent) {
      this.attempts = attempts;
      this.byEvent = byEvent;
    }

    @Override
    public void failed(OperationInfo op, HotplugException error) {
      if (error instanceof GuestRefusedException g) {
        this.attempts = g.attempts();
        this.byEvent = error.getMessage().contains("DEVICE_REMOVAL_FAILED");
      }
    }

    @Override
    public void operationFinished(OperationInfo op, Outcome outcome, Duration took) {
      finishedAt = System.nanoTime();
    }
  }

  record Sample(double ms, int reads, boolean byEvent) {}

  @Test
  void dimmVerification_eventsVsPolling() throws Exception {
    Timing te = new Timing();
    Timing tp = new Timing();
    String uri = LAB.lab().daemon().uri();
    List<LabDomain> vms = LabIt.bootAll(LAB,
        DomainSpec.builder("evb-mov").rules(GuestRules.MOVABLE).build(),
        DomainSpec.builder("evb-std").rules(GuestRules.STANDARD).build());
    LabDomain mov = vms.get(0);
    LabDomain std = vms.get(1);
    List<List<Sample>> attach = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Sample>> detach = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Sample>> slow = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Sample>> refused = List.of(new ArrayList<>(), new ArrayList<>());
    try (HotplugClient events = HotplugClient.builder().listener(te).connect(uri);
        HotplugClient polling = HotplugClient.builder().listener(tp).deviceEvents(false).connect(uri)) {
      HotplugClient[] clients = {events, polling};
      Timing[] timings = {te, tp};
      for (int i = 0; i < 2 * ROUNDS; i++) {
        int k = i % 2;
        HotplugClient c = clients[k];
        Timing t = timings[k];
        long t0 = System.nanoTime();
        c.domain(mov.name()).memory().add(DIMM).live().apply();
        attach.get(k).add(new Sample(ms(t0, System.nanoTime()), t.attempts, t.byEvent));
        awaitBlocks(mov, 6);
        t0 = System.nanoTime();
        c.domain(mov.name()).memory().remove(DIMM).live().apply();
        detach.get(k).add(new Sample(ms(t0, System.nanoTime()), t.attempts, t.byEvent));
        awaitBlocks(mov, 4);
      }
      for (int i = 0; i < 2 * ROUNDS; i++) {
        int k = i % 2;
        HotplugClient c = clients[k];
        Timing t = timings[k];
        c.domain(mov.name()).memory().add(DIMM).live().apply();
        awaitBlocks(mov, 6);
        long resumed = paused(mov, t, () -> c.domain(mov.name()).memory().remove(DIMM).live().apply().toString());
        slow.get(k).add(new Sample(ms(resumed, t.finishedAt), t.attempts, t.byEvent));
        awaitBlocks(mov, 4);
      }
      events.domain(std.name()).memory().add(DIMM).live().apply();
      awaitBlocks(std, 6);
      for (int i = 0; i < ROUNDS + REFUSED_POLLING_ROUNDS; i++) {
        int k = i < 2 * REFUSED_POLLING_ROUNDS ? i % 2 : 0;
        HotplugClient c = clients[k];
        Timing t = timings[k];
        Duration timeout = k == 0 ? Duration.ofSeconds(60) : POLLING_REFUSAL_TIMEOUT;
        long resumed = paused(std, t, () -> {
          try {
            c.domain(std.name()).memory().remove(DIMM).live().timeout(timeout).apply();
            return "removed?";
          } catch (GuestRefusedException e) {
            return "refused";
          }
        });
        refused.get(k).add(new Sample(ms(resumed, t.finishedAt), t.attempts, t.byEvent));
      }
    }
    StringBuilder md = new StringBuilder("| measurement | events: median (min-max) ms | reads (median) | by event |"
        + " polling: median (min-max) ms | reads (median) | n events / polling |\n|---|---|---|---|---|---|---|\n");
    md.append(row("DIMM attach → verified (call → result)", attach));
    md.append(row("DIMM detach → verified (call → result)", detach));
    md.append(row("DIMM detach completing after libvirt's 5 s wait: resume → verified", slow));
    md.append(row("DIMM detach refused after libvirt's wait: resume → GuestRefusedException (polling timeout "
        + POLLING_REFUSAL_TIMEOUT.toSeconds() + " s)", refused));
    System.out.println(md);
    Files.writeString(LAB.lab().daemon().runDir().resolve("lab-events.md"), md.toString(), StandardCharsets.UTF_8);
    assertThat(attach.get(0)).hasSize(ROUNDS);
  }

  /** Pauses the domain, runs the change until libvirt's detach call returned, resumes; returns when it resumed. */
  private static long paused(LabDomain vm, Timing t, Supplier<String> change) throws Exception {
    t.detachReturned = new CountDownLatch(1);
    vm.virsh().call("suspend", vm.name());
    CompletableFuture<String> f = CompletableFuture.supplyAsync(change);
    long resumed;
    try {
      if (!t.detachReturned.await(LabIt.GUEST.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("libvirt's detach did not return");
      }
    } finally {
      vm.virsh().call("resume", vm.name());
      resumed = System.nanoTime();
    }
    f.get(120, TimeUnit.SECONDS);
    return resumed;
  }

  private static void awaitBlocks(LabDomain vm, int total) {
    vm.probe().awaitReport(total + " blocks online", r -> r.blocksTotal() == total && r.blocksOffline().isEmpty(),
        LabIt.GUEST);
  }

  private static double ms(long from, long to) {
    return (to - from) / 1e6;
  }

  private static String row(String what, List<List<Sample>> s) {
    return "| " + what + " | " + stats(s.get(0)) + " | " + reads(s.get(0)) + " | " + byEvent(s.get(0)) + " | "
        + stats(s.get(1)) + " | " + reads(s.get(1)) + " | " + s.get(0).size() + " / " + s.get(1).size() + " |\n";
  }

  private static String stats(List<Sample> s) {
    if (s.isEmpty()) {
      return "–";
    }
    List<Double> v = new ArrayList<>();
    s.forEach(x -> v.add(x.ms()));
    Collections.sort(v);
    return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
  }

  private static String reads(List<Sample> s) {
    List<Integer> v = new ArrayList<>();
    s.forEach(x -> v.add(x.reads()));
    Collections.sort(v);
    return v.isEmpty() ? "–" : String.valueOf(v.get(v.size() / 2));
  }

  private static String byEvent(List<Sample> s) {
    return s.stream().filter(Sample::byEvent).count() + "/" + s.size();
  }
}
