// SPDX-License-Identifier: GPL-2.0
/*
 * portresctl: show and manage port reservations, over the generic netlink
 * family "portres" (see uapi/linux/portres.h).
 *
 *	portresctl [-j] show [tcp|udp]
 *	portresctl [-j] lookup tcp|udp START COUNT
 *	portresctl [-j] add tcp|udp START COUNT [exclusive]
 *	portresctl delete tcp|udp START COUNT
 *	portresctl [-j] monitor
 *
 * Exit status: 0 on success, 1 when the kernel refuses (the message says
 * why, with the kernel's extended ack), 2 for bad arguments.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/portres.h>

#include "conf.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static const char *prog = "portresctl";
static bool json;

struct resv {
	int protocol;
	unsigned int start, count, kind, in_use;
	bool exclusive, has_token, has_owner, has_pid, has_uid;
	uint64_t token;
	unsigned int pid, uid;
	char comm[32];
	unsigned int nports;
	uint16_t ports[PORTRES_NL_MAX_PORTS];
};

struct ctl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t events_group;
	unsigned int seq;
	char *buf;
	/* What the request's answers are for. */
	void (*each)(const struct resv *r, int cmd, void *arg);
	void *arg;
	char extack[256];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [-j] show [tcp|udp]\n"
		"       %s [-j] lookup tcp|udp START COUNT\n"
		"       %s [-j] add tcp|udp START COUNT [exclusive]\n"
		"       %s delete tcp|udp START COUNT\n"
		"       %s [-j] monitor\n"
		"       %s restore [FILE]\n"
		"       %s [-j] holders\n"
		"       %s -V\n"
		"  -j  print JSON\n"
		"  -V  print the version\n",
		prog, prog, prog, prog, prog, prog, prog, prog);
}

static void __attribute__((noreturn)) bad_usage(const char *fmt, const char *what)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

static const char *proto_name(int protocol)
{
	return protocol == IPPROTO_TCP ? "tcp" : "udp";
}

static int parse_proto(const char *s)
{
	if (!strcmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	bad_usage("protocol must be tcp or udp, not \"%s\"", s);
}

static uint16_t parse_port(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 65535 || s[0] == '-' ||
	    s[0] == '+')
		bad_usage("%s must be a number from 1 to 65535", what);
	return v;
}

