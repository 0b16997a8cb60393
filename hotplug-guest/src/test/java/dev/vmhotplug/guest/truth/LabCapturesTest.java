package dev.vmhotplug.guest.truth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.UdevRulesReader;
import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The parsers and {@link GuestCheck} on what the VM lab's real KVM guest printed (serial console of
 * GuestRulesIT; see lab/README.txt): without rules the hot-added CPUs and DIMM stay offline and
 * the check says why; with the generated rules everything comes online and the check is OK.
 */
class LabCapturesTest {

  private static final long BASELINE_KIB = 401_368; // node0 MemTotal before the hot-add
  private static final long DIMM_KIB = 256 * 1024;

  /** The key=value pairs of the HP line with the given seq. */
  private static Map<String, String> report(String log, int seq) {
    for (String line : log.split("\r?\n")) {
      if (line.startsWith("HP seq=" + seq + " ")) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring(3).split(" ")) {
          int eq = part.indexOf('=');
          kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return kv;
      }
    }
    throw new AssertionError("no HP line seq=" + seq);
  }

  private static GuestFacts facts(Map<String, String> r, String log) {
    Map<Integer, String> states = new TreeMap<>();
    for (String key : List.of("blocks_online", "blocks_offline")) {
      for (String n : r.get(key).split(",")) {
        if (!n.isEmpty()) {
          states.put(Integer.parseInt(n), key.endsWith("offline") ? "offline" : "online");
        }
      }
    }
    String info = log.lines().filter(l -> l.startsWith("HPINFO ")).findFirst().orElseThrow();
    String bs = info.replaceAll(".*block_size_bytes=0x([0-9a-f]+).*", "$1");
    return GuestFacts.builder()
        .processorCount(Integer.parseInt(r.get("nproc")))
        .cpusOnline(CpuList.parse(r.get("cpus_online")))
        .cpusPresent(CpuList.parse(r.get("cpus_present")))
        .memTotalKiB(Long.parseLong(r.get("node0_memtotal_kb")))
        .memoryBlocks(MemoryBlocks.of(java.util.OptionalLong.of(MemoryBlocks.parseBlockSize(bs)), states))
        .build();
  }

  private static GuestExpectation expect(int vcpus) {
    return GuestExpectation.builder().vcpus(vcpus).baselineMemTotalKiB(BASELINE_KIB).addedKiB(DIMM_KIB).build();
  }

  @Test
  void noRules_afterHotAdd_cpusAndBlocksOffline_notOnlineWithTheReasons() {
    String log = Resources.text("lab/norules.serial.log");
    Map<String, String> r = report(log, 11);
    assertThat(report(log, 1).get("node0_memtotal_kb")).isEqualTo(Long.toString(BASELINE_KIB));
    GuestVerdict v = GuestCheck.check(facts(r, log), expect(4));
    assertThat(v.status()).isEqualTo(GuestVerdict.Status.NOT_ONLINE);
    String all = String.join("\n", v.findings());
    assertThat(all).contains("CPUs 2-3 present but offline: no udev rule onlines CPUs")
        .contains("2 memory blocks offline (memory32, memory33, 256 MiB in all)")
        .contains("MemTotal did not grow (392.0 MiB before, 392.0 MiB now) although 256 MiB was added");
  }

  @Test
  void noRules_afterTheGuestOnlinedByHand_ok() {
    String log = Resources.text("lab/norules.serial.log");
    assertThat(log).contains("HPCMD online done");
    GuestVerdict v = GuestCheck.check(facts(report(log, 13), log), expect(4));
    assertThat(v.status()).as(v.summary()).isEqualTo(GuestVerdict.Status.OK);
    // on this 6.1 guest MemTotal grew by the whole DIMM (663512 - 401368 = 262144 kB)
    assertThat(String.join("\n", v.findings())).contains("MemTotal grew by 256 MiB, all of the 256 MiB added");
  }

  @Test
  void generatedRules_inTheLabGuest_areOursByteForByte_andTheGuestOnlinedEverything() {
    String log = Resources.text("lab/rules.serial.log").replace("\r\n", "\n"); // the serial console writes CRLF
    Map<String, StringBuilder> files = new LinkedHashMap<>();
    for (String line : log.split("\n")) {
      if (line.startsWith("HPRULE ")) {
        int colon = line.indexOf(": ");
        files.computeIfAbsent(line.substring(7, colon), k -> new StringBuilder())
            .append(line.substring(colon + 2)).append('\n');
      }
    }
    List<RuleFile> ours = RuleGenerator.generate(RuleOptions.defaults());
    assertThat(files.keySet()).containsExactly("80-cpu-hotplug.rules", "81-mem-hotplug.rules");
    for (RuleFile f : ours) {
      assertThat(files.get(f.fileName()).toString()).isEqualTo(f.content());
    }
    List<UdevRuleFile> parsed = new ArrayList<>();
    files.forEach((name, text) -> parsed.add(UdevRulesReader.parse(name, text.toString())));
    Map<HotplugResource, UdevVerdict> verdicts = UdevRulesReader.evaluate(parsed, UdevEnvironment.kvmGuest());
    assertThat(verdicts.values()).allSatisfy(x -> assertThat(x.covered()).isTrue());

    GuestVerdict v = GuestCheck.check(facts(report(log, 13), log), expect(4));
    assertThat(v.status()).as(v.summary()).isEqualTo(GuestVerdict.Status.OK);
  }
}
