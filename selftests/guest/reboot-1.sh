# SPDX-License-Identifier: GPL-2.0
# A reboot, first boot: persistent reservations made and written to the
# configuration file on the disk the two boots share.
persist_boot create
