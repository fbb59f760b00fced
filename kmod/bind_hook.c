// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the bind hook, and the hooks on the other ways a socket gets a
 * port or goes away.
 *
 * A module cannot register LSM hooks, so the security_socket_*() functions
 * are hooked with ftrace the way livepatch does it: a callback on the
 * function's entry decides in constant time, under RCU, whether portres has
 * anything to do with the call, and if so redirects it to a wrapper in this
 * module.  The wrapper runs in process context, may sleep and take the
 * namespace's mutex, and calls the original function unless it refuses the
 * call.  Calls made from this module are never redirected, which is what
 * lets a wrapper call the original.
 *
 * Hooked:
 * - security_socket_bind: hand out or refuse ports of reservations;
 * - security_socket_connect, security_socket_listen, security_socket_sendmsg:
 *   an associated socket about to be given a port implicitly is bound to a
 *   port of its reservation first;
 * - inet_csk_get_port, udp_lib_get_port, inet_hash_connect,
 *   inet6_hash_connect: where the stack takes a port for a TCP or UDP
 *   socket.  Every call, from every socket, runs inside portres_bind_begin()
 *   and _end(), so that an acquire never misses a bind that is under way
 *   (table.c); a port a reservation covers is refused there to any socket
 *   the reservation does not let in, and an associated socket that asks
 *   for any port is given one of its block;
 * - ip_mc_drop_socket: called by inet_release() on the last close of every
 *   IPv4 and IPv6 socket, before the protocol's close, which may linger;
 * - proc_do_large_bitmap: the ip_local_reserved_ports sysctl.
 *
 * Lock order: the socket's lock, then the namespace's mutex, then the bind
 * table's bucket locks.  No wrapper holds the mutex while it calls into the
 * stack, and none takes it inside a portres_bind_begin() section.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/security.h>
#include <linux/socket.h>
#include <linux/static_call.h>
#include <linux/sysctl.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>

#include "compat.h"
#include "portres.h"

/* Tasks redirected to a wrapper that have not yet left it. */
static atomic_t portres_inflight = ATOMIC_INIT(0);

/*
 * The wrappers call the hooked functions, and the module calls
 * kallsyms_lookup_name(), through static calls: each call site is a direct
 * call, patched to its target once the target is known.  None of them may
 * be an indirect call.  On a kernel with indirect branch tracking (x86 IBT,
 * as in Debian's 6.12) every indirect call must land on an ENDBR64, and the
 * boot seals (overwrites) the ENDBR64 of each function whose address the
 * kernel never takes: in Debian's 6.12, kallsyms_lookup_name() and the four
 * security_socket_*() functions hooked here.  An indirect call to one of
 * them faults; a direct call is not checked.  make check disassembles the
 * module to show that it makes no indirect call at all.
 */
DEFINE_STATIC_CALL_NULL(portres_orig_bind, security_socket_bind);
DEFINE_STATIC_CALL_NULL(portres_orig_connect, security_socket_connect);
DEFINE_STATIC_CALL_NULL(portres_orig_listen, security_socket_listen);
DEFINE_STATIC_CALL_NULL(portres_orig_sendmsg, security_socket_sendmsg);
DEFINE_STATIC_CALL_NULL(portres_orig_csk_get_port, inet_csk_get_port);
DEFINE_STATIC_CALL_NULL(portres_orig_udp_get_port, udp_lib_get_port);
DEFINE_STATIC_CALL_NULL(portres_orig_hash_connect, inet_hash_connect);
/* inet6_hash_connect() has the type of inet_hash_connect(). */
DEFINE_STATIC_CALL_NULL(portres_orig_hash_connect6, inet_hash_connect);
DEFINE_STATIC_CALL_NULL(portres_orig_release, ip_mc_drop_socket);

enum portres_hook_id {
	PORTRES_HOOK_BIND,
	PORTRES_HOOK_CONNECT,
	PORTRES_HOOK_LISTEN,
	PORTRES_HOOK_SENDMSG,
	PORTRES_HOOK_CSK_GET_PORT,
	PORTRES_HOOK_UDP_GET_PORT,
	PORTRES_HOOK_HASH_CONNECT,
	PORTRES_HOOK_HASH_CONNECT6,
	PORTRES_HOOK_RELEASE,
	PORTRES_HOOK_SYSCTL,
	PORTRES_NHOOKS,
};

static struct portres_hook portres_hooks[PORTRES_NHOOKS];

