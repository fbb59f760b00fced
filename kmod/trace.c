// SPDX-License-Identifier: GPL-2.0
/*
 * portres: what tells an admin that portres refused a bind.  Each refusal
 * counts in its namespace (shown by portresctl show) and fires the
 * tracepoint portres:bind_refused, which names the process, the port and
 * the reservation.
 */
#include <linux/in.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "portres.h"
#include "trace.h"

#define CREATE_TRACE_POINTS
#include "trace_events.h"

/**
 * portres_refused() - counts and traces a refused bind
 * @pn: the socket's namespace
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @port: the port refused
 * @resv: the reservation that refused it, or NULL to look it up
 * @err: the error the bind fails with
 *
 * Called on the path of a refused bind only, never on that of a socket
 * portres lets through: one atomic add on the namespace is no cost to
 * others.
 *
 * Return: @err.
 */
int portres_refused(struct portres_net *pn, int proto, u16 port,
		    const struct portres_resv *resv, int err)
{
	u16 start = 0, count = 0;

	atomic_long_inc(&pn->refused);
	if (!trace_bind_refused_enabled())
		return err;
	rcu_read_lock();
	if (!resv)
		resv = portres_block_at(pn, proto, port);
	if (resv) {
		start = resv->start;
		count = resv->count;
	}
	rcu_read_unlock();
	trace_bind_refused(pn->net->net_cookie,
			   proto == PORTRES_TCP ? IPPROTO_TCP : IPPROTO_UDP,
			   port, start, count, -err);
	return err;
}
