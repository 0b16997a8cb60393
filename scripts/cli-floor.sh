#!/bin/sh
# cli-floor.sh: builds the libvirt-java-only program behind docs/benchmarks.md's "floor" row and
# times it next to the launcher and virsh (hyperfine). Run from the repository root after
#   mvn -B -q -DskipTests package
# It uses the CLI jar's copies of libvirt-java and JNA, the launcher's JVM options and a static CDS
# archive of its own (made here, in target/cli-floor/).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
t=$root/hotplug-examples/target
jar=$t/hotplug.jar
out=$root/hotplug-benchmarks/target/cli-floor
[ -f "$jar" ] || { echo "cli-floor: $jar is missing: mvn -B -q -DskipTests package" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "cli-floor: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
mkdir -p "$out/classes"
javac --release 17 -cp "$jar" -d "$out/classes" "$root/hotplug-benchmarks/src/floor/LibvirtJavaFloor.java"
(cd "$out/classes" && jar cf "$out/floor.jar" LibvirtJavaFloor.class)
native=$t/jna-native/com/sun/jna/linux-x86-64
opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Djna.boot.library.path=$native"
opts="$opts -Djna.platform.library.path=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu"
cp="$out/floor.jar:$jar"
# shellcheck disable=SC2086  # $opts is an option list
java -XX:DumpLoadedClassList="$out/floor.classlist" $opts -cp "$cp" LibvirtJavaFloor >/dev/null
rm -f "$out/floor.jsa"
# shellcheck disable=SC2086
java -Xshare:dump -XX:SharedClassListFile="$out/floor.classlist" -XX:SharedArchiveFile="$out/floor.jsa" \
  $opts -cp "$cp" >/dev/null 2>&1
uptime
hyperfine -N --warmup 3 --runs "${RUNS:-21}" 'virsh -c test:///default vcpucount test' \
  "java -XX:SharedArchiveFile=$out/floor.jsa $opts -cp $cp LibvirtJavaFloor" \
  "$root/scripts/hotplug -c test:///default vcpucount test"
