#!/bin/sh
# /init of the vmhotplug lab guest: busybox ash as PID 1 in an initramfs.
#
# It mounts proc/sys/dev, optionally loads the virtio-mem driver (kernel parameter hp.vmem=1),
# starts systemd-udevd (with whatever rules the initramfs carries in /etc/udev/rules.d), optionally
# qemu-guest-agent (hp.ga=1), and then reports what the guest sees on the serial console (ttyS0), one
# machine-readable line, on every change and about once a second:
#
#   HP seq=N t=UPTIME cpus_online=0-1 cpus_present=0-1 nproc=2 node0_memtotal_kb=K
#      blocks_online=0,1,2,3 blocks_offline=32,33 udevd=1 memtotal_kb=K nodes_kb=0:K,1:K vmem_kb=K
#
# memtotal_kb is /proc/meminfo's MemTotal (all nodes), nodes_kb each node's MemTotal, vmem_kb the
# memory the virtio-mem driver added to the guest (its "System RAM (virtio_mem)" ranges in
# /proc/iomem, whole memory blocks; what is plugged inside them shows in MemTotal).
#
# The sampling loop uses shell builtins only: every fork is expensive under QEMU's TCG.
# Host -> guest commands arrive line by line on ttyS1 (a QEMU pipe chardev):
#   online | online-movable   online every offline CPU / memory block by hand
#   dmesg [N] | zones         print the last N kernel messages / memory block zones
#   topology                  print each CPU's socket, die, core and thread siblings (HPTOPO lines)
#   agent-freeze | agent-thaw stop / continue qemu-ga (an agent that does not answer)
#   acpi-ignore               stop acpid: the guest then ignores the ACPI power button
#   poweroff                  clean guest shutdown (sync + ACPI power off)
# An ACPI power button press (virsh shutdown) powers the guest off too (busybox acpid).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp
mount -t tmpfs tmpfs /run

CMDLINE=$(cat /proc/cmdline)
arg() { for w in $CMDLINE; do case "$w" in "$1"=*) echo "${w#*=}";; esac; done; }

MEM=/sys/devices/system/memory
read -r AUTO < "$MEM"/auto_online_blocks
read -r BS < "$MEM"/block_size_bytes
RULES=""
# no modules.dep in this initramfs: the virtio stack is loaded by hand, in dependency order
VIRTIO=0
load_virtio() {
  if [ $VIRTIO = 0 ]; then
    for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci; do
      insmod /lib/modules/$m.ko 2>/dev/null
    done
    VIRTIO=1
  fi
  for m in "$@"; do insmod /lib/modules/$m.ko 2>/dev/null; done
}
# virtio-mem first, before udevd: memory it adds at probe (a device whose requested size is above 0
# at boot) is onlined by memhp_default_state or by the rules at the coldplug below
VMEM=0
if [ "$(arg hp.vmem)" = 1 ] && [ -f /lib/modules/virtio_mem.ko ]; then
  load_virtio virtio_mem
  [ -d /sys/bus/virtio/drivers/virtio_mem ] && VMEM=1
fi
for r in /etc/udev/rules.d/*.rules; do [ -f "$r" ] && RULES="$RULES${RULES:+,}${r##*/}"; done

UDEVPID=0
if [ -x /lib/systemd/systemd-udevd ]; then
  mkdir -p /run/udev
  /lib/systemd/systemd-udevd --daemon --resolve-names=never
  UDEVPID=$(pidof systemd-udevd)
  UDEVPID=${UDEVPID%% *}
  # coldplug, as a distro does at boot: CPUs and DIMM memory present at boot (e.g. DIMMs attached
  # with --config) get their "add" event now, so the rules online them like hot-added ones
  udevadm trigger --action=add --subsystem-match=cpu --subsystem-match=memory
  udevadm settle --timeout=30
fi

# ACPI power button (virsh shutdown) -> busybox acpid -> /etc/acpi/PWRF/00000080 (clean power off):
# acpid reads the button's evdev node, so evdev and the button driver are loaded first
insmod /lib/modules/evdev.ko 2>/dev/null
insmod /lib/modules/button.ko 2>/dev/null
ACPIDPID=0; pb=""; i=0
while [ -z "$pb" ] && [ $i -lt 30 ]; do
  for n in /sys/class/input/event[0-9]*/device/name; do
    [ -f "$n" ] && read -r v < "$n" && [ "$v" = "Power Button" ] && { e=${n%/device/name}; pb=/dev/input/${e##*/}; }
  done
  [ -n "$pb" ] && [ -e "$pb" ] || { pb=""; i=$((i+1)); sleep 0.1; }
done
if [ -n "$pb" ]; then
  acpid -f -c /etc/acpi -l /run/acpid.log &
  ACPIDPID=$!
fi

GAPID=0
if [ "$(arg hp.ga)" = 1 ] && [ -x /usr/sbin/qemu-ga ]; then
  load_virtio virtio_console
  port=""; i=0
  while [ -z "$port" ] && [ $i -lt 50 ]; do
    for d in /sys/class/virtio-ports/*; do
      if [ -f "$d/name" ]; then read -r n < "$d/name"; [ "$n" = org.qemu.guest_agent.0 ] && port=/dev/${d##*/}; fi
    done
    i=$((i+1)); [ -z "$port" ] && sleep 0.1
  done
  mkdir -p /run/qga
  if [ -n "$port" ]; then
    /usr/sbin/qemu-ga -m virtio-serial -p "$port" -t /run/qga -f /run/qga/qemu-ga.pid >/dev/null 2>&1 &
    GAPID=$!
  fi
fi

read -r UP _ < /proc/uptime
echo "HPINFO kernel=$(uname -r) block_size_bytes=0x$BS auto_online_blocks=$AUTO rules=${RULES:-none} udevd=$UDEVPID agent=$GAPID vmem=$VMEM acpid=$ACPIDPID uptime=$UP"
for r in /etc/udev/rules.d/*.rules; do
  [ -f "$r" ] && while read -r line; do echo "HPRULE ${r##*/}: $line"; done < "$r"
