#!/usr/bin/env bash
# shellcheck disable=SC2317  # the *_leg functions are called through leg()
# Runs the whole test suite: unit tests, libvirt test-driver tests, corpus tests and the VM
# integration tests (a private libvirt daemon + QEMU + a tiny Linux guest), then the release legs.
# Installs what is missing. Usage: scripts/test.sh [extra maven arguments for the main leg, e.g. -DskipITs]
#
# Legs (VMHOTPLUG_LEGS picks some, e.g. VMHOTPLUG_LEGS="main consumer"; default all, in this order):
#   main      JDK 17, the declared JNA: every test (mvn install into a private local repository)
#   consumer  consumer/, a user's project outside the reactor, built against what main installed
#   repro     two clean builds (other time zone, locale and umask) give byte-identical jars and SBOMs
#   jna       the oldest supported JNA, 5.5.0: core and CLI suites, CPU and memory VM tests, launcher
#   jdk25     the newest LTS, JDK 25: every test again (compiled with --release 17)
# Not offline (-o): the CycloneDX plugin skips the SBOM in offline mode.
# The private local repository (VMHOTPLUG_M2, default target-m2/ in the clone) is seeded from
# ~/.m2/repository, so nothing of this build lands in ~/.m2.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_build_tools
# shellcheck disable=SC2086
apt_ensure $LAB_PACKAGES shellcheck unzip
cd "$ROOT" || exit 1

LEGS=${VMHOTPLUG_LEGS:-main consumer repro jna jdk25}
M2=${VMHOTPLUG_M2:-$ROOT/target-m2}
if [ ! -d "$M2" ]; then
  if [ -d "$HOME/.m2/repository" ]; then
    log "seeding the private local repository $M2 from ~/.m2/repository"
    cp -a "$HOME/.m2/repository" "$M2"
  else
    mkdir -p "$M2"
  fi
fi
REPO=(-Dmaven.repo.local="$M2")

declare -A RESULT=() SKIP=()
FAILED=0
# leg NAME COMMAND...: runs one leg, records ok/FAILED, never stops the others
leg() {
  local name=$1 start=$SECONDS
  shift
  log "=== leg $name: $*"
  if "$@"; then
    RESULT[$name]="ok ($((SECONDS - start)) s)"
    if [ -n "${SKIP[$name]:-}" ]; then RESULT[$name]="SKIPPED: ${SKIP[$name]}"; fi
  else
    RESULT[$name]="FAILED ($((SECONDS - start)) s)"
    FAILED=1
  fi
  return 0
}
wants() { case " $LEGS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

main_leg() {
  mvn_cmd "${REPO[@]}" install "$@"
}

consumer_leg() {
  if [[ ${RESULT[main]:-} != ok* ]] && wants main; then
    log "consumer: main leg did not install the artifacts"
    return 1
  fi
  mvn_cmd "${REPO[@]}" -f consumer/pom.xml clean verify
}

# Two clean builds into their own folders, the second in another time zone and locale, a little
# later; every jar and SBOM they produce must be byte-identical. Both with umask 022: the jar and
# source plugins store directory modes as the disk has them (Maven's reproducible-builds guide asks
# for the same umask).
repro_leg() {
  local a=target-repro-a b=target-repro-b f g n=0 bad=0
  rm -rf ./*/"$a" ./*/"$b" "$a" "$b"
  (umask 022; TZ=UTC LC_ALL=C.UTF-8 mvn_cmd "${REPO[@]}" -q -DskipTests -Dbuild.dirname="$a" package) || return 1
  (umask 022; TZ=Pacific/Chatham LC_ALL=C mvn_cmd "${REPO[@]}" -q -DskipTests -Dbuild.dirname="$b" package) || return 1
  while IFS= read -r f; do
    g=${f/\/$a\//\/$b\/}
    n=$((n + 1))
    if ! cmp -s "$f" "$g"; then
      bad=$((bad + 1))
      log "repro: DIFFERENT: $f vs $g"
      case $f in
        *.jar) diff <(unzip -v "$f" | awk 'NR>3{print $1,$7,$8}') <(unzip -v "$g" | awk 'NR>3{print $1,$7,$8}') | head -20 >&2 ;;
      esac
    fi
  done < <(find . -path "*/$a/*" \( -name '*.jar' -o -name '*-cyclonedx.json' \) -not -path "*/$a/*/*" | sort)
  log "repro: $n artifacts compared, $bad different"
  rm -rf ./*/"$a" ./*/"$b"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

jna_leg() {
  mvn_cmd "${REPO[@]}" verify -Djna.version=5.5.0 -Dbuild.dirname=target-jna55 \
    -pl hotplug-core,hotplug-lab,hotplug-examples -am \
    -Dit.test='CpuHotplugIT,MemoryHotplugIT,LauncherIT' -Dfailsafe.failIfNoSpecifiedTests=false
}

# A JDK 25: VMHOTPLUG_JDK25, else one in /usr/lib/jvm, else the distribution's package when the
# archive has one (Debian 12's has only 17: the leg is then skipped with that reason).
find_jdk25() {
  local d
  for d in "${VMHOTPLUG_JDK25:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*25*; do
    if [ -n "$d" ] && [ -x "$d/bin/javac" ]; then echo "$d"; return 0; fi
  done
  if apt-cache policy openjdk-25-jdk-headless 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt_ensure openjdk-25-jdk-headless >&2 && [ -x /usr/lib/jvm/java-25-openjdk-amd64/bin/javac ] \
      && echo /usr/lib/jvm/java-25-openjdk-amd64 && return 0
  fi
  return 1
}

jdk25_leg() {
  local jdk
  if ! jdk=$(find_jdk25); then
    log "jdk25: SKIPPED: no JDK 25 on this machine and none in its package archive (Debian 12 ships"
    log "       OpenJDK 17 only; Maven Central has no JDK); set VMHOTPLUG_JDK25=/path/to/jdk-25"
    SKIP[jdk25]="no JDK 25 on this machine or in its package archive"
    return 0
  fi
  log "jdk25: $("$jdk/bin/java" -version 2>&1 | head -1) from $jdk"
  JAVA_HOME=$jdk PATH="$jdk/bin:$PATH" mvn_cmd "${REPO[@]}" verify -Dbuild.dirname=target-jdk25
}

if wants main; then leg main main_leg "$@"; fi
if wants consumer; then leg consumer consumer_leg; fi
if wants repro; then leg repro repro_leg; fi
if wants jna; then leg jna jna_leg; fi
if wants jdk25; then leg jdk25 jdk25_leg; fi

log "=== legs:"
for l in main consumer repro jna jdk25; do
  if wants "$l"; then log "  $l: ${RESULT[$l]:-not run}"; fi
done
exit "$FAILED"
