source /tmp/lab11/common.sh
N=${LAB_PREFIX}vm3
DEV="<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online_movable" "$DEV")
virsh -c "$LAB_URI" event --all --loop --timestamp > $LAB_RUN/events3.log 2>&1 & EVP=$!
boot $N "$X" persistent || { tail -5 /var/log/libvirt/qemu/$N.log; exit 1; }
M0=$(field "$(lastHP $L)" memtotal_kb); log "MemTotal at boot $M0"
log "inactive device: $(V dumpxml --inactive $N | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | tr -s ' ' | tr '\n' ' ')"
ADDR=$(vmemxml $N | grep "<address")
A=$LAB_RUN/upd
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>256</requested></target>$ADDR</memory>" > $A.a
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>384</requested></target><alias name='virtiomem0'/>$ADDR</memory>" > $A.b
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>4096</block><requested unit='MiB'>384</requested></target>$ADDR</memory>" > $A.c
echo "<memory model='virtio-mem'><target><size unit='MiB'>2048</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>384</requested></target>$ADDR</memory>" > $A.d
for i in a b c d; do log "variant $i (live): $(cat $A.$i)"; T0=$(now); out=$(V update-device $N $A.$i --live 2>&1); log "  rc=$? $(el $T0 $(now)) s: $out"; sleep 3; log "  live: $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"; done
log "--- config only (requested 512MiB) with the address of the inactive def"
IADDR=$(V dumpxml --inactive $N | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | grep "<address")
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>512</requested></target>$IADDR</memory>" > $A.e
out=$(V update-device $N $A.e --config 2>&1); log "  update-device --config rc=$? $out"
log "  inactive: $(V dumpxml --inactive $N | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
log "  live:     $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
echo "<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='MiB'>512</requested></target></memory>" > $A.f
out=$(V update-device $N $A.f --config 2>&1); log "  update-device --config without address rc=$? $out"
out=$(V update-device $N $A.f --live --config 2>&1); log "  update-device --live --config without address rc=$? $out"
T0=$(now); out=$(V update-memory-device $N --live --config --requested-size 640MiB 2>&1); log "  update-memory-device --live --config 640MiB rc=$? $out"
r=$(waitcur $N 655360 30); log "  live current 640MiB: $r"
log "  inactive: $(V dumpxml --inactive $N | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
log "  dominfo: $(V dominfo $N | grep -i memory | tr -s ' ' | tr '\n' ';') dommemstat: $(V dommemstat $N | tr '\n' ' ')"
log "  inactive <memory>: $(V dumpxml --inactive $N | grep -E '<memory unit|<currentMemory')"
V update-memory-device $N --config --requested-size 256MiB; log "  config now 256MiB, live stays 640MiB: $(cur $N)"
log "--- cold boot: guest poweroff + start"
cmd $N poweroff; T0=$(now); for i in $(seq 1 300); do [ "$(V domstate $N)" = "shut off" ] && break; sleep 0.2; done; log "  shut off after $(el $T0 $(now)) s"
log "  shut-off xml: $(V dumpxml $N | sed -n "/<memory model='virtio-mem'/,/<\/memory>/p" | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
out=$(V update-memory-device $N --live --requested-size 128MiB 2>&1); log "  --live on shut-off: rc=$? $out"
off=$(sz $L); T0=$(now); V start $N >/dev/null
r=$(waitlog $L $off '^HP ' 150); log "  restarted: $r s"; sleep 2
log "  guest: $(lastHP $L) (expect memtotal $((M0+262144)))"
log "  live after boot: $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
V destroy $N; V undefine $N
log "--- no driver in the guest (hp.vmem not set)"
N=${LAB_PREFIX}vm4
X=$(mkxml $N "$LAB_INITRD_NONE" "memhp_default_state=online_movable" "$DEV")
boot $N "$X" || exit 1
T0=$(now); V update-memory-device $N --live --requested-size 256MiB; log "  update rc=$? after $(el $T0 $(now)) s"
r=$(waitcur $N 262144 20); log "  current reaches 256MiB? $r"
log "  xml: $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
log "  guest: $(lastHP $L)"
grep -A2 "$N" $LAB_RUN/events3.log | grep -A2 memory-device | tail -6
V destroy $N
log "events vm3:"; grep -A2 memory-device $LAB_RUN/events3.log | grep -v "^--" | paste - - - | tail -30
kill $EVP
