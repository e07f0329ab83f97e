#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV and module life cycle under load (run inside L1, as root):
#
#   1. an AF_ALG load on the acc algorithms runs in the background
#      (tests/build/afalg_load, every result checked against OpenSSL);
#   2. sriov_numvfs goes 0 -> 4 -> 0 -> 4 under it;
#   3. rmmod acc_qm while the load holds transforms: refused as in use
#      (EAGAIN/EBUSY), or it unloads; then the load stops, rmmod must
#      succeed, and insmod brings the driver back with 4 VFs;
#   4. the load must have seen no wrong result (errors of a vanishing VF,
#      ENODEV/EIO/..., are allowed), and a fresh load after the reload
#      must see no error at all;
#   5. kmemleak (if present; the lab's --kmemleak) reports no leak that
#      points at acc code.
#
# TAP output. The repository root is found from this script's location.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
QM_KO=$ROOT/drivers/crypto/acc/acc_qm.ko
VFIO_KO=$ROOT/drivers/vfio/pci/acc/acc_vfio_pci.ko
LOAD=$ROOT/tests/build/afalg_load
NVFS=${ACC_CYCLE_VFS:-4}
TMP=$(mktemp -d /tmp/acc-cycle.XXXXXX)
KMEMLEAK=/sys/kernel/debug/kmemleak
PLAN=14

# shellcheck source-path=SCRIPTDIR source=../lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

load_pid=
cleanup() {
	if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then
		kill "$load_pid" 2>/dev/null
		wait "$load_pid" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

find_pf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1af4 ] &&
			[ "$(cat "$d/device" 2>/dev/null)" = 0x10f0 ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

count_vfs() {
	local d c=0
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1af4 ] &&
			[ "$(cat "$d/device" 2>/dev/null)" = 0x10f1 ] && c=$((c + 1))
	done
	echo $c
}

# Write N to sriov_numvfs, then expect N VFs, each bound to acc_vf.
set_vfs() {
	local want=$1 t bound d
	echo "$want" > "/sys/bus/pci/devices/$PF/sriov_numvfs" || return 1
	for t in $(seq 50); do
		bound=0
		for d in /sys/bus/pci/devices/$PF/virtfn*; do
			[ -e "$d" ] || continue
			[ "$(basename "$(readlink "$d/driver" 2>/dev/null)")" = acc_vf ] &&
				bound=$((bound + 1))
		done
		[ "$(count_vfs)" = "$want" ] && [ "$bound" = "$want" ] && return 0
		sleep 0.2
	done
	echo "numvfs $want: $(count_vfs) VFs, $bound bound to acc_vf" | diag
	return 1
}

mod_loaded() { [ -d "/sys/module/$1" ]; }

# delete_module(2) with O_NONBLOCK; prints the errno name on failure.
delmod() {
	/usr/bin/python3 - "$1" <<'EOF'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(176, sys.argv[1].encode(), os.O_NONBLOCK)
if r:
    print(errno.errorcode.get(ctypes.get_errno(), "?"))
    sys.exit(1)
EOF
}

# Leak reports that point at acc code: symbols of our modules, or frames
# in module space with no symbol (a module unloaded since: only acc
# modules are unloaded here).
kmemleak_acc() {
	awk '
		/^unreferenced object/ { if (blk != "" && hit) print blk; blk = $0; hit = 0; next }
		{ blk = blk "\n" $0 }
		/acc_|\[acc_qm\]|\[acc_vfio_pci\]|0xffffffffc[0-9a-f]+$|\[<ffffffffc[0-9a-f]+>\] 0x/ { hit = 1 }
		END { if (blk != "" && hit) print blk }
	' "$KMEMLEAK"
}

echo "TAP version 13"
echo "1..$PLAN"

PF=$(find_pf) || { echo "Bail out! no acc PF"; exit 1; }
[ -x "$LOAD" ] || { echo "Bail out! $LOAD not built (make -C tests)"; exit 1; }
[ -f "$QM_KO" ] || { echo "Bail out! $QM_KO not built"; exit 1; }
echo "# PF $PF, repository $ROOT"

have_kmemleak=0
if [ ! -e "$KMEMLEAK" ] && [ -d /sys/kernel/debug ] && ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
fi
if [ -w "$KMEMLEAK" ] && echo clear > "$KMEMLEAK" 2>/dev/null; then
	have_kmemleak=1
fi

