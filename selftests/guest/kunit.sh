# SPDX-License-Identifier: GPL-2.0
# KUnit: the module built with PORTRES_KUNIT=y ran its suites as it loaded
# (check.sh reads their KTAP from the kernel log); unloading ends the boot.
modprobe -r portres
