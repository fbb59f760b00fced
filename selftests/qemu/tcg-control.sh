#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control for run-guest.sh -S: boots Debian's stock kernel in QEMU,
# unloads portres, and has the kernel's own function tracer patch and unpatch
# six of the functions portres hooks, over and over, while churn (six threads)
# calls them.  No portres code runs.
#
#   selftests/qemu/tcg-control.sh [-S] [SECONDS]
#
# With QEMU 7.2's multi-threaded TCG (the default) a CPU is soon left looping
# on an int3 at the entry of one of the functions while memory there holds
# the patched call: a soft lockup, then a panic.  With -S (one host thread
# for both CPUs) it runs to its end.  Exits 0 if the guest ran to its end
# with a clean kernel log.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. selftests/qemu/env.sh

single=(-M)
if [ "${1:-}" = -S ]; then
	single=(-S)
	shift
fi
secs=${1:-60}
portres_guest_build build/churn
kver=$(portres_stock_kver)
portres_module_build "$kver" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/run.sh" <<GUEST
modprobe -r portres || exit 1
mount -t tracefs nodev /sys/kernel/tracing || exit 1
cd /sys/kernel/tracing || exit 1
echo 'security_socket_bind security_socket_connect security_socket_listen
security_socket_sendmsg inet_release proc_do_large_bitmap' >set_ftrace_filter
/tests/churn $secs &
pid=\$!
n=0
while kill -0 \$pid 2>/dev/null; do
	echo function >current_tracer
	echo nop >current_tracer
	n=\$((n + 1))
done
echo "tcg-control: function tracer on and off \$n times"
wait \$pid
GUEST
echo "booting $kver in QEMU (${single[*]/-M/multi-threaded TCG}), $secs s of churn"
set +e
selftests/qemu/run-guest.sh -k "/boot/vmlinuz-$kver" -m "build/portres-$kver.ko" -r "$kver" \
	-s "$work/run.sh" -b build/churn -t $((secs + 120)) "${single[@]}" \
	-a "softlockup_panic=1" -l "$work/console.log" >/dev/null
rc=$?
set -e
grep -a -E '^(churn|tcg-control):|soft lockup|RIP: 0010' "$work/console.log" |
	head -n 12
if [ $rc -eq 0 ]; then
	echo "tcg-control: the guest ran to its end"
else
	echo "tcg-control: the guest did not run to its end"
fi
exit $rc
