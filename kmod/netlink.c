// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the generic netlink family "portres", the admin interface.
 *
 * See the attribute tree in uapi/linux/portres.h.  Requests are validated
 * strictly against one policy; the reservation calls and their rights are
 * those of the ioctls, answered with an extended ack naming the problem.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <uapi/linux/portres.h>

#include "compat.h"
#include "portres.h"
#include "hooks.h"
#include "netlink.h"
#include "netlink_msg.h"
#include "persistent.h"
#include "table.h"

static struct genl_family portres_genl_family;

/*
 * One policy per command, with only the attributes it takes: strict
 * validation refuses any other (EINVAL, "Unsupported attribute").  GET's
 * dump takes PORTRES_A_PROTOCOL only, which portres_nl_dump_filter() checks.
 */
static const struct nla_policy portres_nl_get_policy[PORTRES_A_MAX + 1] = {
	[PORTRES_A_PROTOCOL] = { .type = NLA_U8 },
	[PORTRES_A_START] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy portres_nl_create_policy[PORTRES_A_MAX + 1] = {
	[PORTRES_A_PROTOCOL] = { .type = NLA_U8 },
	[PORTRES_A_START] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTRES_A_COUNT] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTRES_A_EXCLUSIVE] = { .type = NLA_FLAG },
};

/* DELETE and LOOKUP: exactly one block. */
static const struct nla_policy portres_nl_block_policy[PORTRES_A_MAX + 1] = {
	[PORTRES_A_PROTOCOL] = { .type = NLA_U8 },
	[PORTRES_A_START] = NLA_POLICY_MIN(NLA_U16, 1),
	[PORTRES_A_COUNT] = NLA_POLICY_MIN(NLA_U16, 1),
};

enum {
	PORTRES_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group portres_nl_mcgrps[] = {
	[PORTRES_NL_MCGRP_EVENTS] = { .name = PORTRES_GENL_MCGRP_EVENTS },
};

/*
 * Describes the reservation @s in a message of @cmd.  In a dump (@cb),
 * marks the message if the table changed since the previous one.
 */
static int portres_nl_fill(struct sk_buff *skb, const struct portres_nl_resv *s,
			   u32 portid, u32 seq, int flags, u8 cmd,
			   struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &portres_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u8(skb, PORTRES_A_PROTOCOL, portres_proto_to_ip(s->proto)) ||
	    nla_put_u16(skb, PORTRES_A_START, s->start) ||
	    nla_put_u16(skb, PORTRES_A_COUNT, s->count) ||
	    nla_put_u8(skb, PORTRES_A_KIND, s->persistent ?
		       PORTRES_KIND_PERSISTENT : PORTRES_KIND_RUNTIME) ||
	    ((!s->persistent || s->exclusive) &&
	     nla_put_flag(skb, PORTRES_A_EXCLUSIVE)) ||
	    (s->has_token && nla_put_u64_64bit(skb, PORTRES_A_TOKEN, s->token,
					       PORTRES_A_PAD)) ||
	    (s->init_netns && nla_put_flag(skb, PORTRES_A_INIT_NETNS)) ||
	    portres_nl_put_ports(skb, s) ||
	    (s->owner && portres_nl_put_owner(skb, s)))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Replies with the reservation @s. */
static int portres_nl_reply(struct genl_info *info,
			    const struct portres_nl_resv *s)
{
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = portres_nl_fill(msg, s, info->snd_portid, info->snd_seq, 0,
			      info->genlhdr->cmd, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int portres_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct portres_net *pn = portres_pernet(net);
	bool admin = portres_nl_admin(skb, net);
	struct portres_resv *resv;
	struct portres_nl_resv s;
	int proto;

	proto = portres_nl_proto(info, info->attrs, info->extack);
	if (proto < 0)
		return proto;
	if (GENL_REQ_ATTR_CHECK(info, PORTRES_A_START)) {
		NL_SET_ERR_MSG_MOD(info->extack, "PORTRES_A_START is required");
		return -EINVAL;
	}

	mutex_lock(&pn->lock);
	resv = portres_resv_at(pn, proto,
			       nla_get_u16(info->attrs[PORTRES_A_START]));
	if (resv)
		portres_nl_snap(&s, resv, admin,
				portres_nl_owner_shown(resv, skb, admin));
	mutex_unlock(&pn->lock);
	if (!resv) {
		NL_SET_ERR_MSG_MOD(info->extack, "no reservation holds that port");
		return -ENOENT;
	}
	return portres_nl_reply(info, &s);
}

/*
 * Checks the dump's filter on the dump's first call (Linux 6.1 gives the
 * start callback no extended ack); cb->args[1] keeps its protocol, plus
 * one, and cb->args[2] that it was checked.
 */
static int portres_nl_dump_filter(struct netlink_callback *cb)
{
	struct nlattr **attrs = portres_dump_attrs(cb);
	const struct nlattr *attr = attrs[PORTRES_A_PROTOCOL];
	int proto;

	cb->args[2] = 1;
	if (attrs[PORTRES_A_START]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[PORTRES_A_START],
				    "a dump takes PORTRES_A_PROTOCOL only");
		return -EINVAL;
	}
	if (!attr)
		return 0;
	proto = portres_proto_from_ip(nla_get_u8(attr));
	if (proto < 0) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attr,
				    "protocol must be IPPROTO_TCP or IPPROTO_UDP");
		return proto;
	}
	cb->args[1] = proto + 1;
	return 0;
}

