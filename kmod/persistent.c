// SPDX-License-Identifier: GPL-2.0
/*
 * portres: persistent reservations.
 *
 * A persistent reservation is owned by no socket and lasts until it is
 * deleted or its namespace ends.  The module reads no file: the
 * configuration file that keeps them across reloads and reboots
 * (/etc/portres.conf) is applied from userspace, by "portresctl restore"
 * when /dev/portres appears (the udev rule tools/60-portres.rules).
 */
#include <linux/in.h>
#include <net/net_namespace.h>

#include "portres.h"
#include "persistent.h"
#include "table.h"

/*
 * The persistent reservation calls of the ioctls and of netlink; the
 * callers have checked the arguments and the caller's rights.
 */
int portres_persistent_create(struct net *net, int proto, u16 start,
			      u16 count, bool exclusive, u64 *token)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;
	int err;

	mutex_lock(&pn->lock);
	err = portres_resv_create(pn, proto, start, count, exclusive, &resv);
	if (!err)
		*token = resv->token;
	mutex_unlock(&pn->lock);
	return err;
}

int portres_persistent_delete(struct net *net, int proto, u16 start,
			      u16 count)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;

	mutex_lock(&pn->lock);
	resv = portres_resv_persistent(pn, proto, start, count);
	if (resv)
		portres_resv_release(resv);
	mutex_unlock(&pn->lock);
	return resv ? 0 : -ENOENT;
}

int portres_persistent_lookup(struct net *net, int proto, u16 start,
			      u16 count, u64 *token)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;

	mutex_lock(&pn->lock);
	resv = portres_resv_persistent(pn, proto, start, count);
	if (resv)
		*token = resv->token;
	mutex_unlock(&pn->lock);
	return resv ? 0 : -ENOENT;
}
