package dev.vmhotplug.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Memory statistics of a running domain as {@code virsh dommemstat} shows them
 * ({@code virDomainMemoryStats}): tag names exactly as libvirt and virsh spell them
 * ({@code actual}, {@code swap_in}, {@code swap_out}, {@code major_fault}, {@code minor_fault},
 * {@code unused}, {@code available}, {@code usable}, {@code last_update}, {@code disk_caches},
 * {@code hugetlb_pgalloc}, {@code hugetlb_pgfail}, {@code rss}), in the order libvirt returned them.
 *
 * <p>Units are libvirt's: sizes in KiB ({@code actual}, {@code unused}, {@code available},
 * {@code usable}, {@code disk_caches}, {@code rss}, {@code swap_in}, {@code swap_out}), fault and
 * page counts as numbers, {@code last_update} in seconds since the epoch. Which tags appear depends
 * on the hypervisor and the guest's balloon driver: {@code actual} (the balloon size, i.e. the
 * memory the guest was given) and {@code rss} are nearly always there; the others only with a
 * balloon driver that reports statistics.
 */
public final class MemoryStats {

  /** libvirt's {@code VIR_DOMAIN_MEMORY_STAT_*} tag numbers → the names virsh prints. */
  private static final String[] NAMES = {
    "swap_in", "swap_out", "major_fault", "minor_fault", "unused", "available", "actual", "rss",
    "usable", "last_update", "disk_caches", "hugetlb_pgalloc", "hugetlb_pgfail"
  };

  private final Map<String, Long> values;

  private MemoryStats(Map<String, Long> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Builds the statistics from libvirt's numeric tags, keeping their order.
   *
   * @param tagsToValues libvirt tag number → value, in libvirt's order
   * @return the statistics; unknown future tags are named {@code tag_N}
   */
  public static MemoryStats fromTags(Map<Integer, Long> tagsToValues) {
    Map<String, Long> named = new LinkedHashMap<>();
    for (Map.Entry<Integer, Long> e : tagsToValues.entrySet()) {
      named.put(tagName(e.getKey()), e.getValue());
    }
    return new MemoryStats(named);
  }

  /**
   * Builds the statistics from names (as virsh prints them) to values.
   *
   * @param namesToValues tag name → value, in display order
   * @return the statistics
   */
  public static MemoryStats of(Map<String, Long> namesToValues) {
    Objects.requireNonNull(namesToValues, "namesToValues");
    return new MemoryStats(namesToValues);
  }

  /**
   * {@return the virsh name of a libvirt tag number ({@code 6} → {@code actual})}
   *
   * @param tag libvirt's {@code VIR_DOMAIN_MEMORY_STAT_*} number
   */
  public static String tagName(int tag) {
    return tag >= 0 && tag < NAMES.length ? NAMES[tag] : "tag_" + tag;
  }

  /** {@return all values by virsh name, in libvirt's order (unmodifiable)} */
  public Map<String, Long> asMap() {
    return values;
  }

  /**
   * {@return one value by its virsh name ({@code "actual"}, {@code "rss"} …), empty when not reported}
   *
   * @param tag the virsh name, e.g. {@code "actual"}
   */
  public OptionalLong get(String tag) {
    Long v = values.get(tag);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** {@return {@code actual}: the balloon size in KiB (the memory the guest currently has), if reported} */
  public OptionalLong actualKiB() {
    return get("actual");
  }

  /** {@return {@code rss}: the QEMU process resident set size in KiB, if reported} */
  public OptionalLong rssKiB() {
    return get("rss");
  }

  /** {@return whether libvirt reported nothing (the domain has no balloon device or the driver gives no stats)} */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** {@return a JSON object {@code {"actual":786432,"rss":…}} in libvirt's order} */
  public String toJson() {
    StringBuilder b = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Long> e : values.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append('"').append(e.getKey()).append("\":").append(e.getValue());
    }
    return b.append('}').toString();
  }

  /** virsh's {@code dommemstat} layout: one {@code "name value"} line per tag, e.g. {@code actual 786432}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Long> e : values.entrySet()) {
      b.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemoryStats && ((MemoryStats) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }
}
