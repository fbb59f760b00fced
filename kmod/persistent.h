/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: persistent reservations by block (persistent.c).
 */
#ifndef _PORTRES_PERSISTENT_H
#define _PORTRES_PERSISTENT_H

#include <linux/types.h>
#include <net/net_namespace.h>

int portres_persistent_create(struct net *net, int proto, u16 start,
			      u16 count, bool exclusive, u64 *token);
int portres_persistent_delete(struct net *net, int proto, u16 start,
			      u16 count);
int portres_persistent_lookup(struct net *net, int proto, u16 start,
			      u16 count, u64 *token);

#endif /* _PORTRES_PERSISTENT_H */
