source /tmp/lab11/common.sh
N=${LAB_PREFIX}vm2
DEV="<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online" "$DEV")
virsh -c "$LAB_URI" event --all --loop --timestamp > $LAB_RUN/events2.log 2>&1 & EVP=$!
boot $N "$X" || { tail -5 /var/log/libvirt/qemu/$N.log; exit 1; }
M0=$(field "$(lastHP $L)" memtotal_kb); log "MemTotal at boot $M0"
log "--- what virsh update-memory-device sends:"
V update-memory-device $N --live --requested-size 512MiB --print-xml
log "--- update-device variants (requested 256MiB):"
A=$LAB_RUN/upd
echo "<memory model='virtio-mem'><target><requested unit='MiB'>256</requested></target></memory>" > $A.1
echo "<memory model='virtio-mem'><alias name='virtiomem0'/><target><requested unit='MiB'>256</requested></target></memory>" > $A.2
echo "<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>256</requested></target></memory>" > $A.3
echo "<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><requested unit='MiB'>256</requested></target></memory>" > $A.4
echo "<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>256</requested></target><alias name='virtiomem0'/></memory>" > $A.5
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>256</requested></target></memory>" > $A.6
for i in 1 2 3 4 5 6; do log "variant $i: $(cat $A.$i)"; T0=$(now); out=$(V update-device $N $A.$i --live 2>&1); log "  rc=$? $(el $T0 $(now)) s: $out"; sleep 0.5; log "  requested now: $(vmemxml $N | grep requested)"; done
r=$(waitcur $N 262144 30); log "current 256MiB: $r"
log "--- bad requests:"
for req in 1000KiB 3GiB 2050MiB -2MiB 1KiB; do out=$(V update-memory-device $N --live --requested-size $req 2>&1); log "  requested $req: rc=$? $out"; done
log "--- grow to full 2048 MiB, then shrink (ZONE_NORMAL, memhp_default_state=online)"
for req in 2048MiB 512MiB 128MiB 0; do
  off=$(sz $L); T0=$(now)
  V update-memory-device $N --live --requested-size $req; rc=$?
  case $req in 2048MiB) k=2097152;; 512MiB) k=524288;; 128MiB) k=131072;; 0) k=0;; esac
  r=$(waitcur $N $k 60); log "requested $req rc=$rc: live <current> reaches $k: $r"
  exp=$((M0 + k)); r=$(waitlog $L $off "memtotal_kb=$exp " 10); log "  guest MemTotal = $exp: $r"
  sleep 1; log "  guest: $(lastHP $L)"; log "  xml: $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
done
cmd $N "dmesg 20"; sleep 2; grep -a HPDMESG $L | grep -iE "virtio_mem" | tail -12
cmd $N zones; sleep 2; grep -a HPZONE $L | tail -12
log "events:"; grep -A2 memory-device $LAB_RUN/events2.log | grep -v "^--" | paste - - - | tail -30
kill $EVP
V destroy $N
