package dev.vmhotplug.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmhotplug.guest.truth.GuestFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerialGuestProbeTest {
  static final String INFO = "HPINFO kernel=6.1.0-56-amd64 block_size_bytes=0x8000000 auto_online_blocks=offline"
      + " rules=none udevd=97 agent=0 uptime=7.9\n";
  static final String R1 = "HP seq=1 t=8.01 cpus_online=0-1 cpus_present=0-2 nproc=2 node0_memtotal_kb=401368"
      + " blocks_online=0,1,2,3 blocks_offline=32,33 udevd=1\n";

  @TempDir Path dir;

  private void append(Path log, String text) throws IOException {
    Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void reportLine_parsesEveryField() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, "[    0.000] Linux version\n" + INFO + R1);
    GuestReport r = new SerialGuestProbe(log).latest().orElseThrow();
    assertThat(r.boot()).isEqualTo(1);
    assertThat(r.seq()).isEqualTo(1);
    assertThat(r.uptimeSeconds()).isEqualTo(8.01);
    assertThat(r.cpusOnlineCount()).isEqualTo(2);
    assertThat(r.cpusPresentCount()).isEqualTo(3);
    assertThat(r.processorCount()).isEqualTo(2);
    assertThat(r.node0MemTotalKiB()).isEqualTo(401368);
    assertThat(r.blocksOnline()).containsExactly(0, 1, 2, 3);
    assertThat(r.blocksOffline()).containsExactly(32, 33);
    assertThat(r.blocksTotal()).isEqualTo(6);
    assertThat(r.udevdRunning()).isTrue();
  }

  @Test
  void reportLine_newFields_memTotalNodesAndVirtioMem() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + "HP seq=3 t=10.85 cpus_online=0-1 cpus_present=0-1 nproc=2 node0_memtotal_kb=210820"
        + " blocks_online=0,1,2,3,36,37 blocks_offline= udevd=1 memtotal_kb=664104 nodes_kb=0:210820,1:453284"
        + " vmem_kb=262144\n");
    GuestReport r = new SerialGuestProbe(log).latest().orElseThrow();
    assertThat(r.memTotalKiB()).isEqualTo(664104);
    assertThat(r.nodeMemTotalKiB()).containsExactly(java.util.Map.entry(0, 210820L), java.util.Map.entry(1, 453284L));
    assertThat(r.nodeMemTotal(1)).isEqualTo(453284);
    assertThat(r.nodeMemTotal(2)).isEqualTo(-1);
    assertThat(r.virtioMemKiB()).isEqualTo(262144);
    assertThat(r.blocksOffline()).isEmpty();
  }

  @Test
  void reportLine_withoutTheNewFields_defaultsToNode0() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + R1);
    GuestReport r = new SerialGuestProbe(log).latest().orElseThrow();
    assertThat(r.memTotalKiB()).isEqualTo(401368);
    assertThat(r.nodeMemTotalKiB()).containsExactly(java.util.Map.entry(0, 401368L));
    assertThat(r.virtioMemKiB()).isZero();
  }

  @Test
  void facts_carryCpusBlocksAndBlockSize() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + R1);
    GuestFacts f = new SerialGuestProbe(log).facts(null);
    assertThat(f.processorCount()).hasValue(2);
    assertThat(f.cpusOnline().orElseThrow().format()).isEqualTo("0-1");
    assertThat(f.cpusPresent().orElseThrow().format()).isEqualTo("0-2");
    assertThat(f.memTotalKiB()).hasValue(401368);
    assertThat(f.blockSizeBytes()).hasValue(128L << 20);
    assertThat(f.memoryBlockStates().orElseThrow()).containsEntry(32, "offline").containsEntry(0, "online");
  }

  @Test
  void kernelMessageGluedInFront_isCutOff_andTornLineIsSkipped() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + "[   9.1] ACPI: HPET id: 0x8086a201 base: 0xfed00000HP seq=2 t=9.0 cpus_online=0-1 cpus_present=0-1"
        + " nproc=2 node0_memtotal_kb=1 blocks_online=0 blocks_offline= udevd=1\n"
        + "HP seq=3 t=9.2 cpus_online=0-1 cpus_pre\n");
    SerialGuestProbe p = new SerialGuestProbe(log);
    assertThat(p.latest().orElseThrow().seq()).isEqualTo(2);
    assertThat(p.mark()).isEqualTo(1);
  }

  @Test
  void partialLine_isReadWhenComplete_andANewBootCountsUp() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + R1.substring(0, 20));
    SerialGuestProbe p = new SerialGuestProbe(log);
    assertThat(p.latest()).isEmpty();
    append(log, R1.substring(20) + INFO + R1.replace("seq=1", "seq=1").replace("nproc=2", "nproc=4"));
    assertThat(p.boots()).isEqualTo(2);
    assertThat(p.latest().orElseThrow().boot()).isEqualTo(2);
    assertThat(p.latest().orElseThrow().processorCount()).isEqualTo(4);
  }

  @Test
  void awaitReport_timeout_namesWhatAndTheLastReport_logUnchanged() throws IOException {
    Path log = dir.resolve("s.log");
    append(log, INFO + R1);
    byte[] before = Files.readAllBytes(log);
    SerialGuestProbe p = new SerialGuestProbe(log);
    assertThatThrownBy(() -> p.awaitReport("4 CPUs online", r -> r.cpusOnlineCount() == 4, Duration.ofMillis(200)))
        .isInstanceOf(GuestTimeoutException.class)
        .hasMessageContaining("did not report 4 CPUs online")
        .hasMessageContaining("last report: HP seq=1")
        .satisfies(e -> assertThat(((GuestTimeoutException) e).last()).isPresent());
    assertThat(Files.readAllBytes(log)).isEqualTo(before);
  }

  @Test
  void noLogYet_factsRefusesWithAClearMessage() {
    SerialGuestProbe p = new SerialGuestProbe(dir.resolve("missing.log"));
    assertThat(p.latest()).isEmpty();
    assertThatThrownBy(() -> p.facts(null)).hasMessageContaining("has not printed a status line yet");
  }
}
