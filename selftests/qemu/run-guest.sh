#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots a kernel in QEMU with portres loaded and runs a script in the guest.
#
#   run-guest.sh -k KERNEL -m PORTRES_KO -r KERNEL_RELEASE -s SCRIPT
#                [-b BINARY]... [-L FILE[=GUESTPATH]]... [-t TIMEOUT] [-l LOG]
#                [-d DISK] [-o MODULE_OPTIONS] [-a KERNEL_ARGS] [-S|-M|-I]
#
# The guest is a busybox initramfs holding the module (modprobe-able), the
# binaries in /tests, each FILE at GUESTPATH or its own path (shared
# libraries), SCRIPT as /run.sh and the scripts' TAP helpers as
# /lib/tap.sh (selftests/guest/tap.sh).  With -d, DISK (an ext4 image)
# is the guest's virtio disk, mounted on /persist before portres loads, and
# the configuration file is kept there (PORTRES_CONF): a second boot over
# the same DISK is a reboot.  With portresctl among the binaries, the guest
# runs "portresctl restore" whenever /dev/portres appears, as udev does.  MODULE_OPTIONS go to the first modprobe of portres;
# KERNEL_ARGS are added to the kernel's command line.
#
# The guest's two CPUs run on one host thread (-accel tcg,thread=single),
# the default; -M runs them on two (QEMU's multi-threaded TCG), -S is kept
# for the default.  QEMU 7.2's multi-threaded TCG can go on running a stale
# translation of kernel text that another CPU has just rewritten: a CPU
# then traps on an int3 that memory no longer holds.  With ftrace patching
# a function that other CPUs call (portres loading or unloading) that CPU
# loops for ever; it happens without portres, toggling the function tracer
# (selftests/qemu/tcg-control.sh).  It also happens to the kernel's own
# patching at boot: Debian's 6.12 oopsed once in about 36 boots, before any
# module was loaded ("Oops: int3" in sched_clock_cpu).  It has not been
# seen with one thread.
#
# -I runs one vCPU under QEMU's deterministic instruction counting
# (-icount shift=0,sleep=off): the guest's clock then advances one
# nanosecond per instruction it executes, and jumps to the next timer when
# it is idle, so a time measured in the guest is a count of instructions
# and repeats from run to run (make bench, and the cost checks of make
# check).
#
# Prints the guest's console, and exits 0 only if the guest ran to the end,
# SCRIPT exited 0 and the kernel log holds no warning, bug, oops or
# sanitizer report.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kernel= module= kver= script= timeout=600 log= disk= opts= args=
tcg=tcg,thread=single smp=2 icount=()
bins=() files=()
while getopts k:m:r:s:b:L:t:l:d:o:a:SMI opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	m) module=$OPTARG ;;
	r) kver=$OPTARG ;;
	s) script=$OPTARG ;;
	b) bins+=("$OPTARG") ;;
	L) files+=("$OPTARG") ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	d) disk=$OPTARG ;;
	o) opts=$OPTARG ;;
	a) args=$OPTARG ;;
	S) tcg=tcg,thread=single ;;
	M) tcg=tcg,thread=multi ;;
	I) tcg=tcg,thread=single smp=1 icount=(-icount shift=0,sleep=off) ;;
	*) exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$module" ] && [ -n "$kver" ] && [ -n "$script" ] ||
	{ echo "usage: $0 -k KERNEL -m KO -r RELEASE -s SCRIPT [-b BIN]..." >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests,etc} "$root/lib/modules/$kver/extra"
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest-init" "$root/init"
# The guest scripts' TAP helpers.
cp "$here/../guest/tap.sh" "$root/lib/tap.sh"
chmod 755 "$root/init"
cp "$script" "$root/run.sh"
cp "$module" "$root/lib/modules/$kver/extra/portres.ko"
for b in "${bins[@]}"; do
	cp "$b" "$root/tests/"
done
for f in "${files[@]}"; do
	src=${f%%=*} dst=${f#*=}
	mkdir -p "$root/$(dirname "$dst")"
	cp -L "$src" "$root/$dst"
done
if [ -n "$disk" ]; then
	# The disk's driver and file system, with what they depend on.
	for m in virtio_pci virtio_blk crc32c_generic ext4; do
		/sbin/modprobe --show-depends -S "$kver" "$m" | awk '$1 == "insmod" { print $2 }'
	done | sort -u | while read -r ko; do
		mkdir -p "$root/$(dirname "$ko")"
		cp "$ko" "$root/$ko"
	done
	mkdir -p "$root/persist"
	drive=(-drive "file=$disk,if=virtio,format=raw")
else
	drive=()
fi
echo "$opts" > "$root/etc/portres-options"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	if [ -f "/lib/modules/$kver/$f" ]; then cp "/lib/modules/$kver/$f" "$root/lib/modules/$kver/"; else : > "$root/lib/modules/$kver/$f"; fi
done
/sbin/depmod -b "$root" "$kver"
(cd "$root" && find . | cpio --quiet -o -H newc | gzip -1) > "$work/initrd.gz"

log=${log:-$work/console.log}
set +e
timeout --foreground -k 10 "$timeout" \
	qemu-system-x86_64 -machine q35 -accel "$tcg" "${icount[@]}" -cpu max -smp "$smp" -m 2048 \
	-nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
	"${drive[@]}" \
	-append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 log_buf_len=8M $args" \
	</dev/null 2>&1 | stdbuf -o0 tr -d '\r' | tee "$log"
qemu=${PIPESTATUS[0]}
set -e

if [ "$qemu" -ne 0 ]; then
	echo "run-guest: qemu exited with status $qemu (124: timed out)"
	exit 1
fi
status=$(sed -n 's/^portres-guest: exit \([0-9]*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
	echo "run-guest: the guest did not finish its script"
	exit 1
fi
splats=$(sed -n '/^portres-guest: dmesg begin$/,/^portres-guest: dmesg end$/p' "$log" |
	grep -E 'WARNING:|BUG:|Oops|Call Trace:|general protection|KASAN:|unreferenced object|suspected memory leak|possible circular|inconsistent lock|UBSAN|RCU detected stall|blocked for more than|Kernel panic' || true)
if [ -n "$splats" ]; then
	echo "run-guest: the guest's kernel log reports a problem:"
	echo "$splats"
	exit 1
fi
[ "$status" -eq 0 ] || { echo "run-guest: guest script exited $status"; exit 1; }
exit 0
