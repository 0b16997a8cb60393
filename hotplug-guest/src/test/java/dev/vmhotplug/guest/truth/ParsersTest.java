package dev.vmhotplug.guest.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParsersTest {

  @TempDir Path tmp;

  // ---- CpuList ----

  @Test
  void capturedSysfsLists_parseAndFormatCanonically() {
    for (String f : new String[] {"captured/cpu-online.txt", "captured/cpu-present.txt", "captured/cpu-possible.txt"}) {
      String text = Resources.text(f);
      CpuList l = CpuList.parse(text);
      assertThat(l.format()).isEqualTo(text.strip());
      assertThat(l.size()).isEqualTo(2);
      assertThat(l.toArray()).containsExactly(0, 1);
    }
  }

  @Test
  void cpuList_rangesAndSingles() {
    CpuList l = CpuList.parse("0-3,5,7-8\n");
    assertThat(l.size()).isEqualTo(7);
    assertThat(l.contains(4)).isFalse();
    assertThat(l.contains(8)).isTrue();
    assertThat(l.format()).isEqualTo("0-3,5,7-8");
    assertThat(CpuList.parse("3,0,1,2").format()).isEqualTo("0-3");
    assertThat(l.minus(CpuList.parse("0-3"))).isEqualTo(CpuList.of(5, 7, 8));
    assertThat(CpuList.of(1).union(CpuList.of(2)).toString()).isEqualTo("1-2");
  }

  @Test
  void cpuList_emptyFile_isEmptySet() {
    assertThat(CpuList.parse("\n").isEmpty()).isTrue();
    assertThat(CpuList.parse("").format()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0-", "-3", "a", "0,,1", "1-0x", "0 - 3 x", "99999999", "3-1"})
  void cpuList_junk_isRefusedWithTheText(String text) {
    assertThatThrownBy(() -> CpuList.parse(text)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("CPU list '" + text.strip() + "'");
  }

  @Test
  void cpuList_hugeNumber_isRefused() {
    assertThatThrownBy(() -> CpuList.parse("0-70000")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("names CPU 70000, above the highest CPU number 65535");
  }

  @Test
  void cpuList_binary_isRefused() {
    assertThatThrownBy(() -> CpuList.parse("0-1\u0000\u0001")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("is binary, not text");
  }

  // ---- /proc/cpuinfo ----

  @Test
  void capturedCpuinfo_countsTwoProcessors() {
    String text = Resources.text("captured/proc-cpuinfo.txt");
    assertThat(ProcCpuinfo.processorCount(text)).isEqualTo(2);
    assertThat(ProcCpuinfo.guideGrepCount(text)).isEqualTo(2);
  }

  @Test
  void qemuNamedModel_guideGrepCountsDouble_butProcessorCountIsRight() {
    String text = Resources.text("written/cpuinfo-qemu-named-model.txt");
    assertThat(ProcCpuinfo.processorCount(text)).isEqualTo(2);
    assertThat(ProcCpuinfo.guideGrepCount(text)).isEqualTo(4);
    assertThat(ProcCpuinfo.guideCountNote(text)).hasValueSatisfying(n -> assertThat(n)
        .contains("prints 4 on this guest, not 2").contains("'model name : Intel Xeon Processor (Cascadelake)'"));
    assertThat(ProcCpuinfo.guideCountNote(Resources.text("captured/proc-cpuinfo.txt"))).isEmpty();
  }

  @Test
  void cpuinfo_empty_isRefused() {
    assertThatThrownBy(() -> ProcCpuinfo.processorCount("")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("/proc/cpuinfo is empty");
  }

  @Test
  void cpuinfo_withoutProcessorLines_isRefused() {
    assertThatThrownBy(() -> ProcCpuinfo.processorCount("hello\nworld\n")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("has no 'processor : N' line").hasMessageContaining("'hello'");
  }

  @Test
  void cpuinfo_binaryJunk_isRefused() {
    byte[] junk = new byte[256];
    for (int i = 0; i < junk.length; i++) {
      junk[i] = (byte) i;
    }
    String text = new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> ProcCpuinfo.processorCount(text)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("binary");
  }

  @Test
  void hugeFile_isRefusedWithTheLimit() throws IOException {
    Path f = tmp.resolve("cpuinfo");
    String block = "processor\t: 0\n".repeat(1000);
    try (var w = Files.newBufferedWriter(f)) {
      for (int i = 0; i < 400; i++) {
        w.write(block);
      }
    }
    assertThatThrownBy(() -> GuestText.read(f, "/proc/cpuinfo")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("larger than 4 MiB");
    assertThatThrownBy(() -> ProcCpuinfo.processorCount(Files.readString(f))).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("more than the 4 MiB limit");
  }

  @Test
  void missingFile_isAClearError() {
    assertThatThrownBy(() -> GuestText.read(tmp.resolve("nope"), "/proc/cpuinfo"))
        .isInstanceOf(GuestDataException.class).hasMessageContaining("does not exist");
  }

  // ---- node meminfo ----

  @Test
  void capturedNodeMeminfo_givesKiBPerKey() {
    NodeMeminfo m = NodeMeminfo.parse(Resources.text("captured/node0-meminfo.txt"));
    assertThat(m.node()).hasValue(0);
    assertThat(m.memTotalKiB()).isEqualTo(4548384L);
    assertThat(m.memFreeKiB()).isPresent();
    assertThat(m.kib("MemUsed").getAsLong()).isEqualTo(m.memTotalKiB() - m.memFreeKiB().getAsLong());
    assertThat(m.counts()).containsKey("HugePages_Total");
    assertThat(m.kibValues()).doesNotContainKey("HugePages_Total");
  }

  @Test
  void capturedProcMeminfo_parsesWithoutNode() {
    NodeMeminfo m = NodeMeminfo.parse(Resources.text("captured/proc-meminfo.txt"));
    assertThat(m.node()).isEmpty();
    assertThat(m.memTotalKiB()).isEqualTo(24683656L);
  }

  @Test
  void meminfo_mixedNodes_isRefused() {
    assertThatThrownBy(() -> NodeMeminfo.parse("Node 0 MemTotal: 1 kB\nNode 1 MemTotal: 2 kB\n"))
        .isInstanceOf(GuestDataException.class).hasMessageContaining("lines of node 0 and node 1 are mixed");
  }

  @Test
  void meminfo_withoutMemTotal_isRefused() {
    assertThatThrownBy(() -> NodeMeminfo.parse("Node 0 MemFree: 1 kB\n")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("has no 'MemTotal: N kB' line");
  }

  @Test
  void meminfo_truncatedLine_isRefusedWithTheLine() {
    assertThatThrownBy(() -> NodeMeminfo.parse("Node 0 MemTotal:        45483"
        + "\nNode 0 MemFree: x kB\n")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("meminfo line 2").hasMessageContaining("'x' is not a whole number");
  }

  // ---- free -m ----

  @Test
  void capturedFreeNewFormat_parses() {
    FreeOutput f = FreeOutput.parse(Resources.text("captured/free-m.txt"));
    assertThat(f.oldFormat()).isFalse();
    assertThat(f.totalMiB()).isEqualTo(24105);
    assertThat(f.availableMiB()).isPresent();
    assertThat(f.swapTotalMiB()).hasValue(0);
    assertThat(f.memColumns()).containsKeys("total", "used", "free", "shared", "buff/cache", "available");
    assertThat(f.usedWithoutBuffersMiB()).isEmpty();
  }

  @Test
  void oldProcpsFormat_parsesTheBuffersLine() {
    FreeOutput f = FreeOutput.parse(Resources.text("written/free-m-procps-3.2.txt"));
    assertThat(f.oldFormat()).isTrue();
    assertThat(f.totalMiB()).isEqualTo(1877);
    assertThat(f.usedMiB()).isEqualTo(394);
    assertThat(f.freeMiB()).isEqualTo(1483);
    assertThat(f.usedWithoutBuffersMiB()).hasValue(213);
    assertThat(f.availableMiB()).isEmpty();
    assertThat(f.swapTotalMiB()).hasValue(3999);
  }

  @Test
  void freeHuman_isRefusedWithAdvice() {
    String h = "               total        used        free      shared  buff/cache   available\n"
        + "Mem:            23Gi       288Mi        23Gi       8.0Mi       218Mi        23Gi\n";
    assertThatThrownBy(() -> FreeOutput.parse(h)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("not free -h");
  }

  @Test
  void freeLocalized_isRefusedWithAdvice() {
    String de = "              gesamt       belegt      frei\nSpeicher:      1000  10  990\n";
    assertThatThrownBy(() -> FreeOutput.parse(de)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("no 'Mem:' line").hasMessageContaining("LC_ALL=C free -m");
  }

  @Test
  void freeTruncated_isRefused() {
    assertThatThrownBy(() -> FreeOutput.parse("    total   used   free\nMem:   100   10\n"))
        .isInstanceOf(GuestDataException.class).hasMessageContaining("has 2 values but the header names 3");
  }

  // ---- memory blocks ----

  @Test
  void capturedMemoryRoot_readsBlockSizeAndStates() {
    MemoryBlocks b = MemoryBlocks.read(Resources.path("captured/memory"));
    assertThat(b.blockSizeBytes()).isEqualTo(OptionalLong.of(128L << 20));
    assertThat(b.states()).containsOnlyKeys(0, 1, 2, 3, 32, 33);
    assertThat(b.states().values()).containsOnly("online");
    assertThat(b.offlineBlocks()).isEmpty();
  }

  @Test
  void blockSize_isHexWithout0x() {
    assertThat(MemoryBlocks.parseBlockSize(Resources.text("captured/memory/block_size_bytes"))).isEqualTo(134217728L);
    assertThat(MemoryBlocks.parseBlockSize("80000000\n")).isEqualTo(2L << 30);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zz", "134217728", "-1", "0"})
  void blockSize_junk_isRefused(String text) {
    assertThatThrownBy(() -> MemoryBlocks.parseBlockSize(text)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("block_size_bytes '" + text + "'");
  }

  @Test
  void state_unknown_isRefused() {
    assertThatThrownBy(() -> MemoryBlocks.parseState("online_movable")).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("is not one of online, offline, going-offline");
  }

  @Test
  void memoryRoot_withMalformedState_namesTheFile() throws IOException {
    Files.createDirectories(tmp.resolve("memory7"));
    Files.writeString(tmp.resolve("memory7/state"), "");
    assertThatThrownBy(() -> MemoryBlocks.read(tmp)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("memory7/state").hasMessageContaining("is empty");
  }

  @Test
  void memoryRoot_empty_isRefused() {
    assertThatThrownBy(() -> MemoryBlocks.read(tmp)).isInstanceOf(GuestDataException.class)
        .hasMessageContaining("has no memoryN/state file");
  }
}
