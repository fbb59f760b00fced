// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the reservation table.
 *
 * Each network namespace keeps its reservations per protocol in a maple tree
 * keyed by port range, which refuses overlapping blocks and answers "which
 * reservation covers this port", and in a bitmap of covered ports that the
 * bind hook tests in constant time.  Tokens live in one global hash table;
 * a token found there belongs to a namespace only if its reservation says so.
 */
#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/maple_tree.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <net/ip.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "fastpath.h"
#include "portres.h"

static struct rhashtable portres_tokens;

/*
 * A bind races an acquire: the hooks test the busy bits, then the stack
 * enters the port in its bind table.  In a namespace that has an order of
 * binds (@bind_order, made at its first reservation), every call that
 * takes a port for a TCP or UDP socket while the hooks are registered (the
 * get_port and hash_connect hooks) therefore runs in an SRCU read-side
 * section of the namespace, and counted in its per-CPU counts of binds
 * begun and ended, from its test of the bits to the port's entry in the
 * bind table.  A new reservation publishes its bits and, if a section is
 * under way in the namespace, drops the namespace's lock and waits for the
 * sections that may have missed them; then it takes the lock and looks at
 * the bind tables again.  A bind either saw the bits, or is in the table
 * by then.
 *
 * The counts spare an acquire the grace period when no bind is under way:
 * a section counts itself (full barrier) before it tests the bits, an
 * acquire sets the bits (full barrier) before it reads the counts, the
 * ended ones first (portres_binds_active()), so when the acquire finds as
 * many begun as ended every later section sees its bits, and every earlier
 * one has finished its bind.  The counts are per CPU, so that a bind
 * stores to no memory another CPU's binds store to.
 *
 * A namespace without an order has no reservation: its binds are not
 * redirected at all (the hooks' callbacks let them through), so they pay
 * for no section.  Its first reservation makes the order, and the binds
 * that were let through before it, without a section, may still be under
 * way: until an RCU-tasks grace period has passed since the order was
 * made, a reservation waits for one (without the lock).  The stack's port
 * choice does not schedule voluntarily between its test of a port and the
 * port's entry in the bind table, so a task that passed a voluntary
 * schedule since is done.  A registration of the hooks waits for such a
 * grace period too (bind_hook.c): one after the order was made will do
 * (@bind_epoch against portres_tasks_epoch).
 */

/* Grace periods of RCU-tasks the hooks' registrations waited for. */
static unsigned long portres_tasks_epoch;

/* Called by the hooks' registration after its RCU-tasks grace period. */
void portres_table_tasks_passed(void)
{
	WRITE_ONCE(portres_tasks_epoch, READ_ONCE(portres_tasks_epoch) + 1);
}

/*
 * Sums @b's counts, the ended ones first: a bind counted there began
 * before, and is counted among the begun ones too, so that a bind under
 * way is never cancelled out by one that began after the sum of its CPU
 * and ended before another's.  Return: whether none was under way; *@begun
 * is how many had begun.
 */
static bool portres_binds_sum(struct portres_binds __percpu *b,
			      unsigned long *begun)
{
	unsigned long ended = 0;
	int cpu;

	*begun = 0;
	for_each_possible_cpu(cpu)
		ended += READ_ONCE(per_cpu_ptr(b, cpu)->ended);
	/* The ended ones summed before the begun ones. */
	smp_mb();
	for_each_possible_cpu(cpu)
		*begun += READ_ONCE(per_cpu_ptr(b, cpu)->begun);
	return *begun == ended;
}

/* Whether a bind counted in @b may be under way. */
static bool portres_binds_active(struct portres_binds __percpu *b)
{
	unsigned long begun;

	return !portres_binds_sum(b, &begun);
}

/*
 * Whether no bind counted in @b has begun since portres_binds_sum() found
 * @begun with none under way: each CPU's count only grows, so an equal sum
 * is an unchanged count on every CPU.
 */
static bool portres_binds_still(struct portres_binds __percpu *b,
				unsigned long begun)
{
	unsigned long now;

	return portres_binds_sum(b, &now) && now == begun;
}

