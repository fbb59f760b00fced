#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test, on every kernel portres is tested on.  Installs
# what it needs (as root on Debian), then:
#  - on the host (selftests/host_checks.sh): the library, the Windows
#    headers, make install and uninstall, the Debian packages and lintian,
#    checkpatch, and DKMS building the module for every kernel with headers;
#  - in QEMU (selftests/guest_runs.sh), for each installed Debian kernel
#    with headers (Debian 12's 6.1 and Debian's 6.12): the module DKMS
#    built, without warnings, checked from its disassembly to make no
#    indirect call (IBT), loaded in QEMU to run the demo, the selftests,
#    the Windows examples, a reboot and the stress test with module
#    reloads; then DKMS removes it, leaving nothing;
#  - the debug kernel (KASAN, lockdep, kmemleak, KUnit, IBT) built from the
#    newest Debian kernel source: KUnit, the selftests and the stress test.
# A guest's kernel log must hold no warning, bug, oops or other splat.
# What a guest reports is TAP (KUnit's KTAP), counted by selftests/results.py.
# With PORTRES_KVER (make check KVER=...) only that kernel runs: a stock
# release, or "debug".  Prints one line per check, a summary per kernel,
# and ends with "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. selftests/qemu/env.sh

passed=0 failed=0 part=host parts=(host)
declare -A part_passed=([host]=0) part_failed=([host]=0)
begin_part() {	# begin_part NAME: the checks that follow count for NAME
	part=$1 parts+=("$1")
	part_passed[$part]=0 part_failed[$part]=0
	echo "=== $part"
}
count() {	# count PASSED FAILED
	passed=$((passed + $1)) failed=$((failed + $2))
	part_passed[$part]=$((part_passed[$part] + $1))
	part_failed[$part]=$((part_failed[$part] + $2))
}
result() {	# result ok|fail NAME [DETAIL]
	if [ "$1" = ok ]; then
		count 1 0; echo "PASS: $2"
	else
		count 0 1; echo "FAIL: $2${3:+ ($3)}"
	fi
}
logged_check() {	# logged_check LOG DESCRIPTION COMMAND...: COMMAND as a check;
	# its output ($work/LOG.log) is shown only when it fails
	local log=$work/$1.log desc=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		result ok "$desc"
	else
		cat "$log"
		result fail "$desc"
	fi
}
finish() {
	local p
	echo "=== summary"
	for p in "${parts[@]}"; do
		echo "$p: ${part_passed[$p]} passed, ${part_failed[$p]} failed"
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

want_debug=yes want_stock=yes
case ${PORTRES_KVER:-} in
"") ;;
debug) want_stock= ;;
*) want_debug= ;;
esac

portres_deps || { result fail "install dependencies"; finish; }
if [ -n "$want_stock" ]; then
	kvers=$(portres_stock_kvers) || { result fail "find the stock kernels"; finish; }
else
	kvers=
fi
src=$(portres_kernel_source) || { result fail "unpack the kernel source"; finish; }
echo "stock kernels: ${kvers//$'\n'/ }; kselftest harness and checkpatch from $src"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. selftests/host_checks.sh
. selftests/guest_runs.sh

for kver in $kvers; do
	stock_kernel "$kver"
done
if [ -n "$want_stock" ]; then
	part=host
	dkms_uninstall_check
fi
[ -n "$want_debug" ] && debug_kernel
finish
