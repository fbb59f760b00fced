# SPDX-License-Identifier: GPL-2.0
# The stress test on a stock kernel: the module unloaded and loaded again
# every half second under load, 40 rounds.
stress -r 40
