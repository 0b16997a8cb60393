package dev.vmhotplug.guest.udev;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Explains the output of the guide's check {@code grep -r -i "cpu" /lib/udev/rules.d/*} (also
 * {@code grep -n} output, and any other word): each hit line is read as a udev rule and evaluated
 * on its own, and the answer says what it does for a hot-added CPU or memory block.
 *
 * <p>grep shows only the lines that contain the word, not the {@code GOTO}/{@code LABEL} lines
 * that decide whether a rule is reached, so a hit that would online a device is reported as "only
 * if reached" and the real answer needs the whole files ({@link UdevEvaluator} on a guest root).
 */
public final class GrepExplainer {
  private static final Pattern HIT = Pattern.compile("^([^:]+?):(?:(\\d+):)?(.*)$");

  /**
   * One grep hit and what it means.
   *
   * @param path the file grep printed
   * @param line the line number when grep printed one ({@code -n}), else 0
   * @param content the matched line
   * @param explanation what the line does for a hot-added CPU / memory block
   * @param onlines whether the line, when reached, onlines a device
   */
  public record Hit(String path, int line, String content, String explanation, boolean onlines) {
    /** {@code path: content  => explanation}. */
    @Override
    public String toString() {
      return path + (line > 0 ? ":" + line : "") + ": " + content + "\n  => " + explanation;
    }
  }

  private GrepExplainer() {}

  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");

  /**
   * Explains grep output.
   *
   * @param grepOutput what grep printed; blank lines are ignored
   * @param env the machine to evaluate for
   * @return one entry per hit line, in order
   * @throws IllegalArgumentException when the text has no line in grep's {@code file:content} form,
   *     or is binary (control characters other than tab and line ends; ANSI colours are dropped)
   */
  public static List<Hit> explain(String grepOutput, UdevEnvironment env) {
    Objects.requireNonNull(grepOutput, "grepOutput");
    Objects.requireNonNull(env, "env");
    // grep --color=always wraps file names and matches in ANSI SGR sequences: drop them
    String text = ANSI.matcher(grepOutput).replaceAll("");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f || c == '\uFFFD') {
        throw new IllegalArgumentException("the text is binary, not grep output (character 0x"
            + Integer.toHexString(c) + " at offset " + i + "): give the text grep printed for"
            + " grep -r -i cpu /lib/udev/rules.d/*");
      }
    }
    List<Hit> hits = new ArrayList<>();
    for (String raw : text.split("\\R")) {
      String l = raw.strip();
      if (l.isEmpty()) {
        continue;
      }
      if (l.startsWith("grep:") || l.startsWith("Binary file")) {
        hits.add(new Hit("", 0, l, "a grep message, not a rule", false));
        continue;
      }
      Matcher m = HIT.matcher(l);
      if (!m.matches()) {
        hits.add(new Hit("", 0, l, "not a grep hit (expected file:content): ignored", false));
        continue;
      }
      String path = m.group(1);
      int line = m.group(2) == null ? 0 : Integer.parseInt(m.group(2).length() > 9 ? "0" : m.group(2));
      String content = m.group(3);
      hits.add(explainLine(path, line, content, env));
    }
    if (hits.stream().allMatch(h -> h.path().isEmpty())) {
      throw new IllegalArgumentException("no grep hit found in the text: expected lines like"
          + " '/lib/udev/rules.d/40-redhat.rules:SUBSYSTEM==\"cpu\", …' as printed by"
          + " grep -r -i cpu /lib/udev/rules.d/*");
    }
    return hits;
  }

  private static Hit explainLine(String path, int line, String content, UdevEnvironment env) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String c = content.strip();
    if (c.isEmpty()) {
      return new Hit(path, line, content, "an empty line: no effect", false);
    }
    if (c.startsWith("#")) {
      return new Hit(path, line, content, "a comment: udev ignores it", false);
    }
    if (c.endsWith("\\")) {
      return new Hit(path, line, content, "cannot tell: this line continues on the next one, which grep"
          + " did not print; read the whole file", false);
    }
    UdevRuleFile f = UdevRulesParser.parse(name, path, c);
    if (f.rules().isEmpty()) {
      String why = f.problems().isEmpty() ? "no rule" : f.problems().get(0).message();
      return new Hit(path, line, content, "udev cannot read this line (" + why + ")", false);
    }
    UdevRule rule = f.rules().get(0);
    List<String> parts = new ArrayList<>();
    boolean onlines = false;
    for (HotplugResource r : HotplugResource.values()) {
      boolean mentions = c.toLowerCase(java.util.Locale.ROOT).contains(r.subsystem())
          || rule.tokens().stream().anyMatch(t -> t.key().equals("ATTR") && !t.op().isMatch() && r.attribute().equals(t.attr()));
      if (!mentions) {
        continue;
      }
      UdevVerdict v = UdevEvaluator.evaluate(List.of(f), env, r);
      switch (v.status()) {
        case ONLINES -> {
          onlines = true;
          parts.add("onlines a hot-added " + r.label() + " (" + r.attribute() + "=" + v.onlineValue()
              + ") IF udev reaches this line; grep does not show the GOTO/LABEL lines around it that"
              + " decide that" + guard(name));
        }
        case PROBABLY_ONLINES -> {
          onlines = true;
          parts.add("probably onlines a hot-added " + r.label() + " through a RUN program, if reached" + guard(name));
        }
        default -> {
          String msg = v.explanations().isEmpty() ? v.summary() : v.explanations().get(0).message();
          parts.add(r.label() + ": " + msg + (v.status() == UdevVerdict.Status.DOES_NOT_ONLINE
              && !msg.contains("onlines nothing") ? " (onlines nothing)" : ""));
        }
      }
    }
    if (parts.isEmpty()) {
      parts.add("matches the grep word but concerns neither CPUs nor memory blocks");
    }
    return new Hit(path, line, content, String.join("; ", parts), onlines);
  }

  private static String guard(String name) {
    if (name.equals("40-vm-hotadd.rules") || name.equals("40-hyperv-hotadd.rules")) {
      return ". In Ubuntu's " + name + " it comes after a DMI vendor check that jumps over it unless"
          + " sys_vendor is \"Microsoft Corporation\" (Hyper-V) or \"Xen\": on KVM it is never reached";
    }
    return "";
  }
}