done

cmdloop() {
  stty -F /dev/ttyS1 -echo 2>/dev/null
  while read -r cmd a1; do
    case "$cmd" in
      online|online-movable)
        st=online; [ "$cmd" = online-movable ] && st=online_movable
        for f in /sys/devices/system/cpu/cpu[0-9]*/online; do read -r v < "$f"; [ "$v" = 0 ] && echo 1 > "$f"; done
        for f in "$MEM"/memory[0-9]*/state; do read -r v < "$f"; [ "$v" = offline ] && echo $st > "$f"; done
        echo "HPCMD $cmd done";;
      dmesg) dmesg | tail -n "${a1:-20}" | sed 's/^/HPDMESG /'; echo "HPCMD dmesg done";;
      zones)
        for d in "$MEM"/memory[0-9]*; do read -r s < "$d/state"; read -r z < "$d/valid_zones"; echo "HPZONE ${d##*/} $s $z"; done
        echo "HPCMD zones done";;
      topology)
        for d in /sys/devices/system/cpu/cpu[0-9]*; do
          t=$d/topology
          if [ -f "$t/core_id" ]; then
            read -r p < "$t/physical_package_id"; read -r di < "$t/die_id"; read -r c < "$t/core_id"
            sib=$(cat "$t/thread_siblings_list")  # a bin_attribute since 6.x: the read builtin gets nothing
            echo "HPTOPO ${d##*/} socket=$p die=$di core=$c threads=$sib"
          else
            echo "HPTOPO ${d##*/} offline"
          fi
        done
        echo "HPCMD topology done";;
      agent-freeze) [ "$GAPID" != 0 ] && kill -STOP "$GAPID"; echo "HPCMD agent-freeze done";;
      agent-thaw) [ "$GAPID" != 0 ] && kill -CONT "$GAPID"; echo "HPCMD agent-thaw done";;
      acpi-ignore) [ "$ACPIDPID" != 0 ] && kill "$ACPIDPID"; ACPIDPID=0; echo "HPCMD acpi-ignore done";;
      poweroff) echo "HPCMD poweroff"; sync; poweroff -f;;
      "") ;;
      *) echo "HPCMD unknown: $cmd";;
    esac
  done < /dev/ttyS1
}
[ -e /dev/ttyS1 ] && cmdloop &

# One sample of what the guest sees, into $cur. The files are read one after the other, so a change
# (udev onlining a CPU or a memory block) can land between two reads and tear the sample (e.g. CPU 2
# online in /proc/cpuinfo but not yet in cpu/online): the loop below reports a sample only when two
# back-to-back samples agree.
sample() {
  read -r online < /sys/devices/system/cpu/online
  read -r present < /sys/devices/system/cpu/present
  np=0
  while read -r k _; do [ "$k" = processor ] && np=$((np+1)); done < /proc/cpuinfo
  mt=0
  while read -r _ _ k v _; do [ "$k" = MemTotal: ] && mt=$v; done < /sys/devices/system/node/node0/meminfo
  on=""; off=""
  for f in "$MEM"/memory[0-9]*/state; do
    read -r s < "$f"; b=${f%/state}; b=${b##*/memory}
    if [ "$s" = online ]; then on="$on${on:+,}$b"; else off="$off${off:+,}$b"; fi
  done
  ud=0; [ "$UDEVPID" != 0 ] && [ -d "/proc/$UDEVPID" ] && ud=1
  all=0
  while read -r k v _; do [ "$k" = MemTotal: ] && { all=$v; break; }; done < /proc/meminfo
  nodes=""
  for d in /sys/devices/system/node/node[0-9]*; do
    while read -r _ _ k v _; do [ "$k" = MemTotal: ] && nodes="$nodes${nodes:+,}${d##*/node}:$v"; done < "$d/meminfo"
  done
  vm=0
  if [ $VMEM = 1 ]; then
    while read -r range _ a b; do
      [ "$a $b" = "System RAM (virtio_mem)" ] && vm=$(( vm + (0x${range#*-} - 0x${range%-*} + 1) / 1024 ))
    done < /proc/iomem
  fi
  cur="cpus_online=$online cpus_present=$present nproc=$np node0_memtotal_kb=$mt blocks_online=$on blocks_offline=$off udevd=$ud memtotal_kb=$all nodes_kb=$nodes vmem_kb=$vm"
}

last=""; n=0; seq=0
while :; do
  sample; prev=$cur; sample
  while [ "$cur" != "$prev" ]; do prev=$cur; sample; done
  if [ "$cur" != "$last" ] || [ $n -ge 5 ]; then
    read -r UP _ < /proc/uptime
    seq=$((seq+1))
    echo "HP seq=$seq t=$UP $cur"
    last=$cur; n=0
  fi
  n=$((n+1))
  sleep 0.2
done
