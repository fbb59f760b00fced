/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: /dev/portres and its ioctls (device.c).
 */
#ifndef _PORTRES_DEVICE_H
#define _PORTRES_DEVICE_H


int portres_device_init(void);
void portres_device_uninit(void);

#endif /* _PORTRES_DEVICE_H */
