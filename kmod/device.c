// SPDX-License-Identifier: GPL-2.0
/*
 * portres: /dev/portres and its ioctls.
 */
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#include <uapi/linux/portres.h>

#include "fastpath.h"
#include "portres.h"
#include "device.h"
#include "hooks.h"
#include "persistent.h"
#include "runtime.h"
#include "table.h"

/*
 * Looks up the TCP or UDP socket @fd.  Return: the socket, or an ERR_PTR of
 * -EBADF, -ENOTSOCK or -EOPNOTSUPP.
 */
static struct socket *portres_get_socket(int fd, int *proto)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return ERR_PTR(err);
	*proto = portres_sk_proto(sock->sk);
	if (*proto < 0) {
		sockfd_put(sock);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return sock;
}

static bool portres_net_admin(const struct net *net)
{
	return ns_capable(net->user_ns, CAP_NET_ADMIN);
}

static long portres_ioc_acquire(struct portres_acquire __user *uarg)
{
	struct portres_resv_snap snap;
	struct portres_acquire arg;
	struct portres_net *pn;
	struct socket *sock;
	int proto, err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.token)
		return -EINVAL;
	sock = portres_get_socket(arg.fd, &proto);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	/* The hooks enforce before the reservation exists. */
	err = portres_hooks_hold();
	if (err)
		goto out_put;
	pn = portres_pernet(sock_net(sock->sk));
	err = portres_runtime_acquire(pn, sock->sk, proto, arg.start,
				      arg.count, &snap);
	if (!err) {
		arg.start = snap.start;
		arg.count = snap.count;
		arg.token = snap.token;
	}
	/* Not under the lock: the copy may wait on the caller's memory. */
	if (!err && copy_to_user(uarg, &arg, sizeof(arg))) {
		/* The caller never learnt the token: undo, unless done. */
		portres_runtime_release(pn, arg.token);
		err = -EFAULT;
	}
	portres_hooks_unhold();
out_put:
	sockfd_put(sock);
	return err;
}

/* Reads the argument of associate or release and looks up its socket. */
static struct socket *portres_token_socket(struct portres_token_arg __user *uarg,
					   struct portres_token_arg *arg,
					   int *proto)
{
	if (copy_from_user(arg, uarg, sizeof(*arg)))
		return ERR_PTR(-EFAULT);
	if (arg->reserved)
		return ERR_PTR(-EINVAL);
	return portres_get_socket(arg->fd, proto);
}

static long portres_ioc_associate(struct portres_token_arg __user *uarg)
{
	struct portres_token_arg arg;
	struct portres_net *pn;
	struct socket *sock;
	int proto, err;

	sock = portres_token_socket(uarg, &arg, &proto);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	/*
	 * The socket's lock keeps the stack from giving it a port while it is
	 * being associated: the get_port hooks, which run under that lock,
	 * see it either unassociated or associated.
	 */
	err = portres_hooks_hold();
	if (err)
		goto out_put;
	pn = portres_pernet(sock_net(sock->sk));
	lock_sock(sock->sk);
	err = portres_runtime_associate(pn, sock->sk, proto, arg.token);
	release_sock(sock->sk);
	portres_hooks_unhold();
out_put:
	sockfd_put(sock);
	return err;
}

static long portres_ioc_release(struct portres_token_arg __user *uarg)
{
	struct portres_token_arg arg;
	struct portres_net *pn;
	struct socket *sock;
	int proto, err;

	sock = portres_token_socket(uarg, &arg, &proto);
	if (IS_ERR(sock))
		return PTR_ERR(sock);

	pn = portres_pernet(sock_net(sock->sk));
	err = portres_runtime_release(pn, arg.token);
	sockfd_put(sock);
	return err;
}

static int portres_persistent_args(const struct portres_persistent *arg,
				   unsigned int flags)
{
	if (arg->reserved || arg->token || (arg->flags & ~flags) ||
	    !arg->start || !arg->count ||
	    (unsigned int)arg->start + arg->count > PORTRES_NPORTS)
		return -EINVAL;
	return portres_proto_from_ip(arg->protocol);
}

static long portres_ioc_create(struct portres_persistent __user *uarg)
{
	struct net *net = current->nsproxy->net_ns;
	struct portres_persistent arg;
	int proto, err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	proto = portres_persistent_args(&arg, PORTRES_F_EXCLUSIVE);
	if (proto < 0)
		return proto;
	if (!portres_net_admin(net))
		return -EACCES;

	err = portres_hooks_hold();
	if (err)
		return err;
	err = portres_persistent_create(net, proto, arg.start, arg.count,
					arg.flags & PORTRES_F_EXCLUSIVE,
					&arg.token);
	portres_hooks_unhold();
	if (net_eq(net, &init_net))
		arg.flags |= PORTRES_F_INIT_NETNS;
	if (!err && copy_to_user(uarg, &arg, sizeof(arg))) {
		portres_persistent_delete(net, proto, arg.start, arg.count);
		err = -EFAULT;
	}
	return err;
}

static long portres_ioc_delete(struct portres_persistent __user *uarg)
{
	struct net *net = current->nsproxy->net_ns;
	struct portres_persistent arg;
	int proto;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	proto = portres_persistent_args(&arg, 0);
	if (proto < 0)
		return proto;
	if (!portres_net_admin(net))
		return -EACCES;
	return portres_persistent_delete(net, proto, arg.start, arg.count);
}

static long portres_ioc_lookup(struct portres_persistent __user *uarg)
{
	struct portres_persistent arg;
	int proto, err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	proto = portres_persistent_args(&arg, 0);
	if (proto < 0)
		return proto;
	err = portres_persistent_lookup(current->nsproxy->net_ns, proto,
					arg.start, arg.count, &arg.token);
	if (err)
		return err;
	if (net_eq(current->nsproxy->net_ns, &init_net))
		arg.flags |= PORTRES_F_INIT_NETNS;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long portres_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case PORTRES_IOC_VERSION:
		return put_user(PORTRES_ABI_VERSION, (__u32 __user *)argp);
	case PORTRES_IOC_ACQUIRE:
		return portres_ioc_acquire(argp);
	case PORTRES_IOC_ASSOCIATE:
		return portres_ioc_associate(argp);
	case PORTRES_IOC_RELEASE:
		return portres_ioc_release(argp);
	case PORTRES_IOC_CREATE:
		return portres_ioc_create(argp);
	case PORTRES_IOC_DELETE:
		return portres_ioc_delete(argp);
	case PORTRES_IOC_LOOKUP:
		return portres_ioc_lookup(argp);
	}
	return -ENOTTY;
}

static const struct file_operations portres_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = portres_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice portres_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "portres",
	.fops = &portres_fops,
	.mode = 0666,
};

int portres_device_init(void)
{
	/* The ABI is the same for 32-bit and 64-bit callers. */
	BUILD_BUG_ON(sizeof(struct portres_acquire) != 16);
	BUILD_BUG_ON(offsetof(struct portres_acquire, token) != 8);
	BUILD_BUG_ON(sizeof(struct portres_token_arg) != 16);
	BUILD_BUG_ON(offsetof(struct portres_token_arg, token) != 8);
	BUILD_BUG_ON(sizeof(struct portres_persistent) != 16);
	BUILD_BUG_ON(offsetof(struct portres_persistent, token) != 8);

	return misc_register(&portres_misc);
}

void portres_device_uninit(void)
{
	misc_deregister(&portres_misc);
}
