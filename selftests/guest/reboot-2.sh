# SPDX-License-Identifier: GPL-2.0
# A reboot, second boot: the reservations of the first are back, restored
# from the configuration file as the udev rule does.
persist_boot verify
