# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check for what portres costs sockets that have
# nothing to do with it, booted with run-guest.sh -I: one vCPU under
# QEMU's instruction counting, so each figure is a ratio of instruction
# counts that repeats from run to run.  bench -u prints one check per
# figure against its bound.
bench -u -r 3
