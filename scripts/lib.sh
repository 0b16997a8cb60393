# shellcheck shell=bash
# Shared helpers of scripts/test.sh and scripts/demo.sh: install what is missing on Debian/Ubuntu.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT

log() { printf '[vmhotplug] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $* (install sudo or run as root)"; return 1; fi
}

APT_UPDATED=0
# apt_ensure PKG... : install the Debian/Ubuntu packages that are not installed yet.
apt_ensure() {
  local missing="" p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  command -v apt-get >/dev/null || { log "missing packages:$missing (and no apt-get: install them by hand)"; return 1; }
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install --no-install-recommends$missing"
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
}

# Java 17+ and Maven 3.8+ for the build.
ensure_build_tools() {
  local jv=0
  if command -v java >/dev/null; then
    jv=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}' | cut -d. -f1)
  fi
  if [ "${jv:-0}" -lt 17 ] 2>/dev/null; then apt_ensure openjdk-17-jdk-headless; fi
  command -v mvn >/dev/null || apt_ensure maven
}

# The system packages the tests and the demo use: libvirt (client library, daemon, QEMU driver),
# QEMU (software emulation is enough), busybox/cpio to build the guest, xmllint for virt-xml-validate.
export LAB_PACKAGES="libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 busybox-static cpio libxml2-utils gnutls-bin sasl2-bin libsasl2-modules"

mvn_cmd() { mvn -B -ntp -Dstyle.color=never "$@"; }
