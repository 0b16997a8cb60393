# events1: DIMM detach when the guest answers after libvirt's own wait (domain paused during the
# call): does detach-device return success, when do DEVICE_REMOVED / DEVICE_REMOVAL_FAILED come,
# and what happens to the persistent definition with --live --config?
source "$(dirname "$0")/common.sh"
DIMM="<memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target></memory>"
echo "$DIMM" > $LAB_RUN/dimm.xml
for R in STANDARD MOVABLE; do
  N=${LAB_PREFIX}ev$R
  eval I=\$LAB_INITRD_$R
  X=$(mkxml $N "$I" "" "")
  boot $N "$X" persistent || exit 1
  V event --domain $N --all --loop --timestamp > $LAB_RUN/$N.events 2>&1 &
  EP=$!
  sleep 1
  V attach-device $N $LAB_RUN/dimm.xml --live --config; sleep 3; log "$R attached: $(lastHP $L)"
  V suspend $N >/dev/null; log "$R suspended: $(V domstate $N)"
  T0=$(now); out=$(V detach-device $N $LAB_RUN/dimm.xml --live --config 2>&1); rc=$?
  log "$R detach --live --config while paused: rc=$rc took $(el $T0 $(now)) s: $out"
  log "  live dimms: $(V dumpxml $N | grep -c "model='dimm'")  config dimms: $(V dumpxml --inactive $N | grep -c "model='dimm'")"
  sleep 1; V resume $N >/dev/null; T1=$(now); log "$R resumed"
  sleep 8
  log "  after resume+8s: live dimms: $(V dumpxml $N | grep -c "model='dimm'")  config dimms: $(V dumpxml --inactive $N | grep -c "model='dimm'") $(lastHP $L)"
  kill $EP; cat $LAB_RUN/$N.events
  V destroy $N >/dev/null; V undefine $N >/dev/null
done
