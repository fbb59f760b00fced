// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the bind hook, and the hooks on the other ways a socket gets a
 * port or goes away.
 *
 * A module cannot register LSM hooks, so the functions of kmod/hooks.def
 * are hooked with ftrace: the hot ones by a direct call from the function's
 * entry to a stub (hook_stub.S) that asks the hook's policy,
 * portres_<name>_redirect(), whether portres has anything to do with the
 * call (in constant time, without sleeping), and if so replaces the call
 * with portres_<name>_wrap(); the cold one by a callback that redirects the
 * call to its wrapper, the way livepatch does it.  A wrapper runs in
 * process context, may sleep and take the namespace's mutex, and calls the
 * original function past its ftrace call site, through a static call,
 * unless it refuses the call.
 *
 * Hooked, while anything is reserved (portres_hooks_hold()):
 * - security_socket_connect, security_socket_listen, security_socket_sendmsg:
 *   an associated socket about to be given a port implicitly is bound to a
 *   port of its reservation first;
 * - inet_csk_get_port, udp_lib_get_port, inet_hash_connect,
 *   inet6_hash_connect: where the stack takes a port for a TCP or UDP
 *   socket, bind() included.  Every call, from every socket, runs inside
 *   portres_bind_begin() and _end(), so that an acquire never misses a
 *   bind that is under way (table.c); a port a reservation covers is
 *   refused there (EACCES, which bind() returns as it is) to any socket
 *   the reservation does not let in, and an associated socket that asks
 *   for any port is given one of its block;
 * - ip_mc_drop_socket: called by inet_release() on the last close of every
 *   IPv4 and IPv6 socket, before the protocol's close, which may linger;
 * and from load to unload:
 * - proc_do_large_bitmap: the ip_local_reserved_ports sysctl.
 * security_socket_bind is not hooked: it is only called, by the wrappers
 * that give a port, to ask the LSMs about it.
 *
 * Lock order: the socket's lock, then the namespace's mutex, then the bind
 * table's bucket locks.  No wrapper holds the mutex while it calls into the
 * stack, and none takes it inside a portres_bind_begin() section.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>
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
#include "fastpath.h"
#include "hooks.h"
#include "portres.h"

/*
 * Tasks redirected to a wrapper that have not yet left it, counted on the
 * CPU each entered and left on: only the sum means anything
 * (portres_hooks_inside()).
 */
