package dev.vmhotplug.guest.distro;

import dev.vmhotplug.guest.Distro;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the files that name a distribution release: {@code /etc/os-release} (and
 * {@code /usr/lib/os-release}), {@code /etc/centos-release}, {@code /etc/redhat-release},
 * {@code /etc/lsb-release}, {@code /etc/debian_version}; and Debian's package database
 * {@code /var/lib/dpkg/status} for the installed systemd/udev version.
 */
public final class ReleaseFiles {
  private static final Pattern REDHAT_RELEASE = Pattern.compile(
      "^(.*?)\\s+release\\s+([0-9][0-9.]*)", Pattern.CASE_INSENSITIVE);

  private ReleaseFiles() {}

  /**
   * Parses os-release text: {@code KEY=value} lines, values optionally in single or double quotes,
   * backslash escapes in double quotes, comments and blank lines ignored. Malformed lines are
   * skipped.
   *
   * @param text the file content
   * @return the keys and values in file order
   */
  public static Map<String, String> parseOsRelease(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        continue;
      }
      String v = line.substring(eq + 1).strip();
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1).replaceAll("\\\\([\"\\\\$`])", "$1");
      } else if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
        v = v.substring(1, v.length() - 1);
      }
      out.put(key, v);
    }
    return out;
  }

  /**
   * Identifies the distribution from release files given as text (path → content; a missing file
   * is simply absent from the map). Priority: os-release, centos-release, redhat-release,
   * lsb-release, debian_version.
   *
   * @param files contents keyed by absolute guest path ({@code /etc/os-release}, …)
   * @return the distribution, {@link Distro#unknown(String)} when nothing identifies it
   */
  public static Distro identify(Map<String, String> files) {
    for (String p : List.of("/etc/os-release", "/usr/lib/os-release")) {
      String t = files.get(p);
      if (t != null) {
        Map<String, String> kv = parseOsRelease(t);
        if (kv.containsKey("ID")) {
          List<String> like = new ArrayList<>();
          for (String s : kv.getOrDefault("ID_LIKE", "").split("\\s+")) {
            if (!s.isBlank()) {
              like.add(s);
            }
          }
          String version = kv.getOrDefault("VERSION_ID", "");
          // CentOS 7's os-release says VERSION_ID="7"; centos-release has the minor version
          Optional<Distro> precise = fromRedhatRelease(files.get("/etc/centos-release"), "/etc/centos-release")
              .or(() -> fromRedhatRelease(files.get("/etc/redhat-release"), "/etc/redhat-release"));
          if (precise.isPresent() && precise.get().versionId().startsWith(version + ".")
              && precise.get().id().equals(kv.get("ID").toLowerCase(java.util.Locale.ROOT))) {
            version = precise.get().versionId();
          }
          return new Distro(kv.get("ID"), version, kv.getOrDefault("PRETTY_NAME", kv.get("NAME")), like, p);
        }
      }
    }
    Optional<Distro> rh = fromRedhatRelease(files.get("/etc/centos-release"), "/etc/centos-release")
        .or(() -> fromRedhatRelease(files.get("/etc/redhat-release"), "/etc/redhat-release"));
    if (rh.isPresent()) {
      return rh.get();
    }
    String lsb = files.get("/etc/lsb-release");
    if (lsb != null) {
      Map<String, String> kv = parseOsRelease(lsb);
      if (kv.containsKey("DISTRIB_ID")) {
        return new Distro(kv.get("DISTRIB_ID"), kv.getOrDefault("DISTRIB_RELEASE", ""),
            kv.get("DISTRIB_DESCRIPTION"), List.of(), "/etc/lsb-release");
      }
    }
    String deb = files.get("/etc/debian_version");
    if (deb != null && !deb.isBlank()) {
      String v = deb.strip();
      // testing/unstable write a codename like "bookworm/sid": no number
      return new Distro("debian", v.matches("[0-9].*") ? v : "", "Debian " + v, List.of(), "/etc/debian_version");
    }
    return Distro.unknown("no release file found");
  }

  private static Optional<Distro> fromRedhatRelease(String text, String source) {
    if (text == null) {
      return Optional.empty();
    }
    String first = text.strip().lines().findFirst().orElse("");
    Matcher m = REDHAT_RELEASE.matcher(first);
    if (!m.find()) {
      return Optional.empty();
    }
    String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
    String id;
    if (name.startsWith("centos")) {
      id = "centos";
    } else if (name.startsWith("red hat")) {
      id = "rhel";
    } else if (name.startsWith("rocky")) {
      id = "rocky";
    } else if (name.startsWith("almalinux")) {
      id = "almalinux";
    } else if (name.startsWith("oracle")) {
      id = "ol";
    } else {
      id = name.replaceAll("[^a-z0-9]+", "-");
    }
    return Optional.of(new Distro(id, m.group(2), first, List.of(), source));
  }

  /**
   * Finds the installed version of a package in Debian's {@code /var/lib/dpkg/status}.
   *
   * @param status the file content
   * @param pkg the package name, e.g. {@code systemd} or {@code udev}
   * @return the version when the package is listed as installed
   */
  public static Optional<String> dpkgInstalledVersion(String status, String pkg) {
    for (String stanza : status.split("\\n\\s*\\n")) {
      String name = null;
      String version = null;
      boolean installed = false;
      for (String line : stanza.split("\\n")) {
        if (line.startsWith("Package:")) {
          name = line.substring(8).strip();
        } else if (line.startsWith("Version:")) {
          version = line.substring(8).strip();
        } else if (line.startsWith("Status:")) {
          installed = line.contains(" installed") && !line.contains("not-installed") && !line.contains("config-files");
        }
      }
      if (pkg.equals(name) && installed && version != null && !version.isEmpty()) {
        return Optional.of(version);
      }
    }
    return Optional.empty();
  }
}
