# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check on the debug kernel (KASAN, lockdep,
# kmemleak): the selftests (the bad-input suite among them) and unloading.
. /lib/tap.sh
run_tests
if modprobe -r portres; then
	check ok "module unloads after the tests"
else
	check fail "module unloads after the tests"
fi
checks_done
