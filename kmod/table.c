// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the reservation table, per network namespace: acquiring,
 * creating, finding and ending reservations, the test of a port taken
 * (portres_port_refused_slow()), and each namespace's state.  A
 * reservation's block is made and taken back by blocks.c.
 */
#include <linux/in.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "portres.h"
#include "assoc.h"
#include "bind_order.h"
#include "bind_tables.h"
#include "blocks.h"
#include "limits.h"
#include "sockets.h"
#include "table.h"
#include "trace.h"

/* Return: PORTRES_TCP or PORTRES_UDP for IPPROTO_TCP or _UDP, or -EINVAL. */
int portres_proto_from_ip(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return PORTRES_TCP;
	case IPPROTO_UDP:
		return PORTRES_UDP;
	}
	return -EINVAL;
}

int portres_proto_to_ip(int proto)
{
	return proto == PORTRES_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

const char *portres_proto_name(int proto)
{
	return proto == PORTRES_TCP ? "tcp" : "udp";
}

void portres_net_init(struct portres_net *pn, struct net *net)
{
	pn->net = net;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->resvs);
	INIT_LIST_HEAD(&pn->socks);
	atomic_set(&pn->nsocks, 0);
	atomic_long_set(&pn->refused, 0);
	xa_init(&pn->shared);
	RCU_INIT_POINTER(pn->bind_order, NULL);
	pn->live = true;
}

/*
 * A namespace that dies has no socket left, so each of its runtime
 * reservations and socket records must have ended with its socket: what is
 * left is a leak.  Persistent reservations are the namespace's own.
 */
void portres_net_check_dead(struct portres_net *pn)
{
	struct portres_resv *resv;

	mutex_lock(&pn->lock);
	list_for_each_entry(resv, &pn->resvs, node)
		WARN_ONCE(!resv->persistent,
			  "portres: runtime reservation %u-%u outlived its socket\n",
			  resv->start, resv->start + resv->count - 1);
	WARN_ONCE(!list_empty(&pn->socks),
		  "portres: socket records outlived their sockets\n");
	mutex_unlock(&pn->lock);
}

/* Ends every reservation of a namespace, on its teardown or module unload. */
void portres_net_uninit(struct portres_net *pn)
{
	struct portres_resv *resv, *tmp;
	struct portres_ports *ports;

	mutex_lock(&pn->lock);
	pn->live = false;
	list_for_each_entry_safe(resv, tmp, &pn->resvs, node)
		portres_resv_release(resv);
	portres_socks_drop_all(pn);
	xa_destroy(&pn->shared);
	WARN_ON_ONCE(pn->nusers);
	ports = rcu_replace_pointer(pn->ports, NULL,
				    lockdep_is_held(&pn->lock));
	mutex_unlock(&pn->lock);

	/* The bind hook may still be reading the bitmaps and the chunks. */
	if (ports) {
		portres_blocks_free(ports);
		kvfree_rcu(ports, rcu);
	}
	portres_bind_order_fini(pn);
	/* Neither is left: the hooks may let the namespace's calls through. */
	if (ports)
		portres_net_filter_add(pn->net, -1);
}

/*
 * Whether nothing is reserved and no socket is known, in any namespace:
 * the hooks have nothing to enforce (hooks.c).  A reservation being
 * made is in the token table from before its bits are set.
 */
bool portres_table_idle(void)
{
	return portres_tokens_none() && portres_socks_none();
}

unsigned int portres_net_id __read_mostly;

/* Return: the state of @net.  Called under RCU or with a reference. */
struct portres_net *portres_pernet(const struct net *net)
{
	return net_generic(net, portres_net_id);
}

static int __net_init portres_pernet_init(struct net *net)
{
	portres_net_init(portres_pernet(net), net);
	return 0;
}

static void __net_exit portres_pernet_exit(struct net *net)
{
	struct portres_net *pn = portres_pernet(net);

	/* Not on module unload: live namespaces keep their sockets. */
	if (!check_net(net))
		portres_net_check_dead(pn);
	portres_net_uninit(pn);
}

static struct pernet_operations portres_net_ops = {
	.init = portres_pernet_init,
	.exit = portres_pernet_exit,
	.id = &portres_net_id,
	.size = sizeof(struct portres_net),
};

/*
 * Every namespace gets its state now and at its birth; each one's
 * reservations end with it, and with the module.
 */
int portres_nets_init(void)
{
	return register_pernet_subsys(&portres_net_ops);
}

void portres_nets_uninit(void)
{
	unregister_pernet_subsys(&portres_net_ops);
}

/*
 * The front ends that show reservations (sysfs, netlink events) learn of
 * each one made and ended through this chain, called under the namespace's
 * lock: the table calls no front end itself.
 */
static BLOCKING_NOTIFIER_HEAD(portres_resv_chain);

