package dev.vmhotplug.guest.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the udev rules that bring hot-added vCPUs and memory blocks online inside a guest, an
 * installer script for them, and the same as a cloud-init snippet.
 *
 * <p>The rules are the guide's, in the form udev can read (ASCII quotes, one line per rule):
 * <pre>
 * SUBSYSTEM=="cpu", ACTION=="add", TEST=="online", ATTR{online}=="0", ATTR{online}="1"
 * SUBSYSTEM=="memory", ACTION=="add", TEST=="state", ATTR{state}=="offline", ATTR{state}="online"
 * </pre>
 * Output is exact bytes: the same options always give the same text. Nothing a caller passes
 * enters the output except the file names, which {@link RuleOptions} has checked against
 * {@link RuleOptions#FILE_NAME_RULE} (no quotes, spaces, slashes or shell characters can pass).
 * Stateless and thread-safe.
 */
public final class RuleGenerator {

  /** The CPU rule, one line, no newline. */
  public static final String CPU_RULE =
      "SUBSYSTEM==\"cpu\", ACTION==\"add\", TEST==\"online\", ATTR{online}==\"0\", ATTR{online}=\"1\"";

  private static final String MEMORY_RULE_PREFIX =
      "SUBSYSTEM==\"memory\", ACTION==\"add\", TEST==\"state\", ATTR{state}==\"offline\", ATTR{state}=\"";

  /** Where the installer writes the rules unless {@code HOTPLUG_RULES_DIR} says otherwise. */
  public static final String RULES_DIR = "/etc/udev/rules.d";

  private static final String HEREDOC_END = "VMHOTPLUG_RULES_END";

  private RuleGenerator() {}

  /**
   * The memory rule for the options' online state, one line, no newline.
   *
   * @param options the rule options; their memory state ({@code online} or {@code online_movable}) is used
   * @return the memory rule for the options' online state, one line, no newline
   */
  public static String memoryRule(RuleOptions options) {
    return MEMORY_RULE_PREFIX + options.memoryOnlineState() + "\"";
  }

  /**
   * The rule files to install in {@code /etc/udev/rules.d}: the CPU file, the memory file, or one
   * file with both when the options give both the same name.
   *
   * @param options what to write
   * @return one or two files, CPU first
   */
  public static List<RuleFile> generate(RuleOptions options) {
    List<RuleFile> files = new ArrayList<>();
    if (options.cpu() && options.memory() && options.cpuFileName().equals(options.memoryFileName())) {
      StringBuilder sb = new StringBuilder();
      sb.append("# Bring hot-added vCPUs and memory blocks online (written by vmhotplug).\n");
      appendCommonHeader(sb);
      appendMovableNote(sb, options);
      sb.append(CPU_RULE).append('\n');
      sb.append(memoryRule(options)).append('\n');
      files.add(new RuleFile(options.cpuFileName(), sb.toString()));
      return List.copyOf(files);
    }
    if (options.cpu()) {
      StringBuilder sb = new StringBuilder();
      sb.append("# Bring hot-added vCPUs online (written by vmhotplug).\n");
      appendCommonHeader(sb);
      sb.append(CPU_RULE).append('\n');
      files.add(new RuleFile(options.cpuFileName(), sb.toString()));
    }
    if (options.memory()) {
      StringBuilder sb = new StringBuilder();
      sb.append("# Bring hot-added memory blocks online (written by vmhotplug).\n");
      appendCommonHeader(sb);
      appendMovableNote(sb, options);
      sb.append(memoryRule(options)).append('\n');
      files.add(new RuleFile(options.memoryFileName(), sb.toString()));
    }
    return List.copyOf(files);
  }

  private static void appendCommonHeader(StringBuilder sb) {
    sb.append("# Install in /etc/udev/rules.d (it replaces a file of the same name in /lib/udev/rules.d\n");
    sb.append("# or /usr/lib/udev/rules.d), then run: udevadm control --reload\n");
  }

  private static void appendMovableNote(StringBuilder sb, RuleOptions options) {
    if (options.movableMemory() && options.memory()) {
      sb.append("# online_movable: new memory goes to ZONE_MOVABLE so it can be hot-unplugged later;\n");
      sb.append("# the kernel cannot use it for its own allocations.\n");
    }
  }

  /**
   * A POSIX sh script that writes the rules, reloads udev and onlines the CPUs and memory blocks
   * that are present but offline. Run it as root inside the guest (or in an image build with
   * {@code HOTPLUG_NO_RELOAD=1}).
   *
   * <p>Environment it reads: {@code HOTPLUG_RULES_DIR} (default {@code /etc/udev/rules.d}),
   * {@code HOTPLUG_SYSFS} (default {@code /sys}), {@code HOTPLUG_NO_RELOAD=1} (skip the udev reload).
   * Reload: {@code udevadm control --reload} (udev 183 and later), else
   * {@code udevadm control --reload-rules} (older udevadm, e.g. CentOS 6's udev 147), else
   * {@code udevcontrol reload_rules} (udev before udevadm). A failed reload is a warning: the rules
   * still apply from the next boot. Exit status 1 when a rule file cannot be written or a CPU or
   * memory block could not be onlined, else 0.
   *
   * @param options what to install
   * @return the script, starting with {@code #!/bin/sh}
   */
  public static String installerScript(RuleOptions options) {
    StringBuilder sb = new StringBuilder();
    sb.append("#!/bin/sh\n");
    sb.append("# Installs udev rules that bring hot-added ").append(what(options))
        .append(" online, then onlines\n");
    sb.append("# what is already present but offline. Written by vmhotplug; POSIX sh; run as root.\n");
    sb.append("#\n");
    sb.append("# Environment:\n");
    sb.append("#   HOTPLUG_RULES_DIR    where the rules go (default /etc/udev/rules.d)\n");
    sb.append("#   HOTPLUG_SYSFS        sysfs root (default /sys)\n");
    sb.append("#   HOTPLUG_NO_RELOAD=1  do not reload udev (e.g. in a chroot while building an image)\n");
    sb.append("set -u\n");
    sb.append("\n");
    sb.append("rules_dir=${HOTPLUG_RULES_DIR:-").append(RULES_DIR).append("}\n");
    sb.append("umask 022\n");
    sb.append("if ! mkdir -p \"$rules_dir\"; then\n");
    sb.append("  echo \"vmhotplug: cannot create $rules_dir\" >&2\n");
    sb.append("  exit 1\n");
    sb.append("fi\n");
    sb.append("\n");
    sb.append("# write_rule NAME: writes standard input to $rules_dir/NAME (through a temporary file)\n");
    sb.append("write_rule() {\n");
    sb.append("  tmp=\"$rules_dir/.$1.tmp.$$\"\n");
    sb.append("  if cat > \"$tmp\" && chmod 0644 \"$tmp\" && mv -f \"$tmp\" \"$rules_dir/$1\"; then\n");
    sb.append("    echo \"vmhotplug: wrote $rules_dir/$1\"\n");
    sb.append("  else\n");
    sb.append("    rm -f \"$tmp\"\n");
    sb.append("    echo \"vmhotplug: could not write $rules_dir/$1\" >&2\n");
    sb.append("    exit 1\n");
    sb.append("  fi\n");
    sb.append("}\n");
    for (RuleFile f : generate(options)) {
      sb.append("\n");
      // the name matched RuleOptions.FILE_NAME_RULE: [0-9A-Za-z._-] only, safe inside single quotes
      sb.append("write_rule '").append(f.fileName()).append("' <<'").append(HEREDOC_END).append("'\n");
      sb.append(f.content());
      sb.append(HEREDOC_END).append('\n');
    }
    sb.append("\n");
    sb.append(activation(options));
    sb.append("exit \"$failed\"\n");
    return sb.toString();
  }

  /**
   * The part shared by the script and cloud-init: reload udev, online what is offline, set
   * {@code failed} to 1 when something could not be onlined and say so on stderr.
   */
  static String activation(RuleOptions options) {
    StringBuilder sb = new StringBuilder();
    sb.append("sysfs=${HOTPLUG_SYSFS:-/sys}\n");
    sb.append("failed=0\n");
    sb.append("\n");
    sb.append("# Reload the rules: udevadm control --reload (udev 183+), --reload-rules (older udevadm,\n");
    sb.append("# e.g. CentOS 6), udevcontrol reload_rules (udev before udevadm).\n");
    sb.append("if [ \"${HOTPLUG_NO_RELOAD:-0}\" = 1 ]; then\n");
    sb.append("  echo \"vmhotplug: HOTPLUG_NO_RELOAD=1: udev not reloaded\"\n");
    sb.append("elif command -v udevadm >/dev/null 2>&1; then\n");
    sb.append("  if udevadm control --reload 2>/dev/null || udevadm control --reload-rules; then\n");
    sb.append("    echo \"vmhotplug: udev rules reloaded\"\n");
    sb.append("  else\n");
    sb.append("    echo \"vmhotplug: warning: udevadm could not reload the rules (is udevd running?);"
        + " they apply from the next boot\" >&2\n");
    sb.append("  fi\n");
    sb.append("elif command -v udevcontrol >/dev/null 2>&1; then\n");
    sb.append("  if udevcontrol reload_rules; then\n");
    sb.append("    echo \"vmhotplug: udev rules reloaded\"\n");
    sb.append("  else\n");
    sb.append("    echo \"vmhotplug: warning: udevcontrol could not reload the rules; they apply from the"
        + " next boot\" >&2\n");
    sb.append("  fi\n");
    sb.append("else\n");
    sb.append("  echo \"vmhotplug: warning: neither udevadm nor udevcontrol found; the rules apply once udev"
        + " reads them\" >&2\n");
    sb.append("fi\n");
    if (options.cpu()) {
      sb.append("\n");
      sb.append("# Online CPUs that are present but offline (cpuN/online reads 0).\n");
      sb.append("for f in \"$sysfs\"/devices/system/cpu/cpu[0-9]*/online; do\n");
      sb.append("  [ -f \"$f\" ] || continue\n");
      sb.append("  state=$(cat \"$f\" 2>/dev/null) || continue\n");
      sb.append("  if [ \"$state\" = 0 ]; then\n");
      sb.append("    if echo 1 > \"$f\"; then\n");
      sb.append("      echo \"vmhotplug: onlined ${f%/online}\"\n");
      sb.append("    else\n");
      sb.append("      echo \"vmhotplug: warning: could not online ${f%/online}\" >&2\n");
      sb.append("      failed=1\n");
      sb.append("    fi\n");
      sb.append("  fi\n");
      sb.append("done\n");
    }
    if (options.memory()) {
      String state = options.memoryOnlineState();
      sb.append("\n");
      sb.append("# Online memory blocks that are present but offline (memoryN/state reads offline),\n");
      sb.append("# highest block first: kernels before 4.13 accept online_movable only for the block\n");
      sb.append("# right below the memory that is already movable.\n");
      sb.append("blocks=$(for f in \"$sysfs\"/devices/system/memory/memory[0-9]*/state; do\n");
      sb.append("  [ -f \"$f\" ] || continue\n");
      sb.append("  d=${f%/state}\n");
      sb.append("  echo \"${d##*/memory}\"\n");
      sb.append("done | sort -rn)\n");
      sb.append("for n in $blocks; do\n");
      sb.append("  case $n in ''|*[!0-9]*) continue ;; esac\n");
      sb.append("  f=\"$sysfs/devices/system/memory/memory$n/state\"\n");
      sb.append("  state=$(cat \"$f\" 2>/dev/null) || continue\n");
      sb.append("  if [ \"$state\" = offline ]; then\n");
      sb.append("    if echo ").append(state).append(" > \"$f\"; then\n");
      sb.append("      echo \"vmhotplug: onlined ${f%/state} as ").append(state).append("\"\n");
      sb.append("    else\n");
      sb.append("      echo \"vmhotplug: warning: could not online ${f%/state} as ").append(state)
          .append("\" >&2\n");
      sb.append("      failed=1\n");
      sb.append("    fi\n");
      sb.append("  fi\n");
      sb.append("done\n");
    }
    sb.append("\n");
    sb.append("if [ \"$failed\" != 0 ]; then\n");
    sb.append("  echo \"vmhotplug: some CPUs or memory blocks could not be onlined (see the warnings above)\" >&2\n");
    sb.append("fi\n");
    return sb.toString();
  }

  /**
   * A cloud-init {@code #cloud-config} snippet: {@code write_files} puts the rule files in
   * {@code /etc/udev/rules.d} (mode 0644, owner root), and {@code runcmd} reloads udev and onlines
   * what is present but offline (the installer's second half, in a subshell so that it never ends
   * the other {@code runcmd} entries).
   *
   * @param options what to install
   * @return YAML text starting with {@code #cloud-config}
   */
  public static String cloudInit(RuleOptions options) {
    StringBuilder sb = new StringBuilder();
    sb.append("#cloud-config\n");
    sb.append("# Written by vmhotplug: udev rules that bring hot-added ").append(what(options))
        .append(" online.\n");
    sb.append("write_files:\n");
    for (RuleFile f : generate(options)) {
      sb.append("  - path: ").append(RULES_DIR).append('/').append(f.fileName()).append('\n');
      sb.append("    owner: root:root\n");
      sb.append("    permissions: '0644'\n");
      sb.append("    content: |\n");
      indent(sb, f.content(), "      ");
    }
    sb.append("runcmd:\n");
    sb.append("  - |\n");
    indent(sb, "(\n" + activation(options) + ")\n", "    ");
    return sb.toString();
  }

  private static void indent(StringBuilder sb, String text, String prefix) {
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      sb.append(prefix).append(line).append('\n');
    }
  }

  private static String what(RuleOptions options) {
    if (options.cpu() && options.memory()) {
      return "vCPUs and memory";
    }
    return options.cpu() ? "vCPUs" : "memory";
  }
}
