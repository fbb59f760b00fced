// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the policy of the hooks on the stack's choice of a port
 * (hooks.c has the mechanism).
 *
 * Hooked, while anything is reserved (portres_hooks_hold()):
 * inet_csk_get_port, udp_lib_get_port, inet_hash_connect and
 * inet6_hash_connect, where the stack takes a port for a TCP or UDP
 * socket, bind() included.  Every call, from every socket, runs inside
 * portres_bind_begin() and _end(), so that an acquire never misses a bind
 * that is under way (bind_order.c); a port a reservation covers is refused
 * there (EACCES, which bind() returns as it is) to any socket the
 * reservation does not let in, and an associated socket that asks for any
 * port is given one of its block.
 *
 * Lock order: the socket's lock, then the namespace's mutex, then the bind
 * table's bucket locks.  No wrapper holds the mutex while it calls into the
 * stack, and none takes it inside a portres_bind_begin() section.
 */
#include <linux/capability.h>
#include <linux/static_call.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/udp.h>

#include "fastpath.h"
#include "hooks.h"
#include "portres.h"
#include "assoc.h"
#include "bind_order.h"
#include "implicit_bind.h"
#include "sockets.h"
#include "table.h"

/*
 * Every TCP and UDP socket's port goes through the get_port hooks, in a
 * namespace that has reservations (an order of binds, bind_order.c); in one
 * that never had, the call is the stack's alone.  inet_csk_get_port()
 * serves TCP and MPTCP, and DCCP, which portres leaves alone;
 * udp_lib_get_port() UDP and UDP-Lite, which it leaves alone too.  An
 * MPTCP socket binds TCP ports (its first subflow is a TCP socket): it is
 * refused a port of another's TCP block as a TCP socket is, and cannot
 * hold or be associated with a reservation itself.
 */
static __always_inline struct portres_net *
portres_get_port_wanted(struct sock *sk)
{
	struct portres_net *pn;

	if (!portres_net_maybe(sock_net(sk)))
		return NULL;
	pn = portres_pernet_ordered(sk);
	return pn ? portres_hook_redirect(pn) : NULL;
}

struct portres_net *notrace
portres_csk_get_port_redirect(struct sock *sk, unsigned short snum)
{
	if (sk->sk_protocol != IPPROTO_TCP && sk->sk_protocol != IPPROTO_MPTCP)
		return NULL;
	return portres_get_port_wanted(sk);
}

struct portres_net *notrace
portres_udp_get_port_redirect(struct sock *sk, unsigned short snum,
			      unsigned int hash2_nulladdr)
{
	if (sk->sk_protocol != IPPROTO_UDP)
		return NULL;
	return portres_get_port_wanted(sk);
}

static bool portres_sk_associated_slow(const struct sock *sk)
{
	struct portres_sock *ps;
	bool assoc;

	rcu_read_lock();
	ps = portres_sock_find(sk);
	assoc = ps && READ_ONCE(ps->resv);
	rcu_read_unlock();
	return assoc;
}

/* No lookup for a socket that surely has no record. */
static __always_inline bool portres_sk_associated(struct portres_net *pn,
						  const struct sock *sk)
{
	return portres_sock_maybe(pn, sk) && portres_sk_associated_slow(sk);
}

/* A port of its block for an associated socket that asks for any. */
static int portres_get_port_enter_assoc(struct portres_net *pn,
					struct sock *sk)
{
	int port, err;

	port = portres_take_port(pn, sk);
	if (port <= 0)
		return port;
	/* What bind() would require of the caller for this port, and ask. */
	if (inet_port_requires_bind_service(pn->net, port) &&
	    !ns_capable(pn->net->user_ns, CAP_NET_BIND_SERVICE))
		err = -EACCES;
	else
		err = portres_lsm_bind(sk->sk_socket, sk, port);
	if (err) {
		portres_give_back(pn, sk, port);
		return err;
	}
	return port;
}

