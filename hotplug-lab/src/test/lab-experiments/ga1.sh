source /tmp/lab11/common.sh
N=${LAB_PREFIX}g1
X=$(mkxml $N "$LAB_INITRD_NONE_AGENT" "hp.ga=1" "" 524288 "<numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>" "<vcpu placement='static' current='2'>4</vcpu>" 1)
boot $N "$X" persistent || exit 1
grep -a HPINFO $L
log "channel in live xml: $(V dumpxml $N | grep guest_agent)"
T0=$(now); for i in $(seq 1 150); do V qemu-agent-command $N '{"execute":"guest-ping"}' >/dev/null 2>&1 && break; sleep 0.2; done; log "agent answers after $(el $T0 $(now)) s"
log "channel in live xml: $(V dumpxml $N | grep guest_agent)"
echo "<memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target></memory>" > $LAB_RUN/dimm.xml
off=$(sz $L); V setvcpus $N 3 --live; V attach-device $N $LAB_RUN/dimm.xml --live >/dev/null
r=$(waitlog $L $off "cpus_present=0-2 .*blocks_offline=32,33 " 30); log "present+offline: $r"; log "  $(lastHP $L)"
A() { local o; o=$(V qemu-agent-command $N "$1" 2>&1); log "  agent $1 -> rc=$? $o"; }
A '{"execute":"guest-get-vcpus"}'
A '{"execute":"guest-get-memory-blocks"}'
A '{"execute":"guest-get-memory-block-info"}'
A '{"execute":"guest-set-vcpus","arguments":{"vcpus":[{"logical-id":0,"online":false}]}}'
A '{"execute":"guest-set-vcpus","arguments":{"vcpus":[{"logical-id":9,"online":true}]}}'
A '{"execute":"guest-set-vcpus","arguments":{"vcpus":[]}}'
off=$(sz $L); T0=$(now)
A '{"execute":"guest-set-vcpus","arguments":{"vcpus":[{"logical-id":1,"online":true},{"logical-id":2,"online":true}]}}'
r=$(waitlog $L $off "cpus_online=0-2 " 15); log "vCPU 2 online via agent: $r"
A '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":99,"online":true}]}}'
A '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":0,"online":true}]}}'
off=$(sz $L); T0=$(now)
A '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":32,"online":true},{"phys-index":33,"online":true}]}}'
r=$(waitlog $L $off "blocks_offline= " 15); log "blocks online via agent: $r"; log "  $(lastHP $L)"
cmd $N zones; sleep 2; grep -a HPZONE $L | tail -2
A '{"execute":"guest-set-memory-blocks","arguments":{"mem-blks":[{"phys-index":33,"online":false}]}}'
sleep 1; log "  $(lastHP $L)"
log "--- virsh setvcpus 4 --live then setvcpus --guest 4"
off=$(sz $L); V setvcpus $N 4 --live; sleep 2
out=$(V setvcpus $N 4 --guest 2>&1); log "  setvcpus --guest 4: rc=$? $out"
r=$(waitlog $L $off "cpus_online=0-3 " 15); log "  online 0-3: $r"
out=$(V vcpucount $N --guest 2>&1); log "  vcpucount --guest: $out"
log "--- virsh shutdown (agent present)"
T0=$(now); V shutdown $N; for i in $(seq 1 200); do st=$(V domstate $N 2>&1); [ "$st" = running ] || break; sleep 0.2; done
log "  after $(el $T0 $(now)) s: state '$st'"; grep -a "HPCMD poweroff" $L
V undefine $N
N=${LAB_PREFIX}g2
X=$(mkxml $N "$LAB_INITRD_NONE_AGENT" "" "" 524288 "<numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>" "<vcpu placement='static' current='2'>4</vcpu>" 1)
boot $N "$X" || exit 1
grep -a HPINFO $L
log "channel but no agent: $(V dumpxml $N | grep guest_agent)"
T0=$(now); A '{"execute":"guest-ping"}'; log "  took $(el $T0 $(now)) s"
T0=$(now); out=$(V qemu-agent-command $N --timeout 3 '{"execute":"guest-ping"}' 2>&1); log "  --timeout 3: $? $out took $(el $T0 $(now)) s"
T0=$(now); out=$(V setvcpus $N 3 --guest 2>&1); log "  setvcpus --guest: $out took $(el $T0 $(now)) s"
log "--- virsh shutdown (busybox acpid, channel without agent)"
T0=$(now); V shutdown $N; for i in $(seq 1 200); do st=$(V domstate $N 2>&1); [ "$st" = running ] || break; sleep 0.2; done
log "  after $(el $T0 $(now)) s: state '$st'"; grep -a "HPCMD poweroff" $L
N=${LAB_PREFIX}g3
X=$(mkxml $N "$LAB_INITRD_NONE" "" "" 524288)
boot $N "$X" || exit 1
log "no channel:"; T0=$(now); A '{"execute":"guest-ping"}'; log "  took $(el $T0 $(now)) s"
out=$(V shutdown --mode agent $N 2>&1); log "  shutdown --mode agent: $out"
V destroy $N
