/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: port reservations for TCP and UDP, internal interfaces.
 */
#ifndef _PORTRES_H
#define _PORTRES_H

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/static_call.h>
#include <linux/sysctl.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>
#include <linux/types.h>
#include <net/net_namespace.h>

struct ctl_table;
struct portres_bind_order;
struct portres_entry;
struct portres_user;
struct sock;
struct socket;

#define PORTRES_NPORTS	65536

enum portres_proto {
	PORTRES_TCP,
	PORTRES_UDP,
	PORTRES_NPROTO,
};

/*
 * Port bitmaps of one network namespace, allocated on its first reservation.
 * @busy has a bit for every port covered by a reservation, per protocol; the
 * bind hook tests it without a lock.  @ours has a bit for every port that
 * portres set in the namespace's ip_local_reserved_ports bitmap, so that it
 * clears those and no others.
 */
#define PORTRES_SOCK_HINT_BITS	12

/*
 * The reservations of a namespace by the first port of their block, in
 * chunks of 64 ports, each allocated at its first block and kept, with the
 * namespace's bitmaps, until the namespace's end: looking one up, entering
 * it and taking it out each cost the same whatever the number of blocks,
 * and allocate nothing after the first time.
 */
#define PORTRES_CHUNK_BITS	6

struct portres_block_chunk {
	struct portres_resv __rcu *resv[1 << PORTRES_CHUNK_BITS];
	struct rcu_head rcu;
};

static inline unsigned int portres_sock_hash(const struct sock *sk)
{
	return hash_ptr(sk, PORTRES_SOCK_HINT_BITS);
}

struct portres_ports {
	struct rcu_head rcu;	/* first: kvfree_rcu() needs it within 4 KiB */
	/* Set and cleared under the namespace's @lock, tested under RCU. */
	unsigned long busy[PORTRES_NPROTO][BITS_TO_LONGS(PORTRES_NPORTS)];
	/*
	 * The first port of each reservation's block, per protocol, and the
	 * reservation by its first port: set and cleared under the
	 * namespace's @lock, read under RCU (portres_block_at()).
	 */
	unsigned long starts[PORTRES_NPROTO][BITS_TO_LONGS(PORTRES_NPORTS)];
	struct portres_block_chunk __rcu *
		blocks[PORTRES_NPROTO][PORTRES_NPORTS >> PORTRES_CHUNK_BITS];
	/* The namespace's @lock (reserved_ports.c). */
	unsigned long ours[BITS_TO_LONGS(PORTRES_NPORTS)];
	/*
	 * Socket records of the namespace per hash of the socket's address
	 * (sockets.c), changed under the namespace's lock: a socket whose
	 * count is 0 has no record, and the hooks look no further.
	 */
	u16 sock_hints[1 << PORTRES_SOCK_HINT_BITS];
};

/*
 * Per network namespace state, one per namespace from its birth to its end
 * (table.c's pernet operations).  @lock is the namespace's lock (see
 * Locking below); what each member is protected by is said at the member.
 * "@lock" means: changed only under @lock; read under @lock unless said.
 */
struct portres_net {
	/* The namespace; set at the birth, never changed. */
	struct net *net;
	/* Serializes every change to the namespace's reservations and records. */
	struct mutex lock;
	/*
	 * The bitmaps, allocated at the first reservation under @lock, freed
	 * at the end after a grace period (kvfree_rcu): read by the hooks
	 * under RCU, or with preemption off, without @lock.
	 */
	struct portres_ports __rcu *ports;
	/* The reservations, and how many: @lock. */
	struct list_head resvs;
	unsigned int nresvs;
	/* The socket records (struct portres_sock), and how many: @lock. */
	struct list_head socks;
	atomic_t nsocks;
	/*
	 * The order of binds (bind_order.c): set at the first reservation
	 * under @lock, read by the hooks with preemption off (RCU), freed at
	 * the end after a grace period.
	 */
	struct portres_bind_order __rcu *bind_order;
	/*
	 * portres_tasks_epoch when @bind_order was made, and whether an
	 * RCU-tasks grace period is known to have passed since: @lock.
	 */
	unsigned long bind_epoch;
	bool bind_ready;
	/*
	 * The sockets let share each port of a block, per (protocol << 16 |
	 * port) (struct portres_sock @shared_port): changed under @lock,
	 * loaded under RCU by the get_port hooks for a socket with
	 * SO_REUSEPORT (the xarray's own RCU).
	 */
	struct xarray shared;
	/*
	 * The users charged in the namespace, and the ports of the limited
	 * callers' reservations (limits.c): @lock.
	 */
	unsigned int nusers;
	unsigned int limited_ports;
	/* The persistent reservations: @lock. */
	unsigned int npersistent;
	/*
	 * Changes with every reservation made or ended, under @lock: a
	 * netlink dump, which reads it under @lock, marks what it sends
	 * after a change (NLM_F_DUMP_INTR).
	 */
	unsigned int seq;
	/* The binds portres refused (trace.c): atomic, no lock. */
	atomic_long_t refused;
	/*
	 * True from the birth until the namespace's end begins
	 * (portres_net_uninit()), which clears it under @lock: no
	 * reservation is made, nor event sent, after.  @lock.
	 */
	bool live;
};

