package dev.vmhotplug.guest.truth;

import static dev.vmhotplug.guest.truth.GuestVerdict.Status.CANNOT_TELL;
import static dev.vmhotplug.guest.truth.GuestVerdict.Status.NOT_ONLINE;
import static dev.vmhotplug.guest.truth.GuestVerdict.Status.OK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestCheckTest {

  private static final long MIB = 1024;

  private static GuestExpectation vcpus(int n) {
    return GuestExpectation.builder().vcpus(n).build();
  }

  @Test
  void cpuPresentButOffline_isNotOnlineWithUdevAdvice() {
    GuestFacts f = GuestFacts.builder().cpusPresent(CpuList.parse("0-2")).cpusOnline(CpuList.parse("0-1")).build();
    GuestVerdict v = GuestCheck.check(f, vcpus(3));
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.findings()).hasSize(1);
    assertThat(v.summary()).isEqualTo("NOT_ONLINE: CPU 2 present but offline: no udev rule onlines CPUs"
        + " on this guest (see `hotplug udev-rules`)");
  }

  @Test
  void severalCpusOffline_areNamedAsARange() {
    GuestFacts f = GuestFacts.builder().cpusPresent(CpuList.parse("0-3")).cpusOnline(CpuList.parse("0-1")).build();
    assertThat(GuestCheck.check(f, vcpus(4)).findings().get(0)).startsWith("CPUs 2-3 present but offline");
  }

  @Test
  void capturedMachine_twoOnlineOfTwo_isOk() {
    GuestFacts f = GuestFacts.builder()
        .processorCount(ProcCpuinfo.processorCount(Resources.text("captured/proc-cpuinfo.txt")))
        .cpusOnline(CpuList.parse(Resources.text("captured/cpu-online.txt")))
        .cpusPresent(CpuList.parse(Resources.text("captured/cpu-present.txt")))
        .memoryBlocks(MemoryBlocks.read(Resources.path("captured/memory")))
        .build();
    GuestVerdict v = GuestCheck.check(f, vcpus(2));
    assertThat(v.status()).as(v.findings().toString()).isEqualTo(OK);
    assertThat(v.findings()).containsExactly("2 CPUs online, as expected (/sys/devices/system/cpu/online: 0-1)");
  }

  @Test
  void fewerProcessorsThanVcpus_isNotOnline() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().processorCount(2).build(), vcpus(3));
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("the guest has 2 CPUs online (/proc/cpuinfo) but the hypervisor gives it 3"
        + " vCPUs: 1 added vCPU is not online");
  }

  @Test
  void moreProcessorsThanVcpus_cannotTell() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().processorCount(4).build(), vcpus(3));
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.summary()).contains("4 CPUs online").contains("expectation is stale");
  }

  @Test
  void fewerPresentThanVcpus_saysTheHotAddDidNotReachTheGuest() {
    GuestFacts f = GuestFacts.builder().cpusPresent(CpuList.parse("0-1")).cpusOnline(CpuList.parse("0-1")).build();
    GuestVerdict v = GuestCheck.check(f, vcpus(3));
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.findings().get(0)).contains("2 CPUs present (0-1)").contains("has not reached the guest kernel");
  }

  @Test
  void onlyPresentKnown_cannotTellWhichAreOnline() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().cpusPresent(CpuList.parse("0-2")).build(), vcpus(3));
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.summary()).contains("cannot tell which CPUs are online");
  }

  @Test
  void onlyPresentKnownAndShort_isNotOnlineWithoutAnExtraCannotTell() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().cpusPresent(CpuList.parse("0-1")).build(), vcpus(3));
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.findings()).hasSize(1);
    assertThat(v.summary()).contains("has not reached the guest kernel");
  }

  @Test
  void cpuinfoAndSysfsDisagree_cannotTell() {
    GuestFacts f = GuestFacts.builder().processorCount(3).cpusOnline(CpuList.parse("0-1")).build();
    GuestVerdict v = GuestCheck.check(f, vcpus(2));
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.summary()).contains("/proc/cpuinfo lists 3 processors but /sys/devices/system/cpu/online lists 2 CPUs");
  }

  @Test
  void noCpuFacts_cannotTellAndSaysWhich_andWhy() {
    GuestFacts f = GuestFacts.builder().unavailable("/proc/cpuinfo", "file is empty").build();
    GuestVerdict v = GuestCheck.check(f, vcpus(2));
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.summary()).contains("no /proc/cpuinfo and no /sys/devices/system/cpu/online")
        .contains("/proc/cpuinfo: file is empty");
  }

  @Test
  void agentVcpus_showOfflineCpu() {
    GuestFacts f = GuestFacts.builder()
        .agentVcpus(AgentReplies.parseVcpus(Resources.text("agent/guest-get-vcpus.json"))).build();
    GuestVerdict v = GuestCheck.check(f, vcpus(3));
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.findings().get(0)).startsWith("CPU 2 present but offline");
  }

  @Test
  void offlineMemoryBlocks_areNamedWithTheirSize() {
    GuestFacts f = GuestFacts.builder()
        .memoryBlockStates(Map.of(0, "online", 1, "online", 32, "offline", 33, "offline"))
        .blockSizeBytes(128L << 20).build();
    GuestVerdict v = GuestCheck.check(f, GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).isEqualTo("NOT_ONLINE: 2 memory blocks offline (memory32, memory33, 256 MiB in all):"
        + " no udev rule onlines hot-added memory on this guest (see `hotplug udev-rules`)");
  }

  @Test
  void agentMemoryBlocks_offline_isNotOnline() {
    GuestFacts f = GuestFacts.builder()
        .agentMemoryBlocks(AgentReplies.parseMemoryBlocks(Resources.text("agent/guest-get-memory-blocks.json"))).build();
    GuestVerdict v = GuestCheck.check(f, GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("2 memory blocks offline (memory32, memory33)");
  }

  @Test
  void memTotalGrewByMostOfTheDimm_isOkAndExplainsStructPage() {
    GuestExpectation e = GuestExpectation.builder().baselineMemTotalKiB(500 * MIB).addedKiB(256 * MIB).build();
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(740 * MIB).build(), e);
    assertThat(v.status()).isEqualTo(OK);
    assertThat(v.summary()).isEqualTo("OK: MemTotal grew by 240 MiB of 256 MiB: the kernel reserves the rest for"
        + " its page tables (struct page)");
  }

  @Test
  void memTotalGrewByHalf_isNotOnlineInBlocks() {
    GuestExpectation e = GuestExpectation.builder().baselineMemTotalKiB(500 * MIB).addedKiB(256 * MIB).build();
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(628 * MIB).build(), e);
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("MemTotal grew by 128 MiB of 256 MiB: 128 MiB is missing, about 1 memory block"
        + " of 128 MiB not online");
  }

  @Test
  void memTotalDidNotGrow_isNotOnline() {
    GuestExpectation e = GuestExpectation.builder().baselineMemTotalKiB(500 * MIB).addedKiB(256 * MIB).build();
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(500 * MIB).build(), e);
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("MemTotal did not grow (500 MiB before, 500 MiB now) although 256 MiB was added");
  }

  @Test
  void memTotalGrewFully_isOk() {
    GuestExpectation e = GuestExpectation.builder().baselineMemTotalKiB(500 * MIB).addedKiB(1024 * MIB).build();
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(1524 * MIB).build(), e);
    assertThat(v.status()).isEqualTo(OK);
    assertThat(v.summary()).contains("grew by 1 GiB, all of the 1 GiB added");
  }

  @Test
  void oneBlockMissingOfTwoGiB_isNotExplainedAway() {
    GuestExpectation e = GuestExpectation.builder().baselineMemTotalKiB(1000 * MIB).addedKiB(2048 * MIB).build();
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB((1000 + 1920) * MIB).build(), e);
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("about 1 memory block of 128 MiB not online");
  }

  @Test
  void memTotalFarBelowTheTotal_isNotOnline() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(480 * MIB).build(),
        GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.summary()).contains("MemTotal is 480 MiB, 288 MiB short of the 768 MiB");
  }

  @Test
  void memTotalSlightlyBelowTheTotal_isOkButSaysItIsImprecise() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(730 * MIB).build(),
        GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(OK);
    assertThat(v.summary()).contains("within what the kernel reserves").contains("for a precise check");
  }

  @Test
  void memTotalAboveTheTotal_cannotTell() {
    GuestVerdict v = GuestCheck.check(GuestFacts.builder().memTotalKiB(1024 * MIB).build(),
        GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.summary()).contains("more than the 768 MiB expected");
  }

  @Test
  void goingOffline_cannotTell() {
    GuestFacts f = GuestFacts.builder().memoryBlockStates(Map.of(0, "online", 5, "going-offline")).build();
    GuestVerdict v = GuestCheck.check(f, GuestExpectation.builder().memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.findings()).anyMatch(s -> s.contains("going offline (memory5)"));
  }

  @Test
  void noMemoryFacts_cannotTellAndSaysWhy() {
    GuestFacts f = GuestFacts.builder().processorCount(2)
        .unavailable("node meminfo", "/x/meminfo does not exist").build();
    GuestVerdict v = GuestCheck.check(f, GuestExpectation.builder().vcpus(2).memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(CANNOT_TELL);
    assertThat(v.findings()).anyMatch(s -> s.contains("no node meminfo (MemTotal) and no memory block states")
        && s.contains("node meminfo: /x/meminfo does not exist"));
    assertThat(v.findings()).anyMatch(s -> s.startsWith("2 CPUs online"));
  }

  @Test
  void problemsComeFirst_andWinOverCannotTell() {
    GuestFacts f = GuestFacts.builder().processorCount(1).build();
    GuestVerdict v = GuestCheck.check(f, GuestExpectation.builder().vcpus(2).memoryKiB(768 * MIB).build());
    assertThat(v.status()).isEqualTo(NOT_ONLINE);
    assertThat(v.findings().get(0)).contains("1 CPU online");
    assertThat(v.findings().get(1)).contains("cannot tell whether the guest onlined its memory");
  }

  @Test
  void expectation_needsSomething_andBaselineNeedsAdded() {
    assertThatThrownBy(() -> GuestExpectation.builder().build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing is expected");
    assertThatThrownBy(() -> GuestExpectation.builder().vcpus(1).baselineMemTotalKiB(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without addedKiB");
    assertThatThrownBy(() -> GuestExpectation.builder().vcpus(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vcpus 0 is below 1");
  }

  @Test
  void facts_refuseBadValues() {
    assertThatThrownBy(() -> GuestFacts.builder().blockSizeBytes(3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a positive power of two");
    assertThatThrownBy(() -> GuestFacts.builder().memoryBlockStates(Map.of(1, "weird")))
        .isInstanceOf(GuestDataException.class).hasMessageContaining("'weird'");
    assertThatThrownBy(() -> GuestFacts.builder().processorCount(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sizes_formatAsTheFindingsShowThem() {
    assertThat(GuestCheck.size(240 * MIB)).isEqualTo("240 MiB");
    assertThat(GuestCheck.size(2048 * MIB)).isEqualTo("2 GiB");
    assertThat(GuestCheck.size(1536)).isEqualTo("1.5 MiB");
  }
}
