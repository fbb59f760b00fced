// SPDX-License-Identifier: GPL-2.0
/*
 * portres: how many ports and reservations a caller may hold.
 *
 * Runtime reservations of a caller without CAP_NET_ADMIN over the network
 * namespace are charged, per namespace, to its uid in its user namespace
 * and, level by level, to the user who made that namespace and each one
 * above it (portres_user_up() has the rule); all such callers of a
 * namespace together have a limit too.  Persistent reservations are
 * counted in network namespaces that a user namespace other than the
 * initial one owns.  The counts live in struct portres_net and in struct
 * portres_user, under the namespace's lock.
 */
#include <linux/cred.h>
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "portres.h"
#include "limits.h"

/*
 * The limits of callers without CAP_NET_ADMIN over a network namespace,
 * per namespace: no unprivileged user, nor all of them together, can take
 * the whole port space.  0 lifts a limit.
 */
static unsigned int portres_max_user_ports __read_mostly = 4096;
module_param_named(max_user_ports, portres_max_user_ports, uint, 0644);
MODULE_PARM_DESC(max_user_ports,
		 "ports one user may hold in runtime reservations per network namespace without CAP_NET_ADMIN: a user is a uid of a user namespace, charged too with what the uids of the user namespaces it made hold; each user namespace made by the initial root counts as one user (0: no limit; default 4096)");

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

/*
 * A user, as the limits count them: a uid in a user namespace, or a user
 * namespace the initial root made (no uid), in one network namespace
 * (@key.pn).  @ports is what runtime reservations charged to it or to the
 * users below it hold; @parent is the user above it.  @refs counts the
 * reservations charged to it and the users below it: it is freed, and
 * drops its reference to the user above, with the last.  Users are found
 * in one hash table that all network namespaces share, added and removed
 * under their namespace's lock, and freed after an RCU grace period: a
 * lookup in another namespace may be walking a bucket's chain through one.
 * A user holds a reference to its user namespace, so that a new namespace
 * at the same address is never taken for it.
 */
struct portres_user_key {
	const struct portres_net *pn;
	struct user_namespace *ns;
	kuid_t uid;	/* INVALID_UID: the user namespace @ns itself */
};

struct portres_user {
	struct rhash_head node;
	struct portres_user_key key;
	struct portres_user *parent;
	unsigned int ports;
	unsigned int refs;
	struct rcu_head rcu;
};

static struct rhashtable portres_users;

static const struct rhashtable_params portres_user_params = {
	/* Up to the uid: no padding is hashed. */
	.key_len = offsetofend(struct portres_user_key, uid),
	.key_offset = offsetof(struct portres_user, key),
	.head_offset = offsetof(struct portres_user, node),
	.automatic_shrinking = true,
};

int portres_limits_init(void)
{
	return rhashtable_init(&portres_users, &portres_user_params);
}

void portres_limits_uninit(void)
{
	/* Every namespace's teardown has ended its reservations. */
	WARN_ON(atomic_read(&portres_users.nelems));
	rhashtable_destroy(&portres_users);
}

/*
 * Who is charged.  A caller in user namespace N with uid u is the user
 * (N, u); above it, as the kernel's ucounts charge per-user limits level
 * by level, is the user who made N, as a uid of N's parent namespace, and
 * above that user the one who made the parent, up to a uid of the initial
 * user namespace.  Whoever makes a user namespace controls every uid of
 * it, so a user's subordinate uids (/etc/subuid) and nested namespaces
 * hold no more than that user.  The initial root, though, makes the user
 * namespaces of Docker's userns-remap, LXD, Kubernetes or systemd-nspawn
 * -U for as many tenants, and is itself not limited: a user namespace
 * that the initial root made is the topmost user of its own uids, so each
 * such namespace has a limit of its own, even when two of them map the
 * same uids.  User namespaces nest at most 32 deep (the kernel's limit):
 * no caller is more than 33 users.
 *
 * Return: whether there is a user above @key, set to it.
 */
static bool portres_user_up(struct portres_user_key *key)
{
	struct user_namespace *ns = key->ns;

	if (ns == &init_user_ns || !uid_valid(key->uid))
		return false;
	if (ns->parent == &init_user_ns && uid_eq(ns->owner, GLOBAL_ROOT_UID)) {
		key->uid = INVALID_UID;
		return true;
	}
	key->ns = ns->parent;
	key->uid = ns->owner;
	return true;
}

/* Drops a reference to @u, freeing the users that no longer have any. */
static void portres_user_put(struct portres_net *pn, struct portres_user *u)
{
	struct portres_user *parent;

	lockdep_assert_held(&pn->lock);
	for (; u && !--u->refs; u = parent) {
		parent = u->parent;
		rhashtable_remove_fast(&portres_users, &u->node,
				       portres_user_params);
		put_user_ns(u->key.ns);
		pn->nusers--;
		kfree_rcu(u, rcu);
	}
}

/*
 * Return: a reference to the user the current task is in @pn, with every
 * user above it made as needed, or NULL without memory.
 */
static struct portres_user *portres_user_get(struct portres_net *pn)
{
	struct portres_user_key key = {
		.pn = pn,
		.ns = current_user_ns(),
		.uid = current_uid(),
	};
	struct portres_user *first = NULL, *below = NULL, *u;
	bool found;

	lockdep_assert_held(&pn->lock);
	do {
		u = rhashtable_lookup_fast(&portres_users, &key,
					   portres_user_params);
		found = u;
		if (found) {
			/* Those above it have their references from it. */
			u->refs++;
		} else {
			u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
			if (!u)
				goto err;
			u->key = key;
			u->refs = 1;
			if (rhashtable_insert_fast(&portres_users, &u->node,
						   portres_user_params)) {
				kfree(u);
				goto err;
			}
			get_user_ns(key.ns);
			pn->nusers++;
		}
		if (below)
			below->parent = u;
		else
			first = u;
		below = u;
	} while (!found && portres_user_up(&key));
	return first;

err:
	portres_user_put(pn, first);
	return NULL;
}

/**
 * portres_charge() - charge a runtime reservation of a limited caller
 * @pn: the namespace
 * @count: its number of ports
 * @c: set to what it is charged to, for portres_uncharge()
 *
 * The caller has no CAP_NET_ADMIN over the namespace: it and every user
 * above it may hold max_user_ports, all limited callers of the namespace
 * together max_ns_ports.
 *
 * Return: 0, -EDQUOT past a limit, -ENOMEM.
 */
int portres_charge(struct portres_net *pn, unsigned int count,
		   struct portres_charge *c)
{
	unsigned int max = READ_ONCE(portres_max_user_ports);
	unsigned int ns_max = READ_ONCE(portres_max_ns_ports);
	struct portres_user *user, *u;

	lockdep_assert_held(&pn->lock);
	if (ns_max && pn->limited_ports + count > ns_max)
		return -EDQUOT;
	user = portres_user_get(pn);
	if (!user)
		return -ENOMEM;
	for (u = user; max && u; u = u->parent) {
		if (u->ports + count > max) {
			portres_user_put(pn, user);
			return -EDQUOT;
		}
	}
	for (u = user; u; u = u->parent)
		u->ports += count;
	pn->limited_ports += count;
	c->user = user;
	return 0;
}

void portres_uncharge(struct portres_net *pn, struct portres_charge *c,
		      unsigned int count)
{
	struct portres_user *u;

	lockdep_assert_held(&pn->lock);
	for (u = c->user; u; u = u->parent)
		u->ports -= count;
	pn->limited_ports -= count;
	portres_user_put(pn, c->user);
	c->user = NULL;
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
