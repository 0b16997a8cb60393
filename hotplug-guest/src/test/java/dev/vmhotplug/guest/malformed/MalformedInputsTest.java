package dev.vmhotplug.guest.malformed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.Distro;
import dev.vmhotplug.guest.DistroKnowledge;
import dev.vmhotplug.guest.UdevRulesReader;
import dev.vmhotplug.guest.distro.ReleaseFiles;
import dev.vmhotplug.guest.truth.AgentReplies;
import dev.vmhotplug.guest.truth.CpuList;
import dev.vmhotplug.guest.truth.FreeOutput;
import dev.vmhotplug.guest.truth.MemoryBlocks;
import dev.vmhotplug.guest.truth.NodeMeminfo;
import dev.vmhotplug.guest.truth.ProcCpuinfo;
import dev.vmhotplug.guest.udev.GrepExplainer;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.version.DebVersion;
import dev.vmhotplug.guest.version.RpmVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every text entry point of hotplug-guest against every kind of malformed input the issue names
 * (empty, whitespace only, truncated real files, binary junk, huge input, absurd numbers): each
 * returns a result or throws an exception whose message says what is wrong; never a bare
 * NullPointerException, NumberFormatException, index or stack error, and never a message-less one.
 */
class MalformedInputsTest {

  private static final Map<String, Function<String, Object>> ENTRY_POINTS = new LinkedHashMap<>();

  static {
    UdevEnvironment kvm = UdevEnvironment.kvmGuest();
    ENTRY_POINTS.put("ProcCpuinfo.processorCount", ProcCpuinfo::processorCount);
    ENTRY_POINTS.put("ProcCpuinfo.guideGrepCount", ProcCpuinfo::guideGrepCount);
    ENTRY_POINTS.put("ProcCpuinfo.guideCountNote", ProcCpuinfo::guideCountNote);
    ENTRY_POINTS.put("CpuList.parse", CpuList::parse);
    ENTRY_POINTS.put("NodeMeminfo.parse", NodeMeminfo::parse);
    ENTRY_POINTS.put("FreeOutput.parse", FreeOutput::parse);
    ENTRY_POINTS.put("MemoryBlocks.parseBlockSize", MemoryBlocks::parseBlockSize);
    ENTRY_POINTS.put("MemoryBlocks.parseState", MemoryBlocks::parseState);
    ENTRY_POINTS.put("AgentReplies.parseVcpus", AgentReplies::parseVcpus);
    ENTRY_POINTS.put("AgentReplies.parseMemoryBlocks", AgentReplies::parseMemoryBlocks);
    ENTRY_POINTS.put("AgentReplies.parseMemoryBlockSize", AgentReplies::parseMemoryBlockSize);
    ENTRY_POINTS.put("ReleaseFiles.parseOsRelease", ReleaseFiles::parseOsRelease);
    for (String f : List.of("/etc/os-release", "/etc/redhat-release", "/etc/centos-release",
        "/etc/lsb-release", "/etc/debian_version")) {
      ENTRY_POINTS.put("ReleaseFiles.identify " + f, t -> ReleaseFiles.identify(Map.of(f, t)));
    }
    ENTRY_POINTS.put("ReleaseFiles.dpkgInstalledVersion", t -> ReleaseFiles.dpkgInstalledVersion(t, "systemd"));
    ENTRY_POINTS.put("RpmVersion.parse", RpmVersion::parse);
    ENTRY_POINTS.put("RpmVersion.parsePackage", RpmVersion::parsePackage);
    ENTRY_POINTS.put("RpmVersion.rpmvercmp", t -> RpmVersion.rpmvercmp(t, "219-19.el7_2.9"));
    ENTRY_POINTS.put("DebVersion.parse", DebVersion::parse);
    ENTRY_POINTS.put("DebVersion.verrevcmp", t -> DebVersion.verrevcmp(t, "1.0~rc1"));
    ENTRY_POINTS.put("UdevRulesReader.parse+evaluate",
        t -> UdevRulesReader.evaluate(List.of(UdevRulesReader.parse("99-x.rules", t)), kvm));
    ENTRY_POINTS.put("GrepExplainer.explain", t -> GrepExplainer.explain(t, kvm));
    ENTRY_POINTS.put("DistroKnowledge.lookup(systemd version)",
        t -> DistroKnowledge.lookup(Distro.of("centos", "7.0"), Optional.of(t)));
    ENTRY_POINTS.put("Advice.forDistro(name, version)",
        t -> Advice.forDistro(Distro.of(t, t), AdviceOptions.defaults()).report());
  }

