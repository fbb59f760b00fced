#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boots the newest installed Debian kernel that has headers (or
# KVER) in QEMU with portres loaded and runs portres-demo (acquire,
# associate, bind, release).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. selftests/qemu/env.sh

portres_guest_build build/portres-demo
kver=$(portres_stock_kver)
echo "building portres for $kver"
portres_module_build "$kver" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo 'portres-demo' > "$work/run.sh"
echo "booting $kver in QEMU"
set +e
selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" -m "build/portres-$kver.ko" \
	-r "$kver" -s "$work/run.sh" -b build/portres-demo -t 300 \
	-l "$work/console.log" >/dev/null
rc=$?
set -e
sed -n '/^portres-guest: kernel/,/^portres-guest: exit/p' "$work/console.log" |
	grep -v '^\[ *[0-9.]*\]'
[ $rc -eq 0 ] || { echo "demo failed:"; tail -n 40 "$work/console.log"; }
exit $rc
