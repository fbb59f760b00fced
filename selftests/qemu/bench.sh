#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boots Debian's stock kernel in QEMU and runs selftests/bench.c;
# prints its table and writes its figures to build/bench.json.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. selftests/qemu/env.sh

kver=$(portres_stock_build build/bench)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'bench' > "$work/run.sh"
echo "booting $kver in QEMU for the benchmarks (a few minutes)"
set +e
selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" -m portres.ko -r "$kver" \
	-s "$work/run.sh" -b build/bench -t 3000 -l "$work/console.log" >/dev/null
rc=$?
set -e
sed -n '/^portres-guest: module loaded/,/^bench-json: begin/p' "$work/console.log" |
	grep -v '^\[ *[0-9.]*\]' | grep -v '^bench-json\|^portres-guest'
sed -n '/^bench-json: begin$/,/^bench-json: end$/p' "$work/console.log" |
	sed '1d;$d' > build/bench.json
grep -h 'figures meet' "$work/console.log" || true
echo "figures written to build/bench.json"
[ $rc -eq 0 ] && [ -s build/bench.json ]
