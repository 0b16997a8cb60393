source /tmp/lab11/common.sh
N=${LAB_PREFIX}vm1
DEV="<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online_movable" "$DEV")
virsh -c "$LAB_URI" event --all --loop --timestamp > $LAB_RUN/events.log 2>&1 & EVP=$!
boot $N "$X" || { tail -5 /var/log/libvirt/qemu/$N.log; exit 1; }
log "live xml memory parts:"; V dumpxml $N | grep -E "<memory|<currentMemory|maxMemory|<cell"
vmemxml $N
cmd $N "dmesg 40"; sleep 2; grep -a HPDMESG $L | grep -iE "virtio|memory|mem" | tail -15
M0=$(field "$(lastHP $L)" memtotal_kb); log "MemTotal at boot $M0"
for req in 512MiB 128MiB 0; do
  off=$(sz $L); T0=$(now)
  V update-memory-device $N --live --requested-size $req; rc=$?
  log "update-memory-device --requested-size $req rc=$rc returned after $(el $T0 $(now)) s"
  case $req in 512MiB) k=524288;; 128MiB) k=131072;; 0) k=0;; esac
  r=$(waitcur $N $k 60); log "live <current> reaches $k: $r"
  exp=$((M0 + k))
  r=$(waitlog $L $off "memtotal_kb=$exp " 60); log "guest MemTotal = $exp: $r"
  sleep 2; log "guest: $(lastHP $L)"; log "current now $(cur $N)"
  vmemxml $N | grep -E "requested|current"
done
cmd $N "dmesg 30"; sleep 2; grep -a HPDMESG $L | grep -iE "virtio_mem|memory" | tail -15
cmd $N zones; sleep 2; grep -a HPZONE $L | tail -40
log "events:"; cat $LAB_RUN/events.log
kill $EVP
V destroy $N
