package dev.vmhotplug.examples.cli;

import dev.vmhotplug.xml.DomainXml;
import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.HotplugLimits;
import dev.vmhotplug.xml.HotplugPreparer;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.PreparationRefusedException;
import dev.vmhotplug.xml.PreparedDomain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotplug prepare FILE... --max-vcpus N --max-memory SIZE --slots S [--out-dir DIR]}: the
 * guide's two "domain XML change" steps on domain XML files (as {@code virsh dumpxml --inactive}
 * writes them), without libvirt.
 *
 * <p>One FILE without {@code --out-dir}: the prepared XML goes to stdout and the list of changes to
 * stderr. With {@code --out-dir}: each prepared file is written there under its own name (through a
 * temporary file renamed into place, so a file is either complete or absent) and each file's
 * changes go to stdout. A refused or unreadable file is reported on stderr and the others are still
 * processed; the exit code is then 1. Bad arguments exit 2 with the usage.
 */
@Command(name = "prepare", header = "Prepare domain XML files for CPU and memory hotplug (the guide's XML changes).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Prepare domain XML files for CPU and memory hotplug (the guide's 'domain XML change' steps):",
      "<vcpu current='N'>MAX</vcpu>, <maxMemory slots='S'>, a NUMA cell when there is none.",
      "The changes take effect at the next cold boot of the VM (virsh define, then shutdown + start)."
    })
final class PrepareCommand implements Callable<Integer> {

  /** Largest input accepted: domain XML is a few KiB; anything this big is not a domain. */
  static final long MAX_INPUT_BYTES = 16L * 1024 * 1024;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "domain XML file(s)")
  List<Path> files;

  @Option(names = "--max-vcpus", required = true, paramLabel = "N",
      description = "most vCPUs the VM may be raised to while running (the value of <vcpu>)")
  int maxVcpus;

  @Option(names = "--max-memory", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
      description = "most memory the VM may reach, with a unit: 16GiB, 16384MiB, 16777216KiB")
  MemorySize maxMemory;

  @Option(names = "--slots", required = true, paramLabel = "S",
      description = "memory slots, 1..256: each hot-added DIMM takes one (the guide uses 16)")
  int slots;

  @Option(names = "--out-dir", paramLabel = "DIR",
      description = "write each prepared file into DIR under its own name (needed for more than one FILE)")
  Path outDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HotplugLimits limits;
    try {
      limits = HotplugLimits.builder().maxVcpus(maxVcpus).maxMemory(maxMemory).slots(slots).build();
    } catch (DomainXmlException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    checkFileArguments();

    int failed = 0;
    for (Path file : files) {
      try {
        PreparedDomain prepared = HotplugPreparer.prepare(DomainXml.parse(read(file)), limits);
        if (outDir == null) {
          out.print(prepared.xml());
          out.flush();
          for (String change : prepared.changes()) {
            err.println(file + ": " + change);
          }
          err.println(file + ": " + effect(prepared));
        } else {
          Path target = outDir.resolve(file.getFileName());
          writeAtomically(target, prepared.xml());
          out.println(file + " -> " + target + ": " + effect(prepared));
          for (String change : prepared.changes()) {
            out.println("  " + change);
          }
        }
      } catch (PreparationRefusedException e) {
        failed++;
        err.println(file + ": refused (" + e.refusal() + "): " + e.getMessage());
      } catch (DomainXmlException e) {
        failed++;
        err.println(file + ": not a usable domain XML (" + e.reason() + "): " + e.getMessage());
      } catch (IOException e) {
        failed++;
        err.println(file + ": cannot read or write: " + describe(e));
      }
    }
    err.flush();
    out.flush();
    return failed == 0 ? HotplugCli.OK : HotplugCli.FAILED;
  }

  private static String effect(PreparedDomain p) {
    if (!p.changed()) {
      return "already prepared for these limits; nothing changed";
    }
    return p.changes().size() + " change(s); they take effect at the next cold boot"
        + " (virsh define the file, then virsh shutdown + virsh start)";
  }

  private void checkFileArguments() {
    if (outDir == null) {
      if (files.size() > 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            files.size() + " files given without --out-dir; stdout can take only one prepared file:"
                + " add --out-dir DIR");
      }
      return;
    }
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--out-dir " + outDir + " exists and is not a directory");
    }
    Map<Path, Path> byName = new HashMap<>();
    for (Path f : files) {
      Path name = f.getFileName();
      if (name == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "FILE '" + f + "' has no file name");
      }
      Path previous = byName.put(name, f);
      if (previous != null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "two files are named " + name + " (" + previous + " and " + f + "); in --out-dir the second"
                + " would overwrite the first: prepare them in separate runs");
      }
      Path target = outDir.resolve(name);
      if (sameFile(f, target)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--out-dir " + outDir + " would overwrite the input " + f + "; choose another directory so"
                + " that the original stays");
      }
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (IOException e) {
      // fall through to the path comparison
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  private static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "not a regular file");
    }
    long size = Files.size(file);
    if (size > MAX_INPUT_BYTES) {
      throw new IOException(file + " has " + size + " bytes; a domain XML is far smaller (limit "
          + MAX_INPUT_BYTES + " bytes)");
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + " is not UTF-8 text (libvirt writes domain XML in UTF-8)", e);
    }
  }

  /** Writes {@code text} to a temporary file beside {@code target} and renames it into place. */
  private static void writeAtomically(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return "no such file: " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")");
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Converts "16GiB" etc. with {@link MemorySize#parse(String)}; a bad size is a usage error. */
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
