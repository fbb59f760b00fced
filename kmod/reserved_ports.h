/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the ip_local_reserved_ports bitmap and its sysctl
 * (reserved_ports.c).
 */
#ifndef _PORTRES_RESERVED_PORTS_H
#define _PORTRES_RESERVED_PORTS_H

#include <linux/static_call.h>
#include <linux/sysctl.h>

#include "portres.h"

/*
 * The kernel's proc_do_large_bitmap(), which portres wraps, called directly
 * through a static call (hooks.c says why), defined in reserved_ports.c and
 * pointed by hooks.c.  Its table is const since Linux 6.11; portres only
 * passes tables to it, so that makes no difference.
 */
DECLARE_STATIC_CALL(portres_orig_sysctl, proc_do_large_bitmap);

void portres_rp_reserve(struct portres_net *pn, struct portres_ports *ports,
			u16 start, u16 count);
void portres_rp_unreserve(struct portres_net *pn, struct portres_ports *ports,
			  u16 start, u16 count);
int portres_rp_sysctl(struct portres_net *pn, struct ctl_table *table,
		      int write, void *buffer, size_t *lenp, loff_t *ppos);
struct net *portres_rp_table_net(struct ctl_table *table);

#endif /* _PORTRES_RESERVED_PORTS_H */