/*
 * What a runtime reservation of a limited caller (no CAP_NET_ADMIN over the
 * namespace) is charged to: the caller's uid in its user namespace, and
 * through it every user above (limits.c).
 */
struct portres_charge {
	/* Set when charged, cleared when uncharged: the namespace's @lock. */
	struct portres_user *user;
};

/*
 * A reservation: a block of ports of one protocol in one namespace.  A
 * runtime one is owned by the socket it was acquired on and by that socket's
 * process; a persistent one by no socket, until it is deleted.  @nsocks
 * counts the sockets associated with it, @holders[i] those of them that
 * hold port @start + i (several may, as they share the block's ports).
 * @entry is the sysfs directory of a persistent reservation of the initial
 * namespace.
 */
struct portres_resv {
	/*
	 * In the global token table (blocks.c), with @token: entered and
	 * removed under @pn's @lock, looked up under RCU; @token is set
	 * before the entry and never changed after.
	 */
	struct rhash_head tnode;
	u64 token;
	/* Set at creation, never changed; the block too. */
	struct portres_net *pn;
	/* In @pn->resvs: @pn's @lock. */
	struct list_head node;
	/*
	 * A runtime one's owner, its socket record (@owner->owned through
	 * @owner_node), and the process, user and command that acquired it:
	 * set at the acquire under @pn's @lock; @owner is cleared under it
	 * at the owner's last close.
	 */
	struct list_head owner_node;
	struct portres_sock *owner;
	struct pid *tgid;
	kuid_t uid;
	/* What a limited acquire was charged (limits.c): @pn's @lock. */
	struct portres_charge charge;
	char comm[TASK_COMM_LEN];
	/* The associated sockets (assoc.c), and how many: @pn's @lock. */
	struct list_head socks;
	unsigned int nsocks;
	/*
	 * The block, protocol and kind: set before the reservation is
	 * published, never changed after, read by the hooks under RCU.
	 */
	u16 start;
	u16 count;
	/* Where the next search for a free port of the block begins: @lock. */
	u16 hint;
	u8 proto;
	bool persistent;
	bool exclusive;
	/* Charged to its caller's user (a limited caller): set at creation. */
	bool limited;
	/*
	 * Published but still checking the bind tables, with @pn's @lock
	 * dropped (blocks.c): found by no lookup until cleared, under the
	 * lock.
	 */
	bool pending;
	/* The sysfs directory (sysfs.c): @pn's @lock (the notifier's call). */
	struct portres_entry *entry;
	struct rcu_head rcu;
	/* Per port of the block, the sockets that hold it: @pn's @lock. */
	u16 holders[];
};

/*
 * What portres knows of one socket: the reservations acquired on it, and the
 * reservation it is associated with and the port it was given from it.
 * @shared_port is set once the socket was bound, while associated, to a
 * port of its block with SO_REUSEPORT: the port stays closed to other
 * sockets with SO_REUSEPORT (pn->shared) until this socket's last close,
 * also after the association ends.  A record lives while it has one of these, at most
 * until the socket's last close.
 */
