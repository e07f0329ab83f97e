#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's crypto self-tests (testmgr, with CONFIG_CRYPTO_MANAGER_EXTRA_TESTS
# in the lab kernel) run when an algorithm registers. For each acc driver,
# /proc/crypto must list it with "selftest : passed", and the kernel log
# must hold no self-test failure for it. TAP output.
#
#   tests/crypto/testmgr.sh [SECONDS]   wait up to SECONDS (default 120)
#                                       for the tests to finish
set -u

DRIVERS="cbc-aes-acc ctr-aes-acc sha256-acc hmac-sha256-acc"
WAIT=${1:-120}

# Print "selftest module type" of the /proc/crypto entry of driver $1.
entry() {
	awk -v want="$1" '
		/^$/ { if (drv == want) { print st, mod, type; found = 1; exit }
		       drv = st = mod = type = "" ; next }
		{ key = $1; sub(/^[^:]*: /, ""); val = $0 }
		key == "driver" { drv = val }
		key == "selftest" { st = val }
		key == "module" { mod = val }
		key == "type" { type = val }
		END { if (!found && drv == want) print st, mod, type }
	' /proc/crypto
}

n=0
fail=0
echo "TAP version 13"
echo "1..$(( $(echo $DRIVERS | wc -w) * 2 ))"

for d in $DRIVERS; do
	deadline=$(( $(date +%s) + WAIT ))
	while :; do
		e=$(entry "$d")
		set -- $e
		st=${1:-} mod=${2:-} type=${3:-}
		[ "$st" = passed ] && break
		[ "$(date +%s)" -ge "$deadline" ] && break
		sleep 1
	done
	n=$((n + 1))
	if [ -z "$e" ]; then
		echo "not ok $n $d: selftest passed # not registered (no /proc/crypto entry)"
		fail=1
	elif [ "$st" = passed ]; then
		echo "ok $n $d: selftest passed ($type, module $mod)"
	else
		echo "not ok $n $d: selftest passed # selftest: $st"
		fail=1
	fi

	n=$((n + 1))
	msgs=$(dmesg 2>/dev/null | grep -E "alg: .*\b$d\b|\b$d\b.*(test failed|self-test)" | head -5)
	if [ -z "$msgs" ]; then
		echo "ok $n $d: no self-test failure in the kernel log"
	else
		echo "not ok $n $d: no self-test failure in the kernel log"
		echo "$msgs" | sed 's/^/# /'
		fail=1
	fi
done

# Context for a reader of the log: everything acc registered.
grep -B1 -A8 '^driver *: .*-acc$' /proc/crypto 2>/dev/null |
	grep -E '^(name|driver|module|priority|selftest)' | sed 's/^/# /'
exit $fail
