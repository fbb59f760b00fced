# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check for the races (selftests/race.c): each
# race runs 4 seconds, and the kernel log must stay clean.
. /lib/tap.sh
race 4

# The same races with the hooks registered and unregistered under them:
# with hook_idle_ms=10 they go 10 ms after the last reservation, and each
# acquire after that registers them again while the other threads bind.
# Each registration waits for an RCU-tasks grace period, so the races get
# fewer tries in (a handful on the debug kernel): at least 2 each is asked,
# and no violation.
modprobe -r portres && modprobe portres hook_idle_ms=10
race 4 2
n=$(cut -d' ' -f2 /sys/kernel/portres/hooks)
if [ "${n:-0}" -ge 3 ]; then
	check ok "the races ran with the hooks registered $n times under them"
else
	check fail "the races ran with the hooks registered ${n:-0} times under them, not churned"
fi
checks_done