/*
 * Copies to @s the first reservation of @pn (of protocol @only, if not
 * negative) at or after @pos, a protocol times PORTRES_NPORTS plus a port,
 * and moves @pos past it.  Return: false when there is none.
 */
static bool portres_nl_dump_next(struct portres_net *pn,
				 struct netlink_callback *cb, int only,
				 unsigned long *pos, struct portres_nl_resv *s,
				 bool admin)
{
	struct portres_resv *resv = NULL;
	unsigned long port;
	int proto;

	mutex_lock(&pn->lock);
	for (proto = *pos / PORTRES_NPORTS; proto < PORTRES_NPROTO; proto++) {
		if (only >= 0 && proto != only)
			continue;
		port = proto == *pos / PORTRES_NPORTS ? *pos % PORTRES_NPORTS : 0;
		/* The block covering @port, or the first after it. */
		resv = portres_block_at(pn, proto, port);
		if (!resv)
			resv = portres_block_after(pn, proto, port);
		if (resv)
			break;
	}
	if (resv) {
		portres_nl_snap(s, resv, admin,
				portres_nl_owner_shown(resv, cb->skb, admin));
		*pos = proto * PORTRES_NPORTS + resv->start + resv->count;
	}
	cb->seq = pn->seq;
	mutex_unlock(&pn->lock);
	return resv;
}

/*
 * A dump goes through the reservations by protocol and first port, taking
 * the lock for each one's copy only.  cb->args[0] keeps where the next one
 * starts, which no reservation made or ended meanwhile moves: none is
 * described twice or skipped, and the messages after such a change are
 * marked NLM_F_DUMP_INTR.
 */
static int portres_nl_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct portres_net *pn = portres_pernet(net);
	bool admin = portres_nl_admin(cb->skb, net);
	struct portres_nl_resv s;
	unsigned long pos;
	int err = 0;

	if (!cb->args[2]) {
		err = portres_nl_dump_filter(cb);
		if (err)
			return err;
	}
	for (;;) {
		pos = cb->args[0];
		if (!portres_nl_dump_next(pn, cb, (int)cb->args[1] - 1, &pos,
					  &s, admin))
			break;
		err = portres_nl_fill(skb, &s, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI,
				      PORTRES_CMD_GET, cb);
		if (err)
			break;
		cb->args[0] = pos;
	}
	/* A reservation that fits in no message at all is an error. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int portres_nl_create(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;
	struct portres_nl_resv s;
	u16 start, count;
	int proto, err;

	err = portres_nl_admin_block(skb, info, &proto, &start, &count);
	if (err)
		return err;

	/*
	 * Made and described under one hold of the lock, so that the reply is
	 * of the block just made; a reply that cannot be sent undoes it.
	 * The hooks enforce before the block exists.
	 */
	err = portres_hooks_hold();
	if (err) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "cannot hook the stack: another module (a livepatch) modifies a function portres hooks");
		return err;
	}
	mutex_lock(&pn->lock);
	err = portres_resv_create(pn, proto, start, count,
				  nla_get_flag(info->attrs[PORTRES_A_EXCLUSIVE]),
				  &resv);
	if (err == -EADDRINUSE)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the block overlaps a reservation or a port in use");
	if (!err) {
		portres_nl_snap(&s, resv, true, false);
		s.init_netns = net_eq(net, &init_net);
		err = portres_nl_reply(info, &s);
		if (err)
			portres_resv_release(resv);
	}
	mutex_unlock(&pn->lock);
	portres_hooks_unhold();
	return err;
}

static int portres_nl_delete(struct sk_buff *skb, struct genl_info *info)
{
	u16 start, count;
	int proto, err;

	err = portres_nl_admin_block(skb, info, &proto, &start, &count);
	if (err)
		return err;
	err = portres_persistent_delete(genl_info_net(info), proto, start,
					count);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no persistent reservation of exactly that block");
	return err;
}

