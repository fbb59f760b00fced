# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check on the debug kernel (KASAN, lockdep,
# kmemleak): the selftests, the bad-input suite and unloading.
resv_test
dev_test
sysfs_test
stall_test
bad_input_test
nl_test
win_test
if modprobe -r portres; then
	echo "portres-check: ok module unloads after the tests"
else
	echo "portres-check: fail module unloads after the tests"
fi
