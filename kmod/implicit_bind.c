// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the policy of the hooks on a socket's binds, explicit and
 * implicit, and on its last close (hooks.c has the mechanism).
 *
 * Hooked, while anything is reserved (portres_hooks_hold()):
 * - security_socket_connect, security_socket_listen, security_socket_sendmsg:
 *   an associated socket about to be given a port implicitly is bound to a
 *   port of its reservation first;
 * - ip_mc_drop_socket: called by inet_release() on the last close of every
 *   IPv4 and IPv6 socket, before the protocol's close, which may linger.
 * security_socket_bind is not hooked: it is only called, by the wrappers
 * that give a port (here and port_choice.c), to ask the LSMs about it.
 *
 * Lock order: the socket's lock, then the namespace's mutex, then the bind
 * table's bucket locks.  No wrapper holds the mutex while it calls into the
 * stack, and none takes it inside a portres_bind_begin() section.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/security.h>
#include <linux/socket.h>
#include <linux/static_call.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "fastpath.h"
#include "hooks.h"
#include "portres.h"
#include "assoc.h"
#include "implicit_bind.h"
#include "sockets.h"
#include "table.h"

/* The address @sk is bound to, or would be, with @port: for kernel_bind(). */
static int portres_bound_addr(const struct sock *sk,
			      struct sockaddr_storage *ss, u16 port)
{
	memset(ss, 0, sizeof(*ss));
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = sk->sk_v6_rcv_saddr;
		if (ipv6_addr_type(&sin6->sin6_addr) & IPV6_ADDR_LINKLOCAL)
			sin6->sin6_scope_id = sk->sk_bound_dev_if;
		return sizeof(*sin6);
	}
#endif
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = inet_sk(sk)->inet_rcv_saddr;
		return sizeof(*sin);
	}
}

/* Whether portres keeps a record of @sk, looked up under RCU. */
static noinline bool portres_sk_known(const struct sock *sk)
{
	bool known;

	rcu_read_lock();
	known = portres_sock_known(sk);
	rcu_read_unlock();
	return known;
}

/*
 * Fast path: the state of @sk's namespace if portres keeps a record of
 * @sk, or NULL.
 */
static __always_inline struct portres_net *
portres_sk_tracked(const struct sock *sk)
{
	struct portres_net *pn = portres_pernet_maybe_sock(sk);

	return pn && portres_sk_known(sk) ? pn : NULL;
}

/*
 * Takes a port of @sk's block for an implicit bind.  Return: the port, 0
 * when @sk is not associated or already bound, -EADDRINUSE when no port of
 * the block is free.
 */
int portres_take_port(struct portres_net *pn, struct sock *sk)
{
	struct portres_sock *ps;
	int port = 0;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (ps && ps->resv && !READ_ONCE(inet_sk(sk)->inet_num))
		port = portres_resv_take_port(ps->resv, ps);
	mutex_unlock(&pn->lock);
	return port;
}

/* Gives back @port, taken for @sk, unless @sk is bound to it. */
void portres_give_back(struct portres_net *pn, struct sock *sk,
		       u16 port)
{
	struct portres_sock *ps;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (ps && ps->port == port && READ_ONCE(inet_sk(sk)->inet_num) != port)
		portres_resv_put_port(ps);
	mutex_unlock(&pn->lock);
}

/*
 * An implicit bind to a port of the block is still a bind: the LSMs are
 * asked about it as security_socket_bind() asks them about bind().
 */
int portres_lsm_bind(struct socket *sock, struct sock *sk, u16 port)
{
	struct sockaddr_storage addr;
	int addrlen;

	if (!sock)
		return 0;
	addrlen = portres_bound_addr(sk, &addr, port);
	return static_call(portres_orig_bind)(sock, (struct sockaddr *)&addr,
					      addrlen);
}

/*
 * An unbound associated socket that is about to be given a port implicitly
 * is bound to a port of its block first; the stack then keeps that port.
 * The namespace's lock is not held across kernel_bind(), which waits for
 * the socket's lock.
 */
static int portres_autobind(struct socket *sock, struct portres_net *pn)
{
	struct sock *sk = sock->sk;
	struct sockaddr_storage addr;
	int port, addrlen, err;

	/*
	 * kernel_bind() waits for the socket's lock, which a user can hold
	 * for as long as they like.  Meanwhile the task holds the module:
	 * rmmod fails at once (EBUSY) with everything still enforced, rather
	 * than wait in portres_hooks_uninit().  Once the module is going,
	 * the implicit bind is the stack's, as it is after the unload.
	 */
	if (!try_module_get(THIS_MODULE))
		return 0;
	port = portres_take_port(pn, sk);
	if (port <= 0) {
		err = port;
		goto out;
	}
	err = portres_lsm_bind(sock, sk, port);
	if (!err) {
		addrlen = portres_bound_addr(sk, &addr, port);
		err = portres_kernel_bind(sock, &addr, addrlen);
		/* Another thread's call bound it first: the call goes on. */
		if (err == -EINVAL && READ_ONCE(inet_sk(sk)->inet_num))
			err = 0;
	}
	if (err)
		portres_give_back(pn, sk, port);
out:
	/* Not the last reference: the caller's inflight count holds exit. */
	module_put(THIS_MODULE);
	return err;
}

