package dev.vmhotplug.examples.cli;

import dev.vmhotplug.guest.Advice;
import dev.vmhotplug.guest.AdviceOptions;
import dev.vmhotplug.guest.Distro;
import dev.vmhotplug.guest.GuestRoot;
import dev.vmhotplug.guest.UdevRulesReader;
import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.udev.GrepExplainer;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.RuleExplanation;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hotplug udev-rules}: says whether a guest onlines hot-added CPUs and memory by itself and
 * prints the udev rules (or an installer script, or a cloud-init snippet) it needs.
 *
 * <p>With {@code --root DIR} it reads the guest's real files (release files, udev rules directories)
 * and prints the verdict per device kind with the {@code file:line} evidence; with
 * {@code --distro NAME --version V} it answers from the knowledge table; with {@code --grep FILE}
 * it explains the output of the guide's {@code grep -r -i cpu /lib/udev/rules.d/*}.
 *
 * <p>Output: stdout carries only what a machine reads: the rule files (each after a
 * {@code # --- NAME} comment line, so the whole is a valid rules file), the installer script
 * ({@code --script}), the cloud-init user-data ({@code --cloud-init}) or one JSON object
 * ({@code --json}); the verdict report for people goes to stderr. {@code --grep} prints its
 * explanation on stdout (there is nothing else to print).
 *
 * <p>Exit codes: 0 the guest is covered (nothing to install), 3 rules are needed (or the answer is
 * "cannot tell", which is treated as needed), 2 bad arguments or an unreadable input.
 */
@Command(name = "udev-rules", header = "Tell whether a guest onlines hot-added CPUs/memory; print the rules.", sortOptions = false,
    description = {
      "Tell whether a guest onlines hot-added vCPUs and memory, reading its real udev rules"
          + " (--root) or the knowledge table (--distro), and print the rules it needs.",
      "Exit 0 covered, 3 rules needed, 2 bad arguments."
    })
final class UdevRulesCommand implements Callable<Integer> {

  /**
   * What precedes each rule file on stdout: a udev comment line, so that the whole output is itself a
   * valid rules file ({@code # --- 80-cpu-hotplug.rules}).
   */
  static final String RULE_FILE_MARK = "# --- ";

  /** Cap on the size of a --grep file: 1 MiB. */
  static final int MAX_GREP_BYTES = 1 << 20;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // no mixinStandardHelpOptions: its --version would clash with the distribution --version
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @Option(names = "--root", paramLabel = "DIR",
      description = "a mounted or extracted guest root (e.g. guestmount -a disk.qcow2 -i --ro DIR)")
  Path root;

  @Option(names = "--distro", paramLabel = "NAME", description = "distribution: centos, rhel, rocky, almalinux, ubuntu, debian, sles, opensuse, …")
  String distro;

  @Option(names = "--version", paramLabel = "V", description = "distribution version, e.g. 7.0, 14.04, 9.4")
  String version;

  @Option(names = "--systemd-version", paramLabel = "V",
      description = "installed systemd package version, e.g. 219-19.el7_2.9 (rpm -q systemd output is fine)")
  String systemdVersion;

  @Option(names = "--movable", description = "online hot-added memory as online_movable (so it can be hot-unplugged)")
  boolean movable;

  @Option(names = "--script", description = "print a POSIX sh installer instead of the rule files")
  boolean script;

  @Option(names = "--cloud-init", description = "print a cloud-init write_files/runcmd snippet instead of the rule files")
  boolean cloudInit;

  @Option(names = "--grep", paramLabel = "FILE",
      description = "explain saved output of grep -r -i cpu /lib/udev/rules.d/* (use - for stdin)")
  String grep;

  @Option(names = "--arch", paramLabel = "ARCH", description = "guest architecture (default x86_64)")
  String arch;

  @Option(names = "--virt", paramLabel = "VIRT", description = "systemd-detect-virt name (default kvm)")
  String virt;

  @Option(names = "--sys-vendor", paramLabel = "VENDOR", description = "DMI sys_vendor (default QEMU)")
  String sysVendor;

  @Option(names = "--auto-online-blocks", paramLabel = "POLICY",
      description = "the guest kernel's /sys/devices/system/memory/auto_online_blocks (default: what"
          + " the image's /boot/config-* or memhp_default_state= says, else offline, the upstream"
          + " default; RHEL 8's rule leaves memory to this policy)")
  String autoOnlineBlocks;

  @Option(names = "--json", description = "print one JSON object (distro, verdict and evidence per resource,"
      + " rule files) instead of text, for scripts")
  boolean json;

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    if (script && cloudInit) {
      throw new CommandLine.ParameterException(cl, "--script and --cloud-init exclude each other: choose one");
    }
    if (json && (script || cloudInit)) {
      throw new CommandLine.ParameterException(cl, "--json prints the rule files itself: drop --script/--cloud-init");
    }
    if (json && grep != null) {
      throw new CommandLine.ParameterException(cl, "--json is not available with --grep");
    }
    UdevEnvironment env = environment();
    if (grep != null) {
      if (root != null || distro != null) {
        throw new CommandLine.ParameterException(cl, "--grep explains grep output on its own: drop --root/--distro");
      }
      return explainGrep(cl, env);
    }
    if (version != null && distro == null) {
      throw new CommandLine.ParameterException(cl, "--version needs --distro NAME");
    }
    if (root != null && distro != null) {
      throw new CommandLine.ParameterException(cl, "give either --root DIR (read the guest's files) or"
          + " --distro NAME --version V (knowledge table), not both: the files decide anyway");
    }
    if (root == null && distro == null) {
      throw new CommandLine.ParameterException(cl, "give --root DIR (a mounted guest root) or --distro NAME"
          + " --version V, e.g. hotplug udev-rules --distro centos --version 7.0");
    }
    // an explicit --auto-online-blocks wins over what the image's kernel configuration says
    AdviceOptions options = new AdviceOptions(Optional.empty(), movable, env, autoOnlineBlocks == null)
        .withSystemdVersion(systemdVersion);
    Advice advice;
    try {
      if (root != null) {
        advice = Advice.forRoot(GuestRoot.open(root), options);
      } else {
        advice = Advice.forDistro(Distro.of(distro, version == null ? "" : version), options);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    if (json) {
      out.println(json(advice));
      out.flush();
      return advice.covered() ? HotplugCli.OK : HotplugCli.NEEDS_ACTION;
    }
    // stdout carries only what a machine reads (the script, the cloud-init file, the rules), so that
    // `> install.sh`, `> user-data` or `> x.rules` gives a usable file; the verdict goes to stderr
    err.print(advice.verdictReport());
    if (advice.covered()) {
      err.println("Nothing to do: this guest onlines hot-added CPUs and memory.");
      out.flush();
      err.flush();
      return HotplugCli.OK;
    }
    var opts = advice.ruleOptions().orElseThrow();
    if (script) {
      err.println("Installer script on stdout: run it as root in the guest"
          + " (e.g. hotplug udev-rules ... --script > install.sh; sh install.sh).");
      out.print(RuleGenerator.installerScript(opts));
    } else if (cloudInit) {
      err.println("cloud-init user-data on stdout (e.g. hotplug udev-rules ... --cloud-init > user-data).");
      out.print(RuleGenerator.cloudInit(opts));
    } else {
      err.println("Rules on stdout, one '# --- FILE' comment before each file: install each file in"
          + " /etc/udev/rules.d under its name, or redirect all into one rules file there.");
      advice.rules().forEach(f -> out.print(RULE_FILE_MARK + f.fileName() + "\n" + f.content()));
    }
    out.flush();
    err.flush();
    return HotplugCli.NEEDS_ACTION;
  }

  /**
   * The advice as one JSON object: {@code distro} (null when unknown), {@code covered}, one entry per
   * resource in {@code resources} (verdict, basis, reason, evidence {@code file:line} or null, and the
   * rule explanations and reasons read from the guest), {@code notes}, {@code kernelAlternatives} and
   * the {@code rules} to install ({@code name}, {@code content}).
   */
  static String json(Advice advice) {
    StringBuilder b = new StringBuilder("{\"distro\":");
    Distro d = advice.distro();
    if ("unknown".equals(d.id())) {
      b.append("null");
    } else {
      b.append("{\"id\":").append(Json.string(d.id()))
          .append(",\"version\":").append(Json.string(d.versionId()))
          .append(",\"name\":").append(Json.string(d.name()))
          .append(",\"source\":").append(Json.string(d.source())).append('}');
    }
    b.append(",\"covered\":").append(advice.covered()).append(",\"resources\":[");
    Map<HotplugResource, UdevVerdict> detected = advice.detected();
    boolean first = true;
    for (Advice.ResourceAdvice r : advice.resources()) {
      b.append(first ? "" : ",");
      first = false;
      b.append("{\"resource\":").append(Json.string(r.resource().name().toLowerCase(Locale.ROOT)))
          .append(",\"verdict\":").append(Json.string(r.needsRule() ? "NEEDS_RULE" : "COVERED"))
          .append(",\"basis\":").append(Json.string(r.basis()))
          .append(",\"reason\":").append(Json.string(r.reason()))
          .append(",\"evidence\":")
          .append(r.evidence().map(e -> Json.string(e.location())).orElse("null"));
      UdevVerdict v = detected.get(r.resource());
      if (v != null) {
        b.append(",\"status\":").append(Json.string(v.status().name())).append(",\"explanations\":[");
        boolean firstE = true;
        for (RuleExplanation e : v.explanations()) {
          b.append(firstE ? "" : ",");
          firstE = false;
          b.append("{\"location\":").append(Json.string(e.location()))
              .append(",\"message\":").append(Json.string(e.message())).append('}');
        }
        b.append("],\"reasons\":").append(Json.strings(v.reasons()));
      }
      b.append('}');
    }
    b.append("],\"notes\":").append(Json.strings(advice.notes()))
        .append(",\"kernelAlternatives\":").append(Json.strings(advice.kernelAlternatives()))
        .append(",\"rules\":[");
    first = true;
    for (RuleFile f : advice.rules()) {
      b.append(first ? "" : ",");
      first = false;
      b.append("{\"name\":").append(Json.string(f.fileName()))
          .append(",\"content\":").append(Json.string(f.content())).append('}');
    }
    return b.append("]}").toString();
  }

  private UdevEnvironment environment() {
    UdevEnvironment.Builder b = UdevEnvironment.builder();
    if (arch != null) {
      b.arch(arch);
    }
    if (virt != null) {
      b.virt(virt);
    }
    if (sysVendor != null) {
      b.sysVendor(sysVendor);
    }
    if (autoOnlineBlocks != null) {
      b.autoOnlineBlocks(autoOnlineBlocks);
    }
    return b.build();
  }

  private int explainGrep(CommandLine cl, UdevEnvironment env) {
    String text;
    try (InputStream in = grep.equals("-") ? System.in : Files.newInputStream(Path.of(grep))) {
      byte[] b = in.readNBytes(MAX_GREP_BYTES + 1);
      if (b.length > MAX_GREP_BYTES) {
        throw new CommandLine.ParameterException(cl, "--grep " + grep + " is larger than 1 MiB: not grep output of rules files");
      }
      text = new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(cl, "cannot read --grep " + grep + ": " + e.getMessage());
    }
    List<GrepExplainer.Hit> hits;
    try {
      hits = UdevRulesReader.explainGrep(text, env);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    PrintWriter out = cl.getOut();
    long onlines = hits.stream().filter(GrepExplainer.Hit::onlines).count();
    for (GrepExplainer.Hit h : hits) {
      out.println(h);
    }
    out.println(hits.size() + " line(s); " + onlines + " would online a device IF reached. grep cannot show"
        + " whether a line is reached (GOTO/LABEL): run hotplug udev-rules --root DIR for the real answer.");
    out.flush();
    return HotplugCli.OK;
  }
}
