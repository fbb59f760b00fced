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
	cp portres.ko "$work/portres-stock.ko"
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

# The Windows headers, as C and as C++, alone and together.
hdr_ok=1
for lang in "gcc -x c -std=gnu11" "g++ -x c++ -std=c++17"; do
	for h in winsock2 mstcpip iphlpapi; do
		printf '#include <portres/%s.h>\nint main(void) { return 0; }\n' "$h" |
			$lang -Wall -Wextra -Werror -Ilib/include -c -o /dev/null - || hdr_ok=0
	done
done
[ $hdr_ok = 1 ] && result ok "each Windows header compiles alone, as C and C++" ||
	result fail "each Windows header compiles alone, as C and C++"
for lang in "gcc -std=gnu11" "g++ -std=c++17"; do
	if $lang -Wall -Wextra -Werror -Ilib/include -o "$work/win_compile" \
		selftests/win_compile.c build/libportres.a && "$work/win_compile"; then
		result ok "Windows layout and values (${lang#* -std=})"
	else
		result fail "Windows layout and values (${lang#* -std=})"
	fi
done

# make install, then a program built with pkg-config against the shared
# library; it runs in the guest below, with the libraries it needs.
inst=$work/inst
pkgbin=
if make -s install-lib DESTDIR="$inst" PREFIX=/usr >"$work/install.log" 2>&1 &&
   flags=$(PKG_CONFIG_SYSROOT_DIR="$inst" PKG_CONFIG_LIBDIR="$inst/usr/lib/pkgconfig" \
	   pkg-config --cflags --libs portres) &&
   g++ -Wall -o "$work/pkgconfig-example" examples/persistent_reservation.cpp $flags &&
   readelf -d "$work/pkgconfig-example" | grep -q 'NEEDED.*libportres.so.1'; then
	result ok "make install DESTDIR=... PREFIX=/usr; a program builds with pkg-config against libportres.so.1"
	pkgbin=$work/pkgconfig-example
else
	cat "$work/install.log"
	result fail "make install DESTDIR=... PREFIX=/usr; a program builds with pkg-config against libportres.so.1"
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
win_test
nl_test
sh /tests/portresctl_test.sh
check_example() {	# check_example NAME OUTPUT FIRST COUNT
	port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' "$2")
	if [ -n "$port" ] && [ "$port" -ge "$3" ] && [ "$port" -lt $(($3 + $4)) ]; then
		echo "portres-check: ok $1 prints a port ($port) of its block"
	else
		cat "$2"
		echo "portres-check: fail $1 prints a port of its block"
	fi
}
example-acquire 2 1 6 0 20 >/tmp/ex1 2>&1
first=$(sed -n 's/.*Starting port=\([0-9]*\),.*/\1/p' /tmp/ex1)
check_example "ported SIO_ACQUIRE_PORT_RESERVATION example" /tmp/ex1 "${first:-0}" 20
if example-release 2 2 17 5000 20 >/tmp/ex2 2>&1 &&
   grep -q 'Starting port=5000' /tmp/ex2 &&
   grep -q 'WSAIoctl(SIO_RELEASE_PORT_RESERVATION) succeeded' /tmp/ex2; then
	echo "portres-check: ok ported SIO_RELEASE_PORT_RESERVATION example acquires 5000-5019 and releases"
else
	cat /tmp/ex2
	echo "portres-check: fail ported SIO_RELEASE_PORT_RESERVATION example acquires 5000-5019 and releases"
fi
example-persistent 61000 10 >/tmp/ex3 2>&1
check_example "persistent reservation example" /tmp/ex3 61000 10
if [ -x /tests/pkgconfig-example ]; then
	LD_LIBRARY_PATH=/usr/lib pkgconfig-example 61200 5 >/tmp/ex4 2>&1
	check_example "example built with pkg-config, run against libportres.so.1" /tmp/ex4 61200 5
fi
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