  private static String resource(String path) {
    try (InputStream in = MalformedInputsTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, String> inputs() {
    Map<String, String> in = new LinkedHashMap<>();
    in.put("empty", "");
    in.put("whitespace", " \n\t\n");
    in.put("NUL", "\0");
    byte[] junk = new byte[2048];
    new Random(7).nextBytes(junk);
    in.put("binary junk (ISO-8859-1)", new String(junk, StandardCharsets.ISO_8859_1));
    in.put("binary junk (UTF-8 replacement)", new String(junk, StandardCharsets.UTF_8));
    in.put("huge number", "99999999999999999999999999999999");
    in.put("negative", "-1");
    in.put("huge (8 MiB of one line)", "7".repeat(8 << 20));
    in.put("huge (4 MiB of lines)", "processor\t: 0\nMemTotal: 1 kB\n0-1\n".repeat(4 << 20 >> 5));
    in.put("deep JSON", "[".repeat(100_000));
    in.put("huge epoch", "9".repeat(100_000) + ":1-");
    in.put("huge bad epoch", "x".repeat(100_000) + ":1");
    in.put("huge trailing dash", "1.".repeat(50_000) + "-");
    String[] real = {
        "/dev/vmhotplug/guest/truth/captured/proc-cpuinfo.txt",
        "/dev/vmhotplug/guest/truth/captured/node0-meminfo.txt",
        "/dev/vmhotplug/guest/truth/captured/free-m.txt",
        "/dev/vmhotplug/guest/truth/agent/guest-get-vcpus.json",
        "/dev/vmhotplug/guest/truth/agent/guest-get-memory-blocks.json",
        "/dev/vmhotplug/guest/udev/rhel9/40-redhat.rules",
        "/dev/vmhotplug/guest/udev/ubuntu/40-vm-hotadd.rules"};
    for (String r : real) {
      String t = resource(r);
      String name = r.substring(r.lastIndexOf('/') + 1);
      in.put("truncated " + name, t.substring(0, t.length() / 2));
      in.put("truncated mid-token " + name, t.substring(0, Math.min(t.length(), 37)));
    }
    return in;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    Map<String, String> in = inputs();
    for (var e : ENTRY_POINTS.entrySet()) {
      for (var i : in.entrySet()) {
        out.add(Arguments.of(e.getKey(), i.getKey(), e.getValue(), i.getValue()));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void malformedInput_givesAResultOrAClearMessage(String entry, String input, Function<String, Object> f, String text) {
    String before = text.length() > 64 ? null : text;
    try {
      Object result = f.apply(text);
      assertThat(result).as("%s on %s returned null", entry, input).isNotNull();
    } catch (RuntimeException e) {
      assertThat(e).as("%s on %s", entry, input)
          .isNotInstanceOfAny(NullPointerException.class, NumberFormatException.class,
              IndexOutOfBoundsException.class, ClassCastException.class, ArithmeticException.class);
      assertThat(e.getMessage()).as("%s on %s: message of %s", entry, input, e.getClass().getName())
          .isNotBlank();
      assertThat(e.getMessage().length()).as("%s on %s: the message must not echo a huge input", entry, input)
          .isLessThan(2000);
    } catch (StackOverflowError e) {
      throw new AssertionError(entry + " on " + input + ": stack overflow", e);
    }
    if (before != null) {
      assertThat(text).isEqualTo(before);
    }
  }
}