struct portres_sock {
	/*
	 * In the global table of records by @sk (sockets.c): entered and
	 * removed under @pn's @lock, looked up under RCU.  @sk and @pn are
	 * set at the record's birth and never changed; @sk is never
	 * dereferenced, only compared.
	 */
	struct rhash_head node;
	const struct sock *sk;
	struct portres_net *pn;
	/* In @pn->socks: @pn's @lock. */
	struct list_head pn_node;
	/* The reservations acquired on the socket: @pn's @lock. */
	struct list_head owned;
	/*
	 * The reservation the socket is associated with, if any: written
	 * under @pn's @lock with WRITE_ONCE, read by the hooks with
	 * READ_ONCE under RCU (see Locking).  @assoc_node is in
	 * @resv->socks: @pn's @lock.
	 */
	struct portres_resv *resv;
	struct list_head assoc_node;
	/* The port of @resv's block it holds, or 0: @pn's @lock. */
	u16 port;
	/*
	 * The shared port, if any, and its protocol: written under @pn's
	 * @lock, @shared_port with WRITE_ONCE, read under RCU by the
	 * get_port hooks.
	 */
	u16 shared_port;
	u8 shared_proto;
	struct rcu_head rcu;
};

/* The reservation of @pn whose block starts at @start, or NULL. */
static inline struct portres_resv *
portres_block_load(struct portres_net *pn, struct portres_ports *ports,
		   int proto, unsigned int start)
{
	struct portres_block_chunk *chunk;

	chunk = rcu_dereference_check(ports->blocks[proto][start >>
							   PORTRES_CHUNK_BITS],
				      lockdep_is_held(&pn->lock));
	if (!chunk)
		return NULL;
	return rcu_dereference_check(chunk->resv[start &
					 ((1 << PORTRES_CHUNK_BITS) - 1)],
				     lockdep_is_held(&pn->lock));
}

/**
 * portres_block_at() - the reservation of a namespace covering a port
 * @pn: the namespace
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @port: the port
 *
 * Under RCU or @pn's @lock.  The block that covers @port, if any, is the
 * one that starts at the nearest start at or below @port: blocks do not
 * overlap.  A lookup scans the bitmap of starts down from @port, a word
 * per 64 ports (within the block for a covered port), whatever the number
 * of blocks.
 *
 * Return: the reservation, or NULL.
 */
static inline struct portres_resv *portres_block_at(struct portres_net *pn,
						    int proto, u16 port)
{
	struct portres_ports *ports;
	struct portres_resv *resv;
	unsigned long start;

	ports = rcu_dereference_check(pn->ports, lockdep_is_held(&pn->lock));
	if (!ports)
		return NULL;
	start = find_last_bit(ports->starts[proto], port + 1UL);
	if (start > port)
		return NULL;
	/* The start's bit is set after its entry is stored (blocks.c). */
	smp_rmb();
	resv = portres_block_load(pn, ports, proto, start);
	return resv && port - resv->start < resv->count ? resv : NULL;
}

/*
 * The first reservation of @pn whose block starts at or after @port, or
 * NULL; under @pn's @lock.
 */
static inline struct portres_resv *
portres_block_after(struct portres_net *pn, int proto, unsigned long port)
{
	struct portres_ports *ports;
	unsigned long start;

	ports = rcu_dereference_protected(pn->ports,
					  lockdep_is_held(&pn->lock));
	if (!ports)
		return NULL;
	start = find_next_bit(ports->starts[proto], PORTRES_NPORTS, port);
	if (start >= PORTRES_NPORTS)
		return NULL;
	return portres_block_load(pn, ports, proto, start);
}

/*
 * Locking
 *
 * Lock order: a socket's lock (lock_sock), then its namespace's @lock
 * (struct portres_net), then the kernel's bind-table bucket locks
 * (bind_tables.c, bottom halves off per bucket).  Associate is the one path
 * that takes a socket's lock and then @lock; every other path takes @lock
 * alone.  Nothing that can wait on user memory or on the network stack's
 * own locks runs under @lock: an acquire copies its result out, and the
 * implicit bind calls kernel_bind(), after dropping it.
 *
 * @lock (a mutex, per namespace) serializes every change to the namespace's
 * reservations, socket records, counts, its @ours bits and, for the bits
 * portres sets, the ip_local_reserved_ports bitmap.
 *
 * RCU protects what the hooks read without @lock: @ports (kvfree_rcu) and
 * its chunks of blocks (kfree_rcu), reservations and socket
 * records (kfree_rcu), the socket-record and token hash tables (rhashtable,
 * whose bucket tables another namespace may resize at any time: a lookup
 * takes RCU even under @lock).  The hooks' fast path reads @ports and
 * @bind_order with preemption off, which is an RCU read section too.
 *
 * @bind_order (bind_order.c, at portres_tasks_epoch) orders binds against new
 * reservations: in a namespace that has one, every call that takes a port
 * for a TCP or UDP socket while the hooks are registered runs in one of
 * its read sections, counted per CPU, from its test of the bits to the
 * port's entry in the bind table.  No read section takes @lock.
 *
 * Socket fields read unlocked: sk_family, sk_type and sk_protocol, which
 * never change after socket(); the port a socket is bound to (inet_num),
 * a hint that the stack checks again under the socket's lock; and a
 * record's @resv, which changes under @lock with
 * WRITE_ONCE and is read with READ_ONCE by the hooks, which then take @lock
 * before they act on it.  A record is found by the socket's address and
 * never dereferences the socket: the close hook removes it before the
 * socket is freed.
 */

