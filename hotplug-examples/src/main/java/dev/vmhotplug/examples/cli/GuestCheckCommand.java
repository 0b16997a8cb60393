package dev.vmhotplug.examples.cli;

import dev.vmhotplug.guest.truth.AgentReplies;
import dev.vmhotplug.guest.truth.FreeOutput;
import dev.vmhotplug.guest.truth.CpuList;
import dev.vmhotplug.guest.truth.GuestCheck;
import dev.vmhotplug.guest.truth.GuestDataException;
import dev.vmhotplug.guest.truth.GuestExpectation;
import dev.vmhotplug.guest.truth.GuestFacts;
import dev.vmhotplug.guest.truth.GuestText;
import dev.vmhotplug.guest.truth.GuestVerdict;
import dev.vmhotplug.guest.truth.MemoryBlocks;
import dev.vmhotplug.guest.truth.NodeMeminfo;
import dev.vmhotplug.guest.truth.ProcCpuinfo;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MemorySize;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotplug guest-check}: reads what a guest reports (files copied out of it, saved guest agent
 * replies, or this machine's own {@code /proc} and {@code /sys} with {@code --local}) and says whether
 * the guest onlined the vCPUs and memory the hypervisor gave it, with a diagnosis when it did not.
 *
 * <p>Exit codes: 0 the guest has it all online; 3 the guest did not online (or did not see) what was
 * added; 1 cannot tell (facts missing or contradicting) or a file is unreadable or malformed; 2 bad
 * arguments.
 */
@Command(name = "guest-check", header = "Check that a guest onlined what it was given, and say why not.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Check that a guest onlined the vCPUs and memory the hypervisor gave it, and say why not"
          + " when it did not. Facts come from files copied out of the guest (/proc/cpuinfo,"
          + " /sys/devices/system/cpu/online, node meminfo, /sys/devices/system/memory), from saved"
          + " guest agent replies, or with --local from this machine's own /proc and /sys.",
      "Exit 0 all online, 3 not online, 1 cannot tell or unreadable input, 2 bad arguments."
    })
