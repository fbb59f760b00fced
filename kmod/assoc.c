// SPDX-License-Identifier: GPL-2.0
/*
 * portres: sockets associated with a reservation, the ports of the block
 * they hold, and the sharing of those ports.
 *
 * An associated socket is on its reservation's @socks list; the port it was
 * given or bound in the block is its record's @port, counted in the
 * reservation's @holders.  Every step is constant time, so ending a
 * reservation is linear in its sockets.  Everything here runs under the
 * namespace's lock; the hooks read a record's @resv without it
 * (READ_ONCE), which is why it changes with WRITE_ONCE.
 *
 * Sharing: the sockets of one reservation may bind the same port of its
 * block, as on Windows.  The stack lets sockets share a port only with
 * SO_REUSEPORT (and one uid), so the get_port hooks set it on an associated
 * socket right before it binds a port of its block, and on no other bind
 * (portres_share_grant()).  Once bound so, the port is marked in the
 * namespace's @shared until the socket's last close: a socket with
 * SO_REUSEPORT that is not associated with the reservation covering that
 * port is refused it (portres_port_refused()), also after the reservation
 * ended, when the stack alone would let a socket of the same user in.
 */
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/xarray.h>
#include <net/sock.h>

#include "portres.h"
#include "assoc.h"
#include "bind_tables.h"
#include "limits.h"
#include "sockets.h"

/**
 * portres_sock_associate() - associate a socket with a reservation
 * @pn: the namespace of both
 * @sk: the socket, not yet bound
 * @resv: the reservation
 *
 * Return: 0, -EINVAL if the socket is already associated, -EDQUOT when the
 * reservation has as many sockets as it may (portres_assoc_check()),
 * -ENOMEM.
 */
int portres_sock_associate(struct portres_net *pn, struct sock *sk,
			   struct portres_resv *resv)
{
	struct portres_sock *ps;
	int err;

	lockdep_assert_held(&pn->lock);
	err = portres_assoc_check(resv);
	if (err)
		return err;
	ps = portres_sock_find_or_add(pn, sk);
	if (!ps)
		return -ENOMEM;
	if (ps->resv) {
		/* Associated already: the record has a reason to stay. */
		return -EINVAL;
	}
	WRITE_ONCE(ps->resv, resv);
	ps->port = 0;
	list_add_tail(&ps->assoc_node, &resv->socks);
	resv->nsocks++;
	return 0;
}

/* Takes @ps off its reservation's list; the caller clears @ps->resv. */
static void portres_sock_unlink(struct portres_sock *ps)
{
	portres_resv_put_port(ps);
	list_del_init(&ps->assoc_node);
	ps->resv->nsocks--;
	WRITE_ONCE(ps->resv, NULL);
}

/*
 * Ends a socket's association.  A port it is bound to stays bound; the
 * record goes unless the socket still owns reservations or shares a port.
 */
void portres_sock_dissociate(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	if (!ps->resv)
		return;
	portres_sock_unlink(ps);
	portres_sock_forget_unused(ps);
}

/* At a socket's last close: its association and its share of a port end. */
void portres_sock_disconnect(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	if (ps->resv)
		portres_sock_unlink(ps);
	portres_share_end(ps);
}

/**
 * portres_resv_put_port() - give back the port a socket had from its block
 * @ps: the socket's record
 *
 * Several associated sockets may hold one port; the port is free again for
 * the block when the last of them gives it back.
 */
void portres_resv_put_port(struct portres_sock *ps)
{
	struct portres_resv *resv = ps->resv;
	unsigned int idx;

	lockdep_assert_held(&ps->pn->lock);
	if (!resv || !ps->port)
		return;
	idx = ps->port - resv->start;
	if (!WARN_ON_ONCE(!resv->holders[idx]))
		resv->holders[idx]--;
	ps->port = 0;
}

/* @ps now holds @port of its block. */
static void portres_resv_hold(struct portres_resv *resv,
			      struct portres_sock *ps, u16 port)
{
	resv->holders[port - resv->start]++;
	ps->port = port;
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
		if (resv->holders[idx])
			continue;
		port = resv->start + idx;
		if (portres_port_in_use(resv->pn->net, resv->proto, port))
			continue;
		portres_resv_hold(resv, ps, port);
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
	portres_resv_hold(resv, ps, port);
}

