#!/bin/sh
# Installs udev rules that bring hot-added vCPUs and memory online, then onlines
# what is already present but offline. Written by vmhotplug; POSIX sh; run as root.
#
# Environment:
#   HOTPLUG_RULES_DIR    where the rules go (default /etc/udev/rules.d)
#   HOTPLUG_SYSFS        sysfs root (default /sys)
#   HOTPLUG_NO_RELOAD=1  do not reload udev (e.g. in a chroot while building an image)
set -u

rules_dir=${HOTPLUG_RULES_DIR:-/etc/udev/rules.d}
umask 022
if ! mkdir -p "$rules_dir"; then
  echo "vmhotplug: cannot create $rules_dir" >&2
  exit 1
fi

# write_rule NAME: writes standard input to $rules_dir/NAME (through a temporary file)
write_rule() {
  tmp="$rules_dir/.$1.tmp.$$"
  if cat > "$tmp" && chmod 0644 "$tmp" && mv -f "$tmp" "$rules_dir/$1"; then
    echo "vmhotplug: wrote $rules_dir/$1"
  else
    rm -f "$tmp"
    echo "vmhotplug: could not write $rules_dir/$1" >&2
    exit 1
  fi
}

write_rule '80-cpu-hotplug.rules' <<'VMHOTPLUG_RULES_END'
# Bring hot-added vCPUs online (written by vmhotplug).
# Install in /etc/udev/rules.d (it replaces a file of the same name in /lib/udev/rules.d
# or /usr/lib/udev/rules.d), then run: udevadm control --reload
SUBSYSTEM=="cpu", ACTION=="add", TEST=="online", ATTR{online}=="0", ATTR{online}="1"
VMHOTPLUG_RULES_END

write_rule '81-mem-hotplug.rules' <<'VMHOTPLUG_RULES_END'
# Bring hot-added memory blocks online (written by vmhotplug).
# Install in /etc/udev/rules.d (it replaces a file of the same name in /lib/udev/rules.d
# or /usr/lib/udev/rules.d), then run: udevadm control --reload
SUBSYSTEM=="memory", ACTION=="add", TEST=="state", ATTR{state}=="offline", ATTR{state}="online"
VMHOTPLUG_RULES_END

sysfs=${HOTPLUG_SYSFS:-/sys}
failed=0

# Reload the rules: udevadm control --reload (udev 183+), --reload-rules (older udevadm,
# e.g. CentOS 6), udevcontrol reload_rules (udev before udevadm).
if [ "${HOTPLUG_NO_RELOAD:-0}" = 1 ]; then
  echo "vmhotplug: HOTPLUG_NO_RELOAD=1: udev not reloaded"
elif command -v udevadm >/dev/null 2>&1; then
  if udevadm control --reload 2>/dev/null || udevadm control --reload-rules; then
    echo "vmhotplug: udev rules reloaded"
  else
    echo "vmhotplug: warning: udevadm could not reload the rules (is udevd running?); they apply from the next boot" >&2
  fi
elif command -v udevcontrol >/dev/null 2>&1; then
  if udevcontrol reload_rules; then
    echo "vmhotplug: udev rules reloaded"
  else
    echo "vmhotplug: warning: udevcontrol could not reload the rules; they apply from the next boot" >&2
  fi
else
  echo "vmhotplug: warning: neither udevadm nor udevcontrol found; the rules apply once udev reads them" >&2
fi

# Online CPUs that are present but offline (cpuN/online reads 0).
for f in "$sysfs"/devices/system/cpu/cpu[0-9]*/online; do
  [ -f "$f" ] || continue
  state=$(cat "$f" 2>/dev/null) || continue
  if [ "$state" = 0 ]; then
    if echo 1 > "$f"; then
      echo "vmhotplug: onlined ${f%/online}"
    else
      echo "vmhotplug: warning: could not online ${f%/online}" >&2
      failed=1
    fi
  fi
done

# Online memory blocks that are present but offline (memoryN/state reads offline),
# highest block first: kernels before 4.13 accept online_movable only for the block
# right below the memory that is already movable.
blocks=$(for f in "$sysfs"/devices/system/memory/memory[0-9]*/state; do
  [ -f "$f" ] || continue
  d=${f%/state}
  echo "${d##*/memory}"
done | sort -rn)
for n in $blocks; do
  case $n in ''|*[!0-9]*) continue ;; esac
  f="$sysfs/devices/system/memory/memory$n/state"
  state=$(cat "$f" 2>/dev/null) || continue
  if [ "$state" = offline ]; then
    if echo online > "$f"; then
      echo "vmhotplug: onlined ${f%/state} as online"
    else
      echo "vmhotplug: warning: could not online ${f%/state} as online" >&2
      failed=1
    fi
  fi
done

if [ "$failed" != 0 ]; then
  echo "vmhotplug: some CPUs or memory blocks could not be onlined (see the warnings above)" >&2
fi
exit "$failed"
