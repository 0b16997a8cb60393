source /tmp/lab11/common.sh
DEV="<memory model='virtio-mem'><target><size unit='MiB'>1024</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target></memory>"
N=${LAB_PREFIX}nomax; X=$(mkxml $N "$LAB_INITRD_NONE" "" "$DEV"); sed -i '/maxMemory/d' $X
out=$(V define $X 2>&1); log "no maxMemory: rc=$? $out"; V undefine $N >/dev/null 2>&1
N=${LAB_PREFIX}small; X=$(mkxml $N "$LAB_INITRD_NONE" "" "$DEV"); sed -i "s|<maxMemory slots='16' unit='KiB'>4194304</maxMemory>|<maxMemory slots='16' unit='KiB'>1048576</maxMemory>|" $X
out=$(V define $X 2>&1); log "maxMemory 1 GiB < 512 MiB + 1 GiB: rc=$? $out"; V undefine $N >/dev/null 2>&1
N=${LAB_PREFIX}slots0; X=$(mkxml $N "$LAB_INITRD_NONE" "" "$DEV"); sed -i "s|slots='16'|slots='0'|" $X
out=$(V define $X 2>&1); log "slots 0: rc=$? $out"; V undefine $N >/dev/null 2>&1
N=${LAB_PREFIX}nonuma; X=$(mkxml $N "$LAB_INITRD_NONE" "" "$DEV" 524288 " "); out=$(V define $X 2>&1); log "no NUMA cell: rc=$? $out"; V undefine $N >/dev/null 2>&1
N=${LAB_PREFIX}node1; X=$(mkxml $N "$LAB_INITRD_NONE" "" "${DEV/<node>0</<node>1<}"); out=$(V define $X 2>&1); log "node 1 of 1 cell: rc=$? $out"; V undefine $N >/dev/null 2>&1
N=${LAB_PREFIX}q35; X=$(mkxml $N "$LAB_INITRD_NONE" "hp.vmem=1 memhp_default_state=online_movable" "$DEV"); sed -i "s/machine='pc'/machine='q35'/" $X
boot $N "$X" || { log "q35 failed"; }
out=$(V update-memory-device $N --live --requested-size 256MiB 2>&1); r=$(waitcur $N 262144 30); log "q35 grow 256: $out $r"; V destroy $N
N=${LAB_PREFIX}blk; X=$(mkxml $N "$LAB_INITRD_NONE" "" "${DEV/<block unit=\'KiB\'>2048/<block unit=\'KiB\'>1024}"); out=$(V create $X 2>&1); log "block 1 MiB: rc=$? $out"; V destroy $N >/dev/null 2>&1
N=${LAB_PREFIX}persist; X=$(mkxml $N "$LAB_INITRD_NONE" "" "$DEV"); V define $X >/dev/null
out=$(V update-memory-device $N --config --requested-size 128MiB 2>&1); log "shut-off persistent --config: rc=$? $out; $(V dumpxml --inactive $N | grep '<requested')"
out=$(V update-memory-device $N --requested-size 64MiB 2>&1); log "shut-off --current: rc=$? $out; $(V dumpxml --inactive $N | grep '<requested')"
V undefine $N
