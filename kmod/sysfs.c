// SPDX-License-Identifier: GPL-2.0
/*
 * portres: /sys/kernel/portres, one directory per persistent reservation of
 * the initial network namespace, named PROTOCOL-START-END:
 *
 *	/sys/kernel/portres/tcp-8080-8089/protocol	tcp or udp
 *	                                  start		first port
 *	                                  count		number of ports
 *	                                  exclusive	1 if explicit binds by
 *							other sockets are refused
 *	                                  in_use	ports some socket is
 *							bound to
 *	                                  token		the token (root only)
 *
 * The attributes read only fields that never change, and the bind tables,
 * so they take no portres lock: a directory is removed under the
 * namespace's lock, and removal waits for readers to finish.
 */
#include <linux/kobject.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <net/net_namespace.h>

#include "portres.h"
#include "hooks.h"
#include "sysfs.h"
#include "table.h"

struct portres_entry {
	struct kobject kobj;
	struct portres_resv *resv;
};

static struct kobject *portres_kobj;

static struct portres_resv *portres_entry_resv(struct kobject *kobj)
{
	return container_of(kobj, struct portres_entry, kobj)->resv;
}

static ssize_t protocol_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  portres_proto_name(portres_entry_resv(kobj)->proto));
}

static ssize_t start_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", portres_entry_resv(kobj)->start);
}

static ssize_t count_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", portres_entry_resv(kobj)->count);
}

static ssize_t exclusive_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", portres_entry_resv(kobj)->exclusive);
}

static ssize_t in_use_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  portres_resv_ports_in_use(portres_entry_resv(kobj)));
}

static ssize_t token_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%llu\n", portres_entry_resv(kobj)->token);
}

static struct kobj_attribute portres_attr_protocol = __ATTR_RO(protocol);
static struct kobj_attribute portres_attr_start = __ATTR_RO(start);
static struct kobj_attribute portres_attr_count = __ATTR_RO(count);
static struct kobj_attribute portres_attr_exclusive = __ATTR_RO(exclusive);
static struct kobj_attribute portres_attr_in_use = __ATTR_RO(in_use);
static struct kobj_attribute portres_attr_token = __ATTR_RO_MODE(token, 0400);

static struct attribute *portres_entry_attrs[] = {
	&portres_attr_protocol.attr,
	&portres_attr_start.attr,
	&portres_attr_count.attr,
	&portres_attr_exclusive.attr,
	&portres_attr_in_use.attr,
	&portres_attr_token.attr,
	NULL,
};
ATTRIBUTE_GROUPS(portres_entry);

static void portres_entry_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct portres_entry, kobj));
}

static const struct kobj_type portres_entry_ktype = {
	.release = portres_entry_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = portres_entry_groups,
};

/* Gives a persistent reservation of the initial namespace its directory. */
static int portres_sysfs_add(struct portres_resv *resv)
{
	struct portres_entry *entry;
	int err;

	if (!resv->persistent || !net_eq(resv->pn->net, &init_net))
		return 0;
	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return -ENOMEM;
	entry->resv = resv;
	err = kobject_init_and_add(&entry->kobj, &portres_entry_ktype,
				   portres_kobj, "%s-%u-%u",
				   portres_proto_name(resv->proto), resv->start,
				   resv->start + resv->count - 1);
	if (err) {
		kobject_put(&entry->kobj);
		return err;
	}
	resv->entry = entry;
	return 0;
}

static void portres_sysfs_del(struct portres_resv *resv)
{
	struct portres_entry *entry = resv->entry;

	if (!entry)
		return;
	resv->entry = NULL;
	kobject_del(&entry->kobj);
	kobject_put(&entry->kobj);
}

/* The table's news, under the namespace's lock. */
static int portres_sysfs_event(struct notifier_block *nb, unsigned long event,
			       void *data)
{
	struct portres_resv *resv = data;

	switch (event) {
	case PORTRES_RESV_ADDED:
		return notifier_from_errno(portres_sysfs_add(resv));
	case PORTRES_RESV_REMOVED:
		portres_sysfs_del(resv);
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

/* Before netlink's: no event announces a block sysfs then refuses. */
static struct notifier_block portres_sysfs_nb = {
	.notifier_call = portres_sysfs_event,
	.priority = 1,
};

/*
 * /sys/kernel/portres/hooks: whether the hooks on the sockets' paths are
 * registered now ("on"), or nothing is reserved and no socket pays for
 * portres ("off"), and how many times they were registered since the
 * module loaded; hooks.c.
 */
static ssize_t hooks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	unsigned long n;
	bool on = portres_hooks_registered(&n);

	return sysfs_emit(buf, "%s %lu\n", on ? "on" : "off", n);
}

static struct kobj_attribute portres_hooks_attr = __ATTR_RO(hooks);

int portres_sysfs_init(void)
{
	int err;

	portres_kobj = kobject_create_and_add("portres", kernel_kobj);
	if (!portres_kobj)
		return -ENOMEM;
	err = sysfs_create_file(portres_kobj, &portres_hooks_attr.attr);
	if (err)
		goto err_put;
	err = portres_resv_notifier_register(&portres_sysfs_nb);
	if (err)
		goto err_put;
	return 0;

err_put:
	kobject_put(portres_kobj);
	portres_kobj = NULL;
	return err;
}

void portres_sysfs_uninit(void)
{
	portres_resv_notifier_unregister(&portres_sysfs_nb);
	kobject_put(portres_kobj);
	portres_kobj = NULL;
}
