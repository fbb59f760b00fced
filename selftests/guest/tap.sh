# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest scripts (run-guest.sh puts it in the guest as
# /lib/tap.sh).  A script's own checks are TAP, as the programs' results
# are, printed after the programs it runs, and closed by their plan.
tap_n=0
check() {	# check ok|fail DESCRIPTION: one TAP result
	tap_n=$((tap_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $tap_n $2"
	else
		echo "not ok $tap_n $2"
	fi
}
checks_done() {	# the plan of the script's checks, after the last
	echo "1..$tap_n"
}
# The harness tests (selftests/*_test.c) the guest was given in /tests:
# check.sh gives each kernel the ones selftests/programs.mk lists for it.
run_tests() {
	for t in /tests/*_test; do
		[ -x "$t" ] && "$t"
	done
	return 0
}
