package dev.vmhotplug.guest.truth;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The guest's memory blocks as {@code /sys/devices/system/memory} shows them: the block size
 * ({@code block_size_bytes}, hexadecimal without {@code 0x}: {@code 8000000} is 128 MiB) and each
 * {@code memoryN/state} ({@code online}, {@code offline} or {@code going-offline}).
 *
 * <p>Immutable.
 */
public final class MemoryBlocks {

  /** The states a {@code memoryN/state} file reads as. */
  public static final Set<String> STATES = Set.of("online", "offline", "going-offline");

  /** The most blocks read from a directory (a 64 TiB guest with 128 MiB blocks has 524288). */
  public static final int MAX_BLOCKS = 1 << 20;

  private static final Pattern BLOCK_DIR = Pattern.compile("memory([0-9]{1,9})");

  private final OptionalLong blockSizeBytes;
  private final SortedMap<Integer, String> states;

  private MemoryBlocks(OptionalLong blockSizeBytes, SortedMap<Integer, String> states) {
    this.blockSizeBytes = blockSizeBytes;
    this.states = states;
  }

  /**
   * Creates the view from values already read.
   *
   * @param blockSizeBytes the block size in bytes, or empty when unknown
   * @param states block number to state
   * @return the view
   * @throws GuestDataException when a state is not one of {@link #STATES}
   */
  public static MemoryBlocks of(OptionalLong blockSizeBytes, Map<Integer, String> states) {
    SortedMap<Integer, String> m = new TreeMap<>();
    states.forEach((k, v) -> m.put(k, parseState(v)));
    return new MemoryBlocks(blockSizeBytes, Collections.unmodifiableSortedMap(m));
  }

  /**
   * Parses {@code block_size_bytes}: hexadecimal without a {@code 0x} prefix, a power of two.
   *
   * @param text the file's text, e.g. {@code "8000000\n"}
   * @return the block size in bytes (e.g. 134217728)
   * @throws GuestDataException when the text is not hexadecimal or not a power of two
   */
  public static long parseBlockSize(String text) {
    GuestText.requireContent(text, "block_size_bytes");
    String s = text.strip();
    if (s.startsWith("0x") || s.startsWith("0X")) {
      s = s.substring(2);
    }
    if (s.isEmpty() || s.length() > 15 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new GuestDataException("block_size_bytes '" + CpuList.shorten(text) + "' is not a"
          + " hexadecimal number: the kernel writes the size in hex without 0x, e.g. 8000000 for 128 MiB");
    }
    long v = Long.parseLong(s, 16);
    if (v <= 0 || Long.bitCount(v) != 1) {
      throw new GuestDataException("block_size_bytes '" + CpuList.shorten(text) + "' is " + v
          + " bytes, not a power of two: memory block sizes always are (e.g. 8000000 = 128 MiB)");
    }
    return v;
  }

  /**
   * Parses a {@code memoryN/state} file.
   *
   * @param text the file's text, e.g. {@code "online\n"}
   * @return {@code online}, {@code offline} or {@code going-offline}
   * @throws GuestDataException for anything else
   */
  public static String parseState(String text) {
    GuestText.requireContent(text, "memory block state");
    String s = text.strip();
    if (!STATES.contains(s)) {
      throw new GuestDataException("memory block state '" + CpuList.shorten(s) + "' is not one of "
          + "online, offline, going-offline (what memoryN/state reads as)");
    }
    return s;
  }

  /**
   * Reads a directory laid out like {@code /sys/devices/system/memory}: {@code block_size_bytes}
   * (optional) and {@code memoryN/state} files. Blocks without a {@code state} file are skipped.
   *
   * @param root the directory
   * @return the blocks
   * @throws GuestDataException when the directory cannot be read, holds no memory block, holds more
   *     than {@link #MAX_BLOCKS}, or a file is malformed (the message names the file)
   */
  public static MemoryBlocks read(Path root) {
    if (!Files.isDirectory(root)) {
      throw new GuestDataException("memory root " + root + " is not a directory: give a copy of the"
          + " guest's /sys/devices/system/memory");
    }
    OptionalLong size = OptionalLong.empty();
    Path bs = root.resolve("block_size_bytes");
    if (Files.exists(bs)) {
      String text = GuestText.read(bs, "block_size_bytes");
      try {
        size = OptionalLong.of(parseBlockSize(text));
      } catch (GuestDataException e) {
        throw new GuestDataException(bs + ": " + e.getMessage(), e);
      }
    }
    SortedMap<Integer, String> states = new TreeMap<>();
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path p : ds) {
        if (BLOCK_DIR.matcher(p.getFileName().toString()).matches()) {
          dirs.add(p);
          if (dirs.size() > MAX_BLOCKS) {
            throw new GuestDataException("memory root " + root + " has more than " + MAX_BLOCKS
                + " memoryN directories: refusing to read them all");
          }
        }
      }
    } catch (IOException e) {
      throw new GuestDataException("cannot list memory root " + root + ": " + e, e);
    }
    for (Path d : dirs) {
      Path state = d.resolve("state");
      if (!Files.isRegularFile(state)) {
        continue;
      }
      int n = Integer.parseInt(d.getFileName().toString().substring("memory".length()));
      String text = GuestText.read(state, "memory block state");
      try {
        states.put(n, parseState(text));
      } catch (GuestDataException e) {
        throw new GuestDataException(state + ": " + e.getMessage(), e);
      }
    }
    if (states.isEmpty()) {
      throw new GuestDataException("memory root " + root + " has no memoryN/state file: give a copy"
          + " of the guest's /sys/devices/system/memory");
    }
    return new MemoryBlocks(size, Collections.unmodifiableSortedMap(states));
  }

  /** {@return the block size in bytes, when known} */
  public OptionalLong blockSizeBytes() {
    return blockSizeBytes;
  }

  /** {@return block number to state, ascending by number} */
  public SortedMap<Integer, String> states() {
    return states;
  }

  /** {@return numbers of the blocks whose state is {@code offline}, ascending} */
  public List<Integer> offlineBlocks() {
    List<Integer> out = new ArrayList<>();
    states.forEach((k, v) -> {
      if (v.equals("offline")) {
        out.add(k);
      }
    });
    return List.copyOf(out);
  }
}
