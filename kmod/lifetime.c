// SPDX-License-Identifier: GPL-2.0
/*
 * portres: socket records and the end of a socket.
 *
 * A record is kept for every socket that acquired a reservation or is
 * associated with one, in a hash table keyed by the socket, so that the
 * hooks find a socket's state in constant time.  The last close of a socket
 * (inet_release) ends the reservations acquired on it and frees the port it
 * held in its block.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "portres.h"

static struct rhashtable portres_socks;

static const struct rhashtable_params portres_sock_params = {
	.key_len = sizeof(const struct sock *),
	.key_offset = offsetof(struct portres_sock, sk),
	.head_offset = offsetof(struct portres_sock, node),
	.automatic_shrinking = true,
};

int portres_socks_init(void)
{
	return rhashtable_init(&portres_socks, &portres_sock_params);
}

void portres_socks_uninit(void)
{
	WARN_ON(atomic_read(&portres_socks.nelems));
	rhashtable_destroy(&portres_socks);
}

/* Whether portres knows @sk; for the hooks' fast path, under RCU. */
bool portres_sock_known(const struct sock *sk)
{
	return rhashtable_lookup(&portres_socks, &sk, portres_sock_params);
}

/* Return: the record of @sk, or NULL.  The namespace's lock is held. */
struct portres_sock *portres_sock_find(const struct sock *sk)
{
	return rhashtable_lookup_fast(&portres_socks, &sk, portres_sock_params);
}

/* Return: the record of @sk, made if it has none, or NULL without memory. */
struct portres_sock *portres_sock_get(struct portres_net *pn,
				      const struct sock *sk)
{
	struct portres_sock *ps;

	lockdep_assert_held(&pn->lock);
	ps = portres_sock_find(sk);
	if (ps)
		return ps;

	ps = kzalloc(sizeof(*ps), GFP_KERNEL_ACCOUNT);
	if (!ps)
		return NULL;
	ps->sk = sk;
	ps->pn = pn;
	INIT_LIST_HEAD(&ps->owned);
	INIT_LIST_HEAD(&ps->assoc_node);
	if (rhashtable_insert_fast(&portres_socks, &ps->node,
				   portres_sock_params)) {
		kfree(ps);
		return NULL;
	}
	list_add_tail(&ps->pn_node, &pn->socks);
	atomic_inc(&pn->nsocks);
	return ps;
}

static void portres_sock_remove(struct portres_sock *ps)
{
	rhashtable_remove_fast(&portres_socks, &ps->node, portres_sock_params);
	list_del(&ps->pn_node);
	atomic_dec(&ps->pn->nsocks);
	kfree_rcu(ps, rcu);
}

/* Frees the record of a socket that owns no reservation and has none. */
void portres_sock_put(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	if (list_empty(&ps->owned) && !ps->resv)
		portres_sock_remove(ps);
}

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
	ps = portres_sock_get(pn, sk);
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
	portres_sock_put(ps);
}

/**
 * portres_sock_release() - forget a socket at its last close
 * @pn: the socket's namespace
 * @sk: the socket
 *
 * Ends every reservation acquired on @sk and frees the port @sk held in the
 * block it was associated with.
 */
void portres_sock_release(struct portres_net *pn, const struct sock *sk)
{
	struct portres_resv *resv, *tmp;
	struct portres_sock *ps;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (!ps)
		goto out;

	if (ps->resv) {
		portres_resv_put_port(ps);
		list_del_init(&ps->assoc_node);
		WRITE_ONCE(ps->resv, NULL);
	}
	list_for_each_entry_safe(resv, tmp, &ps->owned, owner_node) {
		list_del(&resv->owner_node);
		resv->owner = NULL;
		portres_resv_release(resv);
	}
	portres_sock_remove(ps);
out:
	mutex_unlock(&pn->lock);
}

/* Frees every record of a namespace whose reservations are all gone. */
void portres_net_drop_socks(struct portres_net *pn)
{
	struct portres_sock *ps, *tmp;

	lockdep_assert_held(&pn->lock);
	WARN_ON_ONCE(!list_empty(&pn->resvs));
	list_for_each_entry_safe(ps, tmp, &pn->socks, pn_node)
		portres_sock_remove(ps);
}