static void portres_hook_leave(void)
{
	atomic_dec(&portres_inflight);
}

/*
 * Return: the port of a bind address for @sk, or -1 for an address the
 * stack itself will refuse; the hook leaves those to the stack, so that the
 * caller gets the stack's errno.
 */
static int portres_addr_port(const struct sock *sk,
			     const struct sockaddr *addr, int addrlen)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;

	if (addrlen < (int)offsetofend(struct sockaddr, sa_family))
		return -1;
	switch (sk->sk_family) {
	case AF_INET:
		if (addrlen < (int)sizeof(struct sockaddr_in))
			return -1;
		if (addr->sa_family == AF_UNSPEC &&
		    sin->sin_addr.s_addr != htonl(INADDR_ANY))
			return -1;
		if (addr->sa_family != AF_INET && addr->sa_family != AF_UNSPEC)
			return -1;
		return ntohs(sin->sin_port);
	case AF_INET6:
		if (addrlen < SIN6_LEN_RFC2133 || addr->sa_family != AF_INET6)
			return -1;
		return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	}
	return -1;
}

/* Sets the port of an address portres_addr_port() accepted. */
static void portres_addr_set_port(struct sockaddr *addr, u16 port)
{
	if (addr->sa_family == AF_INET6)
		((struct sockaddr_in6 *)addr)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)addr)->sin_port = htons(port);
}

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

/* Fast path, under RCU: whether portres keeps a record of @sk. */
static bool portres_sk_tracked(const struct sock *sk)
{
	struct portres_net *pn = portres_pernet(sock_net(sk));

	return pn && atomic_read(&pn->nsocks) && portres_sock_known(sk);
}

static bool portres_bind_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *addr = (void *)regs_get_kernel_argument(regs, 1);
	int addrlen = regs_get_kernel_argument(regs, 2);
	struct sock *sk = sock->sk;
	struct portres_ports *ports;
	struct portres_net *pn;
	bool wanted = false;
	int proto, port;

	proto = portres_sk_bind_proto(sk);
	if (proto < 0)
		return false;

	rcu_read_lock();
	pn = portres_pernet(sock_net(sk));
	if (!pn)
		goto out;
	ports = rcu_dereference(pn->ports);
	if (!ports)
		goto out;
	if (atomic_read(&pn->nsocks) && portres_sock_known(sk)) {
		wanted = true;
		goto out;
	}
	port = portres_addr_port(sk, addr, addrlen);
	wanted = port > 0 && test_bit(port, ports->busy[proto]);
out:
	rcu_read_unlock();
	return wanted;
}

/*
 * Takes a port of @sk's block for an implicit bind.  Return: the port, 0
 * when @sk is not associated or already bound, -EADDRINUSE when no port of
 * the block is free.
 */