static int portres_nl_lookup(struct sk_buff *skb, struct genl_info *info)
{
	struct portres_net *pn = portres_pernet(genl_info_net(info));
	struct portres_resv *resv;
	struct portres_nl_resv s;
	u16 start, count;
	int proto, err;

	err = portres_nl_block(info, &proto, &start, &count);
	if (err)
		return err;
	mutex_lock(&pn->lock);
	resv = portres_resv_persistent(pn, proto, start, count);
	if (resv) {
		portres_nl_snap(&s, resv, true, false);
		s.init_netns = net_eq(pn->net, &init_net);
	}
	mutex_unlock(&pn->lock);
	if (!resv) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no persistent reservation of exactly that block");
		return -ENOENT;
	}
	return portres_nl_reply(info, &s);
}

/* The caller's namespace: its cookie and the binds portres refused in it. */
static int portres_nl_netns(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct portres_net *pn = portres_pernet(net);
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &portres_genl_family, 0,
				PORTRES_CMD_NETNS);
	if (!hdr ||
	    nla_put_u64_64bit(msg, PORTRES_A_NETNS_COOKIE, net->net_cookie,
			      PORTRES_A_PAD) ||
	    nla_put_u64_64bit(msg, PORTRES_A_REFUSED,
			      atomic_long_read(&pn->refused), PORTRES_A_PAD) ||
	    (net_eq(net, &init_net) &&
	     nla_put_flag(msg, PORTRES_A_INIT_NETNS))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct nla_policy portres_nl_netns_policy[PORTRES_A_MAX + 1] = {
};

static const struct genl_ops portres_nl_ops[] = {
	{
		.cmd = PORTRES_CMD_GET,
		.doit = portres_nl_get_doit,
		.dumpit = portres_nl_get_dumpit,
		.policy = portres_nl_get_policy,
		.maxattr = PORTRES_A_MAX,
	},
	{
		.cmd = PORTRES_CMD_CREATE,
		.doit = portres_nl_create,
		.policy = portres_nl_create_policy,
		.maxattr = PORTRES_A_MAX,
	},
	{
		.cmd = PORTRES_CMD_DELETE,
		.doit = portres_nl_delete,
		.policy = portres_nl_block_policy,
		.maxattr = PORTRES_A_MAX,
	},
	{
		.cmd = PORTRES_CMD_LOOKUP,
		.doit = portres_nl_lookup,
		.policy = portres_nl_block_policy,
		.maxattr = PORTRES_A_MAX,
	},
	{
		.cmd = PORTRES_CMD_NETNS,
		.doit = portres_nl_netns,
		.policy = portres_nl_netns_policy,
		.maxattr = PORTRES_A_MAX,
	},
};

/* A request for the family loads the module (portresctl, at any time). */
MODULE_ALIAS_GENL_FAMILY(PORTRES_GENL_NAME);

static struct genl_family portres_genl_family __ro_after_init = {
	.name = PORTRES_GENL_NAME,
	.version = PORTRES_GENL_VERSION,
	.netnsok = true,
	/*
	 * Each command takes its namespace's lock: a request that waits for
	 * it does not hold the global genl_mutex, and other families' with it.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = portres_nl_ops,
	.n_ops = ARRAY_SIZE(portres_nl_ops),
	.resv_start_op = PORTRES_CMD_GET,
	.mcgrps = portres_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(portres_nl_mcgrps),
};

/*
 * Announces a reservation made or ended, to the listeners of the
 * namespace's event group; called with the namespace's lock held.  Nothing
 * is sent for a namespace going away.  An event carries neither the token
 * nor the owner: any user may join the group, and one who may see the
 * owner asks GET for it.
 */
static void portres_netlink_notify(const struct portres_resv *resv, bool made)
{
	struct net *net = resv->pn->net;
	struct portres_nl_resv s;
	struct sk_buff *msg;

	lockdep_assert_held(&resv->pn->lock);
	if (!resv->pn->live ||
	    !genl_has_listeners(&portres_genl_family, net,
				PORTRES_NL_MCGRP_EVENTS))
		return;
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	portres_nl_snap(&s, resv, false, false);
	if (portres_nl_fill(msg, &s, 0, 0, 0,
			    made ? PORTRES_CMD_NEW : PORTRES_CMD_DEL, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&portres_genl_family, net, msg, 0,
				PORTRES_NL_MCGRP_EVENTS, GFP_KERNEL);
}

static int portres_netlink_event(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	switch (event) {
	case PORTRES_RESV_ADDED:
	case PORTRES_RESV_REMOVED:
		portres_netlink_notify(data, event == PORTRES_RESV_ADDED);
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

static struct notifier_block portres_netlink_nb = {
	.notifier_call = portres_netlink_event,
};

int portres_netlink_init(void)
{
	int err;

	err = genl_register_family(&portres_genl_family);
	if (err)
		return err;
	err = portres_resv_notifier_register(&portres_netlink_nb);
	if (err)
		genl_unregister_family(&portres_genl_family);
	return err;
}

/* No event is sent once this returns: the module is going. */
void portres_netlink_uninit(void)
{
	portres_resv_notifier_unregister(&portres_netlink_nb);
	genl_unregister_family(&portres_genl_family);
}
