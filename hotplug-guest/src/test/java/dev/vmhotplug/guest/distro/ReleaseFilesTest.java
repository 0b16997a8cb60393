package dev.vmhotplug.guest.distro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmhotplug.guest.Distro;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseFilesTest {

  @Test
  void centos7_osReleaseAndCentosRelease_giveMinorVersion() {
    Distro d = ReleaseFiles.identify(Map.of(
        "/etc/os-release", "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
            + "VERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n",
        "/etc/centos-release", "CentOS Linux release 7.0.1406 (Core)\n"));
    assertThat(d.id()).isEqualTo("centos");
    assertThat(d.versionId()).isEqualTo("7.0.1406");
    assertThat(d.major()).isEqualTo(7);
    assertThat(d.minor()).isEqualTo(0);
    assertThat(d.idLike()).containsExactly("rhel", "fedora");
    assertThat(d.family()).isEqualTo(Distro.Family.RHEL);
    assertThat(d.source()).isEqualTo("/etc/os-release");
  }

  @Test
  void centos6_onlyCentosRelease() {
    Distro d = ReleaseFiles.identify(Map.of("/etc/centos-release", "CentOS release 6.5 (Final)\n"));
    assertThat(d.id()).isEqualTo("centos");
    assertThat(d.versionId()).isEqualTo("6.5");
    assertThat(d.source()).isEqualTo("/etc/centos-release");
  }

  @Test
  void rhel_redhatRelease() {
    Distro d = ReleaseFiles.identify(Map.of("/etc/redhat-release",
        "Red Hat Enterprise Linux Server release 7.2 (Maipo)\n"));
    assertThat(d.id()).isEqualTo("rhel");
    assertThat(d.versionId()).isEqualTo("7.2");
  }

  @Test
  void ubuntu1204_lsbReleaseOnly() {
    Distro d = ReleaseFiles.identify(Map.of("/etc/lsb-release",
        "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\nDISTRIB_CODENAME=precise\nDISTRIB_DESCRIPTION=\"Ubuntu 12.04.5 LTS\"\n"));
    assertThat(d.id()).isEqualTo("ubuntu");
    assertThat(d.versionId()).isEqualTo("12.04");
    assertThat(d.name()).isEqualTo("Ubuntu 12.04.5 LTS");
  }

  @Test
  void debianVersionFile_numberOrCodename() {
    assertThat(ReleaseFiles.identify(Map.of("/etc/debian_version", "12.5\n")).versionId()).isEqualTo("12.5");
    Distro sid = ReleaseFiles.identify(Map.of("/etc/debian_version", "trixie/sid\n"));
    assertThat(sid.id()).isEqualTo("debian");
    assertThat(sid.versionId()).isEmpty();
  }

  @Test
  void rocky_osReleaseWithSingleQuotesAndComments() {
    Distro d = ReleaseFiles.identify(Map.of("/usr/lib/os-release",
        "# comment\nNAME='Rocky Linux'\nID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nbroken line\n"));
    assertThat(d.id()).isEqualTo("rocky");
    assertThat(d.versionId()).isEqualTo("9.4");
    assertThat(d.family()).isEqualTo(Distro.Family.RHEL);
  }

  @Test
  void nothingOrJunk_unknownNotException() {
    assertThat(ReleaseFiles.identify(Map.of()).id()).isEqualTo("unknown");
    assertThat(ReleaseFiles.identify(Map.of("/etc/os-release", "\u0000\u0001garbage")).id()).isEqualTo("unknown");
    assertThat(ReleaseFiles.identify(Map.of("/etc/os-release", "")).source()).isEqualTo("no release file found");
  }

  @Test
  void dpkgStatus_findsInstalledPackageOnly() {
    String status = "Package: udev\nStatus: deinstall ok config-files\nVersion: 204-5ubuntu20\n\n"
        + "Package: systemd\nStatus: install ok installed\nPriority: important\nVersion: 252.30-1~deb12u2\n\n"
        + "Package: systemd-sysv\nStatus: install ok installed\nVersion: 252.30-1~deb12u2\n";
    assertThat(ReleaseFiles.dpkgInstalledVersion(status, "systemd")).contains("252.30-1~deb12u2");
    assertThat(ReleaseFiles.dpkgInstalledVersion(status, "udev")).isEmpty();
    assertThat(ReleaseFiles.dpkgInstalledVersion("", "systemd")).isEmpty();
  }
}