static int portres_take_port(struct portres_net *pn, struct sock *sk)
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
static void portres_give_back(struct portres_net *pn, struct sock *sk,
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
 * The bind policy.  An associated socket binding port 0 gets a free port of
 * its block; a socket binding a port of a block it is not associated with
 * is refused, unless the block is persistent and not exclusive.
 */
static int portres_bind_check(struct socket *sock, struct sockaddr *addr,
			      int addrlen, u16 *taken)
{
	struct sock *sk = sock->sk;
	struct portres_resv *resv;
	struct portres_sock *ps;
	struct portres_net *pn;
	int proto, port, ret = 0;

	proto = portres_sk_bind_proto(sk);
	port = portres_addr_port(sk, addr, addrlen);
	if (proto < 0 || port < 0)
		return 0;

	pn = portres_pernet(sock_net(sk));
	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	/* A bound socket's bind fails in the stack; nothing to take. */
	if (inet_sk(sk)->inet_num)
		goto out;

	if (!port) {
		if (!ps || !ps->resv || portres_no_port(sk))
			goto out;
		ret = portres_resv_take_port(ps->resv, ps);
		if (ret > 0) {
			portres_addr_set_port(addr, ret);
			*taken = ret;
			ret = 0;
		}
		goto out;
	}

	resv = portres_resv_at(pn, proto, port);
	if (!resv)
		goto out;
	if (ps && ps->resv == resv)
		portres_resv_mark_port(resv, ps, port);
	else if (!resv->persistent || resv->exclusive)
		ret = portres_refused(pn, proto, port, resv, -EACCES);
out:
	mutex_unlock(&pn->lock);
	return ret;
}

static int portres_bind_wrap(struct socket *sock, struct sockaddr *address,
			     int addrlen)
{
	u16 taken = 0;
	int ret;

	ret = portres_bind_check(sock, address, addrlen, &taken);
	if (!ret) {
		ret = static_call(portres_orig_bind)(sock, address, addrlen);
		/* An LSM refused the port bind(0) was given: it goes back. */
		if (ret && taken)
			portres_give_back(portres_pernet(sock_net(sock->sk)),
					  sock->sk, taken);
	}
	portres_hook_leave();
	return ret;
}

/*
 * An implicit bind to a port of the block is still a bind: the LSMs are
 * asked about it as security_socket_bind() asks them about bind().
 */
static int portres_lsm_bind(struct socket *sock, struct sock *sk, u16 port)
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
static int portres_autobind(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct portres_net *pn = portres_pernet(sock_net(sk));
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

/* Fast path for the implicit binds: an unbound socket portres knows. */
static bool portres_unbound_tracked(const struct sock *sk)
{
	bool wanted;

	if (portres_sk_proto(sk) < 0 || inet_sk(sk)->inet_num)
		return false;
	rcu_read_lock();
	wanted = portres_sk_tracked(sk);
	rcu_read_unlock();
	return wanted;
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

static bool portres_connect_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *addr = (void *)regs_get_kernel_argument(regs, 1);
	int addrlen = regs_get_kernel_argument(regs, 2);

	return portres_connect_binds(sock->sk, addr, addrlen) &&
	       portres_unbound_tracked(sock->sk);
}

static int portres_connect_wrap(struct socket *sock, struct sockaddr *address,
				int addrlen)
{
	int ret;

	ret = portres_autobind(sock);
	if (!ret)
		ret = static_call(portres_orig_connect)(sock, address,
							addrlen);
	portres_hook_leave();
	return ret;
}

static bool portres_listen_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);

	/* Only a stream socket listens; UDP's listen() fails, binding nothing. */
	return sock->type == SOCK_STREAM && portres_unbound_tracked(sock->sk);
}

static int portres_listen_wrap(struct socket *sock, int backlog)
{
	int ret;

	ret = portres_autobind(sock);
	if (!ret)
		ret = static_call(portres_orig_listen)(sock, backlog);
	portres_hook_leave();
	return ret;
}

static bool portres_sendmsg_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct msghdr *msg = (void *)regs_get_kernel_argument(regs, 1);
	struct sock *sk = sock->sk;

	/* A TCP socket is given a port by sendmsg() only for Fast Open. */
	if (sk && sk->sk_protocol == IPPROTO_TCP &&
	    !(msg->msg_flags & MSG_FASTOPEN))
		return false;
	return portres_unbound_tracked(sk);
}

static int portres_sendmsg_wrap(struct socket *sock, struct msghdr *msg,
				int size)
{
	int ret;

	ret = portres_autobind(sock);
	if (!ret)
		ret = static_call(portres_orig_sendmsg)(sock, msg, size);
	portres_hook_leave();
	return ret;
}

/* Every TCP and UDP socket's port goes through the get_port hooks. */
static bool portres_get_port_wanted(struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);

	return portres_sk_bind_proto(sk) >= 0;
}

static bool portres_sk_associated(const struct sock *sk)
{
	struct portres_sock *ps;
	bool assoc;

	rcu_read_lock();
	ps = portres_sock_find(sk);
	assoc = ps && READ_ONCE(ps->resv);
	rcu_read_unlock();
	return assoc;
}

/*
 * The port @sk is about to take, @snum unless @sk is associated, unbound
 * and asks for any port: an implicit bind the other hooks did not turn
 * into a bind to a port of the block (UDP's sendpage on Linux 6.1 to 6.4,
 * or a call that raced the association).  It gets a port of its block.
 *
 * Return: the port, or a negative errno.
 */
