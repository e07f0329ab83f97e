# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP for the shell tests: source it, print "1..PLAN", then ok/nok/check
# each point and exit with $failed. diag turns a stream into comment lines.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
diag() { sed 's/^/# /'; }