int portres_resv_notifier_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&portres_resv_chain, nb);
}

void portres_resv_notifier_unregister(struct notifier_block *nb)
{
	blocking_notifier_chain_unregister(&portres_resv_chain, nb);
}

/*
 * Tells the listeners of a new reservation.  One may refuse it (sysfs,
 * without memory for a directory): those told before it are told of its
 * end, and the caller ends it unannounced.
 */
static int portres_resv_announce(struct portres_resv *resv)
{
	int ret;

	ret = blocking_notifier_call_chain_robust(&portres_resv_chain,
						  PORTRES_RESV_ADDED,
						  PORTRES_RESV_REMOVED, resv);
	return notifier_to_errno(ret);
}

static void __portres_resv_release(struct portres_resv *resv, bool announced);

/**
 * portres_resv_acquire() - make a runtime reservation
 * @pn: the namespace
 * @sk: the socket it is acquired on, whose last close ends it
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @start: first port, or 0 for any free block of ip_local_port_range
 * @count: number of ports
 * @resvp: set to the new reservation
 *
 * Runs in the acquiring task: its capabilities over the namespace count.
 *
 * Return: 0, -EINVAL for an empty block or one past 65535, -EACCES for a
 * block below ip_unprivileged_port_start without CAP_NET_BIND_SERVICE over
 * the namespace, -EADDRINUSE when the block overlaps a reservation or a
 * port in use (or no block is free), -EDQUOT past max_user_ports for the
 * caller or a user above it (limits.c), or past max_ns_ports for the
 * namespace (callers without CAP_NET_ADMIN over it), -ENOMEM.
 */
