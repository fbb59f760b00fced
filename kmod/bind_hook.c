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
 * Hooked: security_socket_bind (hand out or refuse ports of reservations),
 * security_socket_connect, security_socket_listen and security_socket_sendmsg
 * (an associated socket about to be given a port implicitly is bound to a
 * port of its reservation first), inet_release (the last close of an IPv4 or
 * IPv6 socket) and proc_do_large_bitmap (the ip_local_reserved_ports sysctl).
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ftrace.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/sysctl.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "portres.h"

/* Tasks redirected to a wrapper that have not yet left it. */
static atomic_t portres_inflight = ATOMIC_INIT(0);

struct portres_hook {
	const char *name;
	void *wrapper;
	bool (*wanted)(struct pt_regs *regs);
	unsigned long addr;
	struct ftrace_ops ops;
	bool registered;
};

enum {
	PORTRES_HOOK_BIND,
	PORTRES_HOOK_CONNECT,
	PORTRES_HOOK_LISTEN,
	PORTRES_HOOK_SENDMSG,
	PORTRES_HOOK_RELEASE,
	PORTRES_HOOK_SYSCTL,
	PORTRES_NHOOKS,
};

static struct portres_hook portres_hooks[PORTRES_NHOOKS];

static void portres_hook_leave(void)
{
	atomic_dec(&portres_inflight);
}

static bool portres_no_port(const struct sock *sk)
{
#ifdef PORTRES_HAVE_INET_FLAGS
	return inet_test_bit(BIND_ADDRESS_NO_PORT, sk);
#else
	return inet_sk(sk)->bind_address_no_port;
#endif
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

	proto = portres_sk_proto(sk);
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
 * The bind policy.  An associated socket binding port 0 gets a free port of
 * its block; a socket binding a port of a block it is not associated with
 * is refused, unless the block is persistent and not exclusive.
 */
static int portres_bind_check(struct socket *sock, struct sockaddr *addr,
			      int addrlen)
{
	struct sock *sk = sock->sk;
	struct portres_resv *resv;
	struct portres_sock *ps;
	struct portres_net *pn;
	int proto, port, ret = 0;

	proto = portres_sk_proto(sk);
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
		ret = -EACCES;
out:
	mutex_unlock(&pn->lock);
	return ret;
}

static int portres_bind_wrap(struct socket *sock, struct sockaddr *address,
			     int addrlen)
{
	int (*orig)(struct socket *sock, struct sockaddr *address, int addrlen);
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_BIND].addr;
	ret = portres_bind_check(sock, address, addrlen);
	if (!ret)
		ret = orig(sock, address, addrlen);
	portres_hook_leave();
	return ret;
}

/*
 * An unbound associated socket that is about to be given a port implicitly
 * is bound to a port of its block first; the stack then keeps that port.
 */
static int portres_autobind(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct portres_net *pn = portres_pernet(sock_net(sk));
	struct sockaddr_storage addr;
	struct portres_sock *ps;
	int port, addrlen, err = 0;

	mutex_lock(&pn->lock);
	ps = portres_sock_find(sk);
	if (!ps || !ps->resv || inet_sk(sk)->inet_num)
		goto out;
	port = portres_resv_take_port(ps->resv, ps);
	if (port < 0) {
		err = port;
		goto out;
	}
	addrlen = portres_bound_addr(sk, &addr, port);
	err = kernel_bind(sock, (struct sockaddr *)&addr, addrlen);
	if (err)
		portres_resv_put_port(ps);
out:
	mutex_unlock(&pn->lock);
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

static bool portres_connect_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *addr = (void *)regs_get_kernel_argument(regs, 1);
	int addrlen = regs_get_kernel_argument(regs, 2);

	/* connect(AF_UNSPEC) dissolves an association; it binds nothing. */
	if (addrlen >= (int)offsetofend(struct sockaddr, sa_family) &&
	    addr->sa_family == AF_UNSPEC)
		return false;
	return portres_unbound_tracked(sock->sk);
}

static int portres_connect_wrap(struct socket *sock, struct sockaddr *address,
				int addrlen)
{
	int (*orig)(struct socket *sock, struct sockaddr *address, int addrlen);
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_CONNECT].addr;
	ret = portres_autobind(sock);
	if (!ret)
		ret = orig(sock, address, addrlen);
	portres_hook_leave();
	return ret;
}

static bool portres_listen_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);

	return portres_unbound_tracked(sock->sk);
}

static int portres_listen_wrap(struct socket *sock, int backlog)
{
	int (*orig)(struct socket *sock, int backlog);
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_LISTEN].addr;
	ret = portres_autobind(sock);
	if (!ret)
		ret = orig(sock, backlog);
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
	int (*orig)(struct socket *sock, struct msghdr *msg, int size);
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_SENDMSG].addr;
	ret = portres_autobind(sock);
	if (!ret)
		ret = orig(sock, msg, size);
	portres_hook_leave();
	return ret;
}

static bool portres_release_wanted(struct pt_regs *regs)
{
	struct socket *sock = (void *)regs_get_kernel_argument(regs, 0);
	struct sock *sk = sock->sk;
	bool wanted;

	if (portres_sk_proto(sk) < 0)
		return false;
	rcu_read_lock();
	wanted = portres_sk_tracked(sk);
	rcu_read_unlock();
	return wanted;
}

