package dev.vmhotplug.guest;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Linux distribution release as a guest identifies itself ({@code /etc/os-release} {@code ID} and
 * {@code VERSION_ID}, or the older release files).
 *
 * @param id the lower-case distribution id ({@code centos}, {@code rhel}, {@code rocky},
 *     {@code almalinux}, {@code ubuntu}, {@code debian}, {@code sles}, {@code opensuse-leap}, …),
 *     {@code unknown} when not known
 * @param versionId the version ({@code 7}, {@code 7.9.2009}, {@code 22.04}, {@code 12}), {@code ""}
 *     when not known
 * @param name a human name, e.g. {@code CentOS Linux 7 (Core)}
 * @param idLike the {@code ID_LIKE} ids, e.g. {@code [rhel, fedora]}
 * @param source where this came from, e.g. {@code /etc/os-release} or {@code --distro}
 */
public record Distro(String id, String versionId, String name, List<String> idLike, String source) {

  /** The distribution families this SDK has knowledge for. */
  public enum Family {
    /** RHEL and its rebuilds: CentOS, Rocky, AlmaLinux, Oracle Linux. */
    RHEL,
    /** Ubuntu. */
    UBUNTU,
    /** Debian. */
    DEBIAN,
    /** SUSE Linux Enterprise and openSUSE. */
    SUSE,
    /** Anything else. */
    UNKNOWN
  }

  /**
   * Validates and normalizes (id lower case).
   *
   * @param id the lower-case distribution id ({@code centos}, {@code rhel}, {@code rocky},
   *     {@code almalinux}, {@code ubuntu}, {@code debian}, {@code sles}, {@code opensuse-leap}, …),
   *     {@code unknown} when not known
   * @param versionId the version ({@code 7}, {@code 7.9.2009}, {@code 22.04}, {@code 12}), {@code ""}
   *     when not known
   * @param name a human name, e.g. {@code CentOS Linux 7 (Core)}
   * @param idLike the {@code ID_LIKE} ids, e.g. {@code [rhel, fedora]}
   * @param source where this came from, e.g. {@code /etc/os-release} or {@code --distro}
   */
  public Distro {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(versionId, "versionId");
    Objects.requireNonNull(source, "source");
    id = id.strip().toLowerCase(Locale.ROOT);
    versionId = versionId.strip();
    name = name == null || name.isBlank() ? id + (versionId.isEmpty() ? "" : " " + versionId) : name.strip();
    idLike = idLike == null ? List.of() : List.copyOf(idLike);
  }

  /**
   * A distribution given by name and version (as on the command line).
   *
   * @param name e.g. {@code centos}, {@code CentOS}, {@code ubuntu}, {@code rhel}
   * @param version e.g. {@code 7.0}, {@code 14.04}; may be empty
   * @return the distro, with source {@code given}
   */
  public static Distro of(String name, String version) {
    String id = name == null ? "unknown" : name.strip().toLowerCase(Locale.ROOT).replace(' ', '-');
    id = switch (id) {
      case "red-hat", "redhat", "red-hat-enterprise-linux", "rhel-server" -> "rhel";
      case "alma", "alma-linux" -> "almalinux";
      case "rocky-linux" -> "rocky";
      case "suse", "sle", "sles-sap" -> "sles";
      case "opensuse", "leap" -> "opensuse-leap";
      case "tumbleweed" -> "opensuse-tumbleweed";
      case "oracle", "oraclelinux", "oracle-linux" -> "ol";
      default -> id;
    };
    return new Distro(id, version == null ? "" : version, null, List.of(), "given");
  }

  /**
   * An unknown distribution.
   *
   * @param source where the (missing) answer was looked for, e.g. {@code /etc/os-release}
   * @return an unknown distribution
   */
  public static Distro unknown(String source) {
    return new Distro("unknown", "", "unknown distribution", List.of(), source);
  }

  /** {@return the family, from {@link #id()} and then {@link #idLike()}} */
  public Family family() {
    Family f = familyOf(id);
    if (f != Family.UNKNOWN) {
      return f;
    }
    for (String like : idLike) {
      Family g = familyOf(like);
      if (g != Family.UNKNOWN && g != Family.DEBIAN) {
        return g;
      }
    }
    return Family.UNKNOWN;
  }

  private static Family familyOf(String id) {
    return switch (id) {
      case "rhel", "centos", "rocky", "almalinux", "ol", "scientific", "cloudlinux" -> Family.RHEL;
      case "ubuntu" -> Family.UBUNTU;
      case "debian" -> Family.DEBIAN;
      case "sles", "sled", "opensuse", "opensuse-leap", "opensuse-tumbleweed", "suse" -> Family.SUSE;
      default -> Family.UNKNOWN;
    };
  }

  /** {@return the major version number, or -1 when the version does not start with a number} */
  public int major() {
    return number(0);
  }

  /** {@return the minor version number, or -1 when there is none ({@code 7} → -1, {@code 7.4.1708} → 4)} */
  public int minor() {
    return number(1);
  }

  private int number(int index) {
    String[] parts = versionId.split("[.]");
    if (parts.length <= index) {
      return -1;
    }
    String p = parts[index].replaceAll("[^0-9].*$", "");
    if (p.isEmpty() || p.length() > 6) {
      return -1;
    }
    return Integer.parseInt(p);
  }

  /** {@code name (id versionId, from source)}. */
  @Override
  public String toString() {
    return name + " (" + id + (versionId.isEmpty() ? "" : " " + versionId) + ", from " + source + ")";
  }
}