# 1: the load, with 4 VFs to start from
[ "$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = "$NVFS" ] ||
	{ echo 0 > "/sys/bus/pci/devices/$PF/sriov_numvfs"; set_vfs "$NVFS"; }
"$LOAD" -t 3 -f "$TMP/stop" -z 32768 > "$TMP/load.out" 2>&1 &
load_pid=$!
sleep 5
check "load is running" kill -0 "$load_pid"

# 2: VFs away and back under the load
check "sriov_numvfs 0 under load" set_vfs 0
sleep 2
check "sriov_numvfs $NVFS under load" set_vfs "$NVFS"
sleep 3
check "sriov_numvfs 0 again" set_vfs 0
sleep 2
check "sriov_numvfs $NVFS again" set_vfs "$NVFS"
sleep 3

# 3: rmmod while the load holds transforms
had_vfio=0
if mod_loaded acc_vfio_pci; then
	had_vfio=1
	check "rmmod acc_vfio_pci (no vfio user)" rmmod acc_vfio_pci
fi
if err=$(delmod acc_qm); then
	ok "rmmod acc_qm under load: unloaded (nothing held it)"
	unloaded_early=1
else
	unloaded_early=0
	case "$err" in
	EAGAIN|EWOULDBLOCK|EBUSY)
		ok "rmmod acc_qm under load: refused, in use ($err)"
		echo "# refcnt $(cat /sys/module/acc_qm/refcnt 2>/dev/null)" ;;
	*)
		nok "rmmod acc_qm under load: refused with $err" ;;
	esac
fi

# 4: stop the load; it must not have seen a wrong result
touch "$TMP/stop"
for t in $(seq 600); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$load_pid" 2>/dev/null; then
	nok "load stops"
	kill -9 "$load_pid"
	wait "$load_pid" 2>/dev/null
	load_rc=99
else
	wait "$load_pid"
	load_rc=$?
	ok "load stops"
fi
load_pid=
diag < "$TMP/load.out"
if grep -q "WRONG RESULT" "$TMP/load.out" || ! grep -q " 0 wrong" "$TMP/load.out"; then
	nok "load under the cycle: no wrong result"
elif [ "$load_rc" = 0 ]; then
	ok "load under the cycle: no wrong result, only allowed errors"
else
	nok "load under the cycle: exit $load_rc (errors not allowed, or nothing succeeded)"
fi

if [ $have_kmemleak = 1 ]; then
	# leaks of the VF cycles, while acc_qm's symbols are still loaded
	sleep 6
	echo scan > "$KMEMLEAK"
	echo scan > "$KMEMLEAK"
	leaks1=$(kmemleak_acc)
fi

# 5: unload for good, load again, 4 VFs again
if [ $unloaded_early = 0 ]; then
	check "rmmod acc_qm once the load ended" rmmod acc_qm
else
	ok "rmmod acc_qm once the load ended # SKIP already unloaded"
fi
if insmod "$QM_KO"; then
	ok "insmod acc_qm"
else
	nok "insmod acc_qm"
fi
if [ $had_vfio = 1 ]; then
	insmod "$VFIO_KO" || echo "# insmod acc_vfio_pci failed"
fi
check "sriov_numvfs $NVFS after reload" set_vfs "$NVFS"

# 6: a clean load after the reload: no error at all
"$LOAD" -t 2 -s 8 -z 65536 -x > "$TMP/load2.out" 2>&1
rc=$?
diag < "$TMP/load2.out"
if [ $rc = 0 ]; then ok "load after reload: all right, no error"; else nok "load after reload: exit $rc"; fi

# 7: kmemleak
if [ $have_kmemleak = 1 ]; then
	sleep 6
	echo scan > "$KMEMLEAK"
	echo scan > "$KMEMLEAK"
	leaks2=$(kmemleak_acc)
	total=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "# kmemleak: $total unreferenced objects in all since the start"
	if [ -z "$leaks1$leaks2" ]; then
		ok "kmemleak: no leak in acc code"
	else
		nok "kmemleak: no leak in acc code"
		printf '%s\n%s\n' "$leaks1" "$leaks2" | head -80 | diag
	fi
else
	ok "kmemleak: no leak in acc code # SKIP kmemleak not enabled (lab --kmemleak)"
fi

# pad the plan if rmmod acc_vfio_pci was not needed
while [ $n -lt $PLAN ]; do ok "rmmod acc_vfio_pci # SKIP not loaded"; done
exit $failed
