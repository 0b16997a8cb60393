package dev.vmhotplug.guest.udev;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads udev rules files the way systemd-udevd does, without evaluating them.
 *
 * <p>What it follows: lines starting with {@code #} (after leading blanks) are comments, also
 * inside a continuation; a line ending with {@code \} continues on the next line (the backslash is
 * dropped, the next line's leading blanks too); tokens are {@code KEY[{attr}]OP"value"} separated by
 * commas and/or blanks; in a value, {@code \"} stands for {@code "} and every other backslash is
 * kept; {@code e"…"} values get C escapes. A line with an unknown key, an operator the key does not
 * allow ({@code ACTION="add"} is not a match), or broken quoting is reported as a
 * {@link UdevProblem} and skipped, as udev skips it.
 *
 * <p>Inputs are capped at {@link #MAX_BYTES} bytes (1 MiB): anything after is not read and the
 * file is marked {@link UdevRuleFile#truncated()}. A file containing NUL bytes is parsed line by
 * line like any other (udev does the same) and gets a problem saying it looks binary.
 */
public final class UdevRulesParser {

  /** Maximum bytes read per file: 1 MiB. */
  public static final int MAX_BYTES = 1 << 20;

  /** Keys that only match ({@code ==}, {@code !=}). */
  static final Set<String> MATCH_ONLY =
      Set.of("ACTION", "DEVPATH", "KERNEL", "SUBSYSTEM", "DRIVER", "KERNELS", "SUBSYSTEMS",
          "DRIVERS", "ATTRS", "TAGS", "TEST", "RESULT", "CONST", "SYSFS", "BUS", "ID", "WAIT_FOR",
          "WAIT_FOR_SYSFS", "DEVTYPE");
  /** Keys that only assign. */
  static final Set<String> ASSIGN_ONLY =
      Set.of("OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "OPTIONS", "GOTO", "LABEL");
  /** Keys that may match or assign. */
  static final Set<String> BOTH = Set.of("NAME", "SYMLINK", "ENV", "TAG", "ATTR", "SYSCTL");
  /** Keys where an assignment operator means "match" (they run something and test the result). */
  static final Set<String> RUNNING_MATCH = Set.of("PROGRAM", "IMPORT");
  /** Keys that need {@code {attr}}. */
  static final Set<String> NEED_ATTR = Set.of("ATTR", "ATTRS", "ENV", "CONST", "SYSCTL", "SECLABEL");

  private UdevRulesParser() {}

  /**
   * Parses rule file bytes (decoded as UTF-8 with replacement; udev reads bytes).
   *
   * @param name the file name, e.g. {@code 40-redhat.rules}
   * @param path where it came from, for messages
   * @param bytes the content; only the first {@link #MAX_BYTES} bytes are read
   * @return the parsed file; never throws for bad content
   */
  public static UdevRuleFile parse(String name, String path, byte[] bytes) {
    boolean truncated = bytes.length > MAX_BYTES;
    int len = Math.min(bytes.length, MAX_BYTES);
    String text = new String(bytes, 0, len, StandardCharsets.UTF_8);
    return parse(name, path, text, truncated);
  }

  /**
   * Parses rule file text.
   *
   * @param name the file name, e.g. {@code 40-redhat.rules}
   * @param path where it came from, for messages
   * @param content the text
   * @return the parsed file; never throws for bad content
   */
  public static UdevRuleFile parse(String name, String path, String content) {
    boolean truncated = content.length() > MAX_BYTES;
    return parse(name, path, truncated ? content.substring(0, MAX_BYTES) : content, truncated);
  }

  private static UdevRuleFile parse(String name, String path, String content, boolean truncated) {
    List<UdevRule> rules = new ArrayList<>();
    List<UdevProblem> problems = new ArrayList<>();
    if (truncated) {
      problems.add(new UdevProblem(name, 0, "",
          "file is larger than 1 MiB: only the first 1 MiB was read; rules after that are not known"));
    }
    int nul = content.indexOf('\0');
    if (nul >= 0) {
      problems.add(new UdevProblem(name, 0, "",
          "file contains NUL bytes (offset " + nul + "): it looks binary, not a rules file; its"
              + " lines were read as udev would read them"));
    }
    if (content.isBlank()) {
      problems.add(new UdevProblem(name, 0, "", "file is empty: it has no rules"));
    }
    String[] lines = content.split("\n", -1);
    StringBuilder cont = null;
    int contStart = 0;
    for (int n = 0; n < lines.length; n++) {
      int lineNo = n + 1;
      String raw = lines[n];
      if (raw.endsWith("\r")) {
        raw = raw.substring(0, raw.length() - 1);
      }
      String line = stripLeading(raw);
      if (line.startsWith("#")) {
        continue;
      }
      line = stripTrailing(line);
      if (cont != null) {
        cont.append(line);
        line = cont.toString();
      }
      if (line.endsWith("\\")) {
        if (cont == null) {
          cont = new StringBuilder();
          contStart = lineNo;
          cont.append(line, 0, line.length() - 1);
        } else {
          cont.setLength(cont.length() - 1);
        }
        continue;
      }
      int start = cont != null ? contStart : lineNo;
      cont = null;
      if (line.isEmpty()) {
        continue;
      }
      parseLine(name, start, lineNo, line, rules, problems);
    }
    if (cont != null) {
      problems.add(new UdevProblem(name, contStart, shorten(cont.toString()),
          "the file ends inside a continued line (last line ends with \\): the rule is incomplete"
              + " and is parsed as it stands"));
      parseLine(name, contStart, lines.length, cont.toString(), rules, problems);
    }
    return new UdevRuleFile(name, path, rules, problems, truncated);
  }

  private static void parseLine(
      String file, int line, int lastLine, String text, List<UdevRule> rules, List<UdevProblem> problems) {
    List<UdevToken> tokens = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      while (i < n && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == ',')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int ks = i;
      while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
        i++;
      }
      String key = text.substring(ks, i);
      if (key.isEmpty()) {
        problems.add(problem(file, line, text, "expected a key at column " + (i + 1) + " but found '"
            + printable(text.charAt(i)) + "'; udev ignores this line"));
        return;
      }
      String attr = null;
      if (i < n && text.charAt(i) == '{') {
        int close = text.indexOf('}', i);
        if (close < 0) {
          problems.add(problem(file, line, text, "'{' after " + key + " is never closed; udev ignores this line"));
          return;
        }
        attr = text.substring(i + 1, close);
        i = close + 1;
      }
      while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
      UdevOperator op = null;
      if (text.startsWith("==", i)) {
        op = UdevOperator.MATCH;
      } else if (text.startsWith("!=", i)) {
        op = UdevOperator.NOMATCH;
      } else if (text.startsWith("+=", i)) {
        op = UdevOperator.ADD;
      } else if (text.startsWith("-=", i)) {
        op = UdevOperator.REMOVE;
      } else if (text.startsWith(":=", i)) {
        op = UdevOperator.ASSIGN_FINAL;
      } else if (text.startsWith("=", i)) {
        op = UdevOperator.ASSIGN;
      }
      if (op == null) {
        problems.add(problem(file, line, text, "no operator (==, !=, =, +=, -=, :=) after key " + key
            + "; udev ignores this line"));
        return;
      }
      i += op.text().length();
      while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
      boolean escapes = false;
      if (i < n && text.charAt(i) == 'e' && i + 1 < n && text.charAt(i + 1) == '"') {
        escapes = true;
        i++;
      }
      if (i >= n || text.charAt(i) != '"') {
        problems.add(problem(file, line, text, "the value of " + key + " must be in double quotes"
            + (i < n && (text.charAt(i) == '\u201d' || text.charAt(i) == '\u201c')
                ? " (found a typographic quote \u201d: use ASCII \")" : "")
            + "; udev ignores this line"));
        return;
      }
      i++;
      StringBuilder v = new StringBuilder();
      boolean closed = false;
      while (i < n) {
        char c = text.charAt(i);
        if (c == '"') {
          closed = true;
          i++;
          break;
        }
        if (c == '\\' && i + 1 < n) {
          char d = text.charAt(i + 1);
          if (d == '"') {
            v.append('"');
            i += 2;
            continue;
          }
          if (escapes) {
            v.append(switch (d) {
              case 'n' -> '\n';
              case 't' -> '\t';
              case '\\' -> '\\';
              default -> d;
            });
            i += 2;
            continue;
          }
        }
        v.append(c);
        i++;
      }
      if (!closed) {
        problems.add(problem(file, line, text, "the value of " + key + " has no closing quote (truncated rule?);"
            + " udev ignores this line"));
        return;
      }
      String why = checkKey(key, attr, op);
      if (why != null) {
        problems.add(problem(file, line, text, why + "; udev ignores this line"));
        return;
      }
      tokens.add(new UdevToken(key, attr, op, v.toString()));
    }
    if (!tokens.isEmpty()) {
      rules.add(new UdevRule(file, line, lastLine, text, tokens));
    }
  }

  private static String checkKey(String key, String attr, UdevOperator op) {
    boolean known = MATCH_ONLY.contains(key) || ASSIGN_ONLY.contains(key) || BOTH.contains(key)
        || RUNNING_MATCH.contains(key);
    if (!known) {
      String upper = key.toUpperCase(Locale.ROOT);
      return "unknown key '" + key + "'"
          + (!upper.equals(key) && (MATCH_ONLY.contains(upper) || BOTH.contains(upper) || ASSIGN_ONLY.contains(upper))
              ? " (keys are upper case: " + upper + ")" : "");
    }
    if (NEED_ATTR.contains(key) && (attr == null || attr.isEmpty())) {
      return key + " needs an attribute in braces, e.g. " + key + "{name}";
    }
    if (MATCH_ONLY.contains(key) && !op.isMatch()) {
      return key + op.text() + " is an assignment, but " + key + " can only be matched (use " + key + "==)";
    }
    if (ASSIGN_ONLY.contains(key) && op.isMatch()) {
      return key + " can only be assigned, not matched with " + op.text();
    }
    if ((key.equals("GOTO") || key.equals("LABEL")) && op != UdevOperator.ASSIGN) {
      return key + " needs '=', not '" + op.text() + "'";
    }
    if (RUNNING_MATCH.contains(key) && op == UdevOperator.REMOVE) {
      return key + " does not accept '-='";
    }
    return null;
  }

  private static UdevProblem problem(String file, int line, String text, String message) {
    return new UdevProblem(file, line, shorten(text), message);
  }

  static String shorten(String s) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < s.length() && b.length() < 200; k++) {
      b.append(printable(s.charAt(k)));
    }
    if (s.length() > 200) {
      b.append("…");
    }
    return b.toString();
  }

  private static String printable(char c) {
    if (c < ' ' || c == 0x7f || c == '\uFFFD') {
      return String.format("\\x%02x", (int) c & 0xff);
    }
    return String.valueOf(c);
  }

  private static String stripLeading(String s) {
    int k = 0;
    while (k < s.length() && (s.charAt(k) == ' ' || s.charAt(k) == '\t')) {
      k++;
    }
    return s.substring(k);
  }

  private static String stripTrailing(String s) {
    int k = s.length();
    while (k > 0 && (s.charAt(k - 1) == ' ' || s.charAt(k - 1) == '\t')) {
      k--;
    }
    return s.substring(0, k);
  }
}
