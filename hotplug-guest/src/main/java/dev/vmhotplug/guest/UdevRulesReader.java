package dev.vmhotplug.guest;

import dev.vmhotplug.guest.udev.GrepExplainer;
import dev.vmhotplug.guest.udev.HotplugResource;
import dev.vmhotplug.guest.udev.UdevEnvironment;
import dev.vmhotplug.guest.udev.UdevEvaluator;
import dev.vmhotplug.guest.udev.UdevRuleFile;
import dev.vmhotplug.guest.udev.UdevRulesParser;
import dev.vmhotplug.guest.udev.UdevVerdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Entry point for reading udev rules instead of grepping them: parse rule text or a rules
 * directory, evaluate whether a hot-added CPU / memory block comes online on a machine
 * ({@link UdevEnvironment}, default an x86_64 KVM guest), and explain the guide's grep output.
 * For a whole guest image use {@link GuestRoot#udevRules()}.
 */
public final class UdevRulesReader {
  private UdevRulesReader() {}

  /**
   * Parses one rules file given as text.
   *
   * @param fileName the file name udev would sort by, e.g. {@code 40-redhat.rules}
   * @param content the text (capped at 1 MiB)
   * @return the parsed file; bad lines become problems, never exceptions
   */
  public static UdevRuleFile parse(String fileName, String content) {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(content, "content");
    return UdevRulesParser.parse(fileName, fileName, content);
  }

  /**
   * Reads the {@code *.rules} files of one directory, sorted by name.
   *
   * @param dir a directory such as an extracted {@code /lib/udev/rules.d}
   * @return the parsed files
   * @throws IllegalArgumentException when the directory does not exist or cannot be listed
   */
  public static List<UdevRuleFile> readDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("rules directory " + dir + " does not exist or is not a directory");
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.rules")) {
      ds.forEach(files::add);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list rules directory " + dir + ": " + e.getMessage(), e);
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    List<UdevRuleFile> out = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      try (InputStream in = Files.newInputStream(f)) {
        out.add(UdevRulesParser.parse(name, f.toString(), in.readNBytes(UdevRulesParser.MAX_BYTES + 1)));
      } catch (IOException e) {
        out.add(UdevRuleFile.unreadable(name, f.toString(), "cannot read " + f + ": " + e.getMessage()));
      }
    }
    return out;
  }

  /**
   * Evaluates rules for both device kinds.
   *
   * @param files rule files in processing order
   * @param env the machine
   * @return the verdict for CPU and for memory
   */
  public static Map<HotplugResource, UdevVerdict> evaluate(List<UdevRuleFile> files, UdevEnvironment env) {
    Map<HotplugResource, UdevVerdict> out = new EnumMap<>(HotplugResource.class);
    for (HotplugResource r : HotplugResource.values()) {
      out.put(r, UdevEvaluator.evaluate(files, env, r));
    }
    return out;
  }

  /**
   * Explains the output of {@code grep -r -i cpu /lib/udev/rules.d/*}.
   *
   * @param grepOutput grep's output
   * @param env the machine
   * @return one explanation per hit
   * @throws IllegalArgumentException when the text contains no grep hit
   */
  public static List<GrepExplainer.Hit> explainGrep(String grepOutput, UdevEnvironment env) {
    return GrepExplainer.explain(grepOutput, env);
  }
}