static int portres_get_port_enter(struct portres_net *pn, struct sock *sk,
				  unsigned short snum, bool assoc)
{
	int port, err;

	if (!assoc || snum || READ_ONCE(inet_sk(sk)->inet_num))
		return snum;
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

/*
 * Both get_port hooks: the port @sk takes is taken inside an SRCU read
 * section that tests the reservations' bits again (table.c says why).
 * Inlined into each wrapper, with @proto a constant, so that each calls
 * its own original only.
 */
static __always_inline int portres_get_port(struct sock *sk,
					    unsigned short snum, int proto,
					    unsigned int hash2_nulladdr)
{
	struct portres_net *pn = portres_pernet(sock_net(sk));
	bool assoc = portres_sk_associated(sk), shared = false;
	struct srcu_struct *sp;
	int port, idx, ret;

	port = portres_get_port_enter(pn, sk, snum, assoc);
	if (port < 0)
		return port;
	/* The caller holds the socket's lock, as setsockopt() does. */
	if (assoc)
		shared = portres_share_grant(pn, sk, port);
	idx = portres_bind_begin(pn, &sp);
	ret = port ? portres_port_refused(pn, sk, proto, port) : 0;
	if (!ret && proto == PORTRES_UDP)
		ret = static_call(portres_orig_udp_get_port)(sk, port,
							     hash2_nulladdr);
	else if (!ret)
		ret = static_call(portres_orig_csk_get_port)(sk, port);
	portres_bind_end(pn, sp, idx);
	if (ret && shared)
		sk->sk_reuseport = 0;
	if (assoc)
		portres_get_port_exit(pn, sk, port, port != snum, ret);
	return ret;
}

static int portres_csk_get_port_wrap(struct sock *sk, unsigned short snum)
{
	int ret = portres_get_port(sk, snum, PORTRES_TCP, 0);

	portres_hook_leave();
	return ret;
}

static int portres_udp_get_port_wrap(struct sock *sk, unsigned short snum,
				     unsigned int hash2_nulladdr)
{
	int ret = portres_get_port(sk, snum, PORTRES_UDP, hash2_nulladdr);

	portres_hook_leave();
	return ret;
}

static bool portres_hash_connect_wanted(struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 1);

	return portres_sk_bind_proto(sk) == PORTRES_TCP;
}

/*
 * connect() of an unbound TCP socket: the stack picks a port, skipping the
 * ports of ip_local_reserved_ports, which hold every reservation's.  An
 * associated socket was bound to a port of its block by the connect hook;
 * one still unbound here was associated after that hook ran, and fails.
 */
static int portres_hash_connect_enter(struct sock *sk)
{
	if (!READ_ONCE(inet_sk(sk)->inet_num) && portres_sk_associated(sk))
		return -EADDRNOTAVAIL;
	return 0;
}

/*
 * Both hash_connect hooks: the stack's choice runs inside an SRCU read
 * section.  Inlined into each wrapper, with @v6 a constant, so that each
 * calls its own original only.
 */
static __always_inline int portres_hash_connect(struct inet_timewait_death_row *dr,
						struct sock *sk, bool v6)
{
	struct portres_net *pn = portres_pernet(sock_net(sk));
	struct srcu_struct *sp;
	int idx, ret;

	ret = portres_hash_connect_enter(sk);
	if (ret)
		return ret;
	idx = portres_bind_begin(pn, &sp);
	if (v6)
		ret = static_call(portres_orig_hash_connect6)(dr, sk);
	else
		ret = static_call(portres_orig_hash_connect)(dr, sk);
	portres_bind_end(pn, sp, idx);
	return ret;
}

static int portres_hash_connect_wrap(struct inet_timewait_death_row *dr,
				     struct sock *sk)
{
	int ret = portres_hash_connect(dr, sk, false);

	portres_hook_leave();
	return ret;
}

static int portres_hash_connect6_wrap(struct inet_timewait_death_row *dr,
				      struct sock *sk)
{
	int ret = portres_hash_connect(dr, sk, true);

	portres_hook_leave();
	return ret;
}

static bool portres_release_wanted(struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	bool wanted;

	if (portres_sk_proto(sk) < 0)
		return false;
	rcu_read_lock();
	wanted = portres_sk_tracked(sk);
	rcu_read_unlock();
	return wanted;
}

/*
 * inet_release() calls ip_mc_drop_socket() first, then the protocol's
 * close, which lingers with SO_LINGER: the socket's reservations end here,
 * and no task waits inside this module while a close lingers.
 */
static void portres_release_wrap(struct sock *sk)
{
	portres_sock_closed(portres_pernet(sock_net(sk)), sk);
	static_call(portres_orig_release)(sk);
	portres_hook_leave();
}

/*
 * Every access to ip_local_reserved_ports, also in a namespace with no
 * reservation yet: a write that began before the first reservation must
 * not replace the bitmap after it.
 */
static bool portres_sysctl_wanted(struct pt_regs *regs)
{
	struct ctl_table *table = (void *)regs_get_kernel_argument(regs, 0);

	return portres_rp_table_net(table);
}

