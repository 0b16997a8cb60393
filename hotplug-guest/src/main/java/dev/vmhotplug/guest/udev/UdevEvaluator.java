package dev.vmhotplug.guest.udev;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs udev rules, on paper, for the {@code add} event of a hot-added CPU or memory block and says
 * whether the device ends up online, which rule does it, or why none does.
 *
 * <p>The files are processed in the order given (callers sort them by file name, as udev does);
 * within a rule all match tokens must hold, then its assignments run, then its {@code GOTO} jumps
 * forward to the {@code LABEL} in the same file. {@code ATTR{x}="v"} writes at once (later rules see
 * the new value), {@code RUN} programs run after all rules. The device is modelled as the kernel
 * presents it: {@code cpuN} under {@code /devices/system/cpu} with {@code online=0} and driver
 * {@code processor}; {@code memoryN} under {@code /devices/system/memory} with
 * {@code state=offline}, its parent carrying {@code auto_online_blocks} and
 * {@code block_size_bytes}. {@code PROGRAM="/bin/uname -p"} (and {@code -m}) prints the
 * architecture; {@code PROGRAM="/bin/systemd-detect-virt"} prints the virtualization and fails
 * when it is {@code none}, as the real program does.
 *
 * <p>Anything else it cannot know (another program's output, an unknown attribute, {@code IMPORT})
 * makes a rule "maybe": when such a rule could change the answer, both ways are followed (up to
 * {@value #MAX_PATHS} paths) and the answer is definite only when all ways agree; otherwise it is
 * {@link UdevVerdict.Status#CANNOT_TELL} with the rule that decides.
 */
public final class UdevEvaluator {

  /** Maximum number of alternative paths followed before answering "cannot tell". */
  public static final int MAX_PATHS = 64;

  private static final Pattern UNAME = Pattern.compile("^\\s*(/usr)?/bin/uname\\s+-[pm]\\s*$");
  private static final Pattern DETECT_VIRT =
      Pattern.compile("^\\s*(/usr)?(/lib/systemd|/bin)/systemd-detect-virt\\s*$");
  private static final Pattern RUN_CPU_ONLINE = Pattern.compile(
      "(echo|printf)\\s+['\"]?1['\"]?\\s*>\\s*['\"]?\\S*online|chcpu\\s+-e");
  private static final Pattern RUN_MEM_ONLINE = Pattern.compile(
      "(echo|printf)\\s+['\"]?(online\\w*)['\"]?\\s*>\\s*['\"]?\\S*state");

  private static final Pattern DOLLAR_SUBST =
      Pattern.compile("\\$(env|attr|sysfs|kernel|number|devpath|result|sys)(\\{([^}]*)\\})?");
  private static final Pattern PERCENT_SUBST = Pattern.compile("%([EskncpS])(\\{([^}]*)\\})?");
  private static final Pattern ENV_REF = Pattern.compile("(\\$env|%E)\\{([^}]+)\\}");

  private enum Tri { TRUE, FALSE, UNKNOWN }

  private record Check(Tri tri, String reason) {}

  private UdevEvaluator() {}

  /**
   * Evaluates rule files for a hot-added device.
   *
   * @param files the rule files in udev's processing order (sorted by name, masked ones removed)
   * @param env the machine
   * @param resource CPU or memory
   * @return the verdict; never throws for odd rules (they become "cannot tell" with the line)
   */
  public static UdevVerdict evaluate(
      List<UdevRuleFile> files, UdevEnvironment env, HotplugResource resource) {
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(resource, "resource");
    Run run = new Run(files, env, resource);
    return run.verdict();
  }

  /** Device attributes and the rule set under evaluation. */
  private static final class Run {
    final List<UdevRuleFile> files;
    final UdevEnvironment env;
    final HotplugResource res;
    final String kernel;
    final String devpath;
    final String driver;
    final Map<String, String> attrs = new HashMap<>();
    final Set<String> absent = new HashSet<>();
    final Map<String, String> parentAttrs = new HashMap<>();
    final Set<String> envNamesUsed = new HashSet<>();
    /** ENV names whose value is written to the online attribute (e.g. .state in 40-redhat.rules). */
    final Set<String> targetEnvNames = new HashSet<>();
    final List<PathResult> results = new ArrayList<>();
    int paths = 1;
    boolean capped;

    Run(List<UdevRuleFile> files, UdevEnvironment env, HotplugResource res) {
      this.files = files;
      this.env = env;
      this.res = res;
      if (res == HotplugResource.CPU) {
        kernel = "cpu" + env.cpuNumber();
        devpath = "/devices/system/cpu/" + kernel;
        driver = "processor";
        attrs.put("online", "0");
        absent.addAll(Set.of("state", "valid_zones", "phys_index", "phys_device", "removable",
            "block_size_bytes", "auto_online_blocks", "configure"));
      } else {
        kernel = "memory" + env.memoryBlock();
        devpath = "/devices/system/memory/" + kernel;
        driver = "";
        // a kernel that auto-onlines (auto_online_blocks=online*) has onlined the block before
        // udev sees the add event
        attrs.put("state", kernelOnlines() ? "online" : "offline");
        attrs.put("online", "0");
        attrs.put("phys_index", String.format("%08x", env.memoryBlock()));
        absent.addAll(Set.of("configure", "crash_notes", "topology"));
        parentAttrs.put("block_size_bytes", "8000000");
        env.autoOnlineBlocks().ifPresent(v -> parentAttrs.put("auto_online_blocks", v));
      }
      for (UdevRuleFile f : files) {
        for (UdevRule r : f.rules()) {
          for (UdevToken t : r.tokens()) {
            if (t.key().equals("ENV") && t.op().isMatch()) {
              envNamesUsed.add(t.attr());
            }
            Matcher m = ENV_REF.matcher(t.value());
            while (m.find()) {
              envNamesUsed.add(m.group(2));
              if (t.key().equals("ATTR") && !t.op().isMatch() && res.attribute().equals(t.attr())) {
                targetEnvNames.add(m.group(2));
              }
            }
          }
        }
      }
    }

    boolean kernelOnlines() {
      return res == HotplugResource.MEMORY
          && env.autoOnlineBlocks().map(v -> v.startsWith("online")).orElse(false);
    }

    UdevVerdict verdict() {
      State start = new State();
      start.env.put("ACTION", "add");
      start.env.put("SUBSYSTEM", res.subsystem());
      start.env.put("DEVPATH", devpath);
      if (!driver.isEmpty()) {
        start.env.put("DRIVER", driver);
      }
      start.attrs.putAll(attrs);
      walk(start, 0, 0);
      return combine();
    }

    // ---------------------------------------------------------------- walking

    void walk(State st, int f, int r) {
      while (f < files.size()) {
        List<UdevRule> rules = files.get(f).rules();
        while (r < rules.size()) {
          UdevRule rule = rules.get(r);
          Check c = match(rule, st);
          if (c.tri == Tri.FALSE) {
            st.failed.put(rule, c.reason);
            st.note(rule, (rule.gotoLabel() != null ? "does not jump: " : "does not apply: ") + c.reason);
            r++;
            continue;
          }
          if (c.tri == Tri.UNKNOWN) {
            if (!matters(rule)) {
              st.note(rule, c.reason.startsWith("PROGRAM=")
                  ? "matches the add event and runs " + c.reason.substring(0, c.reason.indexOf(" is a program"))
                      + " but onlines nothing"
                  : "cannot tell whether it applies (" + c.reason + "); it does not change"
                      + " whether the " + res.label() + " comes online");
              r++;
              continue;
            }
            if (paths >= MAX_PATHS) {
              capped = true;
              st.assumptions.add(rule.location() + ": too many unknowns to follow (" + c.reason + ")");
            } else {
              paths++;
              State other = st.copy();
              other.assumptions.add(rule.location() + " assumed NOT to apply (" + c.reason + ")");
              other.note(rule, "cannot tell whether it applies (" + c.reason + "); on this path it does not");
              walk(other, f, r + 1);
            }
            st.assumptions.add(rule.location() + " assumed to apply (" + c.reason + ")");
          }
          String effects = apply(rule, st);
          String prefix = c.tri == Tri.UNKNOWN ? "cannot tell whether it applies (" + c.reason + "); if it does, it " : "applies: ";
          String label = rule.gotoLabel();
          if (label != null) {
            int target = -1;
            for (int k = r + 1; k < rules.size(); k++) {
              if (label.equals(rules.get(k).label())) {
                target = k;
                break;
              }
            }
            if (target < 0) {
              st.note(rule, prefix + effects + "GOTO=\"" + label + "\" has no LABEL after it in "
                  + rule.file() + " (udev ignores such a GOTO)");
              r++;
              continue;
            }
            st.note(rule, prefix + effects + "jumps to LABEL=\"" + label + "\" at line " + rules.get(target).line()
                + (c.tri == Tri.TRUE && !c.reason.isEmpty() ? " (because " + c.reason + ")" : ""));
            for (int k = r + 1; k < target; k++) {
              st.skipped.put(rules.get(k), new int[] {f, r});
            }
            r = target;
            continue;
          }
          if (rule.label() != null && rule.tokens().size() == 1) {
            st.note(rule, "LABEL=\"" + rule.label() + "\": a jump target, no effect");
          } else {
            st.note(rule, prefix + (effects.isEmpty() ? "but changes nothing that onlines the " + res.label() : effects));
          }
          r++;
        }
        f++;
        r = 0;
      }
      results.add(finish(st));
    }

    /** Whether a rule's assignments can change the answer. */
    boolean matters(UdevRule rule) {
      for (UdevToken t : rule.tokens()) {
        if (t.op().isMatch() || UdevRulesParser.RUNNING_MATCH.contains(t.key())) {
          continue;
        }
        switch (t.key()) {
          case "GOTO":
            return true;
          case "ATTR":
            if (!t.attr().startsWith("[")) {
              return true;
            }
            break;
          case "ENV":
            if (envNamesUsed.contains(t.attr())) {
              return true;
            }
            break;
          case "RUN":
            if (runRelevant(t.value())) {
              return true;
            }
            break;
          default:
            break;
        }
      }
      return false;
    }

    boolean runRelevant(String cmd) {
      String l = cmd.toLowerCase(Locale.ROOT);
      return l.contains(res.attribute()) || l.contains(res.subsystem()) || l.contains("online");
    }

    // ---------------------------------------------------------------- matching

    Check match(UdevRule rule, State st) {
      List<UdevToken> matches = new ArrayList<>();
      List<UdevToken> programs = new ArrayList<>();
      List<UdevToken> results = new ArrayList<>();
      for (UdevToken t : rule.tokens()) {
        if (UdevRulesParser.RUNNING_MATCH.contains(t.key())) {
          programs.add(t);
        } else if (t.key().equals("RESULT")) {
          results.add(t);
        } else if (t.op().isMatch()) {
          matches.add(t);
        }
      }
      List<UdevToken> ordered = new ArrayList<>(matches);
      ordered.addAll(programs);
      ordered.addAll(results);
      String unknown = null;
      List<String> facts = new ArrayList<>();
      for (UdevToken t : ordered) {
        Check c = token(t, st);
        if (c.tri == Tri.FALSE) {
          return c;
        }
        if (c.tri == Tri.UNKNOWN && unknown == null) {
          unknown = c.reason;
        }
        if (c.tri == Tri.TRUE && !c.reason.isEmpty()) {
          facts.add(c.reason);
        }
      }
      return unknown == null ? new Check(Tri.TRUE, String.join("; ", facts)) : new Check(Tri.UNKNOWN, unknown);
    }

    Check token(UdevToken t, State st) {
      String k = t.key();
      switch (k) {
        case "ACTION":
          return cmp(t, "add", "the event is \"add\"");
        case "SUBSYSTEM":
          return cmp(t, res.subsystem(), "the device's subsystem is \"" + res.subsystem() + "\"");
        case "KERNEL":
          return cmp(t, kernel, "the device is \"" + kernel + "\"");
        case "DEVPATH":
          return cmp(t, devpath, "the device path is \"" + devpath + "\"");
        case "DRIVER":
          return cmp(t, driver, driver.isEmpty() ? "the device has no driver" : "the driver is \"" + driver + "\"");
        case "DEVTYPE":
          return cmp(t, "", "the device has no DEVTYPE");
        case "KERNELS":
          if (t.op() == UdevOperator.MATCH) {
            for (String name : List.of(kernel, res.subsystem(), "system")) {
              if (Glob.matches(t.value(), name)) {
                return new Check(Tri.TRUE, "");
              }
            }
            return new Check(Tri.FALSE, t + " is false: the device and its parents are \"" + kernel
                + "\", \"" + res.subsystem() + "\", \"system\"");
          }
          return new Check(Tri.UNKNOWN, t + " (a != on parent devices)");
        case "SUBSYSTEMS":
        case "DRIVERS":
          if (t.op() == UdevOperator.MATCH) {
            String own = k.equals("SUBSYSTEMS") ? res.subsystem() : driver;
            if (!own.isEmpty() && Glob.matches(t.value(), own)) {
              return new Check(Tri.TRUE, "");
            }
            return new Check(Tri.FALSE, t + " is false: the device's " + (k.equals("SUBSYSTEMS") ? "subsystem" : "driver")
                + " is \"" + own + "\" and its parents (the system bus roots) have none");
          }
          return new Check(Tri.UNKNOWN, t + " (a != on parent devices)");
        case "ATTR":
          return attr(t, st, false);
        case "ATTRS":
          return attr(t, st, true);
        case "TEST":
          return test(t);
        case "ENV":
          if (st.unknownEnv.contains(t.attr())) {
            return new Check(Tri.UNKNOWN, t + " (ENV{" + t.attr() + "} was set to a value this tool cannot compute)");
          }
          if (Set.of("MODALIAS", "SEQNUM", "USEC_INITIALIZED").contains(t.attr())) {
            return new Check(Tri.UNKNOWN, t + " (ENV{" + t.attr() + "} of the event is not modelled)");
          }
          String ev = st.env.getOrDefault(t.attr(), "");
          return cmp(t, ev, "ENV{" + t.attr() + "} is " + (st.env.containsKey(t.attr()) ? "\"" + ev + "\"" : "not set"));
        case "CONST":
          if (t.attr().equals("arch")) {
            return cmp(t, env.arch(), "the architecture is \"" + env.arch() + "\"");
          }
          if (t.attr().equals("virt")) {
            return cmp(t, env.virt(), "the virtualization is \"" + env.virt() + "\"");
          }
          return new Check(Tri.UNKNOWN, t + " (CONST{" + t.attr() + "} is not modelled)");
        case "RESULT":
          if (!st.resultKnown) {
            return new Check(Tri.UNKNOWN, t + " (the output of the PROGRAM before it is not known)");
          }
          return cmp(t, st.result, "the PROGRAM printed \"" + st.result + "\"");
        case "PROGRAM":
          return program(t, st);
        case "IMPORT":
          st.resultKnown = false;
          return new Check(Tri.UNKNOWN, t + " (IMPORT reads data this tool does not see)");
        default:
          return new Check(Tri.UNKNOWN, t + " (" + k + " matches are not modelled)");
      }
    }

    Check cmp(UdevToken t, String actual, String fact) {
      boolean g = Glob.matches(t.value(), actual);
      boolean ok = t.op() == UdevOperator.MATCH ? g : !g;
      return ok ? new Check(Tri.TRUE, t + " holds: " + fact) : new Check(Tri.FALSE, t + " is false: " + fact);
    }

    Check attr(UdevToken t, State st, boolean parents) {
      String name = t.attr();
      if (name.startsWith("[dmi/id]")) {
        String dmiName = name.substring("[dmi/id]".length());
        var v = env.dmi(dmiName);
        if (v.isEmpty()) {
          return new Check(Tri.UNKNOWN, t + " (DMI " + dmiName + " is not known)");
        }
        return cmp(t, v.get(), "DMI " + dmiName + " is \"" + v.get() + "\"");
      }
      if (name.startsWith("[")) {
        return new Check(Tri.UNKNOWN, t + " (attribute of another device)");
      }
      if (st.unknownAttrs.contains(name)) {
        return new Check(Tri.UNKNOWN, t + " (" + name + " was written with a value this tool cannot compute)");
      }
      String v = st.attrs.get(name);
      if (v == null && parents) {
        v = parentAttrs.get(name);
        if (v != null) {
          return cmp(t, v, "the parent's " + name + " is \"" + v + "\"");
        }
        if (name.equals("auto_online_blocks")) {
          return new Check(Tri.UNKNOWN, t + " (the kernel's auto_online_blocks is not known)");
        }
      }
      if (v != null) {
        return cmp(t, v, name + " is \"" + v + "\"");
      }
      if (absent.contains(name)) {
        return new Check(Tri.FALSE, t + " is false: a " + res.label() + " device has no attribute " + name);
      }
      return new Check(Tri.UNKNOWN, t + " (attribute " + name + " is not modelled)");
    }

    Check test(UdevToken t) {
      String f = t.value();
      Boolean exists = null;
      if (!f.startsWith("/") && !f.startsWith("[")) {
        if (f.equals(res.attribute()) || attrs.containsKey(f)) {
          exists = true;
        } else if (absent.contains(f)) {
          exists = false;
        }
      }
      if (exists == null) {
        return new Check(Tri.UNKNOWN, t + " (whether " + f + " exists is not modelled)");
      }
      boolean ok = t.op() == UdevOperator.MATCH ? exists : !exists;
      return ok ? new Check(Tri.TRUE, "")
          : new Check(Tri.FALSE, t + " is false: " + f + (exists ? " exists" : " does not exist"));
    }

    Check program(UdevToken t, State st) {
      String cmd = t.value();
      boolean nomatch = t.op() == UdevOperator.NOMATCH;
      if (UNAME.matcher(cmd).matches()) {
        st.result = env.arch();
        st.resultKnown = true;
        return nomatch ? new Check(Tri.FALSE, t + " is false: uname succeeds") : new Check(Tri.TRUE, "");
      }
      if (DETECT_VIRT.matcher(cmd).matches()) {
        st.result = env.virt();
        st.resultKnown = true;
        boolean success = !env.virt().equals("none");
        if (success != nomatch) {
          return new Check(Tri.TRUE, "");
        }
        return new Check(Tri.FALSE, t + " is false: systemd-detect-virt prints \"" + env.virt() + "\" and "
            + (success ? "succeeds" : "exits with failure"));
      }
      st.resultKnown = false;
      return new Check(Tri.UNKNOWN, "PROGRAM=\"" + cmd + "\" is a program whose result this tool cannot predict");
    }

    // ---------------------------------------------------------------- assignments

    String apply(UdevRule rule, State st) {
      StringBuilder out = new StringBuilder();
      for (UdevToken t : rule.tokens()) {
        if (t.op().isMatch() || UdevRulesParser.RUNNING_MATCH.contains(t.key())) {
          if (t.key().equals("PROGRAM")) {
            out.append("runs PROGRAM=\"").append(t.value()).append("\"; ");
          }
          continue;
        }
        switch (t.key()) {
          case "ATTR" -> {
            if (t.attr().startsWith("[")) {
              out.append("writes ").append(t.attr()).append("; ");
              break;
            }
            String v = subst(t.value(), st);
            if (v == null) {
              st.unknownAttrs.add(t.attr());
              st.attrs.remove(t.attr());
              if (t.attr().equals(res.attribute())) {
                st.write = new Write(rule, null, t.value());
              }
              out.append("writes ").append(t.attr()).append("=\"").append(t.value())
                  .append("\" (value not computable here); ");
            } else {
              st.unknownAttrs.remove(t.attr());
              st.attrs.put(t.attr(), v);
              if (t.attr().equals(res.attribute())) {
                st.write = new Write(rule, v, t.value());
                out.append("sets ").append(t.attr()).append("=").append(v)
                    .append(res.isOnlineValue(v) ? " (brings the " + res.label() + " online)" : " (does not online it)")
                    .append("; ");
              } else {
                out.append("sets ").append(t.attr()).append("=").append(v).append("; ");
              }
            }
          }
          case "ENV" -> {
            String v = subst(t.value(), st);
            if (v == null) {
              st.unknownEnv.add(t.attr());
              st.env.remove(t.attr());
            } else {
              st.unknownEnv.remove(t.attr());
              st.env.put(t.attr(), v);
            }
            out.append("sets ENV{").append(t.attr()).append("}=\"").append(v == null ? t.value() : v).append("\"; ");
          }
          case "RUN" -> {
            if (st.runFinal) {
              break;
            }
            boolean builtin = "builtin".equals(t.attr());
            if (t.op() == UdevOperator.ASSIGN || t.op() == UdevOperator.ASSIGN_FINAL) {
              st.run.clear();
            }
            if (t.op() == UdevOperator.REMOVE) {
              st.run.removeIf(x -> x.cmd.equals(t.value()));
            } else if (!t.value().isEmpty() && !builtin) {
              st.run.add(new RunEntry(rule, t.value()));
            }
            if (t.op() == UdevOperator.ASSIGN_FINAL) {
              st.runFinal = true;
            }
            out.append("queues RUN").append(builtin ? "{builtin}" : "").append(" \"").append(t.value()).append("\"; ");
          }
          default -> { }
        }
      }
      return out.toString();
    }

    String subst(String v, State st) {
      StringBuilder b = new StringBuilder();
      int i = 0;
      while (i < v.length()) {
        char c = v.charAt(i);
        if ((c == '$' || c == '%') && i + 1 < v.length()) {
          if (v.charAt(i + 1) == c) {
            b.append(c);
            i += 2;
            continue;
          }
          Matcher m = (c == '$' ? DOLLAR_SUBST : PERCENT_SUBST).matcher(v).region(i, v.length());
          if (!m.lookingAt()) {
            return null;
          }
          String name = m.group(1);
          String arg = m.group(3);
          String rep;
          switch (name) {
            case "env", "E" -> {
              if (arg == null || st.unknownEnv.contains(arg)) {
                return null;
              }
              rep = st.env.getOrDefault(arg, "");
            }
            case "attr", "sysfs", "s" -> {
              if (arg == null || st.unknownAttrs.contains(arg) || !st.attrs.containsKey(arg)) {
                return null;
              }
              rep = st.attrs.get(arg);
            }
            case "kernel", "k" -> rep = kernel;
            case "number", "n" -> rep = kernel.replaceAll("^\\D+", "");
            case "devpath", "p" -> rep = devpath;
            case "sys", "S" -> rep = "/sys";
            case "result", "c" -> {
              if (!st.resultKnown || arg != null) {
                return null;
              }
              rep = st.result;
            }
            default -> {
              return null;
            }
          }
          b.append(rep);
          i = m.end();
          continue;
        }
        b.append(c);
        i++;
      }
      return b.toString();
    }

    // ---------------------------------------------------------------- results

    PathResult finish(State st) {
      if (st.write != null) {
        String v = st.write.value;
        if (v == null) {
          return new PathResult(Outcome.UNKNOWN, null, st.write.rule,
              st.write.rule.location() + " writes " + res.attribute() + "=\"" + st.write.raw
                  + "\", a value this tool cannot compute", st);
        }
        if (res.isOnlineValue(v)) {
          return new PathResult(Outcome.ONLINE, v, st.write.rule, "", st);
        }
      }
      if (kernelOnlines() && (st.write == null || "online".equals(st.attrs.get("state")))) {
        return new PathResult(Outcome.ONLINE, env.autoOnlineBlocks().get(), null, "", st);
      }
      Pattern p = res == HotplugResource.CPU ? RUN_CPU_ONLINE : RUN_MEM_ONLINE;
      for (RunEntry e : st.run) {
        Matcher m = p.matcher(e.cmd);
        if (m.find()) {
          String value = res == HotplugResource.CPU ? "1" : m.group(2);
          return new PathResult(Outcome.PROBABLE, value, e.rule, "", st);
        }
      }
      for (RunEntry e : st.run) {
        if (runRelevant(e.cmd)) {
          return new PathResult(Outcome.UNKNOWN, null, e.rule, e.rule.location() + " runs \"" + e.cmd
              + "\"; this tool cannot tell whether that program onlines the " + res.label(), st);
        }
      }
      return new PathResult(Outcome.NONE, null, null, "", st);
    }

    UdevVerdict combine() {
      Set<Outcome> kinds = new LinkedHashSet<>();
      for (PathResult r : results) {
        kinds.add(r.outcome);
      }
      PathResult first = results.get(0);
      List<String> reasons = new ArrayList<>();
      UdevVerdict.Status status;
      PathResult ev = null;
      if (capped) {
        status = UdevVerdict.Status.CANNOT_TELL;
        reasons.add("more than " + MAX_PATHS + " combinations of unknown rule conditions; read the"
            + " rules that say \"cannot tell\" below");
      } else if (kinds.size() == 1 && kinds.contains(Outcome.ONLINE)) {
        status = UdevVerdict.Status.ONLINES;
        ev = first;
      } else if (kinds.size() == 1 && kinds.contains(Outcome.NONE)) {
        status = UdevVerdict.Status.DOES_NOT_ONLINE;
      } else if (!kinds.contains(Outcome.NONE) && !kinds.contains(Outcome.UNKNOWN)) {
        status = UdevVerdict.Status.PROBABLY_ONLINES;
        ev = results.stream().filter(r -> r.outcome == Outcome.PROBABLE).findFirst().orElse(first);
        reasons.add(ev.rule.location() + " queues a RUN program that looks like it writes "
            + res.attribute() + "; udev does not check what a program does, so this is not proven");
      } else {
        status = UdevVerdict.Status.CANNOT_TELL;
        for (PathResult r : results) {
          if (r.outcome == Outcome.UNKNOWN) {
            reasons.add(r.why);
          }
        }
        if (kinds.size() > 1) {
          Set<String> assumptions = new LinkedHashSet<>();
          for (PathResult r : results) {
            assumptions.addAll(r.state.assumptions);
          }
          reasons.add("the answer depends on rules whose conditions are unknown: " + String.join("; ", assumptions));
        }
      }
      if (!first.state.assumptions.isEmpty() && status != UdevVerdict.Status.CANNOT_TELL) {
        reasons.add("the same answer holds whatever the unknown conditions are ("
            + first.state.assumptions.size() + " assumption(s) on the first path)");
      }
      if (status == UdevVerdict.Status.DOES_NOT_ONLINE && res == HotplugResource.MEMORY
          && first.state.notes.values().stream().anyMatch(n -> n.contains("auto_online_blocks") && n.contains("jumps"))) {
        reasons.add("the rules leave hot-added memory to the kernel's policy (auto_online_blocks is "
            + env.autoOnlineBlocks().orElse("unknown") + " here); the kernel parameter"
            + " memhp_default_state=online (Linux >= 4.7) or our rule would online it");
      }
      // problems and truncation can hide a rule
      List<String> hidden = new ArrayList<>();
      for (UdevRuleFile f : files) {
        for (UdevProblem p : f.problems()) {
          String l = p.text().toLowerCase(Locale.ROOT) + " " + p.message();
          boolean mentions = l.contains(res.subsystem()) || l.contains(res.attribute());
          if (p.line() == 0 && !p.message().startsWith("file is empty")) {
            hidden.add(f.path() + ": " + p.message());
          } else if (mentions && p.line() > 0) {
            hidden.add(f.name() + ":" + p.line() + " could not be read as a rule (" + p.message()
                + "); it mentions " + res.subsystem() + "/" + res.attribute() + ": " + p.text());
          }
        }
      }
      if (status == UdevVerdict.Status.DOES_NOT_ONLINE && !hidden.isEmpty()) {
        status = UdevVerdict.Status.CANNOT_TELL;
        reasons.addAll(0, hidden);
      } else {
        reasons.addAll(hidden);
      }
      List<RuleExplanation> evidence = new ArrayList<>();
      if (ev != null && ev.rule == null) {
        evidence.add(new RuleExplanation("kernel (auto_online_blocks=" + ev.value + ")", "",
            "the kernel onlines hot-added memory itself before udev sees it"));
      } else if (ev != null) {
        evidence.add(new RuleExplanation(ev.rule.location(), ev.rule.text(),
            status == UdevVerdict.Status.ONLINES
                ? "sets " + res.attribute() + "=" + ev.value + " on the add event"
                : "RUN program seems to write " + res.attribute() + "=" + ev.value));
      }
      return new UdevVerdict(res, status, ev == null ? null : ev.value, evidence,
          explanations(first.state), reasons);
    }

    List<RuleExplanation> explanations(State st) {
      List<RuleExplanation> out = new ArrayList<>();
      for (int fi = 0; fi < files.size(); fi++) {
        List<UdevRule> rules = files.get(fi).rules();
        for (int ri = 0; ri < rules.size(); ri++) {
          UdevRule rule = rules.get(ri);
          if (!relevant(rule)) {
            continue;
          }
          String msg = st.notes.get(rule);
          int[] skippedBy = st.skipped.get(rule);
          if (msg == null && skippedBy != null) {
            msg = skippedMessage(st, fi, skippedBy[1], ri);
          }
          if (msg == null) {
            msg = "not reached (an earlier rule ended processing)";
          }
          out.add(new RuleExplanation(rule.location(), rule.text(), msg));
        }
      }
      return out;
    }

    String skippedMessage(State st, int fi, int gotoIdx, int ri) {
      List<UdevRule> rules = files.get(fi).rules();
      UdevRule g = rules.get(gotoIdx);
      StringBuilder b = new StringBuilder("never reached: " + g.location() + " GOTO=\"" + g.gotoLabel()
          + "\" jumps over it");
      List<String> ways = new ArrayList<>();
      for (int k = 0; k < gotoIdx; k++) {
        UdevRule w = rules.get(k);
        String lbl = w.gotoLabel();
        if (lbl == null || !st.failed.containsKey(w)) {
          continue;
        }
        for (int j = gotoIdx + 1; j <= ri; j++) {
          if (lbl.equals(rules.get(j).label())) {
            ways.add("line " + w.line() + ": " + st.failed.get(w));
            break;
          }
        }
      }
      if (!ways.isEmpty()) {
        b.append("; the way in needs ").append(String.join(" or ", ways));
      }
      return b.toString();
    }

    boolean relevant(UdevRule rule) {
      String l = rule.text().toLowerCase(Locale.ROOT);
      if (l.contains(res.subsystem())) {
        return true;
      }
      for (UdevToken t : rule.tokens()) {
        if (t.key().equals("ATTR") && !t.op().isMatch() && res.attribute().equals(t.attr())) {
          return true;
        }
        if (t.key().equals("ENV") && !t.op().isMatch() && targetEnvNames.contains(t.attr())) {
          return true;
        }
      }
      return false;
    }
  }

  private enum Outcome { ONLINE, PROBABLE, UNKNOWN, NONE }

  private record PathResult(Outcome outcome, String value, UdevRule rule, String why, State state) {}

  private record Write(UdevRule rule, String value, String raw) {}

  private record RunEntry(UdevRule rule, String cmd) {}

  /** The event's state along one path through the rules. */
  private static final class State {
    Map<String, String> env = new HashMap<>();
    Set<String> unknownEnv = new HashSet<>();
    Map<String, String> attrs = new HashMap<>();
    Set<String> unknownAttrs = new HashSet<>();
    String result = "";
    boolean resultKnown = true;
    List<RunEntry> run = new ArrayList<>();
    boolean runFinal;
    Write write;
    List<String> assumptions = new ArrayList<>();
    Map<UdevRule, String> notes = new LinkedHashMap<>();
    Map<UdevRule, String> failed = new HashMap<>();
    Map<UdevRule, int[]> skipped = new HashMap<>();

    void note(UdevRule rule, String message) {
      notes.put(rule, message.endsWith("; ") ? message.substring(0, message.length() - 2) : message.strip());
    }

    State copy() {
      State s = new State();
      s.env = new HashMap<>(env);
      s.unknownEnv = new HashSet<>(unknownEnv);
      s.attrs = new HashMap<>(attrs);
      s.unknownAttrs = new HashSet<>(unknownAttrs);
      s.result = result;
      s.resultKnown = resultKnown;
      s.run = new ArrayList<>(run);
      s.runFinal = runFinal;
      s.write = write;
      s.assumptions = new ArrayList<>(assumptions);
      s.notes = new LinkedHashMap<>(notes);
      s.failed = new HashMap<>(failed);
      s.skipped = new HashMap<>(skipped);
      return s;
    }
  }
}
