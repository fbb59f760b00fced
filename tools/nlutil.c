// SPDX-License-Identifier: GPL-2.0
/* nlutil: the client side of the "portres" generic netlink family. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlutil.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* What prnl_talk()'s callbacks share. */
struct prnl_call {
	struct prnl *p;
	mnl_cb_t cb;
	void *data;
};

static int prnl_extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The extended ack's message, from the TLVs at @offset of @nlh's payload. */
static void prnl_extack(struct prnl *p, const struct nlmsghdr *nlh,
			unsigned int offset)
{
	const char *msg = NULL;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_parse(nlh, offset, prnl_extack_cb, &msg);
	if (msg)
		snprintf(p->extack, sizeof(p->extack), "%s", msg);
}

/* An error or an ack: errno from it. */
static int prnl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct prnl_call *call = data;
	unsigned int hlen = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += mnl_nlmsg_get_payload_len(&err->msg);
	prnl_extack(call->p, nlh, hlen);
	if (!err->error)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; a dump that failed carries its error there. */
static int prnl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct prnl_call *call = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	err = *(int *)mnl_nlmsg_get_payload(nlh);
	if (!err)
		return MNL_CB_STOP;
	prnl_extack(call->p, nlh, sizeof(int));
	errno = -err;
	return MNL_CB_ERROR;
}

static int prnl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct prnl_call *call = data;

	return call->cb ? call->cb(nlh, call->data) : MNL_CB_OK;
}

