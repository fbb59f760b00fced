// SPDX-License-Identifier: GPL-2.0
/*
 * portres: port reservations for TCP and UDP, in the manner of Windows'
 * SIO_ACQUIRE_PORT_RESERVATION, per network namespace.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>

#include <uapi/linux/portres.h>

#include "portres.h"
#include "device.h"
#include "hooks.h"
#include "limits.h"
#include "netlink.h"
#include "sockets.h"
#include "sysfs.h"
#include "blocks.h"
#include "table.h"

static int __init portres_init(void)
{
	int err;

	err = portres_tokens_init();
	if (err)
		return err;
	err = portres_socks_init();
	if (err)
		goto err_table;
	err = portres_limits_init();
	if (err)
		goto err_socks;
	err = portres_sysfs_init();
	if (err)
		goto err_limits;
	err = portres_nets_init();
	if (err)
		goto err_sysfs;
	/* Enforcing before any front end can make a reservation. */
	err = portres_hooks_init();
	if (err)
		goto err_pernet;
	err = portres_netlink_init();
	if (err)
		goto err_hooks;
	err = portres_device_init();
	if (err)
		goto err_netlink;

	pr_info("loaded, version %s, ABI version %d\n", PORTRES_VERSION,
		PORTRES_ABI_VERSION);
	return 0;

err_netlink:
	portres_netlink_uninit();
err_hooks:
	portres_hooks_uninit();
err_pernet:
	portres_nets_uninit();
err_sysfs:
	portres_sysfs_uninit();
err_limits:
	portres_limits_uninit();
err_socks:
	portres_socks_uninit();
err_table:
	portres_tokens_uninit();
	return err;
}

/*
 * Runs only when no task holds a reference to the module: none has
 * /dev/portres open, none is in an implicit bind (implicit_bind.c).  Nothing
 * here waits for a user.
 */
static void __exit portres_exit(void)
{
	portres_device_uninit();
	portres_netlink_uninit();
	portres_hooks_uninit();
	portres_nets_uninit();
	portres_sysfs_uninit();
	portres_limits_uninit();
	portres_socks_uninit();
	portres_tokens_uninit();
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
