// SPDX-License-Identifier: GPL-2.0
/*
 * portres: how many ports and reservations a caller may hold.
 *
 * Runtime reservations of a caller without CAP_NET_ADMIN over the network
 * namespace are charged, per namespace, to its uid and to the user who made
 * the outermost user namespace it runs in; all such callers of a namespace
 * together have a limit too.  Persistent reservations are counted in
 * network namespaces that a user namespace other than the initial one owns.
 * The counts live in struct portres_net, under its lock.
 */
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "portres.h"

/*
 * The limits of callers without CAP_NET_ADMIN over a network namespace,
 * per namespace: no unprivileged user, nor all of them together, can take
 * the whole port space.  0 lifts a limit.
 */
static unsigned int portres_max_user_ports __read_mostly = 4096;
module_param_named(max_user_ports, portres_max_user_ports, uint, 0644);
MODULE_PARM_DESC(max_user_ports,
		 "ports one user may hold in runtime reservations per network namespace without CAP_NET_ADMIN, counting what the uids of user namespaces they made hold (0: no limit; default 4096)");

static unsigned int portres_max_ns_ports __read_mostly = 16384;
module_param_named(max_ns_ports, portres_max_ns_ports, uint, 0644);
MODULE_PARM_DESC(max_ns_ports,
		 "ports all users without CAP_NET_ADMIN may hold together in runtime reservations per network namespace (0: no limit; default 16384)");

/*
 * The owner of a user namespace has CAP_NET_ADMIN over the network
 * namespaces it owns, and may make persistent reservations there: so many.
 */
static unsigned int portres_max_ns_persistent __read_mostly = 1024;
module_param_named(max_ns_persistent, portres_max_ns_persistent, uint, 0644);
MODULE_PARM_DESC(max_ns_persistent,
		 "persistent reservations per network namespace that a user namespace other than the initial one owns (0: no limit; default 1024)");

/* The ports @uid is charged with in runtime reservations of @pn. */
static unsigned long portres_user_ports(struct portres_net *pn, kuid_t uid)
{
	void *entry = xa_load(&pn->user_ports, __kuid_val(uid));

	return entry ? xa_to_value(entry) : 0;
}

static int portres_user_charge(struct portres_net *pn, kuid_t uid, long ports)
{
	unsigned long held = portres_user_ports(pn, uid) + ports;

	lockdep_assert_held(&pn->lock);
	if (!held) {
		xa_erase(&pn->user_ports, __kuid_val(uid));
		return 0;
	}
	return xa_err(xa_store(&pn->user_ports, __kuid_val(uid),
			       xa_mk_value(held), GFP_KERNEL_ACCOUNT));
}

/*
 * Who the caller's runtime reservations are charged to, when it has no
 * CAP_NET_ADMIN over the namespace: its uid, and the user who made the
 * outermost user namespace it runs in.  A user's subordinate uids
 * (/etc/subuid) are all that user's: what they hold together counts
 * against that user's limit too, as the kernel's ucounts charge per-user
 * limits up the user-namespace hierarchy.
 */
void portres_charge_of_current(struct portres_charge *c)
{
	const struct user_namespace *ns = current_user_ns();
	kuid_t top = current_uid();

	for (; ns->parent; ns = ns->parent)
		top = ns->owner;
	c->uid[0] = current_uid();
	c->nuid = 1;
	if (!uid_eq(top, c->uid[0]))
		c->uid[c->nuid++] = top;
}

/*
 * Whether @c may hold @count more ports: max_user_ports for each of its
 * users, max_ns_ports for every limited caller of the namespace together.
 */
int portres_charge_check(struct portres_net *pn,
				const struct portres_charge *c,
				unsigned int count)
{
	unsigned int max = READ_ONCE(portres_max_user_ports);
	unsigned int ns_max = READ_ONCE(portres_max_ns_ports);
	unsigned int i;

	for (i = 0; max && i < c->nuid; i++)
		if (portres_user_ports(pn, c->uid[i]) + count > max)
			return -EDQUOT;
	if (ns_max && pn->limited_ports + count > ns_max)
		return -EDQUOT;
	return 0;
}

void portres_uncharge(struct portres_net *pn,
			     const struct portres_charge *c, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < c->nuid; i++)
		portres_user_charge(pn, c->uid[i], -(long)count);
	pn->limited_ports -= count;
}

int portres_charge(struct portres_net *pn,
			  const struct portres_charge *c, unsigned int count)
{
	unsigned int i;
	int err;

	for (i = 0; i < c->nuid; i++) {
		err = portres_user_charge(pn, c->uid[i], count);
		if (err)
			goto err_undo;
	}
	pn->limited_ports += count;
	return 0;

err_undo:
	while (i--)
		portres_user_charge(pn, c->uid[i], -(long)count);
	return err;
}

/*
 * Whoever owns a user namespace administers the network namespaces it
 * owns: there, persistent reservations are counted.
 *
 * Return: 0, or -EDQUOT when @pn may have no more.
 */
int portres_persistent_check(struct portres_net *pn)
{
	unsigned int max = READ_ONCE(portres_max_ns_persistent);

	lockdep_assert_held(&pn->lock);
	if (pn->net->user_ns != &init_user_ns && max && pn->npersistent >= max)
		return -EDQUOT;
	return 0;
}

/*
 * The sockets one reservation may have associated.  Each association costs
 * a socket record, and ending the reservation visits every one with the
 * namespace's lock held: a limited caller's reservation has at most
 * max_resv_sockets, any reservation at most PORTRES_MAX_RESV_SOCKETS (its
 * per-port holder counts are 16 bits).
 */
static unsigned int portres_max_resv_sockets __read_mostly = 1024;
module_param_named(max_resv_sockets, portres_max_resv_sockets, uint, 0644);
MODULE_PARM_DESC(max_resv_sockets,
		 "sockets that may be associated with one runtime reservation of a user without CAP_NET_ADMIN (0: up to the limit of every reservation, 65535; default 1024)");

#define PORTRES_MAX_RESV_SOCKETS	U16_MAX

/* Return: 0, or -EDQUOT when @resv may have no more associated sockets. */
int portres_assoc_check(const struct portres_resv *resv)
{
	unsigned int max = READ_ONCE(portres_max_resv_sockets);

	lockdep_assert_held(&resv->pn->lock);
	if (!max || !resv->limited || max > PORTRES_MAX_RESV_SOCKETS)
		max = PORTRES_MAX_RESV_SOCKETS;
	return resv->nsocks >= max ? -EDQUOT : 0;
}
