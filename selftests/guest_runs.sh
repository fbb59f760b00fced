# SPDX-License-Identifier: GPL-2.0
# make check's guest runs, sourced by check.sh (after the host checks):
# for a stock kernel (stock_kernel KVER) the module DKMS built, without
# warnings, checked from its disassembly to make no indirect call (IBT),
# loaded in QEMU to run the demo, the selftests, the Windows examples, a
# reboot, the stress test with module reloads, the races and the cost;
# for the debug kernel (debug_kernel) KUnit, the selftests, the stress
# test and the races.  What a guest reports is TAP, counted by
# selftests/results.py.

# Builds the module against a kernel's build tree: module_build NAME KDIR
# [make variables]; the module is left in $work/portres-NAME.ko.
module_build() {
	local name=$1 kdir=$2
	shift 2
	make -s module-clean KDIR="$kdir" >/dev/null 2>&1
	if make -s module KDIR="$kdir" "$@" >"$work/build-$name.log" 2>&1 &&
	   ! grep -q 'warning:' "$work/build-$name.log"; then
		result ok "module${*:+ ($*)} builds against $name without warnings"
		cp portres.ko "$work/portres-$name.ko"
	else
		cat "$work/build-$name.log"
		result fail "module${*:+ ($*)} builds against $name without warnings"
		return 1
	fi
}

# The module DKMS built for a stock kernel: dkms_module KVER; the module is
# left in $work/portres-KVER.ko.
dkms_module() {
	local ko log=/var/lib/dkms/portres/$version/$1/x86_64/log/make.log
	ko=$(ls /lib/modules/"$1"/updates/dkms/portres.ko* 2>/dev/null | head -n 1)
	if [ -n "$ko" ] && [ -f "$log" ] && ! grep -q 'warning:' "$log"; then
		case $ko in
		*.xz) xz -dc "$ko" >"$work/portres-$1.ko" ;;
		*.zst) zstd -qdc "$ko" >"$work/portres-$1.ko" ;;
		*) cp "$ko" "$work/portres-$1.ko" ;;
		esac
		result ok "module built by DKMS for $1 without warnings (${ko#/lib/modules/})"
	else
		[ -f "$log" ] && cat "$log"
		result fail "module built by DKMS for $1 without warnings"
		return 1
	fi
}

ibt_check() {	# ibt_check NAME
	logged_check "ibt-$1" \
		"IBT: the module for $1 makes no indirect call; originals and kallsyms through static calls" \
		selftests/ibt_check.sh "$work/portres-$1.ko"
}

# Boots a kernel once: guest LABEL SCRIPT [run-guest.sh options]; the
# kernel is $g_kernel, release $g_kver, with the module $g_ko, and the
# programs $g_progs (-b options).  Counts the TAP results the
# guest prints (selftests/results.py).
guest() {
	local name=$1 label="$part: $1" script=$2 log=$work/guest.log
	local rc counts
	shift 2
	echo "booting $g_kver in QEMU: $label"
	selftests/qemu/run-guest.sh -k "$g_kernel" -m "$g_ko" \
		-r "$g_kver" -s "$script" -t 1800 -l "$log" "${g_progs[@]}" "$@" \
		>"$work/guest.out" 2>&1
	rc=$?
	cp "$log" "$work/last-$name.log"
	python3 selftests/results.py --kver "$g_kver" --label "$label" "$log" \
		>"$work/results.out" 2>&1
	grep -v '^results: ' "$work/results.out"
	counts=$(sed -n 's/^results: \([0-9]* [0-9]*\)$/\1/p' "$work/results.out")
	if [ -n "$counts" ]; then
		# shellcheck disable=SC2086
		count $counts
	else
		result fail "$label: its results read" "selftests/results.py failed"
	fi
	if [ $rc -eq 0 ]; then
		result ok "$label: guest ran to the end with a clean kernel log"
	else
		sed -n '/^run-guest:/,$p' "$work/guest.out" | grep . ||
			tail -n 30 "$work/guest.out"
		# A guest that stopped early: what its console said last.
		if grep -q 'did not finish\|qemu exited' "$work/guest.out"; then
			echo "--- the end of the guest's console:"
			tail -n 80 "$log"
		fi
		result fail "$label: guest ran to the end with a clean kernel log"
	fi
}

# How many unloads the last guest's stress test made.
reload_waits() {
	echo "unloads: $(grep -c 'portres: unloaded' "$work/guest.log")"
}

# portresctl is linked against libmnl's shared library.  The udev rule
# and the unit, installed for the guest (portresctl in /tests): its init
# runs what the rule and the unit say when /dev/portres appears.
make -s install-tools DESTDIR="$work/guest-tools" PREFIX=/usr SBINDIR=/tests \
	>/dev/null 2>&1 || result fail "make install-tools for the guest"
