// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the generic netlink family's messages (netlink.c): what a
 * message says of a reservation, and the attributes of a request and the
 * rights it needs.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <uapi/linux/portres.h>

#include "portres.h"
#include "bind_tables.h"
#include "netlink_msg.h"
#include "table.h"

/*
 * Whether the sender of the request @req sees who owns @resv: the owner's
 * user does (the uid the request was sent with), and so does a sender with
 * CAP_NET_ADMIN over the namespace (@admin).  Nobody else: /proc mounted
 * with hidepid= hides other users' processes, ss -p shows them to root
 * only, and a reservation tells no more.  Events (no @req) never show it.
 */
bool portres_nl_owner_shown(const struct portres_resv *resv,
			    const struct sk_buff *req, bool admin)
{
	if (resv->persistent || !req)
		return false;
	return admin || uid_eq(NETLINK_CREDS(req)->uid, resv->uid);
}

/*
 * Copies @resv, whose namespace's lock is held, to @s: the token only if
 * @token, the owner only if @owner.  The owner's pid and uid are those the
 * requester sees (a reply goes to its socket, and a dump is read by it),
 * each left out when it has no number there.
 */
void portres_nl_snap(struct portres_nl_resv *s,
		     const struct portres_resv *resv, bool token,
		     bool owner)
{
	lockdep_assert_held(&resv->pn->lock);
	memset(s, 0, sizeof(*s));
	s->net = resv->pn->net;
	s->start = resv->start;
	s->count = resv->count;
	s->proto = resv->proto;
	s->persistent = resv->persistent;
	s->exclusive = resv->exclusive;
	s->has_token = token;
	if (token)
		s->token = resv->token;
	s->owner = owner;
	if (!owner)
		return;
	memcpy(s->comm, resv->comm, sizeof(s->comm));
	s->pid = pid_nr_ns(resv->tgid, task_active_pid_ns(current));
	s->uid = from_kuid(current_user_ns(), resv->uid);
}

/* One bucket at a time, with a chance to reschedule between ports. */
int portres_nl_put_ports(struct sk_buff *skb,
			 const struct portres_nl_resv *s)
{
	unsigned int port, used = 0;
	struct nlattr *nest;

	nest = nla_nest_start(skb, PORTRES_A_PORTS);
	if (!nest)
		return -EMSGSIZE;
	for (port = s->start; port < s->start + s->count; port++) {
		cond_resched();
		if (!portres_port_in_use(s->net, s->proto, port))
			continue;
		if (used++ < PORTRES_NL_MAX_PORTS &&
		    nla_put_u16(skb, PORTRES_A_PORT, port))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return nla_put_u32(skb, PORTRES_A_IN_USE, used);
}

int portres_nl_put_owner(struct sk_buff *skb,
			 const struct portres_nl_resv *s)
{
	if (nla_put_string(skb, PORTRES_A_OWNER_COMM, s->comm) ||
	    (s->pid && nla_put_u32(skb, PORTRES_A_OWNER_PID, s->pid)) ||
	    (s->uid != (uid_t)-1 &&
	     nla_put_u32(skb, PORTRES_A_OWNER_UID, s->uid)))
		return -EMSGSIZE;
	return 0;
}

/* Reads the protocol attribute; Return: PORTRES_TCP/_UDP or -errno. */
int portres_nl_proto(struct genl_info *info, struct nlattr **attrs,
		     struct netlink_ext_ack *extack)
{
	int proto;

	if (!attrs[PORTRES_A_PROTOCOL]) {
		NL_SET_ERR_MSG_MOD(extack, "PORTRES_A_PROTOCOL is required");
		return -EINVAL;
	}
	proto = portres_proto_from_ip(nla_get_u8(attrs[PORTRES_A_PROTOCOL]));
	if (proto < 0)
		NL_SET_ERR_MSG_ATTR(extack, attrs[PORTRES_A_PROTOCOL],
				    "protocol must be IPPROTO_TCP or IPPROTO_UDP");
	return proto;
}

/* Reads protocol, start and count of a persistent block. */
int portres_nl_block(struct genl_info *info, int *proto, u16 *start,
		     u16 *count)
{
	struct nlattr **attrs = info->attrs;

	*proto = portres_nl_proto(info, attrs, info->extack);
	if (*proto < 0)
		return *proto;
	if (GENL_REQ_ATTR_CHECK(info, PORTRES_A_START) ||
	    GENL_REQ_ATTR_CHECK(info, PORTRES_A_COUNT)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "PORTRES_A_START and PORTRES_A_COUNT are required");
		return -EINVAL;
	}
	*start = nla_get_u16(attrs[PORTRES_A_START]);
	*count = nla_get_u16(attrs[PORTRES_A_COUNT]);
	if ((unsigned int)*start + *count > PORTRES_NPORTS) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[PORTRES_A_COUNT],
				    "the block runs past port 65535");
		return -EINVAL;
	}
	return 0;
}

bool portres_nl_admin(const struct sk_buff *skb, const struct net *net)
{
	return netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN);
}

static int portres_nl_need_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (portres_nl_admin(skb, genl_info_net(info)))
		return 0;
	NL_SET_ERR_MSG_MOD(info->extack,
			   "CAP_NET_ADMIN over the network namespace is required");
	return -EACCES;
}

/* The block of a create or delete, which only an admin may ask for. */
int portres_nl_admin_block(struct sk_buff *skb, struct genl_info *info,
			   int *proto, u16 *start, u16 *count)
{
	int err = portres_nl_block(info, proto, start, count);

	return err ? err : portres_nl_need_admin(skb, info);
}
