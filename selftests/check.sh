#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test.  Installs what it needs (as root on Debian), builds
# the module against Debian's stock kernel, boots that kernel in QEMU with a
# busybox initramfs, loads the module, runs the demo and the selftests and
# unloads the module; the guest's kernel log must hold no warning, bug, oops
# or other splat.  Prints one line per check and ends with "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. selftests/qemu/env.sh

passed=0 failed=0
result() {	# result ok|fail NAME [DETAIL]
	if [ "$1" = ok ]; then
		passed=$((passed + 1)); echo "PASS: $2"
	else
		failed=$((failed + 1)); echo "FAIL: $2${3:+ ($3)}"
	fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

portres_deps || { result fail "install dependencies"; finish; }
kver=$(portres_stock_kver) || { result fail "find the stock kernel"; finish; }
src=$(portres_kernel_source) || { result fail "unpack the kernel source"; finish; }
echo "stock kernel $kver, kernel source $src"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if make -s module KVER="$kver" >"$work/build.log" 2>&1 &&
   ! grep -q 'warning:' "$work/build.log"; then
	result ok "module builds against $kver without warnings"
else
	cat "$work/build.log"
	result fail "module builds against $kver without warnings"
	finish
fi

if make -s lib guest-programs KSFT_DIR="$src/tools/testing/selftests" \
	>"$work/user.log" 2>&1; then
	result ok "library (static and shared), demo and selftests build with -Werror"
else
	cat "$work/user.log"
	result fail "library, demo and selftests build"
	finish
fi

if readelf -d build/libportres.so | grep -q 'SONAME.*libportres.so.1'; then
	result ok "libportres.so carries its soname"
else
	result fail "libportres.so carries its soname"
fi

if perl "$src/scripts/checkpatch.pl" --no-tree --quiet --terse -f \
	kmod/*.c kmod/*.h uapi/linux/portres.h >"$work/checkpatch.log" 2>&1 &&
   ! grep -qE ': (ERROR|WARNING|CHECK):' "$work/checkpatch.log"; then
	result ok "checkpatch.pl runs clean on kmod/ and uapi/"
else
	cat "$work/checkpatch.log"
	result fail "checkpatch.pl runs clean on kmod/ and uapi/"
fi

cat >"$work/run.sh" <<'GUEST'
if portres-demo >/tmp/demo.out 2>&1 && grep -q ', inside the block' /tmp/demo.out; then
	echo "portres-check: ok demo prints a port inside the acquired block"
else
	cat /tmp/demo.out
	echo "portres-check: fail demo prints a port inside the acquired block"
fi
portres_test
if hook_cost; then
	echo "portres-check: ok bind hook cost for unrelated sockets does not grow with 10,000 reservations"
else
	echo "portres-check: fail bind hook cost for unrelated sockets does not grow with 10,000 reservations"
fi
if modprobe -r portres; then
	echo "portres-check: ok module unloads after the tests"
else
	echo "portres-check: fail module unloads after the tests"
fi
GUEST

echo "booting $kver in QEMU"
selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" -m portres.ko -r "$kver" \
	-s "$work/run.sh" -b build/portres-demo -b build/portres_test \
	-b build/hook_cost \
	-t 900 -l "$work/console.log" >"$work/guest.out" 2>&1
guest=$?
grep -E '^(ok|not ok) [0-9]+ |^# (PASSED|FAILED|Totals)|^portres-check:| us with |^#  (FAIL|SKIP)|^# [a-z_0-9.]+: Test (failed|terminated)|^# .*(Expected|FAIL)' \
	"$work/console.log" | grep -v '^#  *OK'

tap_ok=$(grep -cE '^ok [0-9]+ ' "$work/console.log" | head -1)
skips=$(grep -cE '^ok [0-9]+ .*# SKIP' "$work/console.log" | head -1)
tap_fail=$(grep -cE '^not ok [0-9]+ ' "$work/console.log" | head -1)
passed=$((passed + tap_ok - skips))
# Every selftest must run on the guest, which has the module loaded.
failed=$((failed + tap_fail + skips))
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/console.log" | head -1)
if [ -z "$planned" ] || [ $((tap_ok + tap_fail)) -ne "$planned" ]; then
	result fail "selftests ran to the end" "planned ${planned:-?}, ran $((tap_ok + tap_fail))"
fi
while read -r _ verdict name; do
	result "$verdict" "$name"
done < <(sed -n 's/^portres-check: \(ok\|fail\) /x \1 /p' "$work/console.log")

if [ $guest -eq 0 ]; then
	result ok "guest ran to the end with a clean kernel log"
else
	grep '^run-guest:' "$work/guest.out" || tail -n 30 "$work/guest.out"
	result fail "guest ran to the end with a clean kernel log"
fi
finish
