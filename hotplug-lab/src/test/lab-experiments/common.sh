# helpers for LabSession scripts
set -u
V() { timeout 120 virsh -q -c "$LAB_URI" "$@"; }
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
log() { printf '%s %s\n' "$(date +%T.%N | cut -c1-12)" "$*"; }
sz() { stat -c %s "$1" 2>/dev/null || echo 0; }
# waitlog LOG OFFSET REGEX TIMEOUT_S -> prints seconds since T0 or TIMEOUT
waitlog() {
  local L=$1 off=$2 re=$3 to=${4:-60} end
  end=$(awk -v t="$(now)" -v d="$to" 'BEGIN{printf "%.3f", t+d}')
  while :; do
    tail -c +$((off+1)) "$L" 2>/dev/null | grep -qE "$re" && { el "$T0" "$(now)"; return 0; }
    awk -v t="$(now)" -v e="$end" 'BEGIN{exit !(t>e)}' && { echo TIMEOUT; return 1; }
    sleep 0.1
  done
}
lastHP() { grep -a '^HP ' "$1" | tail -n1; }
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
# mkxml NAME INITRD "CMDLINE" EXTRA_DEVICES [MEM_KIB] [CPU_INNER] [VCPU_ELEM] [AGENT]
mkxml() {
  local N=$1 I=$2 X=$3 DEV=$4 MEM=${5:-524288} CPU=${6:-"<numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>"} VC=${7:-"<vcpu placement='static' current='2'>4</vcpu>"} GA=${8:-0} ch=""
  [ "$GA" = 1 ] && ch="<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
  rm -f "$LAB_RUN/$N.cmd.in" "$LAB_RUN/$N.cmd.out"; mkfifo "$LAB_RUN/$N.cmd.in" "$LAB_RUN/$N.cmd.out"
  cat > "$LAB_RUN/$N.xml" <<XML
<domain type='qemu'>
  <name>$N</name>
  <maxMemory slots='16' unit='KiB'>4194304</maxMemory>
  <memory unit='KiB'>$MEM</memory>
  <currentMemory unit='KiB'>$MEM</currentMemory>
  $VC
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$LAB_KERNEL</kernel>
    <initrd>$I</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet $X</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <cpu>$CPU</cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='$LAB_RUN/$N.serial.log' append='on'/><target port='0'/></serial>
    <serial type='pipe'><source path='$LAB_RUN/$N.cmd'/><target port='1'/></serial>
    $ch
    $DEV
    <controller type='usb' model='none'/>
    <memballoon model='virtio'/>
  </devices>
</domain>
XML
  echo "$LAB_RUN/$N.xml"
}
cmd() { echo "$2" > "$LAB_RUN/$1.cmd.in"; }
# boot NAME XMLFILE [persistent]: sets L
boot() {
  local N=$1 X=$2 r; L=$LAB_RUN/$N.serial.log; rm -f "$L"; T0=$(now)
  if [ "${3:-}" = persistent ]; then V define "$X" >/dev/null && V start "$N" >/dev/null || return 1
  else V create "$X" >/dev/null || return 1; fi
  r=$(waitlog "$L" 0 '^HP ' 150); log "boot $N: $r s"; grep -a -m1 HPINFO "$L"; grep -a -m1 '^HP ' "$L"
  [ "$r" != TIMEOUT ]
}
vmemxml() { V dumpxml "$1" | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p"; }
cur() { V dumpxml "$1" | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | sed -n "s/.*<current unit='KiB'>\([0-9]*\)<.*/\1/p" | head -${2:-1} | tail -1; }
# waitcur NAME VALUE TIMEOUT : until live <current> == VALUE; prints seconds or TIMEOUT:last
waitcur() {
  local end c; end=$(awk -v t="$(now)" -v d="$3" 'BEGIN{printf "%.3f", t+d}')
  while :; do c=$(cur "$1"); [ "$c" = "$2" ] && { el "$T0" "$(now)"; return 0; }
    awk -v t="$(now)" -v e="$end" 'BEGIN{exit !(t>e)}' && { echo "TIMEOUT:$c"; return 1; }; sleep 0.1; done
}
