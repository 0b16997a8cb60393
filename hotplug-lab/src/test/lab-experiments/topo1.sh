source /tmp/lab11/common.sh
N=${LAB_PREFIX}t0
X=$(mkxml $N "$LAB_INITRD_STANDARD" "" "" 524288 "<topology sockets='1' dies='1' cores='2' threads='1'/><numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>")
out=$(V create $X 2>&1); log "1 socket x 2 cores, max 4: rc=$? $out"
N=${LAB_PREFIX}t1
X=$(mkxml $N "$LAB_INITRD_STANDARD" "" "" 524288 "<topology sockets='2' dies='1' cores='2' threads='1'/><numa><cell id='0' cpus='0-3' memory='524288' unit='KiB'/></numa>")
boot $N "$X" || { tail -5 /var/log/libvirt/qemu/$N.log; exit 1; }
grep -a "acpid=" $L | head -1
log "live <vcpus>:"; V dumpxml $N | sed -n '/<vcpus>/,/<\/vcpus>/p'
log "qemu -smp: $(grep -o '\-smp [^ ]*' /var/log/libvirt/qemu/$N.log | tail -1)"
cmd $N topology; sleep 2; grep -a HPTOPO $L
for n in 3 4; do
  off=$(sz $L); T0=$(now); out=$(V setvcpus $N $n --live 2>&1); log "setvcpus $n rc=$? $out ($(el $T0 $(now)) s)"
  r=$(waitlog $L $off "cpus_online=0-$((n-1)) " 30); log "  guest online 0-$((n-1)): $r"
  off=$(sz $L); cmd $N topology; sleep 2; tail -c +$((off+1)) $L | grep -a HPTOPO
done
log "live <vcpus> after:"; V dumpxml $N | sed -n '/<vcpus>/,/<\/vcpus>/p' | tr -s ' ' | tr '\n' ' '; echo
log "vcpucount: $(V vcpucount $N | tr -s ' ' | tr '\n' ';')"
log "--- ACPI shutdown (virsh shutdown)"
T0=$(now); V shutdown $N; for i in $(seq 1 300); do st=$(V domstate $N 2>&1); case "$st" in running) sleep 0.2;; *) break;; esac; done
log "  after $(el $T0 $(now)) s: state '$st'"; tail -3 $L
V destroy $N 2>/dev/null
N=${LAB_PREFIX}t2
X=$(mkxml $N "$LAB_INITRD_STANDARD" "" "" 524288 "<topology sockets='2' dies='1' cores='2' threads='2'/><numa><cell id='0' cpus='0-7' memory='524288' unit='KiB'/></numa>" "<vcpu placement='static' current='4'>8</vcpu>")
boot $N "$X" || exit 1
log "qemu -smp: $(grep -o '\-smp [^ ]*' /var/log/libvirt/qemu/$N.log | tail -1)"
cmd $N topology; sleep 2; grep -a HPTOPO $L
off=$(sz $L); out=$(V setvcpus $N 5 --live 2>&1); log "setvcpus 5 (one thread of socket 1): rc=$? $out"
r=$(waitlog $L $off "cpus_online=0-4 " 30); log "  guest online 0-4: $r"
out=$(V setvcpu $N 7 --enable --live 2>&1); log "setvcpu 7 --enable (skip 5): rc=$? $out"
sleep 3; log "  guest: $(lastHP $L)"
off=$(sz $L); cmd $N topology; sleep 2; tail -c +$((off+1)) $L | grep -a HPTOPO
out=$(V setvcpus $N 8 --live 2>&1); log "setvcpus 8: rc=$? $out"
r=$(waitlog $L $off "cpus_online=0-7 " 30); log "  guest online 0-7: $r"
log "live <vcpus>:"; V dumpxml $N | sed -n '/<vcpus>/,/<\/vcpus>/p' | tr -s ' ' | tr '\n' ' '; echo
V destroy $N