/*
 * What a socket that has nothing to do with portres pays (hooks.c,
 * implicit_bind.c, port_choice.c).
 *
 * With nothing reserved anywhere, the hooks on the sockets' paths are not
 * registered: nothing.  Otherwise, per call of a hooked function, the
 * direct call of its stub (hook_stub.S), which keeps the argument
 * registers, and its policy (fastpath.h), which reads and never writes:
 *  - get_port, hash_connect: the socket's protocol, and the count of its
 *    namespace's hash in portres_net_filter (read-mostly, written at a
 *    namespace's first reservation and at its end).  A namespace that
 *    never had a reservation stops there.  Then, with preemption off, its
 *    namespace's portres_net (net->gen) and its @bind_order pointer.  In a
 *    namespace that orders its binds, the call goes on in the wrapper, all
 *    of it but the stack's own call with preemption off once: the socket's
 *    count in portres_sock_filter, and a look at @ports->sock_hints and
 *    the socket records only if that is not 0; the per-CPU count of the
 *    bind's slot of @bind_order, @ports->busy (one bit), and, for a socket
 *    with SO_REUSEPORT, @shared; the per-CPU count of tasks inside a
 *    wrapper.
 *  - release: the socket's count in portres_sock_filter (read-mostly,
 *    written when a record comes or goes), and only if that is not 0 its
 *    namespace's portres_net, its count in @ports->sock_hints and, if that
 *    is not 0 either, a socket-record lookup.
 *  - connect, listen, sendmsg: the socket's family, type, protocol and
 *    inet_num, then as release.
 * The only stores are to per-CPU counters: no cache line that another
 * CPU's binds write is written.
 */

/*
 * The files, each including the headers of only those listed before it
 * (its own header, X.h for X.c, declares what it offers the rest of the
 * module; make check runs selftests/kmod_deps.py to hold this):
 *
 *   bind_tables.c     what the kernel's bind tables say about a port
 *   sockets.c         socket records
 *   reserved_ports.c  the ip_local_reserved_ports bitmap and its sysctl
 *   limits.c          quotas: module parameters and charges
 *   hook.c            hooking one kernel function with ftrace
 *   trace.c           the count and tracepoint of refused binds
 *   assoc.c           associated sockets and the ports they hold
 *   bind_order.c      the order of binds against new reservations
 *   blocks.c          making a reservation's block, the namespace filter,
 *                     the token table
 *   table.c           the reservation table, per network namespace
 *   persistent.c      persistent reservations by block
 *   runtime.c         runtime reservations for the front ends, by token
 *   hooks.c           the hooks of hooks.def: static calls, registration,
 *                     the count of tasks inside, the sysctl hook
 *   implicit_bind.c   the hooks on connect, listen, sendmsg and close
 *   port_choice.c     the hooks on the stack's port choice (get_port,
 *                     hash_connect)
 *   device.c          /dev/portres and its ioctls
 *   netlink_msg.c     the generic netlink family's messages
 *   netlink.c         the generic netlink family and its events
 *   sysfs.c           /sys/kernel/portres
 *   main.c            module init and exit
 *
 * compat.h, fastpath.h, hooks.def and this file are shared by all; a file
 * that offers nothing but the policy of hooks (hooks.h), or nothing at all,
 * has no header.
 *
 * The table tells the front ends of new and ended reservations through a
 * notifier chain (portres_resv_notifier_register()), never by calling them.
 */

#endif /* _PORTRES_H */
