#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boots each installed Debian kernel that has headers (or KVER)
# in QEMU and runs selftests/bench.c; prints its table, writes its figures
# to build/bench-KVER.json and, when every kernel's run went through, the
# table of Documentation/benchmarks.md (bench-doc.py).
#
# The guests run on one vCPU under QEMU's instruction counting
# (run-guest.sh -I), so every figure is a ratio of instruction counts;
# BENCH_WALL=1 runs them under plain emulation and times wall-clock
# instead (figures then move 10-20% from boot to boot).  BENCH_ROUNDS
# sets the rounds (default 5).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. selftests/qemu/env.sh

portres_guest_build build/bench
kvers=$(portres_stock_kvers)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${BENCH_WALL:-}" ]; then
	mode=() flags=-w
else
	mode=(-I) flags=
fi
echo "bench $flags -r ${BENCH_ROUNDS:-5}" > "$work/run.sh"
rc=0
runs=()
for kver in $kvers; do
	echo "building portres for $kver"
	portres_module_build "$kver" >/dev/null
	echo "booting $kver in QEMU for the benchmarks (a few minutes)"
	set +e
	selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" \
		-m "build/portres-$kver.ko" -r "$kver" -s "$work/run.sh" \
		-b build/bench -t 3000 -l "$work/console.log" "${mode[@]}" >/dev/null
	krc=$?
	set -e
	# A guest that stopped early: what its console said last.
	if [ $krc -ne 0 ]; then
		echo "the guest failed ($krc); the end of its console:"
		tail -n 80 "$work/console.log"
	fi
	sed -n '/^portres-guest: module loaded/,/^bench-json: begin/p' "$work/console.log" |
		grep -v '^\[ *[0-9.]*\]' | grep -v '^bench-json\|^portres-guest'
	sed -n '/^bench-json: begin$/,/^bench-json: end$/p' "$work/console.log" |
		sed '1d;$d' > "build/bench-$kver.json"
	grep -h 'figures meet' "$work/console.log" || true
	echo "figures written to build/bench-$kver.json"
	[ $krc -eq 0 ] && [ -s "build/bench-$kver.json" ] || rc=1
	runs+=("$kver=build/bench-$kver.json")
done
[ $rc -eq 0 ] && python3 selftests/qemu/bench-doc.py Documentation/benchmarks.md "${runs[@]}"
exit $rc
