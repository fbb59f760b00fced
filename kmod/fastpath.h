/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: what the hooks test on every call of a hooked function, inline.
 *
 * While the hot hooks are registered, every TCP and UDP bind, connect,
 * send and close on the host calls into portres (hooks.c).  An unrelated
 * call is let through after a few loads: a bind's socket protocol and its
 * namespace's count in the filter of namespaces (blocks.c), a close's
 * count in the filter of socket records (sockets.c), and only where those
 * are not 0 the namespace's state.  It stores to no memory at all; in a
 * namespace that has reservations, a bind stores to per-CPU counts only.
 */
#ifndef _PORTRES_FASTPATH_H
#define _PORTRES_FASTPATH_H

#include <linux/atomic.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "portres.h"
#include "bind_order.h"
#include "blocks.h"
#include "sockets.h"
#include "table.h"

/**
 * portres_sk_proto() - the reservation protocol of a socket
 * @sk: the socket
 *
 * Return: PORTRES_TCP or PORTRES_UDP for TCP and UDP sockets of IPv4 and
 * IPv6, -EOPNOTSUPP for any other socket.
 */
static inline int portres_sk_proto(const struct sock *sk)
{
	if (!sk || (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return -EOPNOTSUPP;
	if (sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP)
		return PORTRES_TCP;
	if (sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP)
		return PORTRES_UDP;
	return -EOPNOTSUPP;
}

/*
 * Whether @net may have a reservation or a socket record: false when it
 * surely has neither, and a call of a socket of it is the stack's alone.
 */
static __always_inline bool portres_net_maybe(const struct net *net)
{
	return atomic_read(&portres_net_filter[portres_net_hash(net)]);
}

/*
 * The state of @net, as net_generic() finds it, in a read section of RCU
 * of any flavour (preemption off is one): @net->gen may be replaced, and
 * the old one freed after a grace period, when another subsystem registers.
 * NULL before portres' own init of @net has run, or after it failed: a
 * namespace whose setup fails after IPv4's closes IPv4 kernel sockets.
 */
static __always_inline struct portres_net *
portres_pernet_fast(const struct net *net)
{
	struct net_generic *ng;

	ng = rcu_dereference_check(net->gen, rcu_read_lock_any_held());
	return ng->ptr[portres_net_id];
}

/*
 * False when @sk surely has no record in @pn, true when it may (another
 * socket of the same hash may have one).  The records' hints are freed
 * with the namespace's ports, after a grace period of RCU.
 */
static __always_inline bool portres_sock_maybe(struct portres_net *pn,
					       const struct sock *sk)
{
	struct portres_ports *ports;
	bool maybe;

	preempt_disable_notrace();
	ports = rcu_dereference_sched(pn->ports);
	maybe = ports && READ_ONCE(ports->sock_hints[portres_sock_hash(sk)]);
	preempt_enable_notrace();
	return maybe;
}

/*
 * The state of @sk's namespace, if the namespace orders its binds (the
 * hooks redirect them, bind_order.c), or NULL.  The order, once made, is
 * the namespace's until its end.
 */
static __always_inline struct portres_net *
portres_pernet_ordered(const struct sock *sk)
{
	struct portres_net *pn;

	preempt_disable_notrace();
	pn = portres_pernet_fast(sock_net(sk));
	if (unlikely(!pn) || !rcu_access_pointer(pn->bind_order))
		pn = NULL;
	preempt_enable_notrace();
	return pn;
}

/* Whether @sk may have a record in any namespace (sockets.c). */
static __always_inline bool portres_sock_filtered(const struct sock *sk)
{
	return atomic_read(&portres_sock_filter[portres_sock_hash(sk)]);
}

/*
 * The state of @sk's namespace if @sk may have a record in it
 * (portres_sock_filtered(), then portres_sock_maybe()), or NULL.
 */
static __always_inline struct portres_net *
portres_pernet_maybe_sock(const struct sock *sk)
{
	struct portres_ports *ports;
	struct portres_net *pn;

	if (!portres_sock_filtered(sk))
		return NULL;
	preempt_disable_notrace();
	pn = portres_pernet_fast(sock_net(sk));
	ports = likely(pn) ? rcu_dereference_sched(pn->ports) : NULL;
	if (!ports || !READ_ONCE(ports->sock_hints[portres_sock_hash(sk)]))
		pn = NULL;
	preempt_enable_notrace();
	return pn;
}

/*
 * Counts a bind begun in the slot of @pn's order that new binds count in,
 * with preemption off, which is a read section of RCU:
 * portres_bind_order_fini() waits for it before it waits for the counts.
 * The socket keeps the namespace, and so the order, until
 * portres_bind_end().  Return: the slot, or NULL when @pn has no order of
 * binds, and so no reservation.
 */
static __always_inline struct portres_bind_slot __percpu *
portres_bind_count(struct portres_net *pn)
{
	struct portres_bind_order *order = rcu_dereference_sched(pn->bind_order);
	struct portres_bind_slot __percpu *slot;

	if (!order)
		return NULL;
	slot = &order->binds->slot[READ_ONCE(order->flip) & 1];
	this_cpu_inc(slot->begun);
	return slot;
}

/*
 * Enters a read section of @pn's binds (bind_order.c says what it orders).
 * Return: the slot, for portres_bind_end(), or NULL without an order.
 */
static __always_inline struct portres_bind_slot __percpu *
portres_bind_begin(struct portres_net *pn)
{
	struct portres_bind_slot __percpu *slot;

	preempt_disable_notrace();
	slot = portres_bind_count(pn);
	preempt_enable_notrace();
	/* Counted before the bits are tested: pairs with the acquire's. */
	smp_mb();
	return slot;
}

static __always_inline void
portres_bind_end(struct portres_bind_slot __percpu *slot)
{
	/* The port is in the bind table before the bind counts as ended. */
	smp_mb();
	this_cpu_inc(slot->ended);
}

/*
 * Whether @sk may not take @port (portres_port_refused_slow()), the common
 * case inline: no reservation covers @port, and @sk shares no port.
 */
static __always_inline int portres_port_refused(struct portres_net *pn,
						const struct sock *sk,
						int proto, u16 port)
{
	struct portres_ports *ports;
	bool busy;

	preempt_disable_notrace();
	ports = rcu_dereference_sched(pn->ports);
	busy = ports && test_bit(port, ports->busy[proto]);
	preempt_enable_notrace();
	if (!busy && !sk->sk_reuseport)
		return 0;
	return portres_port_refused_slow(pn, sk, proto, port);
}

/*
 * The common case of both get_port hooks, with preemption off once (a read
 * section of RCU): @sk has no record in @pn (its count in the hints is 0),
 * the bind counts itself begun (portres_bind_count()), and then no
 * reservation covers @port (0 for any port), and @sk shares no port.
 *
 * Return: 0 when the call goes on, -EAGAIN when @sk may have a record
 * (nothing begun), 1 when portres_port_refused_slow() is to decide; but
 * for -EAGAIN, *@slotp is the slot to end (NULL without an order).
 */
static __always_inline int
portres_get_port_begin(struct portres_net *pn, const struct sock *sk,
		       int proto, u16 port,
		       struct portres_bind_slot __percpu **slotp)
{
	struct portres_bind_slot __percpu *slot;
	struct portres_ports *ports;
	bool busy;

	preempt_disable_notrace();
	ports = rcu_dereference_sched(pn->ports);
	if (portres_sock_filtered(sk) && ports &&
	    READ_ONCE(ports->sock_hints[portres_sock_hash(sk)])) {
		preempt_enable_notrace();
		return -EAGAIN;
	}
	slot = portres_bind_count(pn);
	/* Counted before the bits are tested: pairs with the acquire's. */
	smp_mb();
	/* Read again: a first reservation may have made them since. */
	ports = rcu_dereference_sched(pn->ports);
	busy = port && ports && test_bit(port, ports->busy[proto]);
	preempt_enable_notrace();
	*slotp = slot;
	return busy || (port && sk->sk_reuseport);
}

#endif /* _PORTRES_FASTPATH_H */
