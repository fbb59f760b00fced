// SPDX-License-Identifier: GPL-2.0
/*
 * portres: socket records.
 *
 * A record is kept for every socket that acquired a reservation or is
 * associated with one, in a hash table keyed by the socket's address, so
 * that the hooks find a socket's state in constant time.  A record is not
 * reference counted: it exists while it has something to record (struct
 * portres_sock), and whoever takes the last thing away from it calls
 * portres_sock_forget_unused().  Records are added and removed under the
 * namespace's lock and freed after an RCU grace period, so the hooks look
 * them up under RCU alone.
 */
#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include "portres.h"
#include "sockets.h"

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

/* Whether no socket has a record, in any namespace. */
bool portres_socks_none(void)
{
	return !atomic_read(&portres_socks.nelems);
}

/*
 * The records of all namespaces, counted by the hash of the socket's
 * address, the hash of the namespaces' hints: a socket whose count is 0
 * has no record anywhere, and the hooks on its close look no further,
 * not even at its namespace.  Written only when a record comes or goes.
 */
atomic_t portres_sock_filter[1 << PORTRES_SOCK_HINT_BITS];

/*
 * Counts a record in, or out, of its hash's hint and of the filter; the
 * lock is held.
 */
static void portres_sock_hint_add(struct portres_sock *ps, int delta)
{
	unsigned int hash = portres_sock_hash(ps->sk);
	struct portres_ports *ports;
	u16 *hint;

	ports = rcu_dereference_protected(ps->pn->ports,
					  lockdep_is_held(&ps->pn->lock));
	hint = &ports->sock_hints[hash];
	/* A full count stays full: a hint may say "maybe" wrongly, never "no". */
	if (*hint != U16_MAX)
		WRITE_ONCE(*hint, *hint + delta);
	atomic_add(delta, &portres_sock_filter[hash]);
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
struct portres_sock *portres_sock_find_or_add(struct portres_net *pn,
				      const struct sock *sk)
{
	struct portres_sock *ps;

	lockdep_assert_held(&pn->lock);
	ps = portres_sock_find(sk);
	if (ps)
		return ps;
	/* Only a namespace with reservations, and so its bitmaps, has records. */
	if (WARN_ON_ONCE(!rcu_access_pointer(pn->ports)))
		return NULL;

	ps = kzalloc(sizeof(*ps), GFP_KERNEL_ACCOUNT);
	if (!ps)
		return NULL;
	ps->sk = sk;
	ps->pn = pn;
	INIT_LIST_HEAD(&ps->owned);
	INIT_LIST_HEAD(&ps->assoc_node);
	portres_sock_hint_add(ps, 1);
	if (rhashtable_insert_fast(&portres_socks, &ps->node,
				   portres_sock_params)) {
		portres_sock_hint_add(ps, -1);
		kfree(ps);
		return NULL;
	}
	list_add_tail(&ps->pn_node, &pn->socks);
	atomic_inc(&pn->nsocks);
	return ps;
}

/* Removes a record, whatever it holds: the caller has let go of that. */
void portres_sock_remove(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	rhashtable_remove_fast(&portres_socks, &ps->node, portres_sock_params);
	portres_sock_hint_add(ps, -1);
	list_del(&ps->pn_node);
	atomic_dec(&ps->pn->nsocks);
	kfree_rcu(ps, rcu);
}

/*
 * Removes the record of a socket that owns no reservation, has none and
 * shares no port.
 */
void portres_sock_forget_unused(struct portres_sock *ps)
{
	lockdep_assert_held(&ps->pn->lock);
	if (list_empty(&ps->owned) && !ps->resv && !ps->shared_port)
		portres_sock_remove(ps);
}

/*
 * Removes every record of a namespace whose reservations are all gone: the
 * namespace's, or the module's, end.  The shared ports go with them.
 */
void portres_socks_drop_all(struct portres_net *pn)
{
	struct portres_sock *ps, *tmp;

	lockdep_assert_held(&pn->lock);
	WARN_ON_ONCE(!list_empty(&pn->resvs));
	list_for_each_entry_safe(ps, tmp, &pn->socks, pn_node) {
		portres_sock_remove(ps);
		cond_resched();
	}
}
