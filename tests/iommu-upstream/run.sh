#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's own iommufd selftests (built by the Makefile here into
# tests/build/) in L1 and prints one TAP stream for both programs.
#
#   tests/iommu-upstream/run.sh [BUILD_DIR]
#
# The tests of linux-source 6.12's tools/testing/selftests/iommu that are
# newer than the 6.12 kernel fail on it for a known reason. Exactly those
# names, listed below with the reason, are reported as
#   ok N NAME # SKIP known: REASON
# when they fail. Any other failure stays "not ok", and a known failure
# that passes is reported "ok" with a note to drop it from the list.
# Exits 0 if and only if there was no other failure.
#
# Needs root, CONFIG_IOMMUFD_TEST, debugfs mounted (fault injection for
# iommufd_fail_nth; the lab mounts it), 2 MiB hugetlb pages (reserved here
# for the run), and no other IOMMU driver registered: on 6.12 the mock
# IOMMU of CONFIG_IOMMUFD_TEST and the Intel IOMMU both register without a
# fwnode, and __iommu_probe_device() then probes the mock devices with the
# first one registered (Intel's), which refuses them, so every mock-domain
# test fails with EINVAL. Boot L1 with intel_iommu=off for this run:
#   scripts/lab run --append intel_iommu=off -- tests/iommu-upstream/run.sh
set -uo pipefail
HUGEPAGES=160	# the largest test maps 128 MiB of hugetlb memory

BUILD=${1:-"$(cd "$(dirname "$0")/../build" && pwd)"}
PROGS=(iommufd iommufd_fail_nth)

# NAME|REASON
HWINFO="asks for IOMMU_HW_INFO_TYPE_SELFTEST with IOMMU_HW_INFO_FLAG_INPUT_TYPE (newer uapi); 6.12 rejects any flags with EOPNOTSUPP"
KNOWN=(
	"iommufd_ioas.mock_domain.get_hw_info|$HWINFO"
	"iommufd_ioas.two_mock_domain.get_hw_info|$HWINFO"
	"iommufd_ioas.mock_domain_limit.get_hw_info|$HWINFO"
)

others=
for d in /sys/class/iommu/*; do
	[ -e "$d" ] || continue
	case "${d##*/}" in iommufd_selftest*) ;; *) others+="${d##*/} " ;; esac
done
if [ -n "$others" ]; then
	echo "TAP version 13"
	echo "Bail out! an IOMMU driver is registered (${others% }): the mock IOMMU selftests cannot run next to it on 6.12; boot with intel_iommu=off"
	exit 1
fi
if ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
old_hp=$(cat /proc/sys/vm/nr_hugepages)
echo $HUGEPAGES > /proc/sys/vm/nr_hugepages

known_file=$(mktemp)
out=$(mktemp)
trap 'rm -f "$known_file" "$out"; echo "$old_hp" > /proc/sys/vm/nr_hugepages' EXIT
printf '%s\n' "${KNOWN[@]}" > "$known_file"

echo "TAP version 13"
n=0 bad=0 results=""
for prog in "${PROGS[@]}"; do
	start=$(date +%s.%N)
	"$BUILD/$prog" > "$out" 2>&1
	rc=$?
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	# Renumber into one stream; rewrite known failures; keep diagnostics.
	results+=$(awk -v known="$known_file" -v base=$n -v prog="$prog" \
		-v rc=$rc -v secs="$secs" '
		BEGIN {
			while ((getline line < known) > 0) {
				i = index(line, "|")
				reason[substr(line, 1, i - 1)] = substr(line, i + 1)
			}
		}
		/^(TAP version|1\.\.)/ { next }
		/^# (Totals|PASSED|FAILED):/ { print "# " prog ": " substr($0, 3); next }
		/^(not )?ok [0-9]+ / {
			nok = ($1 == "not")
			num = nok ? $3 : $2
			line = $0
			sub(/^(not )?ok [0-9]+ /, "", line)
			name = line
			sub(/ #.*$/, "", name)
			base_n++
			if (nok && (name in reason)) {
				printf "ok %d %s # SKIP known: %s\n", base + base_n, name, reason[name]
				known_fail++
			} else if (nok) {
				printf "not ok %d %s\n", base + base_n, line
				fail++
			} else {
				if (name in reason && line !~ /# *SKIP/)
					printf "# %s passes: drop it from the known failures\n", name
				printf "ok %d %s\n", base + base_n, line
			}
			next
		}
		{ print }
		END {
			if (rc != 0 && fail == 0 && known_fail == 0) {
				base_n++
				printf "not ok %d %s exited %d without a failing test\n", base + base_n, prog, rc
				fail++
			}
			printf "# %s: %d results, %d known failures, %d other failures, exit %d, %.1f s\n", prog, base_n, known_fail, fail, rc, secs
			printf "@@count %d %d\n", base_n, fail
		}' < "$out")
	results+=$'\n'
	count=$(printf '%s' "$results" | sed -n 's/^@@count \([0-9]*\) \([0-9]*\)$/\1 \2/p' | tail -1)
	n=$((n + ${count% *}))
	bad=$((bad + ${count#* }))
	results=$(printf '%s' "$results" | grep -v '^@@count ')
	results+=$'\n'
done
echo "1..$n"
printf '%s' "$results"
[ $bad = 0 ]