# Boots a kernel once: guest LABEL SCRIPT [run-guest.sh options]; the
# kernel is $g_kernel, release $g_kver, with the module $g_ko.
# Counts the TAP results and "portres-check:" verdicts the guest prints.
guest() {
	local label=$1 script=$2 log=$work/$1.log rc planned ran ok nok skips
	shift 2
	echo "booting $g_kver in QEMU: $label"
	selftests/qemu/run-guest.sh -k "$g_kernel" -m "$g_ko" \
		-r "$g_kver" -s "$script" -t 1800 -l "$log" "$@" \
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

# How many of the unloads in a guest's log found calls inside the hooks.
reload_waits() {
	echo "unloads that waited for calls inside the hooks: $(grep -c 'portres: waiting for [0-9]* calls inside the hooks' "$1") of $(grep -c 'portres: unloaded' "$1")"
}

# portresctl is linked against libmnl's shared library.
libs=(-b build/portresctl -b build/resv_holder -b build/as_nobody
      -b build/nl_test -b selftests/portresctl_test.sh)
for l in $(ldd build/portresctl | grep -o '/[^ ]*'); do
	libs+=(-L "$l")
done
if [ -n "$pkgbin" ]; then
	# The library where it was installed, /usr/lib; what it needs of glibc.
	libs+=(-b "$pkgbin" -L "$inst/usr/lib/libportres.so.1=/usr/lib/libportres.so.1")
	for l in $(ldd "$pkgbin" | grep -o '/[^ ]*' | grep -v libportres); do
		libs+=(-L "$l")
	done
fi
g_kernel=/boot/vmlinuz-$kver g_kver=$kver g_ko=$work/portres-stock.ko
guest selftests "$work/run.sh" -b build/portres-demo -b build/portres_test \
	-b build/hook_cost -b build/win_test -b build/example-acquire \
	-b build/example-release -b build/example-persistent "${libs[@]}"

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

# The stress test with the module unloaded and loaded again every half
# second under the load, on the stock kernel booted fully preemptible, so
# that tasks are preempted anywhere in the hooks, and on one TCG thread
# (run-guest.sh -S says why).
echo 'stress -r 40' >"$work/stress.sh"
guest stress-reload "$work/stress.sh" -S -a preempt=full -b build/stress
reload_waits "$work/stress-reload.log"

# The debug kernel: KUnit, then every test and the stress test under KASAN,
# lockdep and kmemleak.
echo "building the debug kernel (cached in $PORTRES_CACHE/debug-kernel)"
if dbg=$(selftests/debug-kernel/build.sh) &&
   make -s module KDIR="$dbg" PORTRES_KUNIT=y >"$work/build-debug.log" 2>&1 &&
   ! grep -q 'warning:' "$work/build-debug.log"; then
	result ok "debug kernel and module (with KUnit) build"
	cp portres.ko "$work/portres-debug.ko"
	cat >"$work/debug.sh" <<'GUEST'
portres_test
bad_input_test
nl_test
win_test
if modprobe -r portres; then
	echo "portres-check: ok module unloads after the tests"
else
	echo "portres-check: fail module unloads after the tests"
fi
GUEST
	g_kernel=$dbg/arch/x86/boot/bzImage g_ko=$work/portres-debug.ko
	g_kver=$(cat "$dbg/include/config/kernel.release")
	guest debug "$work/debug.sh" -o kunit=1 -b build/portres_test \
		-b build/bad_input_test -b build/nl_test -b build/win_test
	echo 'stress -r 60' >"$work/stress.sh"
	guest debug-stress-reload "$work/stress.sh" -S -b build/stress
	reload_waits "$work/debug-stress-reload.log"
	# KUnit's KTAP, from the kernel log, through the kernel's own parser.
	# The module's suites ran outside the kernel's own run of KUnit, so
	# they come without a top-level plan: give them one.
	sed -n '/^portres-guest: dmesg begin$/,/^portres-guest: dmesg end$/p' \
		"$work/debug.log" | sed -n '/portres: loaded/,$p' |
		sed 's/^\[ *[0-9.]*\] //' | grep -v '^portres' >"$work/kunit.ktap"
	{
		echo "KTAP version 1"
		echo "1..$(grep -c '^    # Subtest: ' "$work/kunit.ktap")"
		cat "$work/kunit.ktap"
	} >"$work/kunit.log"
	if python3 "$src/tools/testing/kunit/kunit.py" parse "$work/kunit.log" \
		>"$work/kunit.out" 2>&1; then
		kunit_ok=$(sed -n 's/.*Ran [0-9]* tests: passed: \([0-9]*\).*/\1/p' "$work/kunit.out" | tail -n 1)
		passed=$((passed + ${kunit_ok:-0}))
		echo "KUnit: ${kunit_ok:-0} test cases passed"
		[ -n "$kunit_ok" ] && [ "$kunit_ok" -gt 0 ] ||
			result fail "KUnit ran" "no test case found"
	else
		tail -n 40 "$work/kunit.out"
		k_fail=$(grep -o 'failed: [0-9]*' "$work/kunit.out" | tail -n 1 | grep -o '[0-9]*')
		result fail "KUnit" "${k_fail:-?} failed"
	fi
else
	tail -n 30 "$work/build-debug.log" 2>/dev/null
	result fail "debug kernel and module (with KUnit) build"
fi
finish
