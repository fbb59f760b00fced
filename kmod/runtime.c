// SPDX-License-Identifier: GPL-2.0
/*
 * portres: runtime reservations, for the front ends.
 *
 * The calls of the ioctls on a socket's reservations, each taking the
 * namespace's lock itself and handing back values, never a reservation:
 * the caller never holds the lock, and who may use a reservation is
 * decided here, in portres_may_use(), alone.
 */
#include <linux/capability.h>
#include <linux/sched.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "portres.h"
#include "assoc.h"
#include "blocks.h"
#include "runtime.h"
#include "table.h"

/*
 * A runtime reservation is for the process that acquired it; a persistent
 * one for whoever administers the namespace.
 */
static bool portres_may_use(const struct portres_resv *resv)
{
	if (resv->persistent)
		return ns_capable(resv->pn->net->user_ns, CAP_NET_ADMIN);
	return resv->tgid == task_tgid(current);
}

/**
 * portres_runtime_acquire() - acquire a runtime reservation on a socket
 * @pn: the socket's namespace
 * @sk: the socket, whose last close ends it
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @start: first port, or 0 for any free block
 * @count: how many ports
 * @snap: what the caller learns of it
 *
 * Return: as portres_resv_acquire().
 */
int portres_runtime_acquire(struct portres_net *pn, struct sock *sk,
			    int proto, u16 start, u16 count,
			    struct portres_resv_snap *snap)
{
	struct portres_resv *resv;
	int err;

	mutex_lock(&pn->lock);
	err = portres_resv_acquire(pn, sk, proto, start, count, &resv);
	if (!err) {
		snap->start = resv->start;
		snap->count = resv->count;
		snap->token = resv->token;
	}
	mutex_unlock(&pn->lock);
	return err;
}

/**
 * portres_runtime_associate() - associate a socket with a reservation
 * @pn: the socket's namespace
 * @sk: the socket, whose lock the caller holds
 * @proto: the socket's protocol
 * @token: the reservation's token
 *
 * Return: 0; -EINVAL when @pn has no reservation of @token for @proto, or
 * @sk has a port already; -EACCES when the caller may not use it; or as
 * portres_sock_associate().
 */
int portres_runtime_associate(struct portres_net *pn, struct sock *sk,
			      int proto, u64 token)
{
	struct portres_resv *resv;
	int err;

	mutex_lock(&pn->lock);
	resv = portres_resv_find(pn, token);
	if (!resv || resv->proto != proto) {
		err = -EINVAL;
		goto out_unlock;
	}
	if (!portres_may_use(resv)) {
		err = -EACCES;
		goto out_unlock;
	}
	/* Association must come before the socket has a port. */
	if (inet_sk(sk)->inet_num) {
		err = -EINVAL;
		goto out_unlock;
	}
	/*
	 * The sockets of one reservation share its ports, as on Windows:
	 * the get_port hooks let each bind a port of the block another holds
	 * (assoc.c), and nothing else.
	 */
	err = portres_sock_associate(pn, sk, resv);
out_unlock:
	mutex_unlock(&pn->lock);
	return err;
}

/**
 * portres_runtime_release() - end a runtime reservation by its token
 * @pn: the namespace
 * @token: the reservation's token
 *
 * Return: 0; -EINVAL when @pn has no runtime reservation of @token;
 * -EACCES when the caller may not use it.
 */
int portres_runtime_release(struct portres_net *pn, u64 token)
{
	struct portres_resv *resv;
	int err = 0;

	mutex_lock(&pn->lock);
	resv = portres_resv_find(pn, token);
	if (!resv || resv->persistent)
		err = -EINVAL;
	else if (!portres_may_use(resv))
		err = -EACCES;
	else
		portres_resv_release(resv);
	mutex_unlock(&pn->lock);
	return err;
}