final class GuestCheckCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--cpuinfo", paramLabel = "FILE", description = "the guest's /proc/cpuinfo")
  Path cpuinfo;

  @Option(names = "--cpu-online", paramLabel = "FILE", description = "the guest's /sys/devices/system/cpu/online")
  Path cpuOnline;

  @Option(names = "--cpu-present", paramLabel = "FILE", description = "the guest's /sys/devices/system/cpu/present")
  Path cpuPresent;

  @Option(names = "--node-meminfo", paramLabel = "FILE",
      description = "the guest's /sys/devices/system/node/node0/meminfo (the guide's choice for a"
          + " one-node guest; give /proc/meminfo for a guest with several NUMA nodes)")
  Path nodeMeminfo;

  @Option(names = "--free-m", paramLabel = "FILE",
      description = "saved output of `free -m` in the guest (MemTotal to the MiB; --node-meminfo wins)")
  Path freeM;

  @Option(names = "--memory-root", paramLabel = "DIR",
      description = "a copy of the guest's /sys/devices/system/memory (block_size_bytes, memoryN/state)")
  Path memoryRoot;

  @Option(names = "--agent-vcpus", paramLabel = "FILE", description = "a saved guest-get-vcpus reply (JSON)")
  Path agentVcpus;

  @Option(names = "--agent-memory-blocks", paramLabel = "FILE",
      description = "a saved guest-get-memory-blocks reply (JSON)")
  Path agentMemoryBlocks;

  @Option(names = "--local", description = "read this machine's own /proc and /sys (run it inside the guest)")
  boolean local;

  @Option(names = "--expect-vcpus", required = true, paramLabel = "N",
      description = "live vCPUs the hypervisor gives the guest (virsh vcpucount: current live)")
  int expectVcpus;

  @Option(names = "--expect-memory", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "total memory the hypervisor gives the guest, e.g. 768MiB or 2GiB")
  MemorySize expectMemory;

  @Option(names = "--baseline-memtotal", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "the guest's MemTotal before the hot-add (needs --added-memory), for a precise check")
  MemorySize baseline;

  @Option(names = "--added-memory", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "memory hot-added since --baseline-memtotal, e.g. 256MiB")
  MemorySize added;

  @Option(names = "--json", description = "print one JSON object (status, findings, notes) instead of text, for scripts")
  boolean json;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    if (!local && cpuinfo == null && cpuOnline == null && cpuPresent == null && nodeMeminfo == null
        && freeM == null && memoryRoot == null && agentVcpus == null && agentMemoryBlocks == null) {
      throw new CommandLine.ParameterException(cl, "give at least one fact source: --cpuinfo,"
          + " --cpu-online, --cpu-present, --node-meminfo, --free-m, --memory-root, --agent-vcpus,"
          + " --agent-memory-blocks, or --local inside the guest");
    }
    GuestExpectation expectation = expectation(cl);
    if (local) {
      cpuinfo = orDefault(cpuinfo, "/proc/cpuinfo");
      cpuOnline = orDefault(cpuOnline, "/sys/devices/system/cpu/online");
      cpuPresent = orDefault(cpuPresent, "/sys/devices/system/cpu/present");
      nodeMeminfo = orDefault(nodeMeminfo, "/sys/devices/system/node/node0/meminfo");
      memoryRoot = orDefault(memoryRoot, "/sys/devices/system/memory");
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    GuestFacts.Builder facts = GuestFacts.builder();
    List<String> notes = new ArrayList<>();
    try {
      if (cpuinfo != null) {
        String text = GuestText.read(cpuinfo, "/proc/cpuinfo");
        facts.processorCount(parseText(cpuinfo, text, ProcCpuinfo::processorCount));
        ProcCpuinfo.guideCountNote(text).ifPresent(notes::add);
      }
      if (cpuOnline != null) {
        facts.cpusOnline(parse(cpuOnline, "cpu/online", CpuList::parse));
      }
      if (cpuPresent != null) {
        facts.cpusPresent(parse(cpuPresent, "cpu/present", CpuList::parse));
      }
      if (agentVcpus != null) {
        facts.agentVcpus(parse(agentVcpus, "guest-get-vcpus reply", AgentReplies::parseVcpus));
      }
      if (nodeMeminfo != null) {
        facts.memTotalKiB(parse(nodeMeminfo, "node meminfo", NodeMeminfo::parse).memTotalKiB());
      } else if (freeM != null) {
        facts.memTotalKiB(parse(freeM, "free -m output", FreeOutput::parse).totalMiB() * 1024);
        notes.add("MemTotal taken from free -m, rounded down to the MiB; the guide prefers"
            + " /sys/devices/system/node/node0/meminfo (--node-meminfo)");
      }
      if (memoryRoot != null) {
        facts.memoryBlocks(MemoryBlocks.read(memoryRoot));
      }
      if (agentMemoryBlocks != null) {
        facts.agentMemoryBlocks(parse(agentMemoryBlocks, "guest-get-memory-blocks reply",
            AgentReplies::parseMemoryBlocks));
      }
    } catch (GuestDataException e) {
      err.println("hotplug guest-check: " + e.getMessage());
      err.flush();
      if (json) {
        out.println("{\"status\":\"CANNOT_TELL\",\"findings\":[],\"error\":" + Json.string(e.getMessage()) + "}");
        out.flush();
      }
      return HotplugCli.FAILED;
    }
    GuestVerdict verdict = GuestCheck.check(facts.build(), expectation);
    if (json) {
      out.println(json(verdict, notes));
    } else {
      out.println("guest-check: " + verdict.status());
      for (String f : verdict.findings()) {
        out.println("  - " + f);
      }
      for (String n : notes) {
        out.println("  note: " + n);
      }
    }
    out.flush();
    switch (verdict.status()) {
      case OK:
        return HotplugCli.OK;
      case NOT_ONLINE:
        return HotplugCli.NEEDS_ACTION;
      default:
        return HotplugCli.FAILED;
    }
  }

  /** {@code {"status":…,"findings":[…],"notes":[…],"expectVcpus":N,…}}: the verdict and what was expected. */
  private String json(GuestVerdict verdict, List<String> notes) {
    StringBuilder b = new StringBuilder("{\"status\":").append(Json.string(verdict.status().name()))
        .append(",\"findings\":").append(Json.strings(verdict.findings()))
        .append(",\"notes\":").append(Json.strings(notes))
        .append(",\"expectVcpus\":").append(expectVcpus);
    if (expectMemory != null) {
      b.append(",\"expectMemoryKiB\":").append(expectMemory.toKiB());
    }
    if (baseline != null) {
      b.append(",\"baselineMemTotalKiB\":").append(baseline.toKiB())
          .append(",\"addedMemoryKiB\":").append(added.toKiB());
    }
    return b.append('}').toString();
  }

  private GuestExpectation expectation(CommandLine cl) {
    if ((baseline == null) != (added == null)) {
      throw new CommandLine.ParameterException(cl, "--baseline-memtotal and --added-memory go together:"
          + " give both (MemTotal before the hot-add, and how much was added) or neither");
    }
    try {
      GuestExpectation.Builder b = GuestExpectation.builder().vcpus(expectVcpus);
      if (expectMemory != null) {
        b.memoryKiB(kib(expectMemory, "--expect-memory", cl));
      }
      if (baseline != null) {
        b.baselineMemTotalKiB(kib(baseline, "--baseline-memtotal", cl));
        b.addedKiB(kib(added, "--added-memory", cl));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage().replace("vcpus ", "--expect-vcpus "));
    }
  }

  private static long kib(MemorySize size, String option, CommandLine cl) {
    if (size.bytes() <= 0) {
      throw new CommandLine.ParameterException(cl, option + " must be above 0, got " + size);
    }
    return size.toKiB();
  }

  /** The given path, else the default when it exists on this machine (else null: that fact stays unknown). */
  private static Path orDefault(Path given, String dflt) {
    if (given != null) {
      return given;
    }
    Path p = Path.of(dflt);
    return Files.exists(p) ? p : null;
  }

  private static <T> T parse(Path file, String what, Function<String, T> parser) {
    return parseText(file, GuestText.read(file, what), parser);
  }

  private static <T> T parseText(Path file, String text, Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (GuestDataException e) {
      throw new GuestDataException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses SIZE options with {@link MemorySize#parse(String)} ("768MiB", "2GiB"). */
  static final class SizeConverter implements CommandLine.ITypeConverter<MemorySize> {
    @Override
    public MemorySize convert(String value) {
      try {
        return MemorySize.parse(value);
      } catch (DomainXmlException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