/* Gives @pn its order of binds, if it has none yet.  Return: 0, -ENOMEM. */
static int portres_bind_order_init(struct portres_net *pn)
{
	struct portres_bind_order *order;

	lockdep_assert_held(&pn->lock);
	if (rcu_access_pointer(pn->bind_order))
		return 0;
	order = kzalloc(sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!order)
		return -ENOMEM;
	order->binds = alloc_percpu_gfp(struct portres_binds,
					GFP_KERNEL_ACCOUNT);
	if (!order->binds)
		goto err_free;
	if (init_srcu_struct(&order->srcu))
		goto err_binds;
	pn->bind_epoch = READ_ONCE(portres_tasks_epoch);
	pn->bind_ready = false;
	rcu_assign_pointer(pn->bind_order, order);
	return 0;

err_binds:
	free_percpu(order->binds);
err_free:
	kfree(order);
	return -ENOMEM;
}

/* At the namespace's end, when no bind can be under way in it any more. */
static void portres_bind_order_fini(struct portres_net *pn)
{
	struct portres_bind_order *order;

	order = rcu_replace_pointer(pn->bind_order, NULL, true);
	if (!order)
		return;
	/* No reader still holds the pointer, then none is in a section. */
	synchronize_rcu();
	synchronize_srcu(&order->srcu);
	cleanup_srcu_struct(&order->srcu);
	free_percpu(order->binds);
	kfree(order);
}

/*
 * Whether binds that were let through before @pn had its order may still
 * be under way: no RCU-tasks grace period is known to have passed since.
 */
static bool portres_bind_unready(struct portres_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (!pn->bind_ready &&
	    READ_ONCE(portres_tasks_epoch) != pn->bind_epoch)
		pn->bind_ready = true;
	return !pn->bind_ready;
}

static const struct rhashtable_params portres_token_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct portres_resv, token),
	.head_offset = offsetof(struct portres_resv, tnode),
	.automatic_shrinking = true,
};

int portres_table_init(void)
{
	return rhashtable_init(&portres_tokens, &portres_token_params);
}

void portres_table_uninit(void)
{
	/* Every namespace's teardown has ended its reservations. */
	WARN_ON(atomic_read(&portres_tokens.nelems));
	rhashtable_destroy(&portres_tokens);
}

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
	int proto;

	pn->net = net;
	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->resvs);
	INIT_LIST_HEAD(&pn->socks);
	/* portres_port_refused() looks blocks up under RCU. */
	for (proto = 0; proto < PORTRES_NPROTO; proto++)
		mt_init_flags(&pn->blocks[proto], MT_FLAGS_USE_RCU);
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
	int proto;

	mutex_lock(&pn->lock);
	pn->live = false;
	list_for_each_entry_safe(resv, tmp, &pn->resvs, node)
		portres_resv_release(resv);
	portres_socks_drop_all(pn);
	xa_destroy(&pn->shared);
	WARN_ON_ONCE(pn->nusers);
	for (proto = 0; proto < PORTRES_NPROTO; proto++)
		mtree_destroy(&pn->blocks[proto]);
	ports = rcu_replace_pointer(pn->ports, NULL,
				    lockdep_is_held(&pn->lock));
	mutex_unlock(&pn->lock);

	/* The bind hook may still be reading the bitmaps. */
	if (ports)
		kvfree_rcu(ports, rcu);
	portres_bind_order_fini(pn);
	/* Neither is left: the hooks may let the namespace's calls through. */
	if (ports)
		portres_net_filter_add(pn->net, -1);
}

/*
 * Whether nothing is reserved and no socket is known, in any namespace:
 * the hooks have nothing to enforce (bind_hook.c).  A reservation being
 * made is in the token table from before its bits are set.
 */
bool portres_table_idle(void)
{
	return !atomic_read(&portres_tokens.nelems) && portres_socks_none();
}

/*
 * The namespaces that may have reservations or socket records, counted by
 * a hash of their struct net: a namespace is counted from before its first
 * reservation's bitmaps (its struct portres_ports, which the socket
 * records' hints are in) are out until its end.  The hooks test it first,
 * and let a call through when its namespace's count is 0, with no look at
 * the namespace's state: on a host whose reservations are all in other
 * namespaces, an unrelated call costs a load from this read-mostly array.
 */
atomic_t portres_net_filter[1 << PORTRES_NET_FILTER_BITS];