static int portres_release_wrap(struct socket *sock)
{
	int (*orig)(struct socket *sock);
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_RELEASE].addr;
	portres_sock_release(portres_pernet(sock_net(sock->sk)), sock->sk);
	ret = orig(sock);
	portres_hook_leave();
	return ret;
}

static bool portres_sysctl_wanted(struct pt_regs *regs)
{
	struct ctl_table *table = (void *)regs_get_kernel_argument(regs, 0);
	struct portres_net *pn;
	struct net *net;
	bool wanted;

	net = portres_rp_table_net(table);
	if (!net)
		return false;
	rcu_read_lock();
	pn = portres_pernet(net);
	wanted = pn && rcu_access_pointer(pn->ports);
	rcu_read_unlock();
	return wanted;
}

static int portres_sysctl_wrap(struct ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	portres_sysctl_fn orig;
	int ret;

	orig = (void *)portres_hooks[PORTRES_HOOK_SYSCTL].addr;
	ret = portres_rp_sysctl(table, write, buffer, lenp, ppos, orig);
	portres_hook_leave();
	return ret;
}

static struct portres_hook portres_hooks[PORTRES_NHOOKS] = {
	[PORTRES_HOOK_BIND] = {
		.name = "security_socket_bind",
		.wrapper = portres_bind_wrap,
		.wanted = portres_bind_wanted,
	},
	[PORTRES_HOOK_CONNECT] = {
		.name = "security_socket_connect",
		.wrapper = portres_connect_wrap,
		.wanted = portres_connect_wanted,
	},
	[PORTRES_HOOK_LISTEN] = {
		.name = "security_socket_listen",
		.wrapper = portres_listen_wrap,
		.wanted = portres_listen_wanted,
	},
	[PORTRES_HOOK_SENDMSG] = {
		.name = "security_socket_sendmsg",
		.wrapper = portres_sendmsg_wrap,
		.wanted = portres_sendmsg_wanted,
	},
	[PORTRES_HOOK_RELEASE] = {
		.name = "inet_release",
		.wrapper = portres_release_wrap,
		.wanted = portres_release_wanted,
	},
	[PORTRES_HOOK_SYSCTL] = {
		.name = "proc_do_large_bitmap",
		.wrapper = portres_sysctl_wrap,
		.wanted = portres_sysctl_wanted,
	},
};

static void notrace portres_ftrace_thunk(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct portres_hook *hook = container_of(ops, struct portres_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (!regs || within_module(parent_ip, THIS_MODULE))
		return;
	if (!hook->wanted(regs))
		return;
	/* Counted before the task can enter the wrapper; see uninit. */
	atomic_inc(&portres_inflight);
	instruction_pointer_set(regs, (unsigned long)hook->wrapper);
}

/*
 * kallsyms_lookup_name() is not exported: a kprobe on it gives its address,
 * and it gives the others.  One kprobe on that cold function, rather than
 * one on each hooked function, keeps code patching off the hot paths while
 * the module loads.
 */
static unsigned long (*portres_kallsyms_lookup_name)(const char *name);

static int portres_lookup_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err;

	err = register_kprobe(&kp);
	if (err < 0)
		return err;
	portres_kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return portres_kallsyms_lookup_name ? 0 : -ENOENT;
}

static unsigned long portres_lookup(const char *name)
{
	return portres_kallsyms_lookup_name(name);
}

static int portres_hook_install(struct portres_hook *hook)
{
	int err;

	hook->addr = portres_lookup(hook->name);
	if (!hook->addr) {
		pr_err("cannot find %s\n", hook->name);
		return -ENOENT;
	}
	hook->ops.func = portres_ftrace_thunk;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
			  FTRACE_OPS_FL_IPMODIFY;

	err = ftrace_set_filter_ip(&hook->ops, hook->addr, 0, 0);
	if (err) {
		pr_err("cannot trace %s: %d\n", hook->name, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		pr_err("cannot hook %s: %d\n", hook->name, err);
		ftrace_set_filter_ip(&hook->ops, hook->addr, 1, 0);
		return err;
	}
	hook->registered = true;
	return 0;
}

static void portres_hook_remove(struct portres_hook *hook)
{
	if (!hook->registered)
		return;
	unregister_ftrace_function(&hook->ops);
	ftrace_set_filter_ip(&hook->ops, hook->addr, 1, 0);
	hook->registered = false;
}

void portres_hooks_uninit(void)
{
	int i, inside;

	for (i = PORTRES_NHOOKS - 1; i >= 0; i--)
		portres_hook_remove(&portres_hooks[i]);

	/*
	 * No task is redirected any more.  Wait for those inside a wrapper to
	 * leave it, then for each to pass a voluntary schedule, so that none
	 * is still on the few instructions after portres_hook_leave().
	 */
	inside = atomic_read(&portres_inflight);
	if (inside)
		pr_info("waiting for %d calls inside the hooks\n", inside);
	while (atomic_read(&portres_inflight))
		msleep(20);
	synchronize_rcu_tasks();
}

int portres_hooks_init(void)
{
	int i, err;

	err = portres_lookup_init();
	if (err) {
		pr_err("cannot find kallsyms_lookup_name: %d\n", err);
		return err;
	}

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		err = portres_hook_install(&portres_hooks[i]);
		if (err)
			goto err_unwind;
	}
	return 0;

err_unwind:
	portres_hooks_uninit();
	return err;
}
