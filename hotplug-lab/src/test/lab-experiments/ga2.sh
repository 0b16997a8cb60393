source /tmp/lab11/common.sh
N=${LAB_PREFIX}g4
X=$(mkxml $N "$LAB_INITRD_NONE_AGENT" "hp.ga=1" "" 524288 "<numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>" "<vcpu placement='static' current='2'>4</vcpu>" 1)
boot $N "$X" persistent || exit 1
for i in $(seq 1 150); do V qemu-agent-command $N '{"execute":"guest-ping"}' >/dev/null 2>&1 && break; sleep 0.2; done
cmd $N agent-freeze; sleep 1
for t in 2 5; do T0=$(now); out=$(V qemu-agent-command $N --timeout $t '{"execute":"guest-ping"}' 2>&1); log "frozen agent, --timeout $t: rc=$? $out took $(el $T0 $(now)) s"; done
T0=$(now); out=$(V qemu-agent-command $N --timeout 2 '{"execute":"guest-get-vcpus"}' 2>&1); log "frozen again: rc=$? $out took $(el $T0 $(now)) s"
log "channel: $(V dumpxml $N | grep "guest_agent.0' state")"
cmd $N agent-thaw; sleep 1
T0=$(now); out=$(V qemu-agent-command $N --timeout 5 '{"execute":"guest-ping"}' 2>&1); log "thawed: rc=$? $out took $(el $T0 $(now)) s"
T0=$(now); out=$(V qemu-agent-command $N --timeout 5 '{"execute":"guest-ping"}' 2>&1); log "thawed 2: rc=$? $out took $(el $T0 $(now)) s"
log "--- shutdown ignored: agent frozen + acpid stopped"
cmd $N agent-freeze; cmd $N acpi-ignore; sleep 1
T0=$(now); out=$(V shutdown $N 2>&1); log "virsh shutdown rc=$? $out took $(el $T0 $(now)) s"
sleep 10; log "state after 10 s: $(V domstate $N)"
T0=$(now); out=$(V shutdown --mode acpi $N 2>&1); log "virsh shutdown --mode acpi rc=$? $out took $(el $T0 $(now)) s"; sleep 5; log "state: $(V domstate $N)"
T0=$(now); V destroy $N; log "destroy took $(el $T0 $(now)) s, state $(V domstate $N)"; V undefine $N
log "--- virtio-mem with udev rules STANDARD (no memhp_default_state)"
DEV="<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
for v in STANDARD MOVABLE; do
  N=${LAB_PREFIX}v$v; eval I=\$LAB_INITRD_$v
  N=$(echo $N | tr A-Z a-z)
  X=$(mkxml $N "$I" "hp.vmem=1" "$DEV")
  boot $N "$X" || exit 1
  M0=$(field "$(lastHP $L)" memtotal_kb)
  for req in 512MiB 0; do
    case $req in 512MiB) k=524288;; 0) k=0;; esac
    off=$(sz $L); T0=$(now); V update-memory-device $N --live --requested-size $req
    r=$(waitcur $N $k 40); log "$v requested $req: current $k after $r"
    sleep 1; log "  $(lastHP $L)"
    [ $req = 512MiB ] && { cmd $N zones; sleep 2; grep -a HPZONE $L | tail -4; }
  done
  V destroy $N
done
log "--- two NUMA cells, one virtio-mem device each (online_movable)"
N=${LAB_PREFIX}numa2
DEV2="<memory model='virtio-mem'><target><size unit='MiB'>512</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory><memory model='virtio-mem'><target><size unit='MiB'>512</size><node>1</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online_movable" "$DEV2" 524288 "<numa><cell id='0' cpus='0-1' memory='262144' unit='KiB'/><cell id='1' cpus='2-3' memory='262144' unit='KiB'/></numa>")
boot $N "$X" || { tail -3 /var/log/libvirt/qemu/$N.log; exit 1; }
V dumpxml $N | grep -E "alias name='virtiomem|<node>"
out=$(V update-memory-device $N --live --requested-size 256MiB 2>&1); log "without --node/--alias: rc=$? $out"
T0=$(now); V update-memory-device $N --live --node 1 --requested-size 256MiB; sleep 4
log "node1 +256: $(lastHP $L)"; log "  currents: $(V dumpxml $N | grep '<current' | tr -s ' ' | tr '\n' ' ')"
V update-memory-device $N --live --alias virtiomem0 --requested-size 128MiB; sleep 4
log "node0 +128: $(lastHP $L)"
V destroy $N