/*
 * Fast path for the implicit binds: an unbound socket portres knows is
 * redirected, with its namespace's state.
 */
static __always_inline struct portres_net *
portres_unbound_tracked(const struct sock *sk)
{
	struct portres_net *pn;

	if (portres_sk_proto(sk) < 0 || inet_sk(sk)->inet_num)
		return NULL;
	pn = portres_sk_tracked(sk);
	return pn ? portres_hook_redirect(pn) : NULL;
}

/*
 * Whether the stack may give @sk a port for this connect(): not for
 * AF_UNSPEC, which dissolves an association and binds nothing, nor for an
 * address that TCP refuses before it binds (too short, or of the other
 * family).  UDP gives a port before it looks at the address, and so does
 * portres.
 */
static bool portres_connect_binds(const struct sock *sk,
				  const struct sockaddr *addr, int addrlen)
{
	if (addrlen < (int)offsetofend(struct sockaddr, sa_family) ||
	    addr->sa_family == AF_UNSPEC)
		return false;
	if (sk->sk_protocol != IPPROTO_TCP)
		return true;
	if (sk->sk_family == AF_INET6)
		return addr->sa_family == AF_INET6 &&
		       addrlen >= SIN6_LEN_RFC2133;
	return addr->sa_family == AF_INET &&
	       addrlen >= (int)sizeof(struct sockaddr_in);
}

struct portres_net *notrace
portres_connect_redirect(struct socket *sock, struct sockaddr *addr,
			 int addrlen)
{
	if (!portres_connect_binds(sock->sk, addr, addrlen))
		return NULL;
	return portres_unbound_tracked(sock->sk);
}

int portres_connect_wrap(struct socket *sock, struct sockaddr *address,
			 int addrlen, struct portres_net *pn)
{
	int ret;

	ret = portres_autobind(sock, pn);
	if (!ret)
		ret = static_call(portres_orig_connect)(sock, address,
							addrlen);
	portres_hook_leave();
	return ret;
}

struct portres_net *notrace
portres_listen_redirect(struct socket *sock, int backlog)
{
	/* Only a stream socket listens; UDP's listen() fails, binding nothing. */
	if (sock->type != SOCK_STREAM)
		return NULL;
	return portres_unbound_tracked(sock->sk);
}

int portres_listen_wrap(struct socket *sock, int backlog,
			struct portres_net *pn)
{
	int ret;

	ret = portres_autobind(sock, pn);
	if (!ret)
		ret = static_call(portres_orig_listen)(sock, backlog);
	portres_hook_leave();
	return ret;
}

struct portres_net *notrace
portres_sendmsg_redirect(struct socket *sock, struct msghdr *msg, int size)
{
	struct sock *sk = sock->sk;

	/* A TCP socket is given a port by sendmsg() only for Fast Open. */
	if (sk && sk->sk_protocol == IPPROTO_TCP &&
	    !(msg->msg_flags & MSG_FASTOPEN))
		return NULL;
	return portres_unbound_tracked(sk);
}

int portres_sendmsg_wrap(struct socket *sock, struct msghdr *msg, int size,
			 struct portres_net *pn)
{
	int ret;

	ret = portres_autobind(sock, pn);
	if (!ret)
		ret = static_call(portres_orig_sendmsg)(sock, msg, size);
	portres_hook_leave();
	return ret;
}

/*
 * Every IPv4 and IPv6 socket's last close, whatever its protocol: only a
 * TCP or UDP socket can have a record, and the record is what is looked
 * for.  Any other socket's is let through after one load.
 */
struct portres_net *notrace portres_release_redirect(struct sock *sk)
{
	struct portres_net *pn = portres_sk_tracked(sk);

	return pn ? portres_hook_redirect(pn) : NULL;
}

/*
 * inet_release() calls ip_mc_drop_socket() first, then the protocol's
 * close, which lingers with SO_LINGER: the socket's reservations end here,
 * and no task waits inside this module while a close lingers.
 */
void portres_release_wrap(struct sock *sk, struct portres_net *pn)
{
	portres_sock_closed(pn, sk);
	static_call(portres_orig_release)(sk);
	portres_hook_leave();
}
