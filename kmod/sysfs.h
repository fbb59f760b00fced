/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: /sys/kernel/portres (sysfs.c).
 */
#ifndef _PORTRES_SYSFS_H
#define _PORTRES_SYSFS_H


int portres_sysfs_init(void);
void portres_sysfs_uninit(void);

#endif /* _PORTRES_SYSFS_H */
