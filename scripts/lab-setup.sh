#!/bin/sh
# Runs inside L1 (chrooted to the L0 root) before the command: loads the
# acc modules and enables VFs. Parameters come from the runner's env file.
# shellcheck shell=sh
. /run/lab/env

for m in $LAB_MODULES; do
	insmod "$ACC_ROOT/$m" $LAB_MODPARAMS || { echo "lab: insmod $m failed" >&2; exit 1; }
done

if [ "$LAB_VFS" -gt 0 ]; then
	pf=
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x10f0 ]; then
			pf=$d
			break
		fi
	done
	[ -n "$pf" ] || { echo "lab: no acc PF found" >&2; exit 1; }
	echo "$LAB_VFS" > "$pf/sriov_numvfs" ||
		{ echo "lab: enabling $LAB_VFS VFs failed" >&2; exit 1; }
fi
exit 0
