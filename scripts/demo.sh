#!/usr/bin/env bash
# Runs the demo: boots a throwaway VM and walks the hotplug guide on it. Installs what is missing.
# Usage: scripts/demo.sh [hotplug demo options, see --help]
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_build_tools
# shellcheck disable=SC2086
apt_ensure $LAB_PACKAGES
cd "$ROOT" || exit 1
log "building the hotplug CLI (the first build downloads Maven dependencies: a minute or two)"
mvn_cmd -q -DskipTests package
exec "$ROOT/scripts/hotplug" demo "$@"