static DEFINE_PER_CPU(long, portres_inflight);

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
#define PORTRES_ORIG_SETTER(name, type)					\
	static void portres_##name##_set_orig(void *fn)		\
	{								\
		static_call_update(portres_orig_##name, (typeof(&type))fn); \
	}
#define PORTRES_ORIG_HOT(name, type)					\
	DEFINE_STATIC_CALL_NULL(portres_orig_##name, type);		\
	static void portres_##name##_set_orig(void *fn)		\
	{								\
		static_call_update(portres_orig_##name, (typeof(&type))fn); \
	}
#define PORTRES_ORIG_HOT6	PORTRES_ORIG_HOT
#define PORTRES_ORIG_CALL	PORTRES_ORIG_HOT
/* The sysctl handler's is reserved_ports.c's, which calls it. */
#define PORTRES_ORIG_COLD	PORTRES_ORIG_SETTER
#define PORTRES_HOOK(name, function, type, args, kind, params)		\
	PORTRES_ORIG_##kind(name, type)
#include "hooks.def"
#undef PORTRES_HOOK

enum portres_hook_id {
#define PORTRES_HOOK(name, function, type, args, kind, params) \
	PORTRES_HOOK_##name,
#include "hooks.def"
#undef PORTRES_HOOK
	PORTRES_NHOOKS,
};

static struct portres_hook portres_hooks[PORTRES_NHOOKS];

/* A call is redirected: counted before the task can enter the wrapper. */
static bool portres_hook_redirect(void)
{
	this_cpu_inc(portres_inflight);
	return true;
}

static void portres_hook_leave(void)
{
	this_cpu_dec(portres_inflight);
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

/*
 * Fast path, under RCU, for a socket whose namespace may have records
 * (portres_net_maybe()): whether portres keeps a record of @sk.
 */
static bool portres_sk_tracked(const struct sock *sk)
{
	bool known;

	if (!portres_sk_maybe(sk))
		return false;
	rcu_read_lock();
	known = portres_sock_known(sk);
	rcu_read_unlock();
	return known;
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
	struct portres_net *pn = portres_pernet_sk(sk);
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
	return portres_sk_proto(sk) >= 0 && !inet_sk(sk)->inet_num &&
	       portres_net_maybe(sock_net(sk)) && portres_sk_tracked(sk);
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

bool notrace portres_connect_redirect(struct socket *sock, struct sockaddr *addr,
			      int addrlen)
{
	return portres_connect_binds(sock->sk, addr, addrlen) &&
	       portres_unbound_tracked(sock->sk) && portres_hook_redirect();
}

int portres_connect_wrap(struct socket *sock, struct sockaddr *address,
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

bool notrace portres_listen_redirect(struct socket *sock, int backlog)
{
	/* Only a stream socket listens; UDP's listen() fails, binding nothing. */
	return sock->type == SOCK_STREAM && portres_unbound_tracked(sock->sk) &&
	       portres_hook_redirect();
}

int portres_listen_wrap(struct socket *sock, int backlog)
{
	int ret;

	ret = portres_autobind(sock);
	if (!ret)
		ret = static_call(portres_orig_listen)(sock, backlog);
	portres_hook_leave();
	return ret;
}

bool notrace portres_sendmsg_redirect(struct socket *sock, struct msghdr *msg, int size)
{
	struct sock *sk = sock->sk;

	/* A TCP socket is given a port by sendmsg() only for Fast Open. */
	if (sk && sk->sk_protocol == IPPROTO_TCP &&
	    !(msg->msg_flags & MSG_FASTOPEN))
		return false;
	return portres_unbound_tracked(sk) && portres_hook_redirect();
}

int portres_sendmsg_wrap(struct socket *sock, struct msghdr *msg,
				int size)
{
	int ret;

	ret = portres_autobind(sock);
	if (!ret)
		ret = static_call(portres_orig_sendmsg)(sock, msg, size);
	portres_hook_leave();
	return ret;
}

/*
 * Every TCP and UDP socket's port goes through the get_port hooks, in a
 * namespace that has reservations (an order of binds, table.c); in one
 * that never had, the call is the stack's alone.
 */
static __always_inline bool portres_get_port_wanted(struct sock *sk)
{
	return portres_sk_bind_proto(sk) >= 0 &&
	       portres_net_maybe(sock_net(sk)) &&
	       portres_bind_ordered(portres_pernet_sk(sk)) &&
	       portres_hook_redirect();
}

bool notrace portres_csk_get_port_redirect(struct sock *sk, unsigned short snum)
{
	return portres_get_port_wanted(sk);
}

bool notrace portres_udp_get_port_redirect(struct sock *sk, unsigned short snum,
				   unsigned int hash2_nulladdr)
{
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
 * The port @sk is about to take, @snum unless @sk is associated, unbound
 * and asks for any port: bind() to port 0, or an implicit bind the other
 * hooks did not turn into a bind to a port of the block (listen(), UDP's
 * sendpage on Linux 6.1 to 6.4, or a call that raced the association).
 * It gets a port of its block, which bind() would have required
 * CAP_NET_BIND_SERVICE for below ip_unprivileged_port_start, and which
 * the LSMs are asked about as bind() asks them.
 *
 * Return: the port, or a negative errno.
 */
static __always_inline int portres_get_port_enter(struct portres_net *pn,
						  struct sock *sk,
						  unsigned short snum,
						  bool assoc)
{
	if (!assoc || snum || READ_ONCE(inet_sk(sk)->inet_num))
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
	struct portres_net *pn = portres_pernet_sk(sk);
	bool assoc = portres_sk_associated(pn, sk), shared = false;
	struct portres_bind_section section;
	bool ordered;
	int port, ret;

	port = portres_get_port_enter(pn, sk, snum, assoc);
	if (port < 0)
		return port;
	/* The caller holds the socket's lock, as setsockopt() does. */
	if (assoc)
		shared = portres_share_grant(pn, sk, port);
	/* Redirected, the namespace has its order (it never loses it). */
	ordered = portres_bind_begin(pn, &section);
	ret = port ? portres_port_refused(pn, sk, proto, port) : 0;
	if (!ret && proto == PORTRES_UDP)
		ret = static_call(portres_orig_udp_get_port)(sk, port,
							     hash2_nulladdr);
	else if (!ret)
		ret = static_call(portres_orig_csk_get_port)(sk, port);
	if (ordered)
		portres_bind_end(&section);
	if (ret && shared)
		sk->sk_reuseport = 0;
	if (assoc)
		portres_get_port_exit(pn, sk, port, port != snum, ret);
	return ret;
}

int portres_csk_get_port_wrap(struct sock *sk, unsigned short snum)
{
	int ret = portres_get_port(sk, snum, PORTRES_TCP, 0);

	portres_hook_leave();
	return ret;
}

int portres_udp_get_port_wrap(struct sock *sk, unsigned short snum,
			       unsigned int hash2_nulladdr)
{
	int ret = portres_get_port(sk, snum, PORTRES_UDP, hash2_nulladdr);

	portres_hook_leave();
	return ret;
}

bool notrace portres_hash_connect_redirect(struct inet_timewait_death_row *dr,
				   struct sock *sk)
{
	return portres_sk_bind_proto(sk) == PORTRES_TCP &&
	       portres_net_maybe(sock_net(sk)) &&
	       portres_bind_ordered(portres_pernet_sk(sk)) &&
	       portres_hook_redirect();
}

bool notrace portres_hash_connect6_redirect(struct inet_timewait_death_row *dr,
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
 * Both hash_connect hooks: the stack's choice runs inside an SRCU read
 * section.  Inlined into each wrapper, with @v6 a constant, so that each
 * calls its own original only.
 */
static __always_inline int portres_hash_connect(struct inet_timewait_death_row *dr,
						struct sock *sk, bool v6)
{
	struct portres_net *pn = portres_pernet_sk(sk);
	struct portres_bind_section section;
	bool ordered;
	int ret;

	ret = portres_hash_connect_enter(pn, sk);
	if (ret)
		return ret;
	ordered = portres_bind_begin(pn, &section);
	if (v6)
		ret = static_call(portres_orig_hash_connect6)(dr, sk);
	else
		ret = static_call(portres_orig_hash_connect)(dr, sk);
	if (ordered)
		portres_bind_end(&section);
	return ret;
}

int portres_hash_connect_wrap(struct inet_timewait_death_row *dr,
			       struct sock *sk)
{
	int ret = portres_hash_connect(dr, sk, false);

	portres_hook_leave();
	return ret;
}

int portres_hash_connect6_wrap(struct inet_timewait_death_row *dr,
				struct sock *sk)
{
	int ret = portres_hash_connect(dr, sk, true);

	portres_hook_leave();
	return ret;
}

bool notrace portres_release_redirect(struct sock *sk)
{
	return portres_sk_proto(sk) >= 0 && portres_net_maybe(sock_net(sk)) &&
	       portres_sk_tracked(sk) && portres_hook_redirect();
}

/*
 * inet_release() calls ip_mc_drop_socket() first, then the protocol's
 * close, which lingers with SO_LINGER: the socket's reservations end here,
 * and no task waits inside this module while a close lingers.
 */
void portres_release_wrap(struct sock *sk)
{
	portres_sock_closed(portres_pernet_sk(sk), sk);
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

/*
 * The cold hook's callback, called by ftrace's trampoline on each call of
 * proc_do_large_bitmap(): whether the call is the ip_local_reserved_ports
 * sysctl's, and if so it goes on in the wrapper.  Where the wrapper calls
 * the original at its entry (hook.c), its call is let through.
 */
static void notrace portres_sysctl_thunk(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct pt_regs *regs = portres_fregs_regs(fregs);

	if (WARN_ON_ONCE(!regs))
		return;
	if (unlikely(portres_hooks[PORTRES_HOOK_sysctl].orig ==
		     portres_hooks[PORTRES_HOOK_sysctl].addr) &&
	    within_module(parent_ip, THIS_MODULE))
		return;
	if (!portres_sysctl_wanted(regs))
		return;
	portres_hook_redirect();
	portres_fregs_set_ip(fregs, (unsigned long)portres_sysctl_wrap);
}

/*
 * The table, from hooks.def.  security_socket_bind is called, not hooked:
 * a bind's port is decided in get_port, which asks the LSMs about the port
 * it gives (see portres_lsm_bind()).  inet6_hash_connect is in the kernel
 * itself also when IPv6 is a module (net/ipv6/Makefile builds
 * inet6_hashtables.o in for CONFIG_IPV6=m): hooked whenever IPv6 can be
 * there at all, so IPv6 connects loaded after portres are ordered too.
 * The sysctl hook is registered from load to unload: it is not on any
 * socket's path, and as a PERMANENT hook it keeps kernel.ftrace_enabled
 * from being set to 0 while portres is loaded, so that the hot hooks can
 * always be registered when they are needed.
 */
#define PORTRES_ENTRY_HOT(name)	.stub = portres_##name##_stub,
#define PORTRES_ENTRY_HOT6(name)					\
	.stub = portres_##name##_stub, .optional = !IS_ENABLED(CONFIG_IPV6),
#define PORTRES_ENTRY_COLD(name)	.thunk = portres_##name##_thunk, .cold = true,
#define PORTRES_ENTRY_CALL(name)
static struct portres_hook portres_hooks[PORTRES_NHOOKS] = {
#define PORTRES_HOOK(hook, function, type, args, kind, params)		\
	[PORTRES_HOOK_##hook] = {					\
		.name = #function,					\
		PORTRES_ENTRY_##kind(hook)				\
	},
#include "hooks.def"
#undef PORTRES_HOOK
};

/* Points the static call of a hooked function at the function. */
static void portres_hook_set_original(enum portres_hook_id id, void *fn)
{
#define PORTRES_HOOK(name, function, type, args, kind, params)		\
	(id == PORTRES_HOOK_##name ? portres_##name##_set_orig(fn) : (void)0),
#include "hooks.def"
#undef PORTRES_HOOK
	WARN_ON_ONCE(id >= PORTRES_NHOOKS);
}

/* Finds a hooked function and points its static call at it. */
static int portres_hook_find_all(void)
{
	int i, err;

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (portres_hooks[i].optional) {
			pr_info("not hooking %s: no IPv6 in this kernel\n",
				portres_hooks[i].name);
			continue;
		}
		err = portres_hook_find(&portres_hooks[i]);
		if (err)
			return err;
		/* Before the first call can reach the wrapper. */
		portres_hook_set_original(i, (void *)portres_hooks[i].orig);
	}
	return 0;
}

/*
 * The hot hooks, on the paths of every socket's bind, connect, send and
 * close, are registered only while portres has something to enforce: from
 * the first acquire, association or persistent block on (a front end
 * calls portres_hooks_hold() before it makes one), until no reservation
 * and no socket record has been left anywhere for hook_idle_ms.  A host
 * where nothing is reserved runs its sockets through no hook at all.
 *
 * Registering them while binds are under way is safe because of what
 * follows it: a bind that entered an unhooked get_port took no read
 * section (table.c), and synchronize_rcu_tasks() waits for every task to
 * pass a voluntary schedule, which the stack's port choice does not make
 * between its test of a port and the port's entry in the bind table.  So
 * when it returns, each such bind is in the bind table, and every later
 * one is hooked.  (The callbacks let through the binds of a namespace that
 * has no reservation yet; its first waits for such a grace period in the
 * same way, or counts this one: portres_table_tasks_passed().)  That holds where RCU-tasks exists and spinlocks do not
 * sleep; on a PREEMPT_RT kernel, or one without TASKS_RCU, the hooks are
 * registered from load to unload instead.
 */
static DEFINE_MUTEX(portres_hooks_mutex);
static bool portres_hooks_hot;
static unsigned long portres_hooks_registrations;
static atomic_t portres_hooks_holds = ATOMIC_INIT(0);
static unsigned long portres_hooks_used;
static void portres_hooks_idle(struct work_struct *work);
static DECLARE_DELAYED_WORK(portres_hooks_idle_work, portres_hooks_idle);

static unsigned int hook_idle_ms = 10000;
module_param(hook_idle_ms, uint, 0644);
MODULE_PARM_DESC(hook_idle_ms,
		 "how long the hooks stay registered after the last reservation and socket record are gone, in ms (default 10000)");

static bool portres_hooks_dynamic(void)
{
	return IS_ENABLED(CONFIG_TASKS_RCU) && !IS_ENABLED(CONFIG_PREEMPT_RT);
}

static unsigned long portres_hooks_idle_delay(void)
{
	return msecs_to_jiffies(max(READ_ONCE(hook_idle_ms), 10U));
}

static int portres_hooks_register_hot(void)
{
	int i, err;

	lockdep_assert_held(&portres_hooks_mutex);
	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (portres_hooks[i].optional || !portres_hooks[i].stub)
			continue;
		err = portres_hook_register(&portres_hooks[i]);
		if (err)
			goto err_unwind;
	}
	synchronize_rcu_tasks();
	portres_table_tasks_passed();
	WRITE_ONCE(portres_hooks_hot, true);
	WRITE_ONCE(portres_hooks_registrations, portres_hooks_registrations + 1);
	if (portres_hooks_dynamic())
		schedule_delayed_work(&portres_hooks_idle_work,
				      portres_hooks_idle_delay());
	return 0;

err_unwind:
	while (--i >= 0)
		if (!portres_hooks[i].cold)
			portres_hook_unregister(&portres_hooks[i]);
	return err;
}

static void portres_hooks_unregister_hot(void)
{
	int i;

	lockdep_assert_held(&portres_hooks_mutex);
	for (i = PORTRES_NHOOKS - 1; i >= 0; i--)
		if (!portres_hooks[i].cold)
			portres_hook_unregister(&portres_hooks[i]);
	WRITE_ONCE(portres_hooks_hot, false);
}

/**
 * portres_hooks_hold() - have the hooks enforce, before making a reservation
 * or an association
 *
 * Registers the hot hooks if they are not (which takes an RCU-tasks grace
 * period), and keeps them until portres_hooks_unhold(); whatever the
 * caller made meanwhile keeps them after (portres_table_idle()).
 *
 * Return: 0, or the error of ftrace (-EBUSY: another module, such as a
 * livepatch, modifies the calls of a hooked function).
 */
int portres_hooks_hold(void)
{
	int err = 0;

	atomic_inc(&portres_hooks_holds);
	/* Counted before the state is read: pairs with portres_hooks_idle(). */
	smp_mb__after_atomic();
	if (READ_ONCE(portres_hooks_hot))
		return 0;
	mutex_lock(&portres_hooks_mutex);
	if (!portres_hooks_hot)
		err = portres_hooks_register_hot();
	mutex_unlock(&portres_hooks_mutex);
	if (err) {
		atomic_dec(&portres_hooks_holds);
		pr_warn_ratelimited("cannot enforce reservations: hooking the stack failed (%d)\n",
				    err);
	}
	return err;
}

void portres_hooks_unhold(void)
{
	WRITE_ONCE(portres_hooks_used, jiffies);
	/* What the holder made is in the table before the hold ends. */
	smp_mb__before_atomic();
	atomic_dec(&portres_hooks_holds);
}

/*
 * Whether the hot hooks are registered now, and how many times they were
 * since the module loaded (sysfs).
 */
bool portres_hooks_registered(unsigned long *registrations)
{
	*registrations = READ_ONCE(portres_hooks_registrations);
	return READ_ONCE(portres_hooks_hot);
}

/*
 * Every hook_idle_ms while the hot hooks are registered: once nothing has
 * been reserved or known anywhere for that long, they go.  A holder that
 * found them registered either is seen here (its count), or sees them
 * gone and registers them again under the mutex.
 */
static void portres_hooks_idle(struct work_struct *work)
{
	unsigned long delay = portres_hooks_idle_delay();

	mutex_lock(&portres_hooks_mutex);
	if (!portres_hooks_hot)
		goto out;
	if (!atomic_read(&portres_hooks_holds) && portres_table_idle() &&
	    time_after_eq(jiffies, READ_ONCE(portres_hooks_used) + delay)) {
		WRITE_ONCE(portres_hooks_hot, false);
		/* Cleared before the holds are read: pairs with the hold's. */
		smp_mb();
		if (!atomic_read(&portres_hooks_holds) && portres_table_idle()) {
			portres_hooks_unregister_hot();
			goto out;
		}
		WRITE_ONCE(portres_hooks_hot, true);
	}
	schedule_delayed_work(&portres_hooks_idle_work, delay);
out:
	mutex_unlock(&portres_hooks_mutex);
}

/* Tasks inside a wrapper: exact once no task can enter one any more. */
static long portres_hooks_inside(void)
{
	long inside = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		inside += READ_ONCE(per_cpu(portres_inflight, cpu));
	return inside;
}

void portres_hooks_uninit(void)
{
	long inside;
	int i;

	cancel_delayed_work_sync(&portres_hooks_idle_work);
	mutex_lock(&portres_hooks_mutex);
	if (portres_hooks_hot)
		portres_hooks_unregister_hot();
	mutex_unlock(&portres_hooks_mutex);
	for (i = PORTRES_NHOOKS - 1; i >= 0; i--) {
		portres_hook_unregister(&portres_hooks[i]);
		portres_hook_release(&portres_hooks[i]);
	}

	/*
	 * No task is redirected any more.  Wait for those inside a wrapper to
	 * leave it, then for each to pass a voluntary schedule, so that none
	 * is still on the few instructions after portres_hook_leave().  The
	 * wait is bounded: no wrapper waits for anything a user controls
	 * while it is counted here, except the implicit bind, which holds the
	 * module meanwhile, so that the unload fails before it gets here.
	 * With no task entering, each CPU's count only falls, so a sum of 0
	 * means every task has left.
	 */
	inside = portres_hooks_inside();
	if (inside)
		pr_info("waiting for %ld calls inside the hooks\n", inside);
	while (portres_hooks_inside())
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
	err = portres_hook_find_all();
	if (err)
		return err;

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (!portres_hooks[i].cold)
			continue;
		err = portres_hook_register(&portres_hooks[i]);
		if (err)
			goto err_unwind;
	}
	if (!portres_hooks_dynamic()) {
		mutex_lock(&portres_hooks_mutex);
		err = portres_hooks_register_hot();
		mutex_unlock(&portres_hooks_mutex);
		if (err)
			goto err_unwind;
		return 0;
	}
	/* A sysctl write that entered before its hook: see above. */
	synchronize_rcu_tasks();
	return 0;

err_unwind:
	portres_hooks_uninit();
	return err;
}
