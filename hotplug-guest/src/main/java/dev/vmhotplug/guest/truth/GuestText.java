package dev.vmhotplug.guest.truth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads guest files ({@code /proc}, {@code /sys}, saved command output) as text with a size cap, and
 * checks text for binary junk before a parser sees it.
 */
public final class GuestText {

  /** Largest input accepted: 4 MiB (a {@code /proc/cpuinfo} of 1024 CPUs is about 1.5 MiB). */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  private GuestText() {}

  /**
   * Reads a file as UTF-8 text, refusing files larger than {@link #MAX_BYTES}.
   *
   * @param file the file
   * @param what what the file should hold, for messages (e.g. "/proc/cpuinfo")
   * @return the text
   * @throws GuestDataException when the file is missing, unreadable, too large or binary
   */
  public static String read(Path file, String what) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new GuestDataException(what + " file " + file + " is larger than " + (MAX_BYTES >> 20)
            + " MiB, more than any real " + what + ": refusing to read it (give the right file)");
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      check(text, what + " file " + file);
      return text;
    } catch (NoSuchFileException e) {
      throw new GuestDataException(what + " file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new GuestDataException("cannot read " + what + " file " + file + ": " + e, e);
    }
  }

  /**
   * Checks that text is a plausible guest text: not null, at most {@link #MAX_BYTES} characters, and
   * free of NUL bytes and other control characters (tabs, newlines and carriage returns are fine).
   *
   * @param text the text
   * @param what what it should be, for messages
   * @return the text
   * @throws GuestDataException when the text is null, too large or binary
   */
  public static String check(String text, String what) {
    if (text == null) {
      throw new GuestDataException(what + " is missing (null)");
    }
    if (text.length() > MAX_BYTES) {
      throw new GuestDataException(what + " has " + text.length() + " characters, more than the "
          + (MAX_BYTES >> 20) + " MiB limit: refusing it");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f || c == '\uFFFD') {
        throw new GuestDataException(what + " is binary, not text (character 0x"
            + Integer.toHexString(c) + " at offset " + i + "): give the file's text as the guest"
            + " prints it");
      }
    }
    return text;
  }

  /** Throws when the text has nothing but whitespace. */
  static String requireContent(String text, String what) {
    check(text, what);
    if (text.isBlank()) {
      throw new GuestDataException(what + " is empty: expected " + what + " as the guest prints it");
    }
    return text;
  }
}