static int portres_sysctl_wrap(struct ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	struct portres_net *pn = portres_pernet(portres_rp_table_net(table));
	int ret;

	ret = portres_rp_sysctl(pn, table, write, buffer, lenp, ppos);
	portres_hook_leave();
	return ret;
}

static struct portres_hook portres_hooks[PORTRES_NHOOKS] = {
	[PORTRES_HOOK_BIND] = {
		.name = "security_socket_bind",
		.wrapper = portres_bind_wrap,
	},
	[PORTRES_HOOK_CONNECT] = {
		.name = "security_socket_connect",
		.wrapper = portres_connect_wrap,
	},
	[PORTRES_HOOK_LISTEN] = {
		.name = "security_socket_listen",
		.wrapper = portres_listen_wrap,
	},
	[PORTRES_HOOK_SENDMSG] = {
		.name = "security_socket_sendmsg",
		.wrapper = portres_sendmsg_wrap,
	},
	[PORTRES_HOOK_CSK_GET_PORT] = {
		.name = "inet_csk_get_port",
		.wrapper = portres_csk_get_port_wrap,
	},
	[PORTRES_HOOK_UDP_GET_PORT] = {
		.name = "udp_lib_get_port",
		.wrapper = portres_udp_get_port_wrap,
	},
	[PORTRES_HOOK_HASH_CONNECT] = {
		.name = "inet_hash_connect",
		.wrapper = portres_hash_connect_wrap,
	},
	[PORTRES_HOOK_HASH_CONNECT6] = {
		.name = "inet6_hash_connect",
		.wrapper = portres_hash_connect6_wrap,
		/*
		 * In the kernel itself also when IPv6 is a module
		 * (net/ipv6/Makefile builds inet6_hashtables.o in for
		 * CONFIG_IPV6=m): hooked whenever IPv6 can be there at all,
		 * so IPv6 connects loaded after portres are ordered too.
		 */
		.optional = !IS_ENABLED(CONFIG_IPV6),
	},
	[PORTRES_HOOK_RELEASE] = {
		.name = "ip_mc_drop_socket",
		.wrapper = portres_release_wrap,
	},
	[PORTRES_HOOK_SYSCTL] = {
		.name = "proc_do_large_bitmap",
		.wrapper = portres_sysctl_wrap,
	},
};

/* Whether portres has anything to do with this call of a hooked function. */
static bool portres_hook_wanted(enum portres_hook_id id, struct pt_regs *regs)
{
	/* A switch, not a table of pointers: the module makes no indirect call. */
	switch (id) {
	case PORTRES_HOOK_BIND:
		return portres_bind_wanted(regs);
	case PORTRES_HOOK_CONNECT:
		return portres_connect_wanted(regs);
	case PORTRES_HOOK_LISTEN:
		return portres_listen_wanted(regs);
	case PORTRES_HOOK_SENDMSG:
		return portres_sendmsg_wanted(regs);
	case PORTRES_HOOK_CSK_GET_PORT:
	case PORTRES_HOOK_UDP_GET_PORT:
		return portres_get_port_wanted(regs);
	case PORTRES_HOOK_HASH_CONNECT:
	case PORTRES_HOOK_HASH_CONNECT6:
		return portres_hash_connect_wanted(regs);
	case PORTRES_HOOK_RELEASE:
		return portres_release_wanted(regs);
	case PORTRES_HOOK_SYSCTL:
		return portres_sysctl_wanted(regs);
	default:
		return false;
	}
}