/* Attribute parsing: every attribute is checked before it is used. */
static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);
	enum mnl_attr_data_type t;

	if (mnl_attr_type_valid(attr, PORTRES_A_MAX) < 0)
		return MNL_CB_OK;	/* newer kernel: skip what we don't know */
	switch (type) {
	case PORTRES_A_PROTOCOL:
	case PORTRES_A_KIND:
		t = MNL_TYPE_U8;
		break;
	case PORTRES_A_START:
	case PORTRES_A_COUNT:
	case PORTRES_A_PORT:
		t = MNL_TYPE_U16;
		break;
	case PORTRES_A_IN_USE:
	case PORTRES_A_OWNER_PID:
	case PORTRES_A_OWNER_UID:
		t = MNL_TYPE_U32;
		break;
	case PORTRES_A_TOKEN:
		t = MNL_TYPE_U64;
		break;
	case PORTRES_A_EXCLUSIVE:
		t = MNL_TYPE_FLAG;
		break;
	case PORTRES_A_OWNER_COMM:
		t = MNL_TYPE_NUL_STRING;
		break;
	case PORTRES_A_PORTS:
		t = MNL_TYPE_NESTED;
		break;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, t) < 0) {
		fprintf(stderr, "%s: malformed attribute %d from the kernel\n",
			prog, type);
		return MNL_CB_ERROR;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int port_cb(const struct nlattr *attr, void *data)
{
	struct resv *r = data;

	if (mnl_attr_get_type(attr) != PORTRES_A_PORT ||
	    mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (r->nports < PORTRES_NL_MAX_PORTS)
		r->ports[r->nports++] = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int resv_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PORTRES_A_MAX + 1] = { 0 };
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ctl *ctl = data;
	struct resv r = { 0 };

	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[PORTRES_A_PROTOCOL] || !tb[PORTRES_A_START] ||
	    !tb[PORTRES_A_COUNT] || !tb[PORTRES_A_KIND]) {
		fprintf(stderr, "%s: the kernel sent an incomplete reservation\n",
			prog);
		return MNL_CB_ERROR;
	}
	r.protocol = mnl_attr_get_u8(tb[PORTRES_A_PROTOCOL]);
	r.start = mnl_attr_get_u16(tb[PORTRES_A_START]);
	r.count = mnl_attr_get_u16(tb[PORTRES_A_COUNT]);
	r.kind = mnl_attr_get_u8(tb[PORTRES_A_KIND]);
	r.exclusive = tb[PORTRES_A_EXCLUSIVE];
	if (tb[PORTRES_A_TOKEN]) {
		r.has_token = true;
		r.token = mnl_attr_get_u64(tb[PORTRES_A_TOKEN]);
	}
	if (tb[PORTRES_A_IN_USE])
		r.in_use = mnl_attr_get_u32(tb[PORTRES_A_IN_USE]);
	if (tb[PORTRES_A_PORTS] &&
	    mnl_attr_parse_nested(tb[PORTRES_A_PORTS], port_cb, &r) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* The kernel leaves out an id that means nothing to us. */
	if (tb[PORTRES_A_OWNER_COMM]) {
		r.has_owner = true;
		snprintf(r.comm, sizeof(r.comm), "%s",
			 mnl_attr_get_str(tb[PORTRES_A_OWNER_COMM]));
	}
	if (tb[PORTRES_A_OWNER_PID]) {
		r.has_pid = true;
		r.pid = mnl_attr_get_u32(tb[PORTRES_A_OWNER_PID]);
	}
	if (tb[PORTRES_A_OWNER_UID]) {
		r.has_uid = true;
		r.uid = mnl_attr_get_u32(tb[PORTRES_A_OWNER_UID]);
	}
	if (ctl->each)
		ctl->each(&r, g->cmd, ctl->arg);
	return MNL_CB_OK;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* An error or an ack: errno from it, and the extended ack's message. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct ctl *ctl = data;
	const char *msg = NULL;
	unsigned int hlen = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			hlen += mnl_nlmsg_get_payload_len(&err->msg);
		mnl_attr_parse(nlh, hlen, extack_cb, &msg);
		if (msg)
			snprintf(ctl->extack, sizeof(ctl->extack), "%s", msg);
	}
	if (!err->error)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; a dump that failed carries its error there. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl *ctl = data;
	const char *msg = NULL;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	err = *(int *)mnl_nlmsg_get_payload(nlh);
	if (!err)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		mnl_attr_parse(nlh, sizeof(int), extack_cb, &msg);
		if (msg)
			snprintf(ctl->extack, sizeof(ctl->extack), "%s", msg);
	}
	errno = -err;
	return MNL_CB_ERROR;
}

static struct nlmsghdr *request(struct ctl *ctl, uint16_t type, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ctl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++ctl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : PORTRES_GENL_VERSION;
	return nlh;
}

