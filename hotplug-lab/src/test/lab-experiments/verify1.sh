source /tmp/lab11/common.sh
N=${LAB_PREFIX}x1
DEV="<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online_movable" "$DEV" 524288 "<topology sockets='2' dies='1' cores='2' threads='1'/><numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>")
boot $N "$X" persistent || exit 1
cmd $N topology; sleep 2; grep -a HPTOPO $L
vmemxml $N | grep -v "<current" > $LAB_RUN/full.xml; sed -i "s|<requested unit='KiB'>0</requested>|<requested unit='KiB'>262144</requested>|" $LAB_RUN/full.xml
out=$(V update-device $N $LAB_RUN/full.xml --live --config 2>&1); log "update-device --live --config with alias+address: rc=$? $out"
out=$(V update-device $N $LAB_RUN/full.xml --live 2>&1); log "update-device --live (same xml): rc=$? $out"
r=$(waitcur $N 262144 20); log "  live current 256MiB: $r"
log "  inactive requested: $(V dumpxml --inactive $N | grep '<requested')"
out=$(V update-device $N $LAB_RUN/full.xml --config 2>&1); log "update-device --config (same xml, alias+live address): rc=$? $out"
log "  inactive requested: $(V dumpxml --inactive $N | grep '<requested')"
cmd $N acpi-ignore; sleep 1
T0=$(now); out=$(V shutdown $N 2>&1); log "virsh shutdown (acpid stopped, no agent): rc=$? took $(el $T0 $(now)) s"
sleep 15; log "  state 15 s later: $(V domstate $N)"
T0=$(now); cmd $N poweroff; for i in $(seq 1 100); do [ "$(V domstate $N)" = "shut off" ] && break; sleep 0.2; done; log "  guest poweroff -> $(V domstate $N) after $(el $T0 $(now)) s"
off=$(sz $L); T0=$(now); V start $N >/dev/null; r=$(waitlog $L $off '^HP ' 150); log "restart: $r s: $(lastHP $L)"
log "  live after boot: $(vmemxml $N | grep -E 'requested|current' | tr -s ' ' | tr '\n' ' ')"
grep -a HPINFO $L | tail -1
V destroy $N; V undefine $N
