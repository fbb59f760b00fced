// SPDX-License-Identifier: GPL-2.0
/*
 * portres: port reservations for TCP and UDP, in the manner of Windows'
 * SIO_ACQUIRE_PORT_RESERVATION, per network namespace.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <uapi/linux/portres.h>

#include "portres.h"

unsigned int portres_net_id __read_mostly;

/*
 * The limits of callers without CAP_NET_ADMIN over a network namespace,
 * per namespace: no unprivileged user, nor all of them together, can take
 * the whole port space.  0 lifts a limit.
 */
unsigned int portres_max_user_ports __read_mostly = 4096;
module_param_named(max_user_ports, portres_max_user_ports, uint, 0644);
MODULE_PARM_DESC(max_user_ports,
		 "ports one user may hold in runtime reservations per network namespace without CAP_NET_ADMIN, counting what the uids of user namespaces they made hold (0: no limit; default 4096)");

unsigned int portres_max_ns_ports __read_mostly = 16384;
module_param_named(max_ns_ports, portres_max_ns_ports, uint, 0644);
MODULE_PARM_DESC(max_ns_ports,
		 "ports all users without CAP_NET_ADMIN may hold together in runtime reservations per network namespace (0: no limit; default 16384)");

/*
 * The owner of a user namespace has CAP_NET_ADMIN over the network
 * namespaces it owns, and may make persistent reservations there: so many.
 */
unsigned int portres_max_ns_persistent __read_mostly = 1024;
module_param_named(max_ns_persistent, portres_max_ns_persistent, uint, 0644);
MODULE_PARM_DESC(max_ns_persistent,
		 "persistent reservations per network namespace that a user namespace other than the initial one owns (0: no limit; default 1024)");

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

static int __init portres_init(void)
{
	int err;

	err = portres_table_init();
	if (err)
		return err;
	err = portres_socks_init();
	if (err)
		goto err_table;
	err = portres_sysfs_init();
	if (err)
		goto err_socks;
	err = register_pernet_subsys(&portres_net_ops);
	if (err)
		goto err_sysfs;
	err = portres_netlink_init();
	if (err)
		goto err_pernet;
	err = portres_hooks_init();
	if (err)
		goto err_netlink;
	err = portres_device_init();
	if (err)
		goto err_hooks;

	pr_info("loaded, version %s, ABI version %d\n", PORTRES_VERSION,
		PORTRES_ABI_VERSION);
	return 0;

err_hooks:
	portres_hooks_uninit();
err_netlink:
	portres_netlink_uninit();
err_pernet:
	unregister_pernet_subsys(&portres_net_ops);
err_sysfs:
	portres_sysfs_uninit();
err_socks:
	portres_socks_uninit();
err_table:
	portres_table_uninit();
	return err;
}

static void __exit portres_exit(void)
{
	portres_device_uninit();
	portres_hooks_uninit();
	portres_netlink_uninit();
	unregister_pernet_subsys(&portres_net_ops);
	portres_sysfs_uninit();
	portres_socks_uninit();
	portres_table_uninit();
	/* Records and reservations are freed after a grace period. */
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(portres_init);
module_exit(portres_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(PORTRES_VERSION);
MODULE_DESCRIPTION("TCP and UDP port reservations");
MODULE_AUTHOR("The portres developers");