/* Sends @nlh and runs @cb on the answers; Return: 0 or -1 with errno. */
static int talk(struct ctl *ctl, struct nlmsghdr *nlh, mnl_cb_t cb)
{
	mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	unsigned int portid = mnl_socket_get_portid(ctl->nl);
	ssize_t n;
	int ret;

	ctl->extack[0] = 0;
	if (mnl_socket_sendto(ctl->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(ctl->nl, ctl->buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0)
			return -1;
		ret = mnl_cb_run2(ctl->buf, n, nlh->nlmsg_seq, portid, cb, ctl,
				  ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, CTRL_ATTR_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	struct ctl *ctl = data;
	const struct nlattr *grp;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, tb);
	if (!tb[CTRL_ATTR_FAMILY_ID] ||
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	ctl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
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
			ctl->events_group = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

static void __attribute__((noreturn)) fail(struct ctl *ctl, const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s", prog, what, strerror(err));
	if (ctl && ctl->extack[0])
		fprintf(stderr, ": %s", ctl->extack);
	fputc('\n', stderr);
	exit(1);
}

static void ctl_open(struct ctl *ctl)
{
	struct nlmsghdr *nlh;
	int one = 1;

	ctl->buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	ctl->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!ctl->buf || !ctl->nl)
		fail(NULL, "netlink");
	mnl_socket_setsockopt(ctl->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ctl->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(ctl->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		fail(NULL, "netlink");
	ctl->seq = time(NULL);

	nlh = request(ctl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PORTRES_GENL_NAME);
	if (talk(ctl, nlh, family_cb) < 0 || !ctl->family) {
		if (errno == ENOENT) {
			fprintf(stderr, "%s: the portres module is not loaded "
				"(modprobe portres)\n", prog);
			exit(1);
		}
		fail(ctl, "cannot find the portres netlink family");
	}
}

/* Output. */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_resv(const struct resv *r, const char *event)
{
	unsigned int i;

	putchar('{');
	if (event)
		printf("\"event\":\"%s\",", event);
	printf("\"protocol\":\"%s\",\"start\":%u,\"end\":%u,\"count\":%u,"
	       "\"kind\":\"%s\",\"exclusive\":%s,",
	       proto_name(r->protocol), r->start, r->start + r->count - 1,
	       r->count, r->kind == PORTRES_KIND_PERSISTENT ? "persistent" :
	       "runtime", r->exclusive ? "true" : "false");
	if (r->has_token)
		/* A string: JSON readers such as jq round numbers past 2^53. */
		printf("\"token\":\"%" PRIu64 "\",", r->token);
	printf("\"in_use\":%u,\"ports\":[", r->in_use);
	for (i = 0; i < r->nports; i++)
		printf("%s%u", i ? "," : "", r->ports[i]);
	putchar(']');
	if (r->has_owner) {
		printf(",\"owner\":{");
		if (r->has_pid)
			printf("\"pid\":%u,", r->pid);
		printf("\"comm\":");
		json_string(r->comm);
		if (r->has_uid)
			printf(",\"uid\":%u", r->uid);
		putchar('}');
	}
	putchar('}');
}

/* "pid 12 (name) uid 0", with "?" for an id the kernel left out. */
static void owner_text(const struct resv *r, char *buf, size_t len)
{
	char pid[16] = "?", uid[16] = "?";

	if (r->has_pid)
		snprintf(pid, sizeof(pid), "%u", r->pid);
	if (r->has_uid)
		snprintf(uid, sizeof(uid), "%u", r->uid);
	snprintf(buf, len, "pid %s (%s) uid %s", pid, r->comm, uid);
}

struct show {
	int protocol;
	unsigned int n;
	struct resv *list;
};

static void collect(const struct resv *r, int cmd, void *arg)
{
	struct show *show = arg;
	struct resv *list;

	(void)cmd;
	list = realloc(show->list, (show->n + 1) * sizeof(*list));
	if (!list) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	show->list = list;
	show->list[show->n++] = *r;
}

static int by_port(const void *a, const void *b)
{
	const struct resv *x = a, *y = b;

	if (x->protocol != y->protocol)
		return x->protocol - y->protocol;
	return (int)x->start - (int)y->start;
}

static void print_table(const struct show *show, int protocol)
{
	unsigned int i, shown = 0;
	char owner[96], use[32];

	printf("\nProtocol %s Port Exclusion Ranges\n\n", proto_name(protocol));
	printf("Start Port    End Port    Exclusive  In use        Owner\n");
	printf("----------    --------    ---------  ------        -----\n");
	for (i = 0; i < show->n; i++) {
		const struct resv *r = &show->list[i];

		if (r->protocol != protocol)
			continue;
		shown++;
		if (r->has_owner)
			owner_text(r, owner, sizeof(owner));
		else
			snprintf(owner, sizeof(owner), "-");
		snprintf(use, sizeof(use), "%u/%u", r->in_use, r->count);
		printf("%10u  %10u %s   %-9s  %-12s  %s\n", r->start,
		       r->start + r->count - 1,
		       r->kind == PORTRES_KIND_PERSISTENT ? "*" : " ",
		       r->exclusive ? "yes" : "no", use, owner);
	}
	if (!shown)
		printf("(none)\n");
	printf("\n* - Administered port exclusions.\n");
}

static int cmd_show(struct ctl *ctl, int protocol)
{
	struct show show = { .protocol = protocol };
	struct nlmsghdr *nlh;
	unsigned int i;

	nlh = request(ctl, ctl->family, PORTRES_CMD_GET, NLM_F_DUMP);
	if (protocol)
		mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, protocol);
	ctl->each = collect;
	ctl->arg = &show;
	if (talk(ctl, nlh, resv_cb) < 0)
		fail(ctl, "show");
	if (show.n)
		qsort(show.list, show.n, sizeof(*show.list), by_port);
	if (json) {
		putchar('[');
		for (i = 0; i < show.n; i++) {
			if (i)
				putchar(',');
			json_resv(&show.list[i], NULL);
		}
		printf("]\n");
	} else {
		if (!protocol || protocol == IPPROTO_TCP)
			print_table(&show, IPPROTO_TCP);
		if (!protocol || protocol == IPPROTO_UDP)
			print_table(&show, IPPROTO_UDP);
	}
	free(show.list);
	return 0;
}

static struct nlmsghdr *block_request(struct ctl *ctl, uint8_t cmd,
				      int protocol, uint16_t start,
				      uint16_t count)
{
	struct nlmsghdr *nlh = request(ctl, ctl->family, cmd, 0);

	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, protocol);
	mnl_attr_put_u16(nlh, PORTRES_A_START, start);
	mnl_attr_put_u16(nlh, PORTRES_A_COUNT, count);
	return nlh;
}

/* The request that creates the persistent block of @e. */
static struct nlmsghdr *create_request(struct ctl *ctl,
				       const struct portres_conf_entry *e)
{
	struct nlmsghdr *nlh;

	nlh = block_request(ctl, PORTRES_CMD_CREATE, e->protocol, e->start,
			    e->count);
	if (e->exclusive)
		mnl_attr_put(nlh, PORTRES_A_EXCLUSIVE, 0, NULL);
	return nlh;
}

static void print_token(const struct resv *r, int cmd, void *arg)
{
	uint64_t *token = arg;

	(void)cmd;
	*token = r->token;
	if (json) {
		json_resv(r, NULL);
		putchar('\n');
	} else {
		printf("%s %u-%u token %" PRIu64 "\n", proto_name(r->protocol),
		       r->start, r->start + r->count - 1, r->token);
	}
}

static int cmd_lookup(struct ctl *ctl, int protocol, uint16_t start,
		      uint16_t count)
{
	uint64_t token = 0;

	ctl->each = print_token;
	ctl->arg = &token;
	if (talk(ctl, block_request(ctl, PORTRES_CMD_LOOKUP, protocol, start,
				    count), resv_cb) < 0)
		fail(ctl, "lookup");
	return 0;
}

static int cmd_add(struct ctl *ctl, int protocol, uint16_t start,
		   uint16_t count, bool exclusive)
{
	struct portres_conf_entry e = {
		.protocol = protocol,
		.start = start,
		.count = count,
		.exclusive = exclusive,
	};
	uint64_t token = 0;
	int err;

	ctl->each = print_token;
	ctl->arg = &token;
	if (talk(ctl, create_request(ctl, &e), resv_cb) < 0)
		fail(ctl, "add");
	err = portres_conf_created(&e, token);
	if (err) {
		/* All or nothing: undo what the file cannot keep. */
		talk(ctl, block_request(ctl, PORTRES_CMD_DELETE, protocol,
					start, count), resv_cb);
		errno = -err;
		fail(NULL, "add: cannot update the configuration file");
	}
	return 0;
}

static void store_token(const struct resv *r, int cmd, void *arg)
{
	(void)cmd;
	*(uint64_t *)arg = r->token;
}

static int cmd_delete(struct ctl *ctl, int protocol, uint16_t start,
		      uint16_t count)
{
	struct portres_conf_entry e = {
		.protocol = protocol,
		.start = start,
		.count = count,
	};
	struct portres_conf_pending pending;
	uint64_t token = 0;
	int err;

	/* The token tells the initial namespace's block from another's. */
	ctl->each = store_token;
	ctl->arg = &token;
	if (talk(ctl, block_request(ctl, PORTRES_CMD_LOOKUP, protocol, start,
				    count), resv_cb) < 0)
		fail(ctl, "delete");
	portres_conf_delete_prepare(&e, token, &pending);
	ctl->each = NULL;
	if (talk(ctl, block_request(ctl, PORTRES_CMD_DELETE, protocol, start,
				    count), resv_cb) < 0)
		fail(ctl, "delete");
	err = portres_conf_delete_commit(&pending);
	if (err) {
		/* The file still lists the block: reserve it again. */
		talk(ctl, create_request(ctl, &pending.entry), resv_cb);
		errno = -err;
		fail(NULL, "delete: cannot update the configuration file");
	}
	return 0;
}

/* Creates the block of one line of the configuration file. */
static int restore_line(struct ctl *ctl, const struct portres_conf_entry *e)
{
	int err;

	ctl->each = NULL;
	if (talk(ctl, create_request(ctl, e), resv_cb) == 0)
		return 0;
	err = errno;
	/* Restored already (udev ran twice, or an admin did): nothing to do. */
	if (err == EADDRINUSE &&
	    talk(ctl, block_request(ctl, PORTRES_CMD_LOOKUP, e->protocol,
				    e->start, e->count), resv_cb) == 0)
		return 0;
	errno = err;
	return -1;
}

/*
 * Creates, in the namespace it runs in, the persistent blocks that the
 * configuration file lists; udev runs it when /dev/portres appears.  Each
 * line that cannot be read or reserved is reported with its number and the
 * others still apply.  A missing file holds nothing to restore.
 */
static int cmd_restore(struct ctl *ctl, const char *path)
{
	struct portres_conf_entry e;
	unsigned int lineno = 0, bad = 0;
	size_t cap = 0;
	char *line = NULL;
	const char *why;
	ssize_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		switch (portres_conf_parse_line(line, len, &e, &why)) {
		case 1:
			continue;
		case 0:
			break;
		default:
			fprintf(stderr, "%s: %s:%u: %s; line ignored\n", prog,
				path, lineno, why);
			bad++;
			continue;
		}
		if (restore_line(ctl, &e) == 0)
			continue;
		fprintf(stderr, "%s: %s:%u: cannot reserve %s %u-%u: %s", prog,
			path, lineno, proto_name(e.protocol), e.start,
			e.start + e.count - 1, strerror(errno));
		if (ctl->extack[0])
			fprintf(stderr, ": %s", ctl->extack);
		fputc('\n', stderr);
		bad++;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		bad++;
	}
	free(line);
	fclose(f);
	return bad ? 1 : 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The answer to GET for an event's block: the owner's ids as we see them. */
static void fill_owner(const struct resv *got, int cmd, void *arg)
{
	struct resv *r = arg;

	(void)cmd;
	if (got->protocol != r->protocol || got->start != r->start ||
	    got->count != r->count)
		return;
	r->has_pid = got->has_pid;
	r->pid = got->pid;
	r->has_uid = got->has_uid;
	r->uid = got->uid;
}

/*
 * Events carry the owner's command name only (a multicast reaches
 * listeners in many namespaces); a new runtime block's owner ids come from
 * a GET on @query, the monitor's second socket, while the block lives.
 */
static void print_event(const struct resv *ev, int cmd, void *arg)
{
	const char *event = cmd == PORTRES_CMD_NEW ? "new" : "del";
	struct ctl *query = arg;
	struct nlmsghdr *nlh;
	struct resv r = *ev;
	char owner[96];

	if (cmd == PORTRES_CMD_NEW && r.has_owner && query) {
		query->each = fill_owner;
		query->arg = &r;
		nlh = request(query, query->family, PORTRES_CMD_GET, 0);
		mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, r.protocol);
		mnl_attr_put_u16(nlh, PORTRES_A_START, r.start);
		/* Gone already (ENOENT): the ids stay unknown. */
		talk(query, nlh, resv_cb);
	}
	if (json) {
		json_resv(&r, event);
	} else {
		printf("%s %s %s %u-%u%s", event, proto_name(r.protocol),
		       r.kind == PORTRES_KIND_PERSISTENT ? "persistent" :
		       "runtime", r.start, r.start + r.count - 1,
		       r.exclusive ? " exclusive" : "");
		if (r.has_owner) {
			owner_text(&r, owner, sizeof(owner));
			printf(" %s", owner);
		}
	}
	putchar('\n');
	fflush(stdout);
}

static int cmd_monitor(struct ctl *ctl)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ctl query = { 0 };
	unsigned int group = ctl->events_group;
	ssize_t n;

	if (!group) {
		fprintf(stderr, "%s: the kernel has no events group\n", prog);
		return 1;
	}
	if (mnl_socket_setsockopt(ctl->nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		fail(NULL, "monitor");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ctl_open(&query);
	ctl->each = print_event;
	ctl->arg = &query;
	fprintf(stderr, "%s: monitoring reservations; interrupt to stop\n",
		prog);
	while (!stop) {
		n = mnl_socket_recvfrom(ctl->nl, ctl->buf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(NULL, "monitor");
		}
		if (mnl_cb_run(ctl->buf, n, 0, 0, resv_cb, ctl) < 0 &&
		    errno != ENOENT)
			fail(NULL, "monitor");
	}
	mnl_socket_close(query.nl);
	free(query.buf);
	return 0;
}

/* How many descriptors of /dev/portres process @pid has open. */
static int holder_fds(const char *pid)
{
	char path[600], link[sizeof(PORTRES_DEVICE) + 1];
	struct dirent *f;
	int n = 0;
	ssize_t len;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	fds = opendir(path);
	if (!fds)
		return 0;
	while ((f = readdir(fds))) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, f->d_name);
		len = readlink(path, link, sizeof(link));
		if (len == sizeof(PORTRES_DEVICE) - 1 &&
		    !memcmp(link, PORTRES_DEVICE, len))
			n++;
	}
	closedir(fds);
	return n;
}

/*
 * The processes with /dev/portres open, which keep the module loaded
 * (libportres opens it only for the length of a call).  Others' descriptors
 * are seen by root only.
 */
static int cmd_holders(void)
{
	char path[300], comm[32] = "";
	struct dirent *p;
	bool first = true;
	DIR *proc;
	FILE *f;
	int n;

	proc = opendir("/proc");
	if (!proc) {
		fprintf(stderr, "%s: /proc: %s\n", prog, strerror(errno));
		return 1;
	}
	if (json)
		putchar('[');
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		n = holder_fds(p->d_name);
		if (!n)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = 0;
		if (json) {
			printf("%s{\"pid\":%s,\"comm\":", first ? "" : ",",
			       p->d_name);
			json_string(comm);
			printf(",\"descriptors\":%d}", n);
		} else {
			printf("pid %s comm %s descriptors %d\n", p->d_name, comm,
			       n);
		}
		first = false;
	}
	closedir(proc);
	if (json)
		printf("]\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	int argi = 1, protocol, ret;
	const char *cmd;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "-V")) {
		printf("%s %s\n", prog, PORTRES_VERSION);
		return 0;
	}
	if (argc > argi && !strcmp(argv[argi], "-j")) {
		json = true;
		argi++;
	}
	if (argc <= argi)
		bad_usage("%s", "a command is needed");
	cmd = argv[argi++];
	argc -= argi;
	argv += argi;

	if (!strcmp(cmd, "show")) {
		if (argc > 1)
			bad_usage("%s", "show takes at most a protocol");
		protocol = argc ? parse_proto(argv[0]) : 0;
		ctl_open(&ctl);
		ret = cmd_show(&ctl, protocol);
	} else if (!strcmp(cmd, "monitor")) {
		if (argc)
			bad_usage("%s", "monitor takes no arguments");
		ctl_open(&ctl);
		ret = cmd_monitor(&ctl);
	} else if (!strcmp(cmd, "add") || !strcmp(cmd, "delete") ||
		   !strcmp(cmd, "lookup")) {
		bool add = !strcmp(cmd, "add"), exclusive = false;
		uint16_t start, count;

		if (argc < 3 || argc > (add ? 4 : 3))
			bad_usage("%s takes tcp|udp START COUNT", cmd);
		protocol = parse_proto(argv[0]);
		start = parse_port(argv[1], "START");
		count = parse_port(argv[2], "COUNT");
		if (start + count > 65536)
			bad_usage("%s", "the block runs past port 65535");
		if (argc == 4) {
			if (strcmp(argv[3], "exclusive"))
				bad_usage("the last word can only be \"exclusive\", not \"%s\"",
					  argv[3]);
			exclusive = true;
		}
		ctl_open(&ctl);
		if (add)
			ret = cmd_add(&ctl, protocol, start, count, exclusive);
		else if (!strcmp(cmd, "delete"))
			ret = cmd_delete(&ctl, protocol, start, count);
		else
			ret = cmd_lookup(&ctl, protocol, start, count);
	} else if (!strcmp(cmd, "restore")) {
		char path[4096];

		if (argc > 1)
			bad_usage("%s", "restore takes at most a file");
		if (argc)
			snprintf(path, sizeof(path), "%s", argv[0]);
		else if (portres_conf_path(path, sizeof(path)))
			bad_usage("%s", "PORTRES_CONF is too long");
		if (!path[0])
			return 0;
		ctl_open(&ctl);
		ret = cmd_restore(&ctl, path);
	} else if (!strcmp(cmd, "holders")) {
		if (argc)
			bad_usage("%s", "holders takes no arguments");
		return cmd_holders();
	} else {
		bad_usage("unknown command \"%s\"", cmd);
	}
	mnl_socket_close(ctl.nl);
	free(ctl.buf);
	return ret;
}
