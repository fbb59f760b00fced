# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check on a stock kernel: the demo, every
# selftest, portresctl, the Windows examples, the hook's cost, the ftrace
# guard and unloading.  run-guest.sh runs it as /run.sh, in /tests.  The
# programs first, each printing its TAP, then the script's own checks.
. /lib/tap.sh

run_tests
win_prefixed
sh /tests/portresctl_test.sh

if portres-demo >/tmp/demo.out 2>&1 && grep -q ', inside the block' /tmp/demo.out; then
	check ok "demo prints a port inside the acquired block"
else
	cat /tmp/demo.out
	check fail "demo prints a port inside the acquired block"
fi

# The namespace's count of refused binds: in show's text, and in show
# netns (text and JSON); show's JSON stays an array of reservations.
if portresctl show >/tmp/show.out 2>&1 &&
   grep -q '^Binds refused by portres in this network namespace: [0-9][0-9]*$' /tmp/show.out &&
   portresctl show netns >/tmp/netns.out 2>&1 &&
   grep -qx 'Binds refused by portres in this network namespace: [0-9][0-9]*' /tmp/netns.out &&
   portresctl -j show netns >/tmp/show.json 2>&1 &&
   grep -qx '{"cookie":"[0-9]*","refused":[0-9]*,"initial":true}' /tmp/show.json &&
   portresctl -j show >/tmp/show2.json 2>&1 &&
   ! grep -q netns /tmp/show2.json; then
	check ok "portresctl show and show netns print the count of refused binds, in text and JSON"
else
	cat /tmp/show.out /tmp/netns.out /tmp/show.json /tmp/show2.json
	check fail "portresctl show and show netns print the count of refused binds, in text and JSON"
fi

check_example() {	# check_example NAME OUTPUT FIRST COUNT
	port=$(sed -n 's/^Port number allocated = \([0-9]*\)$/\1/p' "$2")
	if [ -n "$port" ] && [ "$port" -ge "$3" ] && [ "$port" -lt $(($3 + $4)) ]; then
		check ok "$1 prints a port ($port) of its block"
	else
		cat "$2"
		check fail "$1 prints a port of its block"
	fi
}
# The ported examples exist only where the Windows reference pages were.
if [ -x /tests/example-acquire ]; then
	example-acquire 2 1 6 0 20 >/tmp/ex1 2>&1
	first=$(sed -n 's/.*Starting port=\([0-9]*\),.*/\1/p' /tmp/ex1)
	check_example "ported SIO_ACQUIRE_PORT_RESERVATION example" /tmp/ex1 "${first:-0}" 20
fi
if [ -x /tests/example-release ]; then
	if example-release 2 2 17 5000 20 >/tmp/ex2 2>&1 &&
	   grep -q 'Starting port=5000' /tmp/ex2 &&
	   grep -q 'WSAIoctl(SIO_RELEASE_PORT_RESERVATION) succeeded' /tmp/ex2; then
		check ok "ported SIO_RELEASE_PORT_RESERVATION example acquires 5000-5019 and releases"
	else
		cat /tmp/ex2
		check fail "ported SIO_RELEASE_PORT_RESERVATION example acquires 5000-5019 and releases"
	fi
fi
example-persistent 61000 10 >/tmp/ex3 2>&1
check_example "persistent reservation example" /tmp/ex3 61000 10
if [ -x /tests/pkgconfig-example ]; then
	LD_LIBRARY_PATH=/usr/lib pkgconfig-example 61200 5 >/tmp/ex4 2>&1
	check_example "example built with pkg-config, run against libportres.so.1" /tmp/ex4 61200 5
fi
# The sysctl hook is a permanent ftrace op from load to unload:
# kernel.ftrace_enabled cannot be turned off under it, so that the hooks
# on the sockets' paths can always be registered when an acquire needs
# them, and portres does not load while it is off.
enabled=/proc/sys/kernel/ftrace_enabled
if echo 0 >$enabled 2>/dev/null; then
	echo 1 >$enabled
	check fail "kernel.ftrace_enabled cannot be set to 0 while portres is loaded"
else
	check ok "kernel.ftrace_enabled cannot be set to 0 while portres is loaded"
fi
if modprobe -r portres; then
	check ok "module unloads after the tests"
else
	check fail "module unloads after the tests"
fi
echo 0 >$enabled
if modprobe portres 2>/dev/null; then
	check fail "portres refuses to load while kernel.ftrace_enabled is 0"
	modprobe -r portres
elif dmesg | grep -q 'portres: cannot hook .*kernel.ftrace_enabled is 0'; then
	check ok "portres refuses to load while kernel.ftrace_enabled is 0, and says why"
else
	dmesg | tail -n 5
	check fail "portres refuses to load while kernel.ftrace_enabled is 0, and says why"
fi
echo 1 >$enabled
if modprobe portres && modprobe -r portres; then
	check ok "module loads and unloads again once ftrace is back on"
else
	check fail "module loads and unloads again once ftrace is back on"
fi
checks_done