static void notrace portres_ftrace_thunk(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct portres_hook *hook = container_of(ops, struct portres_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (!regs || within_module(parent_ip, THIS_MODULE))
		return;
	if (!portres_hook_wanted(hook - portres_hooks, regs))
		return;
	/* Counted before the task can enter the wrapper; see uninit. */
	atomic_inc(&portres_inflight);
	instruction_pointer_set(regs, (unsigned long)hook->wrapper);
}

/* Points the static call of a hooked function at the function. */
static void portres_hook_set_original(enum portres_hook_id id, void *fn)
{
	switch (id) {
	case PORTRES_HOOK_BIND:
		static_call_update(portres_orig_bind,
				   (typeof(&security_socket_bind))fn);
		break;
	case PORTRES_HOOK_CONNECT:
		static_call_update(portres_orig_connect,
				   (typeof(&security_socket_connect))fn);
		break;
	case PORTRES_HOOK_LISTEN:
		static_call_update(portres_orig_listen,
				   (typeof(&security_socket_listen))fn);
		break;
	case PORTRES_HOOK_SENDMSG:
		static_call_update(portres_orig_sendmsg,
				   (typeof(&security_socket_sendmsg))fn);
		break;
	case PORTRES_HOOK_CSK_GET_PORT:
		static_call_update(portres_orig_csk_get_port,
				   (typeof(&inet_csk_get_port))fn);
		break;
	case PORTRES_HOOK_UDP_GET_PORT:
		static_call_update(portres_orig_udp_get_port,
				   (typeof(&udp_lib_get_port))fn);
		break;
	case PORTRES_HOOK_HASH_CONNECT:
		static_call_update(portres_orig_hash_connect,
				   (typeof(&inet_hash_connect))fn);
		break;
	case PORTRES_HOOK_HASH_CONNECT6:
		static_call_update(portres_orig_hash_connect6,
				   (typeof(&inet_hash_connect))fn);
		break;
	case PORTRES_HOOK_RELEASE:
		static_call_update(portres_orig_release,
				   (typeof(&ip_mc_drop_socket))fn);
		break;
	case PORTRES_HOOK_SYSCTL:
		static_call_update(portres_orig_sysctl,
				   (typeof(&proc_do_large_bitmap))fn);
		break;
	default:
		WARN_ON_ONCE(1);
	}
}

/* Finds a hooked function, points its static call at it, hooks it. */
static int portres_hook_install(enum portres_hook_id id)
{
	struct portres_hook *hook = &portres_hooks[id];
	int err;

	err = portres_hook_find(hook);
	if (err)
		return err;
	/* Before the first call can reach the wrapper. */
	portres_hook_set_original(id, (void *)hook->addr);
	return portres_hook_register(hook, portres_ftrace_thunk);
}

void portres_hooks_uninit(void)
{
	int i, inside;

	for (i = PORTRES_NHOOKS - 1; i >= 0; i--)
		portres_hook_unregister(&portres_hooks[i]);

	/*
	 * No task is redirected any more.  Wait for those inside a wrapper to
	 * leave it, then for each to pass a voluntary schedule, so that none
	 * is still on the few instructions after portres_hook_leave().  The
	 * wait is bounded: no wrapper waits for anything a user controls
	 * while it is counted here, except the implicit bind, which holds the
	 * module meanwhile, so that the unload fails before it gets here.
	 */
	inside = atomic_read(&portres_inflight);
	if (inside)
		pr_info("waiting for %d calls inside the hooks\n", inside);
	while (atomic_read(&portres_inflight))
		msleep(20);
	synchronize_rcu_tasks();
}

/*
 * Without CONFIG_HAVE_STATIC_CALL, static_call() is an indirect call through
 * the key.  On a kernel that checks the targets of indirect branches (x86
 * IBT, arm64 BTI, kCFI) such a call into a hooked function can fault, so
 * portres refuses to load there rather than fault on the first bind().
 */
static bool portres_static_calls_unsafe(void)
{
	return !IS_ENABLED(CONFIG_HAVE_STATIC_CALL) &&
	       (IS_ENABLED(CONFIG_X86_KERNEL_IBT) ||
		IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ||
		IS_ENABLED(CONFIG_CFI_CLANG));
}

int portres_hooks_init(void)
{
	int i, err;

	if (portres_static_calls_unsafe()) {
		pr_err("this kernel checks indirect branches and has no static calls: portres cannot call the functions it hooks safely\n");
		return -EOPNOTSUPP;
	}

	err = portres_hook_lookup_init();
	if (err) {
		pr_err("cannot find kallsyms_lookup_name: %d\n", err);
		return err;
	}

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (portres_hooks[i].optional) {
			pr_info("not hooking %s: no IPv6 in this kernel\n",
				portres_hooks[i].name);
			continue;
		}
		err = portres_hook_install(i);
		if (err)
			goto err_unwind;
	}
	/*
	 * A call that entered a hooked function before its hook went in
	 * took no read section (table.c): wait for such calls to finish
	 * before any reservation can be made.  The stack's port choice does
	 * not schedule voluntarily between its test of a port and the
	 * port's entry in the bind table, so a task that passed a voluntary
	 * schedule since either is done or tests the bits again.
	 */
	synchronize_rcu_tasks();
	return 0;

err_unwind:
	portres_hooks_uninit();
	return err;
}
