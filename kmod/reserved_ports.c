// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the namespace's ip_local_reserved_ports bitmap.
 *
 * The kernel's automatic port selection (bind to port 0, connect, autobind)
 * skips the ports set in net->ipv4.sysctl_local_reserved_ports, so portres
 * sets the ports of every reservation there.  The bitmap is shared with the
 * admin: portres remembers which bits it set (ports->ours) and clears only
 * those.  A write to the sysctl replaces the whole bitmap, so the sysctl
 * handler is wrapped: reads and writes see the admin's own bits only, and
 * after a write portres puts its bits back.  A port the admin writes that a
 * reservation covers becomes the admin's and stays after the reservation.
 */
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "portres.h"
#include "reserved_ports.h"

/*
 * The kernel's handler of the sysctl, proc_do_large_bitmap(), which the
 * cold hook redirects here; set when the hooks are found (hooks.c).  A
 * static call, a direct call site: hooks.c says why.
 */
DEFINE_STATIC_CALL_NULL(portres_orig_sysctl, proc_do_large_bitmap);

static unsigned long *portres_rp_bitmap(struct portres_net *pn)
{
	return pn->net->ipv4.sysctl_local_reserved_ports;
}

void portres_rp_reserve(struct portres_net *pn, struct portres_ports *ports,
			u16 start, u16 count)
{
	unsigned long *rp = portres_rp_bitmap(pn);
	unsigned int port;

	lockdep_assert_held(&pn->lock);
	if (!rp)
		return;
	/*
	 * Writers of the bitmap hold the namespace's lock: no atomics, and a
	 * word at a time.  The stack reads it without a lock, a word at a
	 * time too: each word is written once.
	 */
	for (port = start; port < start + count; ) {
		unsigned int w = BIT_WORD(port), lo = port % BITS_PER_LONG;
		unsigned int n = min_t(unsigned int, start + count - port,
				       BITS_PER_LONG - lo);
		unsigned long mask = (n == BITS_PER_LONG ? ~0UL :
				      (1UL << n) - 1) << lo;

		ports->ours[w] |= mask & ~rp[w];
		WRITE_ONCE(rp[w], rp[w] | mask);
		port += n;
	}
}

/* Called once the block's bits are gone from ports->busy. */
void portres_rp_unreserve(struct portres_net *pn, struct portres_ports *ports,
			  u16 start, u16 count)
{
	unsigned long *rp = portres_rp_bitmap(pn);
	unsigned int port = start;

	lockdep_assert_held(&pn->lock);
	if (!rp)
		return;
	/* A port another block still covers stays set, and ours. */
	for_each_set_bit_from(port, ports->ours, start + count) {
		if (test_bit(port, ports->busy[PORTRES_TCP]) ||
		    test_bit(port, ports->busy[PORTRES_UDP]))
			continue;
		__clear_bit(port, rp);
		__clear_bit(port, ports->ours);
	}
}

/**
 * portres_rp_table_net() - the namespace of an ip_local_reserved_ports table
 * @table: a sysctl table entry handled by proc_do_large_bitmap()
 *
 * Return: the namespace whose reserved-ports bitmap @table edits, or NULL
 * when @table is another sysctl.
 */
struct net *portres_rp_table_net(struct ctl_table *table)
{
	if (!table->procname ||
	    strcmp(table->procname, "ip_local_reserved_ports"))
		return NULL;
	return container_of((unsigned long **)table->data, struct net,
			    ipv4.sysctl_local_reserved_ports);
}

/**
 * portres_rp_sysctl() - proc handler of ip_local_reserved_ports
 * @pn: the namespace whose bitmap @table edits (portres_rp_table_net())
 * @table: the sysctl table entry
 * @write: whether this is a write
 * @buffer: the text read or written
 * @lenp: its length
 * @ppos: the file position
 *
 * Runs the kernel's handler, proc_do_large_bitmap(), on the admin's view
 * of the bitmap, the bits portres set taken out, and after a write sets the
 * bits of the live reservations again.
 *
 * Return: what the kernel's handler returns, or -ENOMEM.
 */
int portres_rp_sysctl(struct portres_net *pn, struct ctl_table *table,
		      int write, void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned long *rp = *(unsigned long **)table->data;
	struct portres_ports *ports;
	struct ctl_table view_table;
	unsigned long *view;
	int ret;

	mutex_lock(&pn->lock);
	ports = rcu_dereference_protected(pn->ports,
					  lockdep_is_held(&pn->lock));
	if (!ports || !rp || table->maxlen != PORTRES_NPORTS) {
		ret = static_call(portres_orig_sysctl)(table, write, buffer,
						       lenp, ppos);
		goto out;
	}

	view = bitmap_zalloc(PORTRES_NPORTS, GFP_KERNEL);
	if (!view) {
		ret = -ENOMEM;
		goto out;
	}
	bitmap_andnot(view, rp, ports->ours, PORTRES_NPORTS);
	view_table = *table;
	view_table.data = &view;

	ret = static_call(portres_orig_sysctl)(&view_table, write, buffer,
					       lenp, ppos);
	if (!ret && write) {
		bitmap_or(ports->ours, ports->busy[PORTRES_TCP],
			  ports->busy[PORTRES_UDP], PORTRES_NPORTS);
		bitmap_andnot(ports->ours, ports->ours, view, PORTRES_NPORTS);
		bitmap_or(rp, view, ports->ours, PORTRES_NPORTS);
	}
	bitmap_free(view);
out:
	mutex_unlock(&pn->lock);
	return ret;
}
