# SPDX-License-Identifier: GPL-2.0
# The guest's part of make check for the races (selftests/race.c): each
# race runs 4 seconds, and the kernel log must stay clean.
race 4