static unsigned long portres_share_key(int proto, u16 port)
{
	return (unsigned long)proto << 16 | port;
}

/**
 * portres_share_grant() - let an associated socket share a port of its block
 * @pn: the socket's namespace
 * @sk: the socket, whose lock the caller holds, about to bind @port
 * @port: the port
 *
 * Sets SO_REUSEPORT on @sk when @port is of its block and no socket outside
 * the reservation holds it: either another of its sockets holds it, or none
 * does.  A port of a block that an outsider holds (a persistent block that
 * is not exclusive lets one in) is not shared with it.
 *
 * Return: true when it set SO_REUSEPORT, which the caller clears again if
 * the bind fails.
 */
bool portres_share_grant(struct portres_net *pn, struct sock *sk, u16 port)
{
	struct portres_resv *resv;
	struct portres_sock *ps;
	bool grant = false;
	unsigned int mine;

	if (!port || sk->sk_reuseport)
		return false;
	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	resv = ps ? ps->resv : NULL;
	if (!resv || port < resv->start || port - resv->start >= resv->count)
		goto out;
	mine = ps->port == port;
	grant = resv->holders[port - resv->start] > mine ||
		!portres_port_in_use(pn->net, resv->proto, port);
	if (grant)
		sk->sk_reuseport = 1;
out:
	mutex_unlock(&pn->lock);
	return grant;
}

/**
 * portres_share_begin() - note that an associated socket shares its port
 * @ps: the record of a socket now bound with SO_REUSEPORT to @ps->port of
 *	its block
 *
 * Return: 0 or -ENOMEM.
 */
int portres_share_begin(struct portres_sock *ps)
{
	struct portres_net *pn = ps->pn;
	unsigned long key, n;
	void *entry;
	int err;

	lockdep_assert_held(&pn->lock);
	if (ps->shared_port || !ps->resv || !ps->port)
		return 0;
	key = portres_share_key(ps->resv->proto, ps->port);
	entry = xa_load(&pn->shared, key);
	n = entry ? xa_to_value(entry) : 0;
	err = xa_err(xa_store(&pn->shared, key, xa_mk_value(n + 1),
			      GFP_KERNEL_ACCOUNT));
	if (err)
		return err;
	ps->shared_proto = ps->resv->proto;
	WRITE_ONCE(ps->shared_port, ps->port);
	return 0;
}

/* The socket of @ps no longer holds its shared port (its last close). */
void portres_share_end(struct portres_sock *ps)
{
	struct portres_net *pn = ps->pn;
	unsigned long key, n;
	void *entry;

	lockdep_assert_held(&pn->lock);
	if (!ps->shared_port)
		return;
	key = portres_share_key(ps->shared_proto, ps->shared_port);
	WRITE_ONCE(ps->shared_port, 0);
	entry = xa_load(&pn->shared, key);
	n = entry ? xa_to_value(entry) : 0;
	if (WARN_ON_ONCE(!n) || n == 1)
		xa_erase(&pn->shared, key);
	else
		/* Replacing a value entry allocates nothing. */
		xa_store(&pn->shared, key, xa_mk_value(n - 1), GFP_ATOMIC);
}

/**
 * portres_share_refused() - whether a socket with SO_REUSEPORT may not bind
 *			     a port that sockets of a reservation share
 * @pn: the socket's namespace
 * @sk: the socket
 * @proto: the protocol whose port it binds
 * @port: the port
 *
 * Under RCU.  Return: true when sockets were let share @port and @sk is
 * neither one of them (which may go on using its port: listen(), say, after
 * the release) nor associated with the reservation that covers it now.
 */
bool portres_share_refused(struct portres_net *pn, const struct sock *sk,
			   int proto, u16 port)
{
	struct portres_resv *resv;
	struct portres_sock *ps;

	if (xa_empty(&pn->shared) ||
	    !xa_load(&pn->shared, portres_share_key(proto, port)))
		return false;
	ps = portres_sock_find(sk);
	if (ps && READ_ONCE(ps->shared_port) == port &&
	    ps->shared_proto == proto)
		return false;
	resv = portres_block_at(pn, proto, port);
	return !resv || !ps || READ_ONCE(ps->resv) != resv;
}
