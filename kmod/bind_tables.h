/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: what the kernel's bind tables say about a port
 * (bind_tables.c).
 */
#ifndef _PORTRES_BIND_TABLES_H
#define _PORTRES_BIND_TABLES_H

#include "portres.h"

bool portres_port_in_use(struct net *net, int proto, u16 port);
bool portres_block_in_use(struct net *net, int proto, unsigned int start,
			  unsigned int count);

/*
 * What a wildcard acquire must avoid: the ports of reservations (@busy), the
 * ports the admin reserved through the sysctl (@admin_reserved less @ours,
 * either may be NULL) and the ports bound in @net.  With no @net, only the
 * bitmaps count (the KUnit tests).
 */
struct portres_search {
	unsigned long *busy;
	const unsigned long *admin_reserved;
	const unsigned long *ours;
	struct net *net;
	int proto;
};

int portres_find_free_block(const struct portres_search *s, unsigned int lo,
			    unsigned int hi, unsigned int count);

#endif /* _PORTRES_BIND_TABLES_H */
