package dev.vmhotplug.guest;

import dev.vmhotplug.guest.version.RpmVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What each distribution release ships to online hot-added CPUs and memory, as data: the guide's
 * rows with its exact claims, and today's distributions from public sources (each row names its
 * source).
 *
 * <p>Where the guide and public facts disagree (the guide describes its platform's own images), a
 * row keeps both claims and {@link Answer} answers conservatively for a KVM guest: a device is
 * only {@link Coverage#COVERED} when the public facts say so. Detection on the image's real files
 * ({@link GuestRoot}, {@link UdevRulesReader}) overrides the table.
 */
public final class DistroKnowledge {

  /** systemd release the guide names for CentOS 7: from it on, both rules are shipped. */
  public static final String GUIDE_CENTOS7_SYSTEMD = "219-19.el7_2.9";

  /**
   * One release row.
   *
   * @param ids distribution ids the row applies to
   * @param minVersion lowest version (inclusive, major.minor, "" = any)
   * @param maxVersion highest version (inclusive, major.minor; "" = any)
   * @param release the rows' release name for reports
   * @param cpu what a KVM guest gets for CPUs (public facts, conservative)
   * @param memory what a KVM guest gets for memory (public facts, conservative)
   * @param rulesFile the shipped rules file that does it, "" when none
   * @param guideClaim the guide's own claim for this release, "" when the guide has no row
   * @param publicFacts what public sources say
   * @param source where the public facts come from
   */
  public record Row(
      Set<String> ids,
      String minVersion,
      String maxVersion,
      String release,
      Coverage cpu,
      Coverage memory,
      String rulesFile,
      String guideClaim,
      String publicFacts,
      String source) {

    /**
     * Whether this row covers the distribution's version.
     *
     * @param d the distribution release to look up
     * @return whether this row covers the distribution's version
     */
    public boolean covers(Distro d) {
      if (!ids.contains(d.id())) {
        return false;
      }
      int[] v = majorMinor(d.versionId());
      if (v == null) {
        return minVersion.isEmpty() && maxVersion.isEmpty();
      }
      int[] lo = majorMinor(minVersion);
      int[] hi = majorMinor(maxVersion);
      if (v[1] < 0 && ((lo != null && lo[1] >= 0) || (hi != null && hi[1] >= 0))) {
        return false; // "7" cannot be placed in a 7.x minor range
      }
      if (lo != null && compare(v, lo, lo[1] < 0) < 0) {
        return false;
      }
      return hi == null || compare(v, hi, hi[1] < 0) <= 0;
    }
  }

  /**
   * The table's answer for one distribution.
   *
   * @param distro what was asked
   * @param row the matching row, empty when the release is unknown
   * @param cpu coverage of CPUs on a KVM guest (conservative)
   * @param memory coverage of memory on a KVM guest (conservative)
   * @param reasons why, including disagreements between the guide and public facts
   */
  public record Answer(Distro distro, Optional<Row> row, Coverage cpu, Coverage memory, List<String> reasons) {
    /**
     * Copies the list.
     *
     * @param distro what was asked
     * @param row the matching row, empty when the release is unknown
     * @param cpu coverage of CPUs on a KVM guest (conservative)
     * @param memory coverage of memory on a KVM guest (conservative)
     * @param reasons why, including disagreements between the guide and public facts
     */
    public Answer {
      reasons = List.copyOf(reasons);
    }

    /**
     * Coverage for one device kind.
     *
     * @param r the device kind, CPU or memory
     * @return coverage for one device kind
     */
    public Coverage coverage(dev.vmhotplug.guest.udev.HotplugResource r) {
      return r == dev.vmhotplug.guest.udev.HotplugResource.CPU ? cpu : memory;
    }
  }

  private static final Set<String> EL = Set.of("rhel", "centos", "rocky", "almalinux", "ol", "scientific");
  private static final Set<String> SUSE = Set.of("sles", "sled", "opensuse", "opensuse-leap", "opensuse-tumbleweed");

  private static final List<Row> ROWS = List.of(
      // --- the guide's rows (hotplug guide "添加udev规则"), kept with its exact claims ----------
      // Public: CentOS 6 ships udev 147, whose rules have no CPU/memory online rule (no
      // 40-redhat.rules hotplug part before RHEL 7.1).
      new Row(Set.of("centos", "rhel"), "6", "6", "CentOS 6.x",
          Coverage.NOT_COVERED, Coverage.NOT_COVERED, "",
          "guide: the platform's default CentOS 6.5 image already has the CPU rule (nothing to add);"
              + " the memory rule must be added",
          "stock CentOS/RHEL 6 (udev 147) ships no rule that onlines CPUs or memory",
          "guide rows CentOS 6.x; RHEL 6 udev-147 rules (no hotplug rules); systemd-rhel history"),
      // Public: RHEL/CentOS 7.0 shipped systemd 208 without hotplug rules.
      new Row(EL, "7.0", "7.0", "CentOS/RHEL 7.0",
          Coverage.NOT_COVERED, Coverage.NOT_COVERED, "",
          "guide: CentOS 7.0 (the platform's default image) lacks both rules: add them, or update"
              + " systemd to systemd-219-19.el7_2.9 or later",
          "RHEL 7.0 systemd 208 has no hotplug rules",
          "guide rows CentOS 7.x; lnykryn/systemd-rhel (RHEL 7 systemd) history of rules/40-redhat.rules"),
      // Public: the CPU rule entered 40-redhat.rules for 7.1, the memory rule for 7.2.
      new Row(EL, "7.1", "7.1", "CentOS/RHEL 7.1",
          Coverage.COVERED, Coverage.NOT_COVERED, "40-redhat.rules",
          "guide (CentOS 7.x): add the rules or have systemd >= 219-19.el7_2.9",
          "40-redhat.rules has the CPU rule from 7.1; the memory rule came with 7.2",
          "lnykryn/systemd-rhel rules/40-redhat.rules history"),
      // Source: lnykryn/systemd-rhel rules/40-redhat.rules at systemd 219 (RHEL 7.2): memory rule
      // "SUBSYSTEM=="memory", ACTION=="add", PROGRAM="/bin/uname -p", RESULT!="s390*", ATTR{state}=="offline", ATTR{state}="online"".
      new Row(EL, "7.2", "7.3", "CentOS/RHEL 7.2-7.3",
          Coverage.COVERED, Coverage.COVERED, "40-redhat.rules",
          "guide (CentOS 7.x): add the rules or have systemd >= 219-19.el7_2.9",
          "40-redhat.rules: CPU rule, and memory rule (not on s390) with ATTR{state}=\"online\"",
          "lnykryn/systemd-rhel rules/40-redhat.rules (systemd 219)"),
      // Public: PR #125 (2017, bug 1266322) moved the CPU rule to 40-redhat-cpu-hotplug.rules.
      new Row(EL, "7.4", "7.5", "CentOS/RHEL 7.4-7.5",
          Coverage.COVERED, Coverage.COVERED, "40-redhat-cpu-hotplug.rules, 40-redhat.rules",
          "guide (CentOS 7.x): add the rules or have systemd >= 219-19.el7_2.9",
          "CPU rule split into 40-redhat-cpu-hotplug.rules (so kdump can mask it); memory rule in 40-redhat.rules",
          "lnykryn/systemd-rhel PR #125 'move cpu hotplug rule to separate file (#1266322)'"),
      // Public: PR #223 (2018) / #281 (2019): memory online_movable on bare metal, online in VMs.
      new Row(EL, "7.6", "7.9", "CentOS/RHEL 7.6-7.9",
          Coverage.COVERED, Coverage.COVERED, "40-redhat-cpu-hotplug.rules, 40-redhat.rules",
          "guide (CentOS 7.x): add the rules or have systemd >= 219-19.el7_2.9",
          "memory onlined as online_movable on bare metal (systemd-detect-virt says none), online in VMs",
          "lnykryn/systemd-rhel PR #223 and PR #281 'implement new memory hotplug policy'"),
      // Public: redhat-plumbers/systemd-rhel8 rules/40-redhat.rules has, in later 8.x, a line
      // ATTRS{auto_online_blocks}=="offline", GOTO="memory_hotplug_end": udev then leaves memory to
      // the kernel's policy, which upstream defaults to offline.
      new Row(EL, "8", "8", "RHEL/CentOS/Rocky/Alma 8",
          Coverage.COVERED, Coverage.CONDITIONAL, "40-redhat.rules",
          "",
          "CPU rule in 40-redhat.rules; memory rule skipped when the kernel's auto_online_blocks is"
              + " offline (later 8.x), so memory is onlined only if the kernel policy onlines it",
          "redhat-plumbers/systemd-rhel8 rules/40-redhat.rules (commit 3337fb3)"),
      // Source: redhat-plumbers/systemd-rhel9 rules.d/40-redhat.rules (commit 65d993c):
      // CONST{arch}/CONST{virt} guards, ENV{.state}="online" in VMs, "online_movable" on bare metal.
      new Row(EL, "9", "9", "RHEL/CentOS Stream/Rocky/Alma 9",
          Coverage.COVERED, Coverage.COVERED, "40-redhat.rules",
          "",
          "40-redhat.rules: CPU rule (not ppc64, s390 only when configured) and memory rule with"
              + " CONST{virt}: online in VMs, online_movable on bare metal",
          "redhat-plumbers/systemd-rhel9 rules.d/40-redhat.rules (commit 65d993c)"),
      // Source: redhat-plumbers/systemd-rhel10 rules.d/40-redhat-hotplug.rules (commit 53a7f74):
      // the hotplug part of 40-redhat.rules moved to its own file, same logic.
      new Row(EL, "10", "10", "RHEL/CentOS Stream/Rocky/Alma 10",
          Coverage.COVERED, Coverage.COVERED, "40-redhat-hotplug.rules",
          "",
          "hotplug rules moved to 40-redhat-hotplug.rules (same CONST{arch}/CONST{virt} logic)",
          "redhat-plumbers/systemd-rhel10 rules.d/40-redhat-hotplug.rules (commit 53a7f74)"),
      // --- Ubuntu -----------------------------------------------------------------------------
      // Source: the guide's Ubuntu 12.04 row; Ubuntu's systemd changelog (40-hyperv-hotadd.rules,
      // the first hotplug rule Ubuntu shipped, came later for LP #1233466): nothing in 12.04 (udev 175).
      new Row(Set.of("ubuntu"), "12.04", "12.04", "Ubuntu 12.04",
          Coverage.NOT_COVERED, Coverage.NOT_COVERED, "",
          "guide: the image needs both rules; for memory the image 'still has a problem that is being fixed'",
          "stock Ubuntu 12.04 ships no hotplug online rule",
          "guide rows Ubuntu 12.04; Ubuntu systemd changelog (40-hyperv-hotadd.rules added later, LP #1233466)"),
      // Source: the guide's Ubuntu 14.04 row; Ubuntu systemd changelog "Add 40-hyperv-hotadd.rules:
      // Workaround for LP #1233466" (guarded by the Hyper-V DMI vendor, so nothing on KVM).
      new Row(Set.of("ubuntu"), "14.04", "14.04", "Ubuntu 14.04",
          Coverage.NOT_ON_KVM, Coverage.NOT_ON_KVM, "40-hyperv-hotadd.rules",
          "guide: the image includes both rules by default",
          "stock 14.04 ships 40-hyperv-hotadd.rules, which onlines only on Hyper-V; on KVM nothing onlines"
              + " (the guide's image was its platform's own)",
          "Ubuntu systemd changelog 'Add 40-hyperv-hotadd.rules: Workaround for LP #1233466'"),
      // Source: Ubuntu's /lib/udev/rules.d/40-vm-hotadd.rules (22.04 copy quoted in NVIDIA's POWER9
      // notes): GOTO="vm_hotadd_end" unless sys_vendor is Microsoft or Xen; NixOS issue #304816.
      new Row(Set.of("ubuntu"), "16.04", "24.04", "Ubuntu 16.04-24.04",
          Coverage.NOT_ON_KVM, Coverage.NOT_ON_KVM, "40-vm-hotadd.rules",
          "",
          "40-vm-hotadd.rules (40-hyperv-hotadd.rules in older releases) onlines CPUs and memory only when"
              + " DMI sys_vendor is \"Microsoft Corporation\" (Hyper-V) or \"Xen\"",
          "Ubuntu /lib/udev/rules.d/40-vm-hotadd.rules (22.04 copy quoted in NVIDIA POWER9 notes);"
              + " NixOS issue #304816 (Ubuntu 24.04 lacks a KVM rule)"),
      // --- Debian -----------------------------------------------------------------------------
      // Source: Debian's systemd/udev packaging ships no CPU or memory online rule (upstream systemd
      // has none); Proxmox VE docs ("Memory Hotplug" needs a udev rule in Debian guests).
      new Row(Set.of("debian"), "8", "13", "Debian 8-13",
          Coverage.NOT_COVERED, Coverage.NOT_COVERED, "",
          "",
          "Debian's udev/systemd packages ship no CPU or memory online rule",
          "Debian systemd packaging (no such rule); Proxmox docs and user reports: Debian 12 needs both"),
      // --- SUSE -------------------------------------------------------------------------------
      // Source: openSUSE/udev-extra-rules 80-hotplug-cpu-mem.rules (commit 2f93b2d); SUSE bsc#1076696.
      new Row(SUSE, "", "", "SLES / openSUSE",
          Coverage.COVERED, Coverage.COVERED, "80-hotplug-cpu-mem.rules",
          "",
          "80-hotplug-cpu-mem.rules onlines CPUs, and memory unless systemd-detect-virt says zvm",
          "openSUSE/udev-extra-rules 80-hotplug-cpu-mem.rules (commit 2f93b2d); SUSE bsc#1076696"));

  private DistroKnowledge() {}

  /** {@return all rows, in table order} */
  public static List<Row> rows() {
    return ROWS;
  }

  /**
   * Answers for a distribution and optionally its installed systemd version.
   *
   * @param distro the distribution (use {@link Distro#of(String, String)} for a name and version)
   * @param systemdVersion the installed systemd package version, e.g. {@code 219-19.el7_2.9}
   *     ({@code rpm -q systemd} output is accepted too); empty when unknown
   * @return the answer; an unknown release gives {@link Coverage#UNKNOWN} for both with advice,
   *     never an exception
   * @throws IllegalArgumentException when {@code systemdVersion} is given but is not a version
   */
  public static Answer lookup(Distro distro, Optional<String> systemdVersion) {
    Objects.requireNonNull(distro, "distro");
    List<String> reasons = new ArrayList<>();
    Optional<Row> row = ROWS.stream().filter(r -> r.covers(distro)).findFirst();
    if (row.isEmpty() && distro.family() == Distro.Family.RHEL && distro.major() == 7 && distro.minor() < 0) {
      // "centos 7" without a minor version: the guide's CentOS 7.x row
      row = ROWS.stream().filter(r -> r.release().equals("CentOS/RHEL 7.0")).findFirst();
      reasons.add("no minor version given for " + distro.id() + " 7: answering for 7.0 (the guide's"
          + " CentOS 7.x image); give --version 7.N or --systemd-version for a precise answer");
    }
    if (row.isEmpty()) {
      reasons.add("unknown: " + distro.name() + " is not in the knowledge table; install both rules"
          + " (they are harmless where a distribution rule already onlines: the device is then"
          + " already online and our rule does not match)");
      return new Answer(distro, Optional.empty(), Coverage.UNKNOWN, Coverage.UNKNOWN, reasons);
    }
    Row r = row.get();
    Coverage cpu = r.cpu();
    Coverage mem = r.memory();
    reasons.add(r.release() + ": " + r.publicFacts() + " [source: " + r.source() + "]");
    if (!r.guideClaim().isEmpty()) {
      reasons.add(r.guideClaim());
    }
    if (systemdVersion.isPresent() && distro.family() == Distro.Family.RHEL && distro.major() == 7) {
      RpmVersion have = RpmVersion.parsePackage(systemdVersion.get());
      RpmVersion need = RpmVersion.parse(GUIDE_CENTOS7_SYSTEMD);
      if (have.compareTo(need) >= 0) {
        reasons.add("systemd " + have + " >= " + need + ": per the guide, both rules are shipped");
        cpu = Coverage.COVERED;
        mem = Coverage.COVERED;
      } else {
        reasons.add("systemd " + have + " < " + need + ": per the guide, update systemd or add the rules");
        cpu = Coverage.NOT_COVERED;
        mem = Coverage.NOT_COVERED;
      }
    }
    if (r.release().equals("CentOS 6.x")) {
      reasons.add("guide and public facts disagree on the CPU rule: answering 'not covered' for a KVM"
          + " guest; detection on the image's files (--root) decides");
    }
    if (r.release().equals("Ubuntu 14.04")) {
      reasons.add("guide and public facts disagree: answering 'not covered' for a KVM guest;"
          + " detection on the image's files (--root) decides");
    }
    return new Answer(distro, row, cpu, mem, reasons);
  }

  static int[] majorMinor(String v) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    String[] p = v.split("[.]");
    try {
      int major = Integer.parseInt(p[0].replaceAll("[^0-9].*$", ""));
      int minor = p.length > 1 && !p[1].replaceAll("[^0-9].*$", "").isEmpty()
          ? Integer.parseInt(p[1].replaceAll("[^0-9].*$", "")) : -1;
      return new int[] {major, minor};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Compares major.minor; when {@code majorOnly}, only majors count. */
  static int compare(int[] v, int[] bound, boolean majorOnly) {
    int c = Integer.compare(v[0], bound[0]);
    if (c != 0 || majorOnly) {
      return c;
    }
    return Integer.compare(Math.max(v[1], 0), bound[1]);
  }
}
