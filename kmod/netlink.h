/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the generic netlink family and its events (netlink.c).
 */
#ifndef _PORTRES_NETLINK_H
#define _PORTRES_NETLINK_H


int portres_netlink_init(void);
void portres_netlink_uninit(void);

#endif /* _PORTRES_NETLINK_H */