/*
 * The port an associated @sk is about to take, @snum unless @sk is unbound
 * and asks for any port: bind() to port 0, or an implicit bind the other
 * hooks did not turn into a bind to a port of the block (listen(), UDP's
 * sendpage on Linux 6.1 to 6.4, or a call that raced the association).
 * It gets a port of its block, which bind() would have required
 * CAP_NET_BIND_SERVICE for below ip_unprivileged_port_start, and which
 * the LSMs are asked about as bind() asks them.
 *
 * Return: the port, or a negative errno.
 */
static int portres_get_port_enter(struct portres_net *pn, struct sock *sk,
				  unsigned short snum)
{
	if (snum || READ_ONCE(inet_sk(sk)->inet_num))
		return snum;
	return portres_get_port_enter_assoc(pn, sk);
}

/*
 * After the stack's get_port for an associated socket: the port it is
 * bound to now is the one its record holds.  Two threads that bound one
 * socket at once may each have been given a port of the block; the one
 * the stack kept is held, the other is free again.
 */
static void portres_get_port_exit(struct portres_net *pn, struct sock *sk,
				  int port, bool taken, int ret)
{
	struct portres_sock *ps;
	bool in_block;
	u16 bound;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (!ps || !ps->resv)
		goto out;
	bound = READ_ONCE(inet_sk(sk)->inet_num);
	in_block = bound >= ps->resv->start &&
		   bound - ps->resv->start < ps->resv->count;
	if (!ret && in_block && ps->port != bound)
		portres_resv_mark_port(ps->resv, ps, bound);
	else if (ret && taken && ps->port == port && bound != port)
		portres_resv_put_port(ps);
	/*
	 * A port of the block given for port 0 stays the socket's, as a port
	 * named in bind() does: a disconnect does not give it back.
	 */
	if (!ret && taken && bound == port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	/*
	 * Bound in the block with SO_REUSEPORT: the port stays the block's
	 * sockets' to share.  Without memory to note it, the socket cannot
	 * be let share: it loses SO_REUSEPORT.
	 */
	if (!ret && in_block && sk->sk_reuseport &&
	    portres_share_begin(ps))
		sk->sk_reuseport = 0;
out:
	mutex_unlock(&pn->lock);
}

/* The original get_port of @proto. */
static __always_inline int portres_get_port_orig(struct sock *sk,
						 unsigned short snum, int proto,
						 unsigned int hash2_nulladdr)
{
	if (proto == PORTRES_UDP)
		return static_call(portres_orig_udp_get_port)(sk, snum,
							      hash2_nulladdr);
	return static_call(portres_orig_csk_get_port)(sk, snum);
}

/*
 * The port @sk takes, @snum unless it is refused, inside a read section of
 * the binds (bind_order.c says why), where the reservations' bits are
 * tested again.
 */
static __always_inline int portres_get_port_ordered(struct portres_net *pn,
						    struct sock *sk,
						    unsigned short snum,
						    int proto,
						    unsigned int hash2_nulladdr)
{
	struct portres_bind_slot __percpu *slot;
	int ret;

	/* Redirected, the namespace has its order (it never loses it). */
	slot = portres_bind_begin(pn);
	ret = snum ? portres_port_refused(pn, sk, proto, snum) : 0;
	if (!ret)
		ret = portres_get_port_orig(sk, snum, proto, hash2_nulladdr);
	if (slot)
		portres_bind_end(slot);
	return ret;
}

/* Both get_port hooks, for an associated socket. */
static noinline int portres_get_port_assoc(struct portres_net *pn,
					   struct sock *sk,
					   unsigned short snum, int proto,
					   unsigned int hash2_nulladdr)
{
	bool shared;
	int port, ret;

	port = portres_get_port_enter(pn, sk, snum);
	if (port < 0)
		return port;
	/* The caller holds the socket's lock, as setsockopt() does. */
	shared = portres_share_grant(pn, sk, port);
	if (proto == PORTRES_UDP)
		ret = portres_get_port_ordered(pn, sk, port, PORTRES_UDP,
					       hash2_nulladdr);
	else
		ret = portres_get_port_ordered(pn, sk, port, PORTRES_TCP, 0);
	if (ret && shared)
		sk->sk_reuseport = 0;
	portres_get_port_exit(pn, sk, port, port != snum, ret);
	return ret;
}

/*
 * Both get_port hooks.  Inlined into each wrapper, with @proto a constant,
 * so that each calls its own original only on the path of a socket with no
 * record, which is any other socket's: all of it but the stack's call in
 * one section with preemption off (portres_get_port_begin()).
 */
static __always_inline int portres_get_port(struct portres_net *pn,
					    struct sock *sk,
					    unsigned short snum, int proto,
					    unsigned int hash2_nulladdr)
{
	struct portres_bind_slot __percpu *slot;
	int ret;

	ret = portres_get_port_begin(pn, sk, proto, snum, &slot);
	if (unlikely(ret < 0)) {
		if (portres_sk_associated_slow(sk))
			return portres_get_port_assoc(pn, sk, snum, proto,
						      hash2_nulladdr);
		return portres_get_port_ordered(pn, sk, snum, proto,
						hash2_nulladdr);
	}
	if (unlikely(ret))
		ret = portres_port_refused_slow(pn, sk, proto, snum);
	if (!ret)
		ret = portres_get_port_orig(sk, snum, proto, hash2_nulladdr);
	if (slot)
		portres_bind_end(slot);
	return ret;
}

int portres_csk_get_port_wrap(struct sock *sk, unsigned short snum,
			      struct portres_net *pn)
{
	int ret = portres_get_port(pn, sk, snum, PORTRES_TCP, 0);

	portres_hook_leave();
	return ret;
}

int portres_udp_get_port_wrap(struct sock *sk, unsigned short snum,
			      unsigned int hash2_nulladdr,
			      struct portres_net *pn)
{
	int ret = portres_get_port(pn, sk, snum, PORTRES_UDP, hash2_nulladdr);

	portres_hook_leave();
	return ret;
}

struct portres_net *notrace
portres_hash_connect_redirect(struct inet_timewait_death_row *dr,
			      struct sock *sk)
{
	/* DCCP's connect() too; an MPTCP socket's subflow is TCP's. */
	if (sk->sk_protocol != IPPROTO_TCP && sk->sk_protocol != IPPROTO_MPTCP)
		return NULL;
	return portres_get_port_wanted(sk);
}

struct portres_net *notrace
portres_hash_connect6_redirect(struct inet_timewait_death_row *dr,
			       struct sock *sk)
{
	return portres_hash_connect_redirect(dr, sk);
}

/*
 * connect() of an unbound TCP socket: the stack picks a port, skipping the
 * ports of ip_local_reserved_ports, which hold every reservation's.  An
 * associated socket was bound to a port of its block by the connect hook;
 * one still unbound here was associated after that hook ran, and fails.
 */
static int portres_hash_connect_enter(struct portres_net *pn, struct sock *sk)
{
	if (!READ_ONCE(inet_sk(sk)->inet_num) && portres_sk_associated(pn, sk))
		return -EADDRNOTAVAIL;
	return 0;
}

/*
 * Both hash_connect hooks: the stack's choice runs inside a read section
 * of the binds.  Inlined into each wrapper, with @v6 a constant, so that each
 * calls its own original only.
 */
static __always_inline int portres_hash_connect(struct portres_net *pn,
						struct inet_timewait_death_row *dr,
						struct sock *sk, bool v6)
{
	struct portres_bind_slot __percpu *slot;
	int ret;

	ret = portres_hash_connect_enter(pn, sk);
	if (ret)
		return ret;
	slot = portres_bind_begin(pn);
	if (v6)
		ret = static_call(portres_orig_hash_connect6)(dr, sk);
	else
		ret = static_call(portres_orig_hash_connect)(dr, sk);
	if (slot)
		portres_bind_end(slot);
	return ret;
}

int portres_hash_connect_wrap(struct inet_timewait_death_row *dr,
			      struct sock *sk, struct portres_net *pn)
{
	int ret = portres_hash_connect(pn, dr, sk, false);

	portres_hook_leave();
	return ret;
}

int portres_hash_connect6_wrap(struct inet_timewait_death_row *dr,
			       struct sock *sk, struct portres_net *pn)
{
	int ret = portres_hash_connect(pn, dr, sk, true);

	portres_hook_leave();
	return ret;
}
