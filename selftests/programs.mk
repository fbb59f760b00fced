# SPDX-License-Identifier: GPL-2.0
# The test programs, for selftests/Makefile and the top Makefile: a new
# test is named here.

# Tests on the kernel's kselftest harness, and programs of our own.
HARNESS := resv_test dev_test sysfs_test stall_test win_test nl_test bad_input_test service_test
PLAIN := persist_boot resv_holder as_nobody win_prefixed stress race churn bench
# What some of them link, besides libc.
WITH_LIB := resv_test dev_test sysfs_test win_test persist_boot resv_holder win_prefixed service_test
WITH_NETLINK := nl_test bad_input_test stall_test
WITH_PTHREAD := stall_test bad_input_test stress race churn
