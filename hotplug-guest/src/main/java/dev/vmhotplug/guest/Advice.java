package dev.vmhotplug.guest;

import dev.vmhotplug.guest.rules.RuleFile;
import dev.vmhotplug.guest.rules.RuleGenerator;
import dev.vmhotplug.guest.rules.RuleOptions;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.RuleExplanation;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a guest needs so that hot-added CPUs and memory come online: per device kind, whether a
 * rule is needed and why (with the {@code file:line} that already does it, or why nothing does),
 * the rule files to install (from {@link RuleGenerator}), the kernel alternative where one exists,
 * and notes. Built from a guest's real files ({@link #forRoot(GuestRoot, AdviceOptions)}), which
 * is authoritative, or from the knowledge table ({@link #forDistro(Distro, AdviceOptions)}).
 */
public final class Advice {

  /**
   * The advice for one device kind.
   *
   * @param resource CPU or memory
   * @param needsRule whether our rule must be installed
   * @param basis {@code detected} (read from the guest's rules) or {@code knowledge table}
   * @param reason one line saying why
   * @param evidence the rule that already onlines it, when one does
   */
  public record ResourceAdvice(
      HotplugResource resource, boolean needsRule, String basis, String reason, Optional<RuleExplanation> evidence) {}

  private static final Pattern KERNEL = Pattern.compile("^(\\d+)\\.(\\d+)");

  private final Distro distro;
  private final Optional<DistroKnowledge.Answer> knowledge;
  private final Map<HotplugResource, UdevVerdict> detected;
  private final List<ResourceAdvice> resources;
  private final Optional<RuleOptions> ruleOptions;
  private final List<RuleFile> rules;
  private final List<String> kernelAlternatives;
  private final List<String> notes;

  private Advice(Distro distro, Optional<DistroKnowledge.Answer> knowledge,
      Map<HotplugResource, UdevVerdict> detected, List<ResourceAdvice> resources,
      Optional<RuleOptions> ruleOptions, List<String> kernelAlternatives, List<String> notes) {
    this.distro = distro;
    this.knowledge = knowledge;
    this.detected = detected;
    this.resources = List.copyOf(resources);
    this.ruleOptions = ruleOptions;
    this.rules = ruleOptions.map(RuleGenerator::generate).orElse(List.of());
    this.kernelAlternatives = List.copyOf(kernelAlternatives);
    this.notes = List.copyOf(notes);
  }

  /**
   * Advice from a guest's real files: its rules are evaluated, the knowledge table only adds notes.
   *
   * @param root the guest root
   * @param given systemd version (overrides what the root says), movable memory, machine
   * @return the advice
   * @throws IllegalArgumentException when the given systemd version is not a version
   */
  public static Advice forRoot(GuestRoot root, AdviceOptions given) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(given, "options");
    AdviceOptions options = given;
    Distro distro = root.distro();
    Optional<String> systemd = options.systemdVersion()
        .or(() -> root.dpkgVersion("systemd"))
        .or(() -> root.dpkgVersion("udev"));
    List<String> notes = new ArrayList<>();
    systemd.ifPresent(v -> notes.add("systemd/udev version: " + v
        + (given.systemdVersion().isPresent() ? " (given)" : " (from /var/lib/dpkg/status)")));
    DistroKnowledge.Answer answer = DistroKnowledge.lookup(distro,
        distro.family() == Distro.Family.RHEL ? options.systemdVersion() : Optional.empty());
    if (options.kernelPolicyFromImage()) {
      Optional<GuestRoot.KernelPolicy> policy = root.kernelMemoryPolicy();
      if (policy.isPresent()) {
        options = options.withEnvironment(
            options.environment().toBuilder().autoOnlineBlocks(policy.get().value()).build(), false);
        notes.add("kernel policy for hot-added memory: " + policy.get().value() + " (from " + policy.get().source() + ")");
      }
    }
    List<UdevRuleFile> files = root.udevRules();
    notes.add("read " + files.size() + " rules file(s) from " + String.join(", ", GuestRoot.RULES_DIRS)
        + " under " + root.root());
    Map<HotplugResource, UdevVerdict> verdicts = UdevRulesReader.evaluate(files, options.environment());
    notes.addAll(root.notes());
    List<ResourceAdvice> res = new ArrayList<>();
    for (HotplugResource r : HotplugResource.values()) {
      UdevVerdict v = verdicts.get(r);
      boolean need = !v.covered();
      res.add(new ResourceAdvice(r, need, "detected", v.summary(), v.firstEvidence()));
      Coverage table = answer.coverage(r);
      if (answer.row().isPresent() && table.needsRule() != need) {
        notes.add(r.label() + ": the image's files disagree with the knowledge table for "
            + answer.row().get().release() + " (table: " + table + "); the files decide");
      }
    }
    List<String> kernels = root.kernelVersions();
    return build(distro, Optional.of(answer), verdicts, res, options, kernels, notes);
  }

  /**
   * Advice from the knowledge table only (no files to read).
   *
   * @param distro the distribution, e.g. {@code Distro.of("centos", "7.0")}
   * @param options systemd version, movable memory, machine
   * @return the advice; an unknown distribution gets "install both rules"
   * @throws IllegalArgumentException when the given systemd version is not a version
   */
  public static Advice forDistro(Distro distro, AdviceOptions options) {
    Objects.requireNonNull(distro, "distro");
    Objects.requireNonNull(options, "options");
    DistroKnowledge.Answer answer = DistroKnowledge.lookup(distro, options.systemdVersion());
    List<String> notes = new ArrayList<>(answer.reasons());
    List<ResourceAdvice> res = new ArrayList<>();
    for (HotplugResource r : HotplugResource.values()) {
      Coverage c = answer.coverage(r);
      String shipped = answer.row().map(DistroKnowledge.Row::rulesFile).orElse("");
      String file = shipped.isEmpty() && distro.family() == Distro.Family.RHEL
          ? "40-redhat.rules (shipped from systemd " + DistroKnowledge.GUIDE_CENTOS7_SYSTEMD + " on, per the guide)"
          : shipped;
      String reason = switch (c) {
        case COVERED -> "shipped rule " + file + " onlines it on KVM guests (per the knowledge table;"
            + " check the image with --root)";
        case NOT_COVERED -> "nothing shipped onlines it";
        case NOT_ON_KVM -> "the shipped " + file + " applies only on Hyper-V (and Xen), not on KVM";
        case CONDITIONAL -> "the shipped rule depends on the kernel's auto-online policy; installing ours makes it certain";
        case UNKNOWN -> "unknown: install both rules";
      };
      res.add(new ResourceAdvice(r, c.needsRule(), "knowledge table", reason, Optional.empty()));
    }
    return build(distro, Optional.of(answer), Map.of(), res, options, List.of(), notes);
  }

  private static Advice build(Distro distro, Optional<DistroKnowledge.Answer> answer,
      Map<HotplugResource, UdevVerdict> verdicts, List<ResourceAdvice> res, AdviceOptions options,
      List<String> kernels, List<String> notes) {
    boolean needCpu = res.get(0).needsRule();
    boolean needMem = res.get(1).needsRule();
    String memFile = RuleOptions.DEFAULT_MEMORY_FILE;
    if (options.movableMemory()) {
      UdevVerdict mv = verdicts.get(HotplugResource.MEMORY);
      boolean alreadyMovable = mv != null && mv.status() == UdevVerdict.Status.ONLINES
          && "online_movable".equals(mv.onlineValue());
      if (!alreadyMovable) {
        String first = null;
        if (mv != null) {
          for (RuleExplanation e : mv.explanations()) {
            if (e.message().contains("sets state=") || e.message().contains("writes state=")) {
              first = e.location().substring(0, e.location().indexOf(':'));
              break;
            }
          }
        } else {
          // knowledge table only: rename only when the shipped rule does online memory on this
          // guest (covered, or conditional on the kernel policy); a Hyper-V-only or absent rule
          // onlines nothing first
          Coverage memTable = answer.map(DistroKnowledge.Answer::memory).orElse(Coverage.UNKNOWN);
          if (memTable == Coverage.COVERED || memTable == Coverage.CONDITIONAL) {
            String rf = answer.flatMap(DistroKnowledge.Answer::row).map(DistroKnowledge.Row::rulesFile).orElse("");
            if (rf.isEmpty() && distro.family() == Distro.Family.RHEL) {
              rf = "40-redhat.rules"; // covered through the guide's systemd version: 40-redhat.rules ships the rule
            }
            if (!rf.isEmpty()) {
              first = rf.contains(",") ? rf.substring(rf.lastIndexOf(',') + 1).strip() : rf;
            }
          }
        }
        if (first != null && first.equals(RuleOptions.DEFAULT_MEMORY_FILE)) {
          // our own (non-movable) file: writing the same name in /etc/udev/rules.d replaces it
          notes.add("movable memory: " + first + " onlines memory as \"online\"; the movable rule replaces "
              + first + " in /etc/udev/rules.d (a file of the same name there overwrites or shadows it)");
        } else if (first != null) {
          memFile = before(first);
          notes.add("movable memory: " + first + " onlines memory first (as \"online\", which cannot be"
              + " hot-unplugged reliably); the movable rule is named " + memFile + " so that it runs before it");
        }
        if (!needMem) {
          res = new ArrayList<>(res);
          ResourceAdvice old = res.get(1);
          res.set(1, new ResourceAdvice(HotplugResource.MEMORY, true, old.basis(),
              old.reason() + "; but movable memory was asked for, and the shipped rule onlines it as \"online\"",
              old.evidence()));
          needMem = true;
        }
      } else {
        notes.add("movable memory: the guest already onlines memory as online_movable");
      }
    }
    Optional<RuleOptions> opts = Optional.empty();
    if (needCpu || needMem) {
      opts = Optional.of(RuleOptions.builder().cpu(needCpu).memory(needMem)
          .movableMemory(options.movableMemory()).memoryFileName(memFile).build());
    }
    List<String> kernel = new ArrayList<>();
    kernel.add("CPU: no kernel alternative: the x86 kernel never onlines hot-added CPUs by itself;"
        + " a udev rule (or the guest agent's guest-set-vcpus) must");
    String state = options.movableMemory() ? "online_movable" : "online";
    String memAlt = "memory: the kernel parameter memhp_default_state=" + state + " (Linux >= 4.7"
        + (options.movableMemory() ? "; the value online_movable only from Linux 5.7, commit 5f47adf762b7 \"allow to specify a default online_type\"" : "")
        + ") makes the kernel online hot-added memory itself, without udev; guests of the guide's era"
        + " (CentOS 6: 2.6.32, CentOS 7: 3.10, Ubuntu 12.04: 3.2, Ubuntu 14.04: 3.13) lack it unless"
        + " their vendor backported it (then /sys/devices/system/memory/auto_online_blocks exists)";
    if (!kernels.isEmpty()) {
      boolean any = kernels.stream().anyMatch(Advice::atLeast47);
      memAlt += "; kernels in this image: " + String.join(", ", kernels)
          + (any ? " (at least one is >= 4.7: the parameter is available)" : " (all older than 4.7)");
    }
    kernel.add(memAlt);
    return new Advice(distro, answer, verdicts, res, opts, kernel, notes);
  }

  private static boolean atLeast47(String k) {
    Matcher m = KERNEL.matcher(k);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 4 || (major == 4 && minor >= 7);
  }

  /** A rule file name that sorts before {@code file} (e.g. 40-redhat.rules → 39-mem-hotplug.rules). */
  static String before(String file) {
    Matcher m = Pattern.compile("^(\\d+)").matcher(file);
    int n = m.find() && m.group(1).length() <= 3 ? Integer.parseInt(m.group(1)) : 80;
    return String.format("%02d-mem-hotplug.rules", Math.max(0, n - 1));
  }

  /** {@return the distribution the advice is for} */
  public Distro distro() {
    return distro;
  }

  /** {@return the knowledge table's answer} */
  public Optional<DistroKnowledge.Answer> knowledge() {
    return knowledge;
  }

  /** {@return verdicts read from the guest's rules (empty for {@link #forDistro})} */
  public Map<HotplugResource, UdevVerdict> detected() {
    return detected.isEmpty() ? Map.of() : new EnumMap<>(detected);
  }

  /** {@return advice per device kind, CPU first} */
  public List<ResourceAdvice> resources() {
    return resources;
  }

  /** {@return whether nothing needs installing} */
  public boolean covered() {
    return rules.isEmpty();
  }

  /** {@return the options for {@link RuleGenerator} when rules are needed} */
  public Optional<RuleOptions> ruleOptions() {
    return ruleOptions;
  }

  /** {@return the rule files to install in {@code /etc/udev/rules.d} (empty when covered)} */
  public List<RuleFile> rules() {
    return rules;
  }

  /** {@return kernel-side alternatives, one per device kind} */
  public List<String> kernelAlternatives() {
    return kernelAlternatives;
  }

  /** {@return notes: sources, disagreements, what was read} */
  public List<String> notes() {
    return notes;
  }

  /** {@return the advice as text for people: verdicts with evidence, then what to install} */
  public String report() {
    StringBuilder b = new StringBuilder(verdictReport());
    if (covered()) {
      b.append("Nothing to do: this guest onlines hot-added CPUs and memory.\n");
    } else {
      b.append("Install in /etc/udev/rules.d:\n");
      for (RuleFile f : rules) {
        b.append("--- ").append(f.fileName()).append('\n').append(f.content());
      }
    }
    return b.toString();
  }

  /** {@return the verdicts, evidence, notes and kernel alternatives, without the files to install} */
  public String verdictReport() {
    StringBuilder b = new StringBuilder();
    b.append("Guest: ").append(distro).append('\n');
    for (ResourceAdvice r : resources) {
      b.append(r.resource().label()).append(": ")
          .append(r.needsRule() ? "NEEDS A RULE" : "covered").append(" (").append(r.basis()).append(") - ")
          .append(r.reason()).append('\n');
      UdevVerdict v = detected.get(r.resource());
      if (v != null) {
        for (RuleExplanation e : v.explanations()) {
          b.append("    ").append(e.location()).append(": ").append(e.message()).append('\n');
        }
        for (String why : v.reasons()) {
          b.append("    note: ").append(why).append('\n');
        }
      }
    }
    for (String n : notes) {
      b.append("note: ").append(n).append('\n');
    }
    for (String k : kernelAlternatives) {
      b.append("kernel alternative: ").append(k).append('\n');
    }
    return b.toString();
  }
}
