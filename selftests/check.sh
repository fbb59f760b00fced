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

# Boots the stock kernel once: guest LABEL SCRIPT [run-guest.sh options].
# Counts the TAP results and "portres-check:" verdicts the guest prints.
guest() {
	local label=$1 script=$2 log=$work/$1.log rc planned ran ok nok skips
	shift 2
	echo "booting $kver in QEMU: $label"
	selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" -m portres.ko \
		-r "$kver" -s "$script" -t 900 -l "$log" "$@" \
		>"$work/$label.out" 2>&1
	rc=$?
	grep -E '^(ok|not ok) [0-9]+ |^# (PASSED|FAILED|Totals)|^portres-check:| us with |^#  (FAIL|SKIP)|^# [a-z_0-9.]+: Test (failed|terminated)|^# .*(Expected|FAIL)' \
		"$log" | grep -v '^#  *OK'

	ok=$(grep -cE '^ok [0-9]+ ' "$log")
	skips=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log")
	nok=$(grep -cE '^not ok [0-9]+ ' "$log")
	# Every test must run: the guest has the module loaded.
	passed=$((passed + ok - skips))
	failed=$((failed + nok + skips))
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | paste -sd+ | bc)
	ran=$((ok + nok))
	if [ "${planned:-0}" -ne "$ran" ]; then
		result fail "$label: every planned test ran" "planned ${planned:-0}, ran $ran"
	fi
	while read -r _ verdict name; do
		result "$verdict" "$label: $name"
	done < <(sed -n 's/^portres-check: \(ok\|fail\) /x \1 /p' "$log")
	if [ $rc -eq 0 ]; then
		result ok "$label: guest ran to the end with a clean kernel log"
	else
		grep '^run-guest:' "$work/$label.out" || tail -n 30 "$work/$label.out"
		result fail "$label: guest ran to the end with a clean kernel log"
	fi
}

guest selftests "$work/run.sh" -b build/portres-demo -b build/portres_test \
	-b build/hook_cost

# A reboot: two boots over one disk that holds the configuration file.
mkdir -p "$work/empty"
if mkfs.ext4 -q -F -d "$work/empty" "$work/disk.img" 16M >/dev/null 2>&1; then
	echo 'persist_boot create' >"$work/boot1.sh"
	echo 'persist_boot verify' >"$work/boot2.sh"
	guest "reboot-1" "$work/boot1.sh" -b build/persist_boot -d "$work/disk.img"
	guest "reboot-2" "$work/boot2.sh" -b build/persist_boot -d "$work/disk.img"
else
	result fail "make the guest's disk image (mkfs.ext4)"
fi
finish
