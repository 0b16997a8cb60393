#!/usr/bin/env bash
# Runs the whole test suite: unit tests, libvirt test-driver tests, corpus tests and the VM
# integration tests (a private libvirt daemon + QEMU + a tiny Linux guest). Installs what is missing.
# Usage: scripts/test.sh [extra maven arguments, e.g. -DskipITs]
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_build_tools
# shellcheck disable=SC2086
apt_ensure $LAB_PACKAGES shellcheck
cd "$ROOT" || exit 1
log "mvn verify (unit + integration tests)"
mvn_cmd verify "$@"
