/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the blocks of reservations: making one and taking it
 * back, the filter of namespaces, the token table (blocks.c).
 */
#ifndef _PORTRES_BLOCKS_H
#define _PORTRES_BLOCKS_H

#include <linux/atomic.h>
#include <linux/hash.h>

#include "portres.h"

int portres_tokens_init(void);
void portres_tokens_uninit(void);
bool portres_tokens_none(void);

/* The namespaces that may have anything, for the hooks (fastpath.h). */
#define PORTRES_NET_FILTER_BITS	6
extern atomic_t portres_net_filter[1 << PORTRES_NET_FILTER_BITS];
void portres_net_filter_add(const struct net *net, int delta);

static inline unsigned int portres_net_hash(const struct net *net)
{
	return hash_ptr(net, PORTRES_NET_FILTER_BITS);
}

int portres_resv_new(struct portres_net *pn, int proto, u16 start, u16 count,
		     bool persistent, bool exclusive, struct portres_resv **resvp);
struct portres_resv *portres_resv_find(struct portres_net *pn, u64 token);
void portres_resv_unpublish(struct portres_resv *resv);
void portres_blocks_free(struct portres_ports *ports);

#endif /* _PORTRES_BLOCKS_H */
