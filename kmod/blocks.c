// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the blocks of reservations, per network namespace: making a
 * reservation's block and taking it back, with the namespace's bitmaps
 * and chunks of blocks, the filter of namespaces that may have any, and
 * the global table of tokens.
 *
 * Each network namespace keeps its reservations per protocol by the first
 * port of their block, in chunks of 64 ports, with a bitmap of those first
 * ports, which together answer "which reservation covers this port"
 * (portres_block_at()), and in a bitmap of covered ports that the bind
 * hook tests in constant time.  Whether a block is free is the covered
 * ports' bitmap's to say.  Neither the lookup nor a change costs more with
 * more reservations, and a change allocates nothing after a chunk's first
 * (a tree's does: Linux 6.1's maple tree preallocates nodes for its height
 * at each erase, and an xarray frees and allocates a node each time a
 * chunk's only block comes and goes).
 */
#include <linux/bitmap.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/ip.h>

#include "portres.h"
#include "bind_order.h"
#include "bind_tables.h"
#include "blocks.h"
#include "reserved_ports.h"

static struct rhashtable portres_tokens;

static const struct rhashtable_params portres_token_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct portres_resv, token),
	.head_offset = offsetof(struct portres_resv, tnode),
	.automatic_shrinking = true,
};

int portres_tokens_init(void)
{
	return rhashtable_init(&portres_tokens, &portres_token_params);
}

void portres_tokens_uninit(void)
{
	/* Every namespace's teardown has ended its reservations. */
	WARN_ON(atomic_read(&portres_tokens.nelems));
	rhashtable_destroy(&portres_tokens);
}

/* Whether no reservation is in the token table, in any namespace. */
bool portres_tokens_none(void)
{
	return !atomic_read(&portres_tokens.nelems);
}

/*
 * The namespaces that may have reservations or socket records, counted by
 * a hash of their struct net: a namespace is counted from before its first
 * reservation's bitmaps (its struct portres_ports, which the socket
 * records' hints are in) are out until its end.  The hooks on the port
 * choice test it first, and let a call through when its namespace's count
 * is 0, with no look at the namespace's state: on a host whose
 * reservations are all in other namespaces, an unrelated bind costs a
 * load from this read-mostly array.  (The hooks that look for a socket's
 * record test portres_sock_filter instead, sockets.c.)
 */
atomic_t portres_net_filter[1 << PORTRES_NET_FILTER_BITS];

void portres_net_filter_add(const struct net *net, int delta)
{
	atomic_add(delta, &portres_net_filter[portres_net_hash(net)]);
	/* Counted before the ports, and the order of binds, are published. */
	smp_mb__after_atomic();
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

/*
 * Enters @resv as the reservation whose block starts at @start, or takes
 * the one there out for NULL.  Return: 0, -ENOMEM without a chunk.
 */
static int portres_blocks_store(struct portres_net *pn,
				struct portres_ports *ports, int proto,
				unsigned int start, struct portres_resv *resv)
{
	struct portres_block_chunk __rcu **chunkp;
	struct portres_block_chunk *chunk;
	unsigned int slot = start & ((1 << PORTRES_CHUNK_BITS) - 1);

	lockdep_assert_held(&pn->lock);
	chunkp = &ports->blocks[proto][start >> PORTRES_CHUNK_BITS];
	chunk = rcu_dereference_protected(*chunkp, lockdep_is_held(&pn->lock));
	if (!resv) {
		__clear_bit(start, ports->starts[proto]);
		if (chunk)
			RCU_INIT_POINTER(chunk->resv[slot], NULL);
		return 0;
	}
	if (!chunk) {
		chunk = kzalloc(sizeof(*chunk), GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return -ENOMEM;
		rcu_assign_pointer(*chunkp, chunk);
	}
	/* The busy bitmap said the block was free: it cannot clash. */
	WARN_ON_ONCE(rcu_access_pointer(chunk->resv[slot]));
	rcu_assign_pointer(chunk->resv[slot], resv);
	/* Stored before its start is seen: pairs with portres_block_at(). */
	smp_wmb();
	__set_bit(start, ports->starts[proto]);
	return 0;
}

/* At the namespace's end, with the bitmaps: after a grace period. */
void portres_blocks_free(struct portres_ports *ports)
{
	struct portres_block_chunk *chunk;
	int proto, i;

	for (proto = 0; proto < PORTRES_NPROTO; proto++)
		for (i = 0; i < ARRAY_SIZE(ports->blocks[proto]); i++) {
			chunk = rcu_dereference_protected(ports->blocks[proto][i],
							  true);
			if (chunk)
				kfree_rcu(chunk, rcu);
		}
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
 * Return: 0, -EADDRINUSE if a socket did, -ENOMEM, -EAGAIN, or -EINTR when
 * the caller got a fatal signal while it waited for binds.
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

	err = portres_blocks_store(pn, ports, proto, start, resv);
	if (err)
		return err;
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
		err = portres_binds_wait(order, true);
		mutex_lock(&pn->lock);
		/* A fatal signal: the caller will not see the error. */
		if (err)
			goto err_unpublish;
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
	portres_blocks_store(pn, ports, proto, start, NULL);
	return err;
}

/*
 * Makes a reservation of [@start, @start + @count) (any free block of
 * ip_local_port_range for start 0) and enters it in the table.
 */
int portres_resv_new(struct portres_net *pn, int proto, u16 start, u16 count,
		     bool persistent, bool exclusive, struct portres_resv **resvp)
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

/*
 * Takes @resv's block back: out of the chunks, the bitmaps and the token
 * table.  Called under the namespace's lock.
 */
void portres_resv_unpublish(struct portres_resv *resv)
{
	struct portres_net *pn = resv->pn;
	struct portres_ports *ports = portres_ports_locked(pn);

	lockdep_assert_held(&pn->lock);
	portres_blocks_store(pn, ports, resv->proto, resv->start, NULL);
	bitmap_clear(ports->busy[resv->proto], resv->start, resv->count);
	portres_rp_unreserve(pn, ports, resv->start, resv->count);
	rhashtable_remove_fast(&portres_tokens, &resv->tnode,
			       portres_token_params);
}