static struct nlmsghdr *prnl_genl_header(struct prnl *p, uint16_t type,
					 uint8_t cmd, uint8_t version,
					 uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++p->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *prnl_request(struct prnl *p, uint8_t cmd, uint16_t flags)
{
	return prnl_genl_header(p, p->family, cmd, PORTRES_GENL_VERSION, flags);
}

int prnl_talk(struct prnl *p, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = prnl_error_cb,
		[NLMSG_DONE] = prnl_done_cb,
	};
	struct prnl_call call = { .p = p, .cb = cb, .data = data };
	unsigned int portid = mnl_socket_get_portid(p->nl);
	ssize_t n;
	int ret;

	p->extack[0] = 0;
	if (mnl_socket_sendto(p->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(p->nl, p->buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(p->buf, n, nlh->nlmsg_seq, portid,
				  prnl_data_cb, &call, ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return errno ? -errno : -EBADMSG;
	return 0;
}

static int prnl_ctrl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, CTRL_ATTR_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* The family's id and its events group, from the controller's answer. */
static int prnl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	const struct nlattr *grp;
	struct prnl *p = data;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), prnl_ctrl_attr_cb, tb);
	if (!tb[CTRL_ATTR_FAMILY_ID] ||
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	p->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };
		const struct nlattr *a;

		mnl_attr_for_each_nested(a, grp)
			if (mnl_attr_type_valid(a, CTRL_ATTR_MCAST_GRP_MAX) > 0)
				g[mnl_attr_get_type(a)] = a;
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    mnl_attr_validate(g[CTRL_ATTR_MCAST_GRP_NAME],
				      MNL_TYPE_NUL_STRING) == 0 &&
		    mnl_attr_validate(g[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32) == 0 &&
		    !strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
			    PORTRES_GENL_MCGRP_EVENTS))
			p->events_group = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

int prnl_open(struct prnl *p)
{
	struct nlmsghdr *nlh;
	int one = 1, err;

	memset(p, 0, sizeof(*p));
	p->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	if (!p->buf)
		return -ENOMEM;
	p->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!p->nl)
		goto err;
	/* Acks without the request echoed; extended acks where known. */
	mnl_socket_setsockopt(p->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(p->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(p->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	p->seq = time(NULL);

	nlh = prnl_genl_header(p, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PORTRES_GENL_NAME);
	err = prnl_talk(p, nlh, prnl_family_cb, p);
	if (!err && !p->family)
		err = -ENOENT;
	if (err) {
		prnl_close(p);
		return err;
	}
	return 0;
err:
	err = -errno;
	prnl_close(p);
	return err;
}

void prnl_close(struct prnl *p)
{
	if (p->nl)
		mnl_socket_close(p->nl);
	free(p->buf);
	p->nl = NULL;
	p->buf = NULL;
}

int prnl_join_events(struct prnl *p)
{
	if (!p->events_group)
		return -ENOENT;
	if (mnl_socket_setsockopt(p->nl, NETLINK_ADD_MEMBERSHIP,
				  &p->events_group,
				  sizeof(p->events_group)) < 0)
		return -errno;
	return 0;
}

/* The type each attribute of a reservation or a namespace must have. */
static int prnl_attr_type(int type)
{
	switch (type) {
	case PORTRES_A_PROTOCOL:
	case PORTRES_A_KIND:
		return MNL_TYPE_U8;
	case PORTRES_A_START:
	case PORTRES_A_COUNT:
	case PORTRES_A_PORT:
		return MNL_TYPE_U16;
	case PORTRES_A_IN_USE:
	case PORTRES_A_OWNER_PID:
	case PORTRES_A_OWNER_UID:
		return MNL_TYPE_U32;
	case PORTRES_A_TOKEN:
	case PORTRES_A_NETNS_COOKIE:
	case PORTRES_A_REFUSED:
		return MNL_TYPE_U64;
	case PORTRES_A_EXCLUSIVE:
	case PORTRES_A_INIT_NETNS:
		return MNL_TYPE_FLAG;
	case PORTRES_A_OWNER_COMM:
		return MNL_TYPE_NUL_STRING;
	case PORTRES_A_PORTS:
		return MNL_TYPE_NESTED;
	}
	return -1;
}

static int prnl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr), t;

	/* A newer kernel's attributes are skipped. */
	if (mnl_attr_type_valid(attr, PORTRES_A_MAX) < 0)
		return MNL_CB_OK;
	t = prnl_attr_type(type);
	if (t < 0)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, t) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int prnl_port_cb(const struct nlattr *attr, void *data)
{
	struct prnl_resv *r = data;

	if (mnl_attr_get_type(attr) != PORTRES_A_PORT ||
	    mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (r->nports < PORTRES_NL_MAX_PORTS)
		r->ports[r->nports++] = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int prnl_resv_parse(const struct nlmsghdr *nlh, struct prnl_resv *r,
		    const char **why)
{
	const struct nlattr *tb[PORTRES_A_MAX + 1] = { 0 };
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	memset(r, 0, sizeof(*r));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g) ||
	    mnl_attr_parse(nlh, sizeof(*g), prnl_attr_cb, tb) != MNL_CB_OK) {
		*why = "a malformed attribute";
		return -EBADMSG;
	}
	if (!tb[PORTRES_A_PROTOCOL] || !tb[PORTRES_A_START] ||
	    !tb[PORTRES_A_COUNT] || !tb[PORTRES_A_KIND]) {
		*why = "an incomplete reservation";
		return -EBADMSG;
	}
	r->cmd = g->cmd;
	r->protocol = mnl_attr_get_u8(tb[PORTRES_A_PROTOCOL]);
	r->start = mnl_attr_get_u16(tb[PORTRES_A_START]);
	r->count = mnl_attr_get_u16(tb[PORTRES_A_COUNT]);
	r->kind = mnl_attr_get_u8(tb[PORTRES_A_KIND]);
	r->exclusive = tb[PORTRES_A_EXCLUSIVE];
	r->init_netns = tb[PORTRES_A_INIT_NETNS];
	if (tb[PORTRES_A_TOKEN]) {
		r->has_token = true;
		r->token = mnl_attr_get_u64(tb[PORTRES_A_TOKEN]);
	}
	if (tb[PORTRES_A_IN_USE])
		r->in_use = mnl_attr_get_u32(tb[PORTRES_A_IN_USE]);
	if (tb[PORTRES_A_PORTS] &&
	    mnl_attr_parse_nested(tb[PORTRES_A_PORTS], prnl_port_cb, r) != MNL_CB_OK) {
		*why = "a malformed port list";
		return -EBADMSG;
	}
	/* The kernel leaves out an id that means nothing to the receiver. */
	if (tb[PORTRES_A_OWNER_COMM]) {
		r->has_owner = true;
		snprintf(r->comm, sizeof(r->comm), "%s",
			 mnl_attr_get_str(tb[PORTRES_A_OWNER_COMM]));
	}
	if (tb[PORTRES_A_OWNER_PID]) {
		r->has_pid = true;
		r->pid = mnl_attr_get_u32(tb[PORTRES_A_OWNER_PID]);
	}
	if (tb[PORTRES_A_OWNER_UID]) {
		r->has_uid = true;
		r->uid = mnl_attr_get_u32(tb[PORTRES_A_OWNER_UID]);
	}
	return 0;
}

static int prnl_netns_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PORTRES_A_MAX + 1] = { 0 };
	struct prnl_netns *ns = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), prnl_attr_cb,
			   tb) != MNL_CB_OK ||
	    !tb[PORTRES_A_NETNS_COOKIE] || !tb[PORTRES_A_REFUSED]) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ns->cookie = mnl_attr_get_u64(tb[PORTRES_A_NETNS_COOKIE]);
	ns->refused = mnl_attr_get_u64(tb[PORTRES_A_REFUSED]);
	ns->init = tb[PORTRES_A_INIT_NETNS];
	return MNL_CB_OK;
}

int prnl_netns(struct prnl *p, struct prnl_netns *ns)
{
	int err;

	memset(ns, 0, sizeof(*ns));
	err = prnl_talk(p, prnl_request(p, PORTRES_CMD_NETNS, 0),
			prnl_netns_cb, ns);
	/* A module without the command: genetlink's "unknown command". */
	return err == -EOPNOTSUPP || err == -EINVAL ? -EOPNOTSUPP : err;
}
