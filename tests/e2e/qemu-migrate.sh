#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end, as a user runs it (run inside L1, as root, with two VFs):
#
#   1. both VFs go to acc_vfio_pci through driver_override;
#   2. QEMU in L1 (the lab's build, KVM through the emulated SVM, iommufd)
#      boots an L2 guest with VF 0 (the source); the guest binds acc_qm to
#      it and runs AF_ALG load on the acc algorithms, every result checked
#      against OpenSSL (tests/e2e/l2-init), after testmgr passed them;
#   3. a second QEMU with VF 1 waits with -incoming defer (the
#      destination); while the guest's load runs, QMP migrates it;
#   4. the migration must complete with the VF's state in it, QEMU must
#      have tracked the VF's DMA with IOMMU dirty tracking (its iommufd
#      trace: a HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
#      tracking switched on, bitmaps read), and the guest must go on
#      on the destination: the round the migration cut and a new one
#      finish with every result right.
#
# TAP output. E2E_BOOT_TIMEOUT and E2E_TIMEOUT (seconds) bound the L2 boot
# and each later wait; E2E_STALL_TIMEOUT is how long L2 may print nothing
# before it is booted once more (see start_guests).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. /run/lab/env
PLAN=10
BOOT_TIMEOUT=${E2E_BOOT_TIMEOUT:-600}
TIMEOUT=${E2E_TIMEOUT:-300}
STALL_TIMEOUT=${E2E_STALL_TIMEOUT:-240}
W=$(mktemp -d /tmp/acc-e2e.XXXXXX)

# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
bail() { # the rest of the plan cannot run
	echo "# $*"
	while [ $n -lt $PLAN ]; do nok "not run: $*"; done
	exit 1
}

pids=()
stop_guests() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
}
cleanup() {
	stop_guests
	rm -rf "$W"
}
trap cleanup EXIT

# wait_for FILE REGEX SECONDS: until a line of FILE matches
wait_for() {
	local i
	for ((i = 0; i < $3; i++)); do
		grep -aEq "$2" "$1" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

echo "1..$PLAN"

pf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x10f0 ] &&
		{ pf=$d; break; }
done
if [ -z "$pf" ] || [ ! -e "$pf/virtfn1" ]; then
	bail "no acc PF with two VFs"
fi
vfs=("$(basename "$(readlink "$pf/virtfn0")")" "$(basename "$(readlink "$pf/virtfn1")")")

# 1. The user guide's binding: driver_override, then drivers_probe.
bind() {
	local bdf=$1 dev=/sys/bus/pci/devices/$1
	echo acc_vfio_pci > "$dev/driver_override" || return 1
	[ -e "$dev/driver" ] && { echo "$bdf" > "$dev/driver/unbind" || return 1; }
	echo "$bdf" > /sys/bus/pci/drivers_probe || return 1
	[ "$(basename "$(readlink "$dev/driver")")" = acc_vfio_pci ] &&
		compgen -G "$dev/vfio-dev/vfio[0-9]*" > /dev/null
}
bind_both() { bind "${vfs[0]}" && bind "${vfs[1]}"; }
check "both VFs (${vfs[*]}) bound to acc_vfio_pci through driver_override" \
	bind_both

# The L2 initramfs: busybox, acc_qm, afalg_load and the libraries it needs.
l2root=$W/l2root
mk_initramfs() {
	local qm lib
	mkdir -p "$l2root"/{bin,dev,proc,sys} || return 1
	cp /bin/busybox "$l2root/bin/" &&
		install -m 755 "$ROOT/tests/e2e/l2-init" "$l2root/init" &&
		cp "$ROOT/tests/build/afalg_load" "$l2root/" || return 1
	for qm in $LAB_MODULES; do
		case $qm in */acc_qm.ko) cp "$ACC_ROOT/$qm" "$l2root/" || return 1 ;; esac
	done
	for lib in $(ldd "$l2root/afalg_load" | grep -o '/[^ ]*'); do
		cp --parents -L "$lib" "$l2root" || return 1
	done
	(cd "$l2root" && find . | cpio -o -H newc --quiet) > "$W/l2.cpio" &&
		[ -f "$l2root/acc_qm.ko" ]
}
mk_initramfs || bail "could not build the L2 initramfs"

