package dev.vmhotplug.core;

import dev.vmhotplug.xml.DomainXmlException;
import dev.vmhotplug.xml.MemorySize;
import dev.vmhotplug.xml.internal.SafeText;
import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the request values (package-private). */
final class Requests {
  private Requests() {}

  /**
   * Checks a verification timeout.
   *
   * @param timeout the timeout
   * @return it
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} when negative
   * @throws NullPointerException when null
   */
  static Duration timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "timeout must not be negative, got " + timeout
          + ": give how long to wait for the change to show, e.g. Duration.ofSeconds(30), or Duration.ZERO to read once");
    }
    return timeout;
  }

  /**
   * Parses a size given as text with a unit.
   *
   * @param text the text, e.g. {@code "8GiB"}
   * @param what the argument's name
   * @return the size
   * @throws InvalidArgumentException {@link Refusal#NO_UNIT} when it has no unit or is not a size
   * @throws NullPointerException when null
   */
  static MemorySize size(String text, String what) {
    Objects.requireNonNull(text, what);
    try {
      return MemorySize.parse(text);
    } catch (DomainXmlException e) {
      throw new InvalidArgumentException(Refusal.NO_UNIT, "cannot use the " + what + " " + SafeText.quote(text)
          + ": " + SafeText.escape(e.getMessage(), 300) + ". Give a unit, e.g. \"8GiB\", \"512MiB\" or \"8192MiB\"", e);
    }
  }

  /**
   * Checks a NUMA node id.
   *
   * @throws InvalidArgumentException {@link Refusal#NODE_OUT_OF_RANGE} when negative
   */
  static int node(int node) {
    if (node < 0) {
      throw new InvalidArgumentException(Refusal.NODE_OUT_OF_RANGE, "NUMA node " + node + " is negative: give a"
          + " <cell id> of the domain, e.g. node(0)");
    }
    return node;
  }

  /**
   * Checks a guest memory block size.
   *
   * @throws InvalidArgumentException {@link Refusal#INVALID_REQUEST} when zero or not whole KiB
   * @throws NullPointerException when null
   */
  static MemorySize blockSize(MemorySize block) {
    Objects.requireNonNull(block, "block");
    if (block.bytes() <= 0 || !block.isWholeKiB()) {
      throw new InvalidArgumentException(Refusal.INVALID_REQUEST, "blockSize must be positive and a whole number of"
          + " KiB, got " + block + " (" + block.bytes() + " bytes): give the guest's"
          + " /sys/devices/system/memory/block_size_bytes, e.g. MemorySize.ofMiB(128)");
    }
    return block;
  }
}