libs=(-b build/portresctl -b selftests/portresctl_test.sh
      -b "$work/guest-tools/etc/udev/rules.d/60-portres.rules"
      -b "$work/guest-tools/usr/lib/systemd/system/portres-restore.service")
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

# The programs of selftests/programs.mk (make print-VAR): our own go to
# every guest, the harness tests to the selftests guests, those of its kind
# of kernel; each guest script runs what it is given.
programs() {	# programs VAR: -b build/NAME for each program VAR lists
	local p
	for p in $(make -s --no-print-directory print-"$1"); do
		printf '%s\n' -b "build/$p"
	done
}
mapfile -t plain < <(programs PLAIN)
mapfile -t stock_tests < <(programs GUEST_TESTS_stock)
mapfile -t debug_tests < <(programs GUEST_TESTS_debug)

# One stock kernel: every test.
stock_kernel() {	# stock_kernel KVER
	local kver=$1
	begin_part "$kver"
	dkms_module "$kver" || return
	ibt_check "$kver"
	g_kernel=/boot/vmlinuz-$kver g_kver=$kver g_ko=$work/portres-$kver.ko
	g_progs=("${plain[@]}")
	guest selftests selftests/guest/selftests.sh -b build/portres-demo \
		"${stock_tests[@]}" "${examples[@]}" "${libs[@]}"

	# A reboot: two boots over one disk that holds the configuration
	# file, restored in the second as udev would (run-guest.sh -d).
	rm -rf "$work/disk.img" "$work/empty" && mkdir -p "$work/empty"
	if mkfs.ext4 -q -F -d "$work/empty" "$work/disk.img" 16M >/dev/null 2>&1; then
		guest reboot-1 selftests/guest/reboot-1.sh \
			-d "$work/disk.img" "${libs[@]}"
		guest reboot-2 selftests/guest/reboot-2.sh \
			-d "$work/disk.img" "${libs[@]}"
	else
		result fail "make the guest's disk image (mkfs.ext4)"
	fi

	# The stress test with the module unloaded and loaded again every half
	# second under the load, on the kernel booted fully preemptible, so
	# that tasks are preempted anywhere in the hooks, and on one TCG
	# thread (run-guest.sh -S says why).
	guest stress-reload selftests/guest/stress.sh -S -a preempt=full
	reload_waits

	# The races of a reservation against binds, on two CPUs, fully
	# preemptible: any violation fails.
	guest races selftests/guest/race.sh -a preempt=full

	# What unrelated sockets pay, counted in instructions (one vCPU under
	# -icount): deterministic, so a regression past the bounds fails.
	guest cost selftests/guest/cost.sh -I
}

# The debug kernel from the newest source: KUnit in a boot of its own (the
# KUnit build runs the suites at every load), then every test and the
# stress test under KASAN, lockdep and kmemleak.
debug_kernel() {
	local dbg kunit_ok kunit_failed
	begin_part "debug kernel"
	echo "building the debug kernel (cached in $PORTRES_CACHE/debug-kernel)"
	if ! dbg=$(selftests/debug-kernel/build.sh); then
		result fail "debug kernel builds from the newest Debian source"
		return
	fi
	g_kver=$(cat "$dbg/include/config/kernel.release")
	# The part takes the kernel's release as its name.
	unset "part_passed[$part]" "part_failed[$part]"
	part="debug kernel $g_kver" parts[-1]="debug kernel $g_kver"
	part_passed[$part]=0 part_failed[$part]=0
	result ok "debug kernel $g_kver builds (KASAN, lockdep, kmemleak, KUnit, IBT)"
	module_build debug "$dbg" PORTRES_KUNIT=y || return
	cp "$work/portres-debug.ko" "$work/portres-kunit.ko"
	module_build debug "$dbg" || return
	ibt_check debug
	ibt_check kunit
	g_kernel=$dbg/arch/x86/boot/bzImage

	g_ko=$work/portres-kunit.ko g_progs=()
	guest kunit selftests/guest/kunit.sh
	# KUnit's KTAP, from the kernel log: kunit_test_suites() in the
	# module, run by KUnit as the module loads; the test cases count.
	python3 selftests/results.py --kunit "$work/last-kunit.log" >"$work/kunit.out" 2>&1
	grep -v '^results: ' "$work/kunit.out"
	read -r kunit_ok kunit_failed < <(sed -n 's/^results: //p' "$work/kunit.out")
	if [ "${kunit_failed:-1}" -eq 0 ]; then
		count "${kunit_ok:-0}" 0
		[ "${kunit_ok:-0}" -gt 0 ] || result fail "KUnit ran" "no test case found"
	else
		result fail "KUnit" "${kunit_failed:-?} failed"
	fi

	g_progs=("${plain[@]}")
	g_ko=$work/portres-debug.ko
	guest selftests selftests/guest/debug.sh "${debug_tests[@]}" "${libs[@]}"
	guest stress-reload selftests/guest/stress-debug.sh -S
	reload_waits
	guest races selftests/guest/race.sh
}