int portres_resv_acquire(struct portres_net *pn, struct sock *sk, int proto,
			 u16 start, u16 count, struct portres_resv **resvp)
{
	struct portres_charge charge;
	struct portres_resv *resv;
	struct portres_sock *ps;
	bool limited;
	int err;

	lockdep_assert_held(&pn->lock);
	if (!count || (unsigned int)start + count > PORTRES_NPORTS)
		return -EINVAL;
	/*
	 * A reservation gives no more than bind() would: the check of
	 * inet_bind(), on the block's first port.
	 */
	if (start && inet_port_requires_bind_service(pn->net, start) &&
	    !ns_capable(pn->net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	limited = !ns_capable_noaudit(pn->net->user_ns, CAP_NET_ADMIN);
	if (limited) {
		err = portres_charge(pn, count, &charge);
		if (err)
			return err;
	}
	err = portres_resv_new(pn, proto, start, count, false, false, &resv);
	if (err)
		goto err_charge;
	/*
	 * Found or made only now: portres_resv_new() may have dropped the
	 * lock, and another thread's call on the socket may have removed an
	 * unused record meanwhile.
	 */
	ps = portres_sock_find_or_add(pn, sk);
	if (!ps) {
		err = -ENOMEM;
		goto err_resv;
	}
	resv->tgid = get_pid(task_tgid(current));
	resv->uid = current_uid();
	get_task_comm(resv->comm, current);
	resv->limited = limited;
	if (limited)
		resv->charge = charge;
	resv->owner = ps;
	list_add_tail(&resv->owner_node, &ps->owned);
	/* No listener refuses a runtime reservation. */
	WARN_ON_ONCE(portres_resv_announce(resv));
	*resvp = resv;
	return 0;

err_resv:
	__portres_resv_release(resv, false);
err_charge:
	if (limited)
		portres_uncharge(pn, &charge, count);
	return err;
}

/**
 * portres_resv_create() - make a persistent reservation
 * @pn: the namespace
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @start: first port, not 0
 * @count: number of ports
 * @exclusive: whether explicit binds by other sockets are refused
 * @resvp: set to the new reservation
 *
 * Return: 0, -EINVAL, -EADDRINUSE or -ENOMEM, as portres_resv_acquire();
 * -EDQUOT in a network namespace that a user namespace other than the
 * initial one owns, which holds max_ns_persistent of them already.
 */
int portres_resv_create(struct portres_net *pn, int proto, u16 start,
			u16 count, bool exclusive, struct portres_resv **resvp)
{
	struct portres_resv *resv;
	int err;

	lockdep_assert_held(&pn->lock);
	if (!start)
		return -EINVAL;
	err = portres_persistent_check(pn);
	if (err)
		return err;
	err = portres_resv_new(pn, proto, start, count, true, exclusive,
			       &resv);
	if (err)
		return err;
	pn->npersistent++;
	err = portres_resv_announce(resv);
	if (err) {
		/* The listeners that took it have given it up again. */
		__portres_resv_release(resv, false);
		return err;
	}
	*resvp = resv;
	return 0;
}

/**
 * portres_port_refused_slow() - whether a socket may not take a port
 * @pn: the socket's namespace
 * @sk: the socket
 * @proto: the protocol whose port it takes
 * @port: the port
 *
 * Called without the namespace's lock, between portres_bind_begin() and
 * portres_bind_end(), right before the stack takes @port.
 *
 * Return: -EACCES when a reservation covers @port and does not let @sk in
 * (@sk is not associated with it, and it is runtime or exclusive);
 * -EADDRINUSE when @sk has SO_REUSEPORT and the sockets of a reservation
 * share @port (assoc.c), which only they may; 0 when @sk may take @port.
 */
int portres_port_refused_slow(struct portres_net *pn, const struct sock *sk,
			      int proto, u16 port)
{
	struct portres_ports *ports;
	struct portres_resv *resv;
	struct portres_sock *ps;
	int refused = 0;

	rcu_read_lock();
	ports = rcu_dereference(pn->ports);
	if (!ports)
		goto out;
	if (test_bit(port, ports->busy[proto])) {
		resv = portres_block_at(pn, proto, port);
		ps = portres_sock_find(sk);
		if (resv && (!resv->persistent || resv->exclusive) &&
		    (!ps || READ_ONCE(ps->resv) != resv)) {
			refused = portres_refused(pn, proto, port, resv, -EACCES);
			goto out;
		}
	}
	if (sk->sk_reuseport && portres_share_refused(pn, sk, proto, port))
		refused = portres_refused(pn, proto, port, NULL, -EADDRINUSE);
out:
	rcu_read_unlock();
	return refused;
}

/* Return: the persistent reservation of exactly that block, or NULL. */
struct portres_resv *portres_resv_persistent(struct portres_net *pn, int proto,
					     u16 start, u16 count)
{
	struct portres_resv *resv;

	lockdep_assert_held(&pn->lock);
	resv = portres_block_at(pn, proto, start);
	if (!resv || resv->pending || !resv->persistent ||
	    resv->start != start || resv->count != count)
		return NULL;
	return resv;
}

/* Return: how many ports of the block some socket is bound to. */
unsigned int portres_resv_ports_in_use(const struct portres_resv *resv)
{
	unsigned int port, used = 0;

	for (port = resv->start; port < resv->start + resv->count; port++) {
		used += portres_port_in_use(resv->pn->net, resv->proto, port);
		cond_resched();
	}
	return used;
}

/* Return: the reservation of @pn covering @port for @proto, or NULL. */
struct portres_resv *portres_resv_at(struct portres_net *pn, int proto,
				     u16 port)
{
	struct portres_resv *resv;

	lockdep_assert_held(&pn->lock);
	resv = portres_block_at(pn, proto, port);
	/* One being made refuses binds on its own (portres_port_refused()). */
	return resv && !resv->pending ? resv : NULL;
}
static void __portres_resv_release(struct portres_resv *resv, bool announced)
{
	struct portres_net *pn = resv->pn;
	struct portres_sock *ps, *tmp;

	lockdep_assert_held(&pn->lock);

	if (announced)
		blocking_notifier_call_chain(&portres_resv_chain,
					     PORTRES_RESV_REMOVED, resv);
	/* Constant time each, and at most portres_assoc_check()'s limit. */
	list_for_each_entry_safe(ps, tmp, &resv->socks, assoc_node) {
		portres_sock_dissociate(ps);
		cond_resched();
	}

	portres_resv_unpublish(resv);
	list_del(&resv->node);
	pn->nresvs--;
	pn->seq++;

	if (resv->owner) {
		list_del(&resv->owner_node);
		portres_sock_forget_unused(resv->owner);
	}
	if (resv->limited)
		portres_uncharge(pn, &resv->charge, resv->count);
	if (resv->persistent)
		pn->npersistent--;
	put_pid(resv->tgid);
	kvfree_rcu(resv, rcu);
}

/**
 * portres_resv_release() - end a reservation
 * @resv: the reservation
 *
 * Its associated sockets lose their association but keep any port they are
 * bound to.  The ports leave the namespace's reserved-ports bitmap, except
 * those the admin had reserved too.
 */
void portres_resv_release(struct portres_resv *resv)
{
	__portres_resv_release(resv, true);
}

/**
 * portres_sock_closed() - forget a socket at its last close
 * @pn: the socket's namespace
 * @sk: the socket
 *
 * Ends every reservation acquired on @sk and frees the port @sk held in the
 * block it was associated with.
 */
void portres_sock_closed(struct portres_net *pn, const struct sock *sk)
{
	struct portres_resv *resv, *tmp;
	struct portres_sock *ps;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (!ps)
		goto out;

	portres_sock_disconnect(ps);
	list_for_each_entry_safe(resv, tmp, &ps->owned, owner_node) {
		list_del(&resv->owner_node);
		resv->owner = NULL;
		portres_resv_release(resv);
	}
	portres_sock_remove(ps);
out:
	mutex_unlock(&pn->lock);
}
