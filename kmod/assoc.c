// SPDX-License-Identifier: GPL-2.0
/*
 * portres: sockets associated with a reservation, and the ports of the block
 * they hold.
 *
 * An associated socket is on its reservation's @socks list; the port it was
 * given or bound in the block is its record's @port and a bit of the
 * reservation's @held.  Everything here runs under the namespace's lock;
 * the hooks read a record's @resv without it (READ_ONCE), which is why it
 * changes with WRITE_ONCE.
 */
#include <linux/bitops.h>
#include <linux/list.h>

#include "portres.h"

/**
 * portres_sock_associate() - associate a socket with a reservation
 * @pn: the namespace of both
 * @sk: the socket, not yet bound
 * @resv: the reservation
 *
 * Return: 0, -EINVAL if the socket is already associated, -ENOMEM.
 */
int portres_sock_associate(struct portres_net *pn, struct sock *sk,
			   struct portres_resv *resv)
{
	struct portres_sock *ps;

	lockdep_assert_held(&pn->lock);
	ps = portres_sock_find_or_add(pn, sk);
	if (!ps)
		return -ENOMEM;
	if (ps->resv)
		return -EINVAL;
	WRITE_ONCE(ps->resv, resv);
	ps->port = 0;
	list_add_tail(&ps->assoc_node, &resv->socks);
	return 0;
}

/*
 * Ends a socket's association.  A port it is bound to stays bound; the
 * record goes unless the socket still owns reservations.
 */
void portres_sock_dissociate(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	if (!ps->resv)
		return;
	portres_resv_put_port(ps);
	list_del_init(&ps->assoc_node);
	WRITE_ONCE(ps->resv, NULL);
	portres_sock_forget_unused(ps);
}

static bool portres_port_shared(const struct portres_resv *resv,
				const struct portres_sock *self, u16 port)
{
	const struct portres_sock *ps;

	list_for_each_entry(ps, &resv->socks, assoc_node)
		if (ps != self && ps->port == port)
			return true;
	return false;
}

/**
 * portres_resv_put_port() - give back the port a socket had from its block
 * @ps: the socket's record
 *
 * Several associated sockets may hold one port (SO_REUSEADDR and
 * SO_REUSEPORT); the port is free again when the last of them gives it back.
 */
void portres_resv_put_port(struct portres_sock *ps)
{
	struct portres_resv *resv = ps->resv;

	lockdep_assert_held(&ps->pn->lock);
	if (!resv || !ps->port)
		return;
	if (!portres_port_shared(resv, ps, ps->port))
		clear_bit(ps->port - resv->start, resv->held);
	ps->port = 0;
}

/**
 * portres_resv_take_port() - choose a port of the block for a socket
 * @resv: the reservation the socket is associated with
 * @ps: the socket's record
 *
 * Return: a port of the block that no associated socket holds and no other
 * socket is bound to, now held by @ps, or -EADDRINUSE when there is none.
 */
int portres_resv_take_port(struct portres_resv *resv, struct portres_sock *ps)
{
	unsigned int i, idx;
	u16 port;

	lockdep_assert_held(&resv->pn->lock);
	portres_resv_put_port(ps);

	for (i = 0; i < resv->count; i++) {
		idx = (resv->hint + i) % resv->count;
		if (test_bit(idx, resv->held))
			continue;
		port = resv->start + idx;
		if (portres_port_in_use(resv->pn->net, resv->proto, port))
			continue;
		set_bit(idx, resv->held);
		ps->port = port;
		resv->hint = (idx + 1) % resv->count;
		return port;
	}
	return -EADDRINUSE;
}

/**
 * portres_resv_mark_port() - note an explicit bind of a socket into its block
 * @resv: the reservation the socket is associated with
 * @ps: the socket's record
 * @port: the port of the block it binds
 */
void portres_resv_mark_port(struct portres_resv *resv, struct portres_sock *ps,
			    u16 port)
{
	lockdep_assert_held(&resv->pn->lock);
	portres_resv_put_port(ps);
	set_bit(port - resv->start, resv->held);
	ps->port = port;
}
