/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the generic netlink family's messages
 * (netlink_msg.c), for netlink.c.
 */
#ifndef _PORTRES_NETLINK_MSG_H
#define _PORTRES_NETLINK_MSG_H

#include <net/genetlink.h>

#include "portres.h"

/*
 * What a message says of one reservation, copied under the namespace's
 * lock.  The ports in use are counted from the copy after the lock is
 * dropped wherever the caller holds it for no other reason: a GET, a dump
 * or a lookup, which anyone may ask for, never walks the bind tables under
 * it.  @owner: the owner's command name, pid and uid are shown.
 */
struct portres_nl_resv {
	struct net *net;
	u64 token;
	char comm[TASK_COMM_LEN];
	pid_t pid;
	uid_t uid;
	u16 start;
	u16 count;
	u8 proto;
	bool persistent;
	bool exclusive;
	bool has_token;
	bool owner;
	bool init_netns;
};

bool portres_nl_owner_shown(const struct portres_resv *resv,
			    const struct sk_buff *req, bool admin);
void portres_nl_snap(struct portres_nl_resv *s,
		     const struct portres_resv *resv, bool token, bool owner);
int portres_nl_put_ports(struct sk_buff *skb,
			 const struct portres_nl_resv *s);
int portres_nl_put_owner(struct sk_buff *skb,
			 const struct portres_nl_resv *s);
int portres_nl_proto(struct genl_info *info, struct nlattr **attrs,
		     struct netlink_ext_ack *extack);
int portres_nl_block(struct genl_info *info, int *proto, u16 *start,
		     u16 *count);
bool portres_nl_admin(const struct sk_buff *skb, const struct net *net);
int portres_nl_admin_block(struct sk_buff *skb, struct genl_info *info,
			   int *proto, u16 *start, u16 *count);

#endif /* _PORTRES_NETLINK_MSG_H */