void portres_net_filter_add(const struct net *net, int delta)
{
	atomic_add(delta, &portres_net_filter[portres_net_hash(net)]);
	/* Counted before the ports, and the order of binds, are published. */
	smp_mb__after_atomic();
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

static struct portres_ports *portres_ports_get(struct portres_net *pn)
{
	struct portres_ports *ports;

	lockdep_assert_held(&pn->lock);
	ports = rcu_dereference_protected(pn->ports, lockdep_is_held(&pn->lock));
	if (ports)
		return ports;
	ports = kvzalloc(sizeof(*ports), GFP_KERNEL_ACCOUNT);
	if (!ports)
		return NULL;
	/* Before the ports, and so before the order of binds, are seen. */
	portres_net_filter_add(pn->net, 1);
	rcu_assign_pointer(pn->ports, ports);
	return ports;
}

static struct portres_ports *portres_ports_locked(struct portres_net *pn)
{
	return rcu_dereference_protected(pn->ports, lockdep_is_held(&pn->lock));
}

static int portres_block_check(struct portres_net *pn,
			       struct portres_ports *ports, int proto,
			       unsigned int start, unsigned int count)
{
	if (find_next_bit(ports->busy[proto], start + count, start) <
	    start + count)
		return -EADDRINUSE;
	return portres_block_in_use(pn->net, proto, start, count) ?
	       -EADDRINUSE : 0;
}

static int portres_block_pick(struct portres_net *pn,
			      struct portres_ports *ports, int proto,
			      unsigned int count)
{
	struct portres_search s = {
		.busy = ports->busy[proto],
		.admin_reserved = pn->net->ipv4.sysctl_local_reserved_ports,
		.ours = ports->ours,
		.net = pn->net,
		.proto = proto,
	};
	int lo, hi;

	/*
	 * The kernel keeps ip_local_port_range at or above
	 * ip_unprivileged_port_start (each sysctl refuses a value that would
	 * make them overlap): a picked block holds no privileged port.
	 */
	inet_get_local_port_range(pn->net, &lo, &hi);
	return portres_find_free_block(&s, lo, hi, count);
}

static int portres_token_insert(struct portres_resv *resv)
{
	int err, tries;

	for (tries = 0; tries < 16; tries++) {
		do {
			resv->token = get_random_u64();
		} while (!resv->token);
		err = rhashtable_lookup_insert_fast(&portres_tokens,
						    &resv->tnode,
						    portres_token_params);
		if (err != -EEXIST)
			return err;
	}
	return -EAGAIN;
}

/*
 * Enters @resv in the table and publishes its bits, then makes sure that no
 * socket took one of its ports meanwhile (see portres_tasks_epoch).
 *
 * Return: 0, -EADDRINUSE if a socket did, -ENOMEM, -EAGAIN.
 */
static int portres_resv_publish(struct portres_net *pn,
				struct portres_ports *ports,
				struct portres_resv *resv,
				const unsigned long *checked)
{
	unsigned int start = resv->start, count = resv->count;
	struct portres_bind_order *order;
	int proto = resv->proto;
	bool unready;
	int err;

	err = mtree_insert_range(&pn->blocks[proto], start, start + count - 1,
				 resv, GFP_KERNEL_ACCOUNT);
	if (err) {
		/* The busy bitmap said the block was free: it cannot clash. */
		WARN_ON_ONCE(err == -EEXIST);
		return err;
	}
	err = portres_token_insert(resv);
	if (err)
		goto err_erase;
	resv->pending = true;
	bitmap_set(ports->busy[proto], start, count);
	portres_rp_reserve(pn, ports, start, count);

	/* The bits are set before the counts are read: see portres_tasks_epoch. */
	smp_mb();
	order = rcu_dereference_protected(pn->bind_order,
					  lockdep_is_held(&pn->lock));
	unready = portres_bind_unready(pn);
	/*
	 * The block was checked while no bind of the namespace was under
	 * way (@checked), and none has begun since: no bind took a port of
	 * it since the check, which stands (portres_resv_new()).
	 */
	if (!unready && checked && portres_binds_still(order->binds, *checked))
		goto checked;
	if (unready || portres_binds_active(order->binds)) {
		/*
		 * Not waited for under the lock.  Meanwhile the reservation
		 * keeps its block and refuses binds, and is found by nothing
		 * else (@pending): its token is known to no one yet.  Its
		 * socket or request keeps the namespace and @order, and the
		 * caller the module.
		 */
		mutex_unlock(&pn->lock);
		if (unready)
			synchronize_rcu_tasks();
		synchronize_srcu(&order->srcu);
		mutex_lock(&pn->lock);
		if (unready)
			pn->bind_ready = true;
	}
	/* The counts are read before the bind tables (bind_tables.c). */
	smp_mb();
	if (portres_block_in_use(pn->net, proto, start, count)) {
		err = -EADDRINUSE;
		goto err_unpublish;
	}
checked:
	resv->pending = false;
	if (WARN_ON_ONCE(!pn->live)) {
		err = -EADDRINUSE;
		goto err_unpublish;
	}
	list_add_tail(&resv->node, &pn->resvs);
	pn->nresvs++;
	pn->seq++;
	return 0;

err_unpublish:
	bitmap_clear(ports->busy[proto], start, count);
	portres_rp_unreserve(pn, ports, start, count);
	rhashtable_remove_fast(&portres_tokens, &resv->tnode,
			       portres_token_params);
err_erase:
	mtree_erase(&pn->blocks[proto], start);
	return err;
}

/*
 * Makes a reservation of [@start, @start + @count) (any free block of
 * ip_local_port_range for start 0) and enters it in the table.
 */
static int portres_resv_new(struct portres_net *pn, int proto, u16 start,
			    u16 count, bool persistent, bool exclusive,
			    struct portres_resv **resvp)
{
	struct portres_bind_order *order;
	struct portres_ports *ports;
	struct portres_resv *resv;
	int err, first, tries = 0;
	unsigned long begun;
	bool quiet;

	lockdep_assert_held(&pn->lock);
	if (!count || (unsigned int)start + count > PORTRES_NPORTS)
		return -EINVAL;
	if (!pn->live)
		return -ENODEV;

	ports = portres_ports_get(pn);
	if (!ports)
		return -ENOMEM;
	err = portres_bind_order_init(pn);
	if (err)
		return err;

again:
	/*
	 * When no bind is under way in the namespace now, and none begins
	 * before the block's bits are out, the check below is as good as
	 * one after them, and the publication skips its own (the larger part
	 * of a big block's cost).  The counts are read before the tables.
	 */
	order = rcu_dereference_protected(pn->bind_order,
					  lockdep_is_held(&pn->lock));
	quiet = !portres_bind_unready(pn) &&
		portres_binds_sum(order->binds, &begun);
	/* The counts read before the bind tables. */
	smp_mb();
	if (start) {
		err = portres_block_check(pn, ports, proto, start, count);
		if (err)
			return err;
		first = start;
	} else {
		first = portres_block_pick(pn, ports, proto, count);
		if (first < 0)
			return first;
	}
	resv = kvzalloc(struct_size(resv, holders, count), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return -ENOMEM;
	resv->start = first;
	resv->pn = pn;
	resv->count = count;
	resv->proto = proto;
	resv->persistent = persistent;
	resv->exclusive = exclusive;
	INIT_LIST_HEAD(&resv->socks);
	INIT_LIST_HEAD(&resv->owner_node);

	err = portres_resv_publish(pn, ports, resv, quiet ? &begun : NULL);
	if (err) {
		/* Bind hooks may have found it in the tree. */
		kvfree_rcu(resv, rcu);
		/* A wildcard acquire tries another block. */
		if (err == -EADDRINUSE && !start && ++tries < 4)
			goto again;
		return err;
	}
	*resvp = resv;
	return 0;
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
 * portres_resv_find() - look up a reservation of a namespace by its token
 * @pn: the namespace
 * @token: the token
 *
 * Return: the reservation, or NULL when no reservation of @pn has @token.
 */
struct portres_resv *portres_resv_find(struct portres_net *pn, u64 token)
{
	struct portres_resv *resv;

	lockdep_assert_held(&pn->lock);
	if (!token)
		return NULL;
	/*
	 * The namespace's lock keeps @pn's reservations, but the token table
	 * is global: another namespace may resize it meanwhile, and
	 * rhashtable_lookup() reads its bucket table under RCU.
	 */
	rcu_read_lock();
	resv = rhashtable_lookup(&portres_tokens, &token, portres_token_params);
	if (resv && (resv->pn != pn || resv->pending))
		resv = NULL;
	rcu_read_unlock();
	return resv;
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
		resv = mtree_load(&pn->blocks[proto], port);
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
	resv = mtree_load(&pn->blocks[proto], start);
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
	resv = mtree_load(&pn->blocks[proto], port);
	/* One being made refuses binds on its own (portres_port_refused()). */
	return resv && !resv->pending ? resv : NULL;
}

static void __portres_resv_release(struct portres_resv *resv, bool announced)
{
	struct portres_net *pn = resv->pn;
	struct portres_ports *ports = portres_ports_locked(pn);
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

	mtree_erase(&pn->blocks[resv->proto], resv->start);
	bitmap_clear(ports->busy[resv->proto], resv->start, resv->count);
	portres_rp_unreserve(pn, ports, resv->start, resv->count);
	rhashtable_remove_fast(&portres_tokens, &resv->tnode,
			       portres_token_params);
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
