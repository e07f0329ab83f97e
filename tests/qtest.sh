#!/bin/bash
# Host-side tier: QEMU's qtests of the acc model and of the VT-d model with
# our second-stage Access/Dirty patch, run against the lab's QEMU build.
# Prints the TAP (GLib --tap) of each program; exits non-zero if one failed.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
qemu=$("$ROOT/scripts/build-qemu" | tail -1)
build=$(dirname "$qemu")
export QTEST_QEMU_BINARY="$qemu -L /usr/share/seabios -L /usr/share/qemu -nodefaults"
rc=0
for t in acc-test intel-iommu-test; do
	(cd "$build" && "tests/qtest/$t" --tap -k)
	r=$?
	[ $r = 0 ] || rc=1
done
exit $rc
