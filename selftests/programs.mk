# SPDX-License-Identifier: GPL-2.0
# The test programs, for selftests/Makefile, the top Makefile and check.sh
# (make print-VAR): the one place a test program is named.

PROGRAMS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

# Tests on the kernel's kselftest harness: every selftests/*_test.c.  A
# guest runs each of them it is given (selftests/guest/run_tests.sh).
HARNESS := $(sort $(basename $(notdir $(wildcard $(PROGRAMS_DIR)/*_test.c))))
# Programs of our own, which the guest scripts run with their arguments.
PLAIN := persist_boot resv_holder as_nobody win_prefixed stress race churn bench

# The harness tests make check gives each kind of kernel: all of them but
# for the two that have not run there so far (bad_input_test runs on the
# debug kernel only, service_test on the stock kernels only).
GUEST_TESTS_stock := $(filter-out bad_input_test,$(HARNESS))
GUEST_TESTS_debug := $(filter-out service_test,$(HARNESS))

# What a program links, besides libc, follows from what it includes:
# libportres for "portres.h" or <portres/...>, nlutil.o and libmnl (which
# Debian ships as a shared library only) for "nlutil.h", libpthread for
# <pthread.h>.
includes_of = $(shell grep -l -E '$(2)' $(addprefix $(PROGRAMS_DIR)/,$(addsuffix .c,$(1))) /dev/null)
programs_including = $(notdir $(basename $(call includes_of,$(HARNESS) $(PLAIN),$(1))))
WITH_LIB := $(call programs_including,^#include ("portres\.h"|<portres/))
WITH_NETLINK := $(call programs_including,^#include "nlutil\.h")
WITH_PTHREAD := $(call programs_including,^#include <pthread\.h>)
