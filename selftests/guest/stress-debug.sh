# SPDX-License-Identifier: GPL-2.0
# The stress test on the debug kernel, 60 rounds under KASAN, lockdep and
# kmemleak.
stress -r 60