# 2, 3. The two QEMUs; only the source boots the guest. L2 runs testmgr's
# test vectors but not its extra (fuzz) tests, which l1-crypto runs on the
# VFs: under nested TCG those of cbc-aes-acc took 90 s, past the 60 s that
# crypto_larval_wait() gives a self-test, and the algorithm was left
# untested (AF_ALG then fails with ELIBBAD).
# shellcheck disable=SC2054 # commas inside QEMU options
guest=(-nodefaults -display none -L /usr/share/seabios -L /usr/share/qemu
       -M q35 -accel kvm -cpu host -m 256 -smp 1
       -kernel "$LAB_KERNEL" -initrd "$W/l2.cpio"
       -append "console=ttyS0 quiet loglevel=1 panic=-1 cryptomgr.noextratests=1"
       -object iommufd,id=iommufd0
       -trace 'iommufd_backend_*' -trace 'vfio_migration_set_*')
start_qemu() { # start_qemu NAME VF [ARG...]
	local name=$1 vf=$2
	shift 2
	"$LAB_QEMU" "${guest[@]}" \
		-device "vfio-pci,host=$vf,iommufd=iommufd0" \
		-serial "file:$W/$name.log" \
		-qmp "unix:$W/$name.qmp,server=on,wait=off" "$@" 2> "$W/$name.err" &
	pids+=($!)
}
# TCG's nested SVM sometimes leaves L2 waiting for an interrupt that never
# comes (qemu/patches/0006 fixed the same loss one level up, in L1; this
# one is not found yet). A guest that prints nothing in STALL_TIMEOUT
# seconds is shown (its registers, and its local APIC as L1's KVM holds
# it: whether the timer is armed and a vector waits in the IRR tells a
# lost wake-up from a timer never set) and booted once more; a second
# stall, or any stall later on, fails the test.
start_guests() {
	start_qemu src "${vfs[0]}"
	start_qemu dst "${vfs[1]}" -incoming defer
}
start_guests
t0=$(date +%s)
if ! wait_for "$W/src.log" '^l2: up' "$STALL_TIMEOUT"; then
	echo "# L2 printed nothing in $STALL_TIMEOUT s; its vCPU then:"
	/usr/bin/python3 "$ROOT/tests/e2e/qmp.py" --hmp "$W/src.qmp" \
		'info registers' 2>&1 | head -8 | diag
	/usr/bin/python3 "$ROOT/tests/e2e/qmp.py" --hmp "$W/src.qmp" \
		'info lapic' 2>&1 | diag
	echo "# booting L2 once more"
	stop_guests
	start_guests
	t0=$(date +%s)
fi
wait_for "$W/src.log" '^l2: round 1 rc' "$BOOT_TIMEOUT"
echo "# L2 booted and ran one round in $(($(date +%s) - t0)) s"
if grep -aq '^l2: round 1 rc 0' "$W/src.log" &&
   grep -aq '^l2: acc drivers 4 ' "$W/src.log" &&
   [ "$(grep -ac '^l2: .*-acc selftest passed' "$W/src.log")" = 4 ]; then
	ok "in L2, testmgr passed the 4 acc algorithms on the VF and AF_ALG load on them was right"
	grep -aE '^l2: (up|acc drivers|dmesg)' "$W/src.log" | diag
else
	nok "in L2, testmgr passed the 4 acc algorithms on the VF and AF_ALG load on them was right"
	diag < "$W/src.log"
	diag < "$W/src.err"
	bail "the guest does not run on the source"
fi

# Migrate in the middle of a round, while the guest submits requests.
wait_for "$W/src.log" '^l2: round 2 start' "$TIMEOUT"
sleep 1
if /usr/bin/python3 "$ROOT/tests/e2e/qmp.py" "$W/src.qmp" "$W/dst.qmp" \
		"unix:$W/mig.sock" "$TIMEOUT" > "$W/qmp.json" 2> "$W/qmp.err"; then
	ok "QEMU migrated the guest with its VF"
else
	nok "QEMU migrated the guest with its VF"
	diag < "$W/qmp.err"
