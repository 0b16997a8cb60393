package dev.vmhotplug.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzip-compressed cpio archive in the "newc" format, the format Linux unpacks as an
 * initramfs. Linux also accepts several such archives concatenated, later ones adding to (or
 * replacing files of) earlier ones: the lab builds one base archive and appends small ones.
 * Entries get mtime 0 and uid/gid 0 so that equal input gives equal bytes.
 */
final class CpioWriter implements AutoCloseable {
  private final OutputStream out;
  private final Set<String> dirs = new HashSet<>();
  private long ino = 1;
  private boolean closed;

  CpioWriter(Path file) throws IOException {
    this.out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
    dirs.add("");
  }

  /** Adds a directory (and its missing parents) with mode 0755. */
  CpioWriter dir(String path) throws IOException {
    String p = strip(path);
    if (dirs.contains(p)) {
      return this;
    }
    int slash = p.lastIndexOf('/');
    if (slash > 0) {
      dir(p.substring(0, slash));
    }
    entry(p, 0040755, new byte[0], 0, 0, 2);
    dirs.add(p);
    return this;
  }

  CpioWriter file(String path, int perm, byte[] content) throws IOException {
    String p = strip(path);
    parent(p);
    entry(p, 0100000 | perm, content, 0, 0, 1);
    return this;
  }

  CpioWriter file(String path, int perm, Path source) throws IOException {
    return file(path, perm, Files.readAllBytes(source));
  }

  CpioWriter symlink(String path, String target) throws IOException {
    String p = strip(path);
    parent(p);
    entry(p, 0120777, target.getBytes(StandardCharsets.UTF_8), 0, 0, 1);
    return this;
  }

  CpioWriter charDevice(String path, int perm, int major, int minor) throws IOException {
    String p = strip(path);
    parent(p);
    entry(p, 0020000 | perm, new byte[0], major, minor, 1);
    return this;
  }

  boolean hasDir(String path) {
    return dirs.contains(strip(path));
  }

  private void parent(String p) throws IOException {
    int slash = p.lastIndexOf('/');
    if (slash > 0) {
      dir(p.substring(0, slash));
    }
  }

  private static String strip(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private void entry(String name, int mode, byte[] data, int rdevMajor, int rdevMinor, int nlink) throws IOException {
    byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream h = new ByteArrayOutputStream(128);
    h.write("070701".getBytes(StandardCharsets.US_ASCII));
    long[] fields = {ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0};
    for (long f : fields) {
      h.write(String.format("%08x", f).getBytes(StandardCharsets.US_ASCII));
    }
    h.write(nameBytes);
    pad(h, h.size());
    out.write(h.toByteArray());
    out.write(data);
    int rem = data.length % 4;
    if (rem != 0) {
      out.write(new byte[4 - rem]);
    }
  }

  private static void pad(ByteArrayOutputStream h, int size) {
    int rem = size % 4;
    if (rem != 0) {
      h.write(new byte[4 - rem], 0, 4 - rem);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    entry("TRAILER!!!", 0, new byte[0], 0, 0, 1);
    out.close();
  }
}
