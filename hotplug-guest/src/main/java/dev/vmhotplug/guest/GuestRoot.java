package dev.vmhotplug.guest;

import dev.vmhotplug.guest.distro.ReleaseFiles;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevRulesParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A guest's root file system, mounted or unpacked on this machine (e.g. {@code guestmount} or an
 * extracted image), read without touching the host: symbolic links are resolved INSIDE the root
 * (an absolute link {@code /lib -> /usr/lib} points into the image, never to the host's
 * {@code /usr/lib}), every file read is capped at {@link #MAX_BYTES} (1 MiB), nothing is written.
 *
 * <p>What it reads: the release files ({@code /etc/os-release}, {@code /usr/lib/os-release},
 * {@code /etc/centos-release}, {@code /etc/redhat-release}, {@code /etc/lsb-release},
 * {@code /etc/debian_version}), Debian's {@code /var/lib/dpkg/status} for the systemd and udev
 * versions (rpm databases are binary: give the version as text instead), {@code /lib/modules}
 * for kernel versions, and the udev rules directories, merged as udev merges them: a file name in
 * {@code /etc/udev/rules.d} hides the same name in {@code /run/udev/rules.d}, which hides
 * {@code /usr/local/lib/udev/rules.d}, {@code /usr/lib/udev/rules.d} and {@code /lib/udev/rules.d};
 * a link to {@code /dev/null} (or an empty file) masks the name; the result is sorted by file name.
 */
public final class GuestRoot {

  /** Maximum bytes read from one file: 1 MiB. */
  public static final int MAX_BYTES = UdevRulesParser.MAX_BYTES;

  /** Rules directories, highest priority first. */
  public static final List<String> RULES_DIRS = List.of(
      "/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
      "/usr/lib/udev/rules.d", "/lib/udev/rules.d");

  private static final int MAX_LINKS = 40;

  private final Path root;
  private final List<String> notes = new ArrayList<>();

  private GuestRoot(Path root) {
    this.root = root;
  }

  /**
   * Opens a guest root directory.
   *
   * @param root the directory where the guest's {@code /} is mounted
   * @return the root
   * @throws IllegalArgumentException when it does not exist or is not a directory
   */
  public static GuestRoot open(Path root) {
    if (root == null) {
      throw new IllegalArgumentException("guest root is null: give the directory where the guest's / is mounted");
    }
    if (!Files.exists(root)) {
      throw new IllegalArgumentException("guest root " + root + " does not exist: give the directory where"
          + " the guest's / is mounted (e.g. by guestmount -a disk.qcow2 -i --ro DIR)");
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("guest root " + root + " is not a directory: give the directory"
          + " where the guest's / is mounted, not the image file");
    }
    try {
      return new GuestRoot(root.toRealPath());
    } catch (IOException e) {
      throw new IllegalArgumentException("guest root " + root + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** {@return the root directory} */
  public Path root() {
    return root;
  }

  /** {@return notes gathered while reading (unreadable files, truncation, links leaving the root)} */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * Resolves a guest path to a host path inside the root, following links within the root.
   *
   * @param guestPath an absolute guest path, e.g. {@code /etc/os-release}
   * @return the host path, empty when a link loops or a component is missing
   */
  public Optional<Path> resolve(String guestPath) {
    Deque<String> todo = new ArrayDeque<>();
    for (String c : guestPath.split("/")) {
      if (!c.isEmpty()) {
        todo.addLast(c);
      }
    }
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.removeFirst();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      Path p = toHost(done).resolve(c);
      if (Files.isSymbolicLink(p)) {
        if (++links > MAX_LINKS) {
          notes.add(guestPath + ": more than " + MAX_LINKS + " symbolic links (a loop?); not read");
          return Optional.empty();
        }
        String target;
        try {
          target = Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
          notes.add(guestPath + ": cannot read link " + p + ": " + e.getMessage());
          return Optional.empty();
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = new ArrayList<>();
        for (String t : target.split("/")) {
          if (!t.isEmpty()) {
            parts.add(t);
          }
        }
        for (int k = parts.size() - 1; k >= 0; k--) {
          todo.addFirst(parts.get(k));
        }
        continue;
      }
      done.addLast(c);
    }
    return Optional.of(toHost(done));
  }

  private Path toHost(Deque<String> parts) {
    Path p = root;
    for (String s : parts) {
      p = p.resolve(s);
    }
    return p;
  }

  /** Whether a guest path is (after links) {@code /dev/null}. */
  private boolean isDevNull(String guestPath) {
    Path p = root.resolve(guestPath.substring(1));
    if (!Files.isSymbolicLink(p)) {
      return false;
    }
    try {
      return Files.readSymbolicLink(p).toString().equals("/dev/null");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads a text file of the guest (first {@link #MAX_BYTES} bytes, UTF-8 with replacement).
   *
   * @param guestPath absolute guest path
   * @return the text, empty when the file does not exist or cannot be read (a note says why)
   */
  public Optional<String> readText(String guestPath) {
    return readBytes(guestPath).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
  }

  private Optional<byte[]> readBytes(String guestPath) {
    Optional<Path> p = resolve(guestPath);
    if (p.isEmpty() || !Files.exists(p.get(), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
      notes.add(guestPath + " is not a regular file; not read");
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(p.get())) {
      byte[] b = in.readNBytes(MAX_BYTES + 1);
      if (b.length > MAX_BYTES) {
        notes.add(guestPath + " is larger than 1 MiB: only the first 1 MiB was read");
      }
      return Optional.of(b);
    } catch (IOException e) {
      notes.add("cannot read " + guestPath + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /** {@return the distribution, from the release files; {@link Distro#unknown(String)} when none names it} */
  public Distro distro() {
    Map<String, String> files = new LinkedHashMap<>();
    for (String f : List.of("/etc/os-release", "/usr/lib/os-release", "/etc/centos-release",
        "/etc/redhat-release", "/etc/lsb-release", "/etc/debian_version")) {
      readText(f).ifPresent(t -> files.put(f, t));
    }
    return ReleaseFiles.identify(files);
  }

  /**
   * The installed version of a Debian package from {@code /var/lib/dpkg/status}.
   *
   * @param pkg e.g. {@code systemd} or {@code udev}
   * @return the version, empty on non-Debian guests or when not installed
   */
  public Optional<String> dpkgVersion(String pkg) {
    return readText("/var/lib/dpkg/status").flatMap(s -> ReleaseFiles.dpkgInstalledVersion(s, pkg));
  }

  /** {@return kernel versions installed in the guest: the directory names under {@code /lib/modules}} */
  public List<String> kernelVersions() {
    List<String> out = new ArrayList<>();
    for (String dir : List.of("/lib/modules", "/usr/lib/modules")) {
      Optional<Path> p = resolve(dir);
      if (p.isEmpty() || !Files.isDirectory(p.get())) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.get())) {
        for (Path e : ds) {
          String n = e.getFileName().toString();
          if (!out.contains(n)) {
            out.add(n);
          }
        }
      } catch (IOException e) {
        notes.add("cannot list " + dir + ": " + e.getMessage());
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * The kernel's policy for hot-added memory as this image would boot it: the
   * {@code memhp_default_state=} parameter in {@code /etc/kernel/cmdline} or {@code /etc/default/grub},
   * else {@code CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE} / {@code CONFIG_MHP_DEFAULT_ONLINE_TYPE_*} in
   * {@code /boot/config-*}.
   *
   * @return the policy, e.g. {@code online} from {@code /boot/config-4.18.0-553.el8_10.x86_64};
   *     empty when the image does not say, or its kernels disagree (a note says so)
   */
  public Optional<KernelPolicy> kernelMemoryPolicy() {
    java.util.regex.Pattern param = java.util.regex.Pattern.compile("(?:^|[\\s\"'])memhp_default_state=([a-z_]+)");
    for (String f : List.of("/etc/kernel/cmdline", "/etc/default/grub")) {
      Optional<String> t = readText(f);
      if (t.isPresent()) {
        for (String line : t.get().split("\\R")) {
          if (line.strip().startsWith("#")) {
            continue;
          }
          java.util.regex.Matcher m = param.matcher(line);
          if (m.find()) {
            return Optional.of(new KernelPolicy(m.group(1), f + " (memhp_default_state=" + m.group(1) + ")"));
          }
        }
      }
    }
    Optional<Path> boot = resolve("/boot");
    if (boot.isEmpty() || !Files.isDirectory(boot.get())) {
      return Optional.empty();
    }
    Map<String, String> byConfig = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(boot.get(), "config-*")) {
      for (Path p : ds) {
        String name = "/boot/" + p.getFileName();
        readText(name).flatMap(GuestRoot::policyFromConfig).ifPresent(v -> byConfig.put(name, v));
      }
    } catch (IOException e) {
      notes.add("cannot list /boot: " + e.getMessage());
      return Optional.empty();
    }
    if (byConfig.isEmpty()) {
      return Optional.empty();
    }
    if (new java.util.HashSet<>(byConfig.values()).size() > 1) {
      notes.add("the image's kernels disagree on onlining hot-added memory: " + byConfig);
      return Optional.empty();
    }
    String first = byConfig.keySet().iterator().next();
    return Optional.of(new KernelPolicy(byConfig.get(first), String.join(", ", byConfig.keySet())));
  }

  /**
   * How the guest's kernel treats hot-added memory by itself.
   *
   * @param value what {@code auto_online_blocks} will say: {@code offline}, {@code online},
   *     {@code online_kernel} or {@code online_movable}
   * @param source the file(s) it was read from
   */
  public record KernelPolicy(String value, String source) {}

  private static Optional<String> policyFromConfig(String config) {
    for (String line : config.split("\\R")) {
      String l = line.strip();
      switch (l) {
        case "CONFIG_MHP_DEFAULT_ONLINE_TYPE_OFFLINE=y":
          return Optional.of("offline");
        case "CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO=y", "CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE=y":
          return Optional.of("online");
        case "CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_KERNEL=y":
          return Optional.of("online_kernel");
        case "CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_MOVABLE=y":
          return Optional.of("online_movable");
        case "# CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE is not set":
          return Optional.of("offline");
        default:
          break;
      }
    }
    return Optional.empty();
  }

  /**
   * The udev rules udev would load, merged over the rules directories and sorted by file name.
   * A directory that exists but cannot be listed, or a rules file that cannot be read, appears as
   * {@link UdevRuleFile#unreadable(String, String, String)} so that verdicts say "cannot tell".
   *
   * @return the rule files in processing order
   */
  public List<UdevRuleFile> udevRules() {
    TreeMap<String, Object> byName = new TreeMap<>();
    for (String dir : RULES_DIRS) {
      Optional<Path> p = resolve(dir);
      if (p.isEmpty() || !Files.exists(p.get())) {
        continue;
      }
      if (!Files.isDirectory(p.get())) {
        String msg = "cannot read " + dir + ": it is not a directory; rules there are unknown";
        notes.add(msg);
        byName.putIfAbsent("~" + dir, UdevRuleFile.unreadable(dir, dir, msg));
        continue;
      }
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.get())) {
        for (Path e : ds) {
          String n = e.getFileName().toString();
          if (n.endsWith(".rules")) {
            names.add(n);
          }
        }
      } catch (IOException e) {
        String msg = "cannot read " + dir + ": " + e.getMessage() + "; rules there are unknown";
        notes.add(msg);
        byName.putIfAbsent("~" + dir, UdevRuleFile.unreadable(dir, dir, msg));
        continue;
      }
      for (String n : names) {
        if (byName.containsKey(n)) {
          continue; // a higher-priority directory has this name
        }
        String guestPath = dir + "/" + n;
        if (isDevNull(guestPath)) {
          byName.put(n, "masked by " + guestPath + " -> /dev/null");
          continue;
        }
        Optional<Path> fp = resolve(guestPath);
        if (fp.isEmpty() || !Files.isRegularFile(fp.get())) {
          if (fp.isPresent() && fp.get().toString().equals(root.resolve("dev/null").toString())) {
            byName.put(n, "masked by " + guestPath + " -> /dev/null");
          } else {
            String msg = "cannot read " + guestPath + ": not a regular file (dangling link?)";
            notes.add(msg);
            byName.put(n, UdevRuleFile.unreadable(n, guestPath, msg));
          }
          continue;
        }
        Optional<byte[]> bytes = readBytes(guestPath);
        if (bytes.isEmpty()) {
          String msg = "cannot read " + guestPath;
          byName.put(n, UdevRuleFile.unreadable(n, guestPath, msg));
          continue;
        }
        byName.put(n, UdevRulesParser.parse(n, guestPath, bytes.get()));
      }
    }
    List<UdevRuleFile> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : byName.entrySet()) {
      if (e.getValue() instanceof UdevRuleFile f) {
        out.add(f);
      } else {
        notes.add(e.getKey() + " is " + e.getValue());
      }
    }
    return out;
  }
}