fi
/usr/bin/python3 - "$W/qmp.json" <<'EOF' | diag
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    sys.exit(0)
s = r["source"]
ram = s.get("ram", {})
print(f"status {s.get('status')}, total {s.get('total-time')} ms, "
      f"downtime {s.get('downtime')} ms, RAM {ram.get('transferred')} bytes "
      f"in {ram.get('dirty-sync-count')} syncs, "
      f"VFIO {s.get('vfio', {}).get('transferred')} bytes; "
      f"destination {r['destination'].get('status')}")
EOF
vfio_bytes=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"].get("vfio", {}).get("transferred", 0))' "$W/qmp.json" 2>/dev/null)
check "the stream carried the VF's state (${vfio_bytes:-0} bytes)" \
	test "${vfio_bytes:-0}" -gt 0

# 4. QEMU's iommufd trace on the source.
check "QEMU allocated its HWPT with IOMMU_HWPT_ALLOC_DIRTY_TRACKING" \
	grep -Eq 'iommufd_backend_alloc_hwpt .*flags=0x[0-9a-f]*[2367abef] .*\(0\)' "$W/src.err"
check "QEMU switched IOMMU dirty tracking on" \
	grep -Eq 'iommufd_backend_set_dirty .*enable=1 \(0\)' "$W/src.err"
reads=$(grep -c 'iommufd_backend_get_dirty_bitmap .*(0)$' "$W/src.err")
failed_reads=$(grep 'iommufd_backend_get_dirty_bitmap' "$W/src.err" | grep -vc '(0)$')
check "QEMU read $reads dirty bitmaps, $failed_reads failed" \
	test "$reads" -gt 0 -a "$failed_reads" = 0

# The guest goes on on the destination: the round the source did not
# finish ends there, and a round started there ends too, with every result
# right. The guest's console is one stream, the source's log and then the
# destination's; the migration may cut any line of it in two.
src_len=$(stat -c %s "$W/src.log")
rounds() { # OFFSET ROUND RC of each "l2: round ROUND rc RC" line whose end
	   # is past the source's part of the console
	cat "$W/src.log" "$W/dst.log" | grep -abo 'l2: round [0-9]* rc [0-9]*' |
		sed -E 's/^([0-9]+):l2: round ([0-9]+) rc ([0-9]+)$/\1 \2 \3/' |
		awk -v n="$src_len" '$1 + length("l2: round " $2 " rc " $3) > n'
}
# The first two rounds that end past the source's part: the one the
# migration cut, and one run whole on the destination.
for ((i = 0; i < TIMEOUT; i++)); do
	[ "$(rounds | wc -l)" -ge 2 ] && break
	sleep 1
done
read -r _ last last_rc < <(rounds)
read -r _ next next_rc < <(rounds | sed -n 2p)
echo "# destination console:"
diag < "$W/dst.log"
if grep -aq "l2: round ${last:-none} s" "$W/src.log"; then
	where="cut by the migration"
else
	where="started on the destination"
fi
check "round ${last:-none}, $where, ended right on the destination" \
	test "${last_rc:-none}" = 0
check "round ${next:-none} ran on the destination, every result right" \
	test "${next_rc:-none}" = 0 -a "${next:-none}" = "$((${last:-0} + 1))"

# The variant driver's own account (debugfs), and no failed arc.
dbg=/sys/kernel/debug/acc_vfio
saved=$(cat "$dbg/${vfs[0]}/bytes_saved" 2>/dev/null)
loaded=$(cat "$dbg/${vfs[1]}/bytes_loaded" 2>/dev/null)
errs="$(cat "$dbg/${vfs[0]}/last_error" "$dbg/${vfs[1]}/last_error" 2>/dev/null | tr '\n' ' ')"
inflight=$(sed -n 's/^last_save_inflight: //p' "$dbg/${vfs[0]}/state" 2>/dev/null)
echo "# the source VF held ${inflight:-?} submitted requests it had not consumed when saved"
for v in "${vfs[@]}"; do
	echo "acc_vfio_pci arcs of $v (end time in ns, arc, duration, errno):"
	cat "$dbg/$v/steps" 2>/dev/null
done | diag
check "acc_vfio_pci saved $saved bytes, loaded $loaded, last errors: $errs" \
	test -n "$saved" -a "$saved" = "$loaded" -a "$errs" = "0 0 "
grep -E 'vfio_migration_set_device_state' "$W/src.err" "$W/dst.err" | diag
exit $failed
