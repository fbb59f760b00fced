// SPDX-License-Identifier: GPL-2.0
/*
 * nl_test: malformed requests to the "portres" generic netlink family are
 * refused by its strict policy with the right errno and an extended ack
 * that names the problem.  Raw netlink, so that nothing is filtered out
 * before the kernel sees it.  Each test in its own network namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	char attrs[256];
};

static void put_attr(struct msg *m, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void put_u8(struct msg *m, int type, uint8_t v) { put_attr(m, type, &v, 1); }
static void put_u16(struct msg *m, int type, uint16_t v) { put_attr(m, type, &v, 2); }
static void put_u32(struct msg *m, int type, uint32_t v) { put_attr(m, type, &v, 4); }

static void init_msg(struct msg *m, int family, int cmd, int flags)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh.nlmsg_seq = 1;
	m->g.cmd = cmd;
	m->g.version = 1;
}

/*
 * Sends @m, reads up to its ack.  Return: the ack's error (0 or -errno);
 * @extack gets the extended ack's message, if any.
 */
static int transact(int fd, struct msg *m, char *extack, size_t len)
{
	char buf[8192];
	ssize_t n;

	if (extack)
		extack[0] = 0;
	if (send(fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *err = NLMSG_DATA(h);
			struct nlattr *a;
			int off, alen;

			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's error: an int, then the ack's TLVs. */
				off = sizeof(int);
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				off = sizeof(*err);
				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += err->msg.nlmsg_len - sizeof(err->msg);
			} else {
				continue;
			}
			alen = h->nlmsg_len - NLMSG_HDRLEN - off;
			a = (struct nlattr *)((char *)err + off);
			while (extack && alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= alen) {
				if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
					snprintf(extack, len, "%s",
						 (char *)a + NLA_HDRLEN);
				alen -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
			}
			return h->nlmsg_type == NLMSG_DONE ?
				*(int *)NLMSG_DATA(h) : err->error;
		}
	}
}

static int family_id(int fd)
{
	struct msg m;
	char buf[8192];
	struct nlmsghdr *h;
	ssize_t n;

	init_msg(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, PORTRES_GENL_NAME,
		 sizeof(PORTRES_GENL_NAME));
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (n < 0 || !NLMSG_OK(h, n) || h->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	{
		struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		while (alen >= NLA_HDRLEN) {
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(uint16_t *)((char *)a + NLA_HDRLEN);
			alen -= NLA_ALIGN(a->nla_len);
			a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
		}
	}
	return -ENOENT;
}

FIXTURE(nl) {
	int fd;
	int family;
	char extack[256];
};

FIXTURE_SETUP(nl)
{
	int one = 1;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, setsockopt(self->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
				sizeof(one)));
	self->family = family_id(self->fd);
	if (self->family < 0)
		SKIP(return, "portres is not loaded");
}

FIXTURE_TEARDOWN(nl)
{
	close(self->fd);
}

#define EXPECT_REFUSED(err, text, m) do { \
	EXPECT_EQ(err, transact(self->fd, m, self->extack, sizeof(self->extack))); \
	EXPECT_NE(NULL, strstr(self->extack, text)) TH_LOG("extack: \"%s\"", self->extack); \
} while (0)

TEST_F(nl, missing_attributes)
{
	struct msg m;

	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	EXPECT_REFUSED(-EINVAL, "PORTRES_A_PROTOCOL is required", &m);
	init_msg(&m, self->family, PORTRES_CMD_CREATE, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-EINVAL, "PORTRES_A_START and PORTRES_A_COUNT are required",
		       &m);
}

TEST_F(nl, bad_values)
{
	struct msg m;

	init_msg(&m, self->family, PORTRES_CMD_LOOKUP, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_SCTP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-EINVAL, "IPPROTO_TCP or IPPROTO_UDP", &m);

	init_msg(&m, self->family, PORTRES_CMD_CREATE, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 0);
	put_u16(&m, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-ERANGE, "out of range", &m);

	init_msg(&m, self->family, PORTRES_CMD_CREATE, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 65530);
	put_u16(&m, PORTRES_A_COUNT, 7);
	EXPECT_REFUSED(-EINVAL, "past port 65535", &m);
}

TEST_F(nl, malformed_attributes)
{
	struct msg m;

	/* A u32 where a u16 belongs. */
	init_msg(&m, self->family, PORTRES_CMD_LOOKUP, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u32(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-EINVAL, "", &m);
	EXPECT_NE(0, self->extack[0]);
	/* An attribute the policy does not know, and one only replies carry. */
	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, 200, 1);
	EXPECT_EQ(-EINVAL, transact(self->fd, &m, self->extack, sizeof(self->extack)));
	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u32(&m, PORTRES_A_OWNER_PID, 1);
	EXPECT_EQ(-EINVAL, transact(self->fd, &m, self->extack, sizeof(self->extack)));
	/* The generic header's reserved field. */
	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	m.g.reserved = 1;
	EXPECT_REFUSED(-EINVAL, "reserved", &m);
	/* A command that does not exist. */
	init_msg(&m, self->family, 99, 0);
	EXPECT_EQ(-EOPNOTSUPP, transact(self->fd, &m, NULL, 0));
	/* Events are sent, never received. */
	init_msg(&m, self->family, PORTRES_CMD_NEW, 0);
	EXPECT_EQ(-EOPNOTSUPP, transact(self->fd, &m, NULL, 0));
}

/* Each command takes its own attributes; any other is refused. */
TEST_F(nl, attributes_a_command_does_not_take)
{
	struct msg m;

	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-EINVAL, "Unsupported attribute", &m);
	init_msg(&m, self->family, PORTRES_CMD_LOOKUP, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	put_attr(&m, PORTRES_A_EXCLUSIVE, "", 0);
	EXPECT_REFUSED(-EINVAL, "Unsupported attribute", &m);
	init_msg(&m, self->family, PORTRES_CMD_DELETE, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	put_attr(&m, PORTRES_A_EXCLUSIVE, "", 0);
	EXPECT_REFUSED(-EINVAL, "Unsupported attribute", &m);
	init_msg(&m, self->family, PORTRES_CMD_GET, NLM_F_DUMP);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	put_u16(&m, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-EINVAL, "PORTRES_A_PROTOCOL only", &m);
}

TEST_F(nl, not_found_and_dump_filter)
{
	struct msg m;

	init_msg(&m, self->family, PORTRES_CMD_DELETE, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_UDP);
	put_u16(&m, PORTRES_A_START, 5000);
	put_u16(&m, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-ENOENT, "no persistent reservation", &m);
	init_msg(&m, self->family, PORTRES_CMD_GET, 0);
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_UDP);
	put_u16(&m, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-ENOENT, "no reservation holds that port", &m);
	init_msg(&m, self->family, PORTRES_CMD_GET, NLM_F_DUMP);
	put_u8(&m, PORTRES_A_PROTOCOL, 1);
	EXPECT_REFUSED(-EINVAL, "IPPROTO_TCP or IPPROTO_UDP", &m);
	init_msg(&m, self->family, PORTRES_CMD_GET, NLM_F_DUMP);
	EXPECT_EQ(0, transact(self->fd, &m, NULL, 0));
}

TEST_F(nl, unprivileged)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct msg m;
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		init_msg(&m, self->family, PORTRES_CMD_CREATE, 0);
		put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
		put_u16(&m, PORTRES_A_START, 5000);
		put_u16(&m, PORTRES_A_COUNT, 1);
		bad |= transact(self->fd, &m, self->extack, sizeof(self->extack)) != -EACCES;
		bad |= !strstr(self->extack, "CAP_NET_ADMIN") << 1;
		init_msg(&m, self->family, PORTRES_CMD_DELETE, 0);
		put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_TCP);
		put_u16(&m, PORTRES_A_START, 5000);
		put_u16(&m, PORTRES_A_COUNT, 1);
		bad |= (transact(self->fd, &m, NULL, 0) != -EACCES) << 2;
		init_msg(&m, self->family, PORTRES_CMD_GET, NLM_F_DUMP);
		bad |= (transact(self->fd, &m, NULL, 0) != 0) << 3;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* The id of the family's events group, from the controller; or -errno. */
static int events_group(int fd)
{
	struct msg m;
	char buf[8192];
	struct nlmsghdr *h;
	struct nlattr *a, *g, *ga;
	int alen, glen, galen, id;
	ssize_t n;

	init_msg(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, PORTRES_GENL_NAME,
		 sizeof(PORTRES_GENL_NAME));
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (n < 0 || !NLMSG_OK(h, n) || h->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	for (; alen >= NLA_HDRLEN; alen -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		g = (struct nlattr *)((char *)a + NLA_HDRLEN);
		for (glen = a->nla_len - NLA_HDRLEN; glen >= NLA_HDRLEN;
		     glen -= NLA_ALIGN(g->nla_len),
		     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
			id = -1;
			ga = (struct nlattr *)((char *)g + NLA_HDRLEN);
			for (galen = g->nla_len - NLA_HDRLEN;
			     galen >= NLA_HDRLEN;
			     galen -= NLA_ALIGN(ga->nla_len),
			     ga = (struct nlattr *)((char *)ga + NLA_ALIGN(ga->nla_len)))
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)((char *)ga + NLA_HDRLEN);
			if (id >= 0)
				return id;
		}
	}
	return -ENOENT;
}

/* What a reservation's description says of its owner. */
struct owner {
	int has_pid, has_uid, has_comm;
	uint32_t pid, uid;
};

static void parse_owner(struct nlmsghdr *h, struct owner *o)
{
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	memset(o, 0, sizeof(*o));
	for (; alen >= NLA_HDRLEN; alen -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		uint32_t v = *(uint32_t *)((char *)a + NLA_HDRLEN);

		if (a->nla_type == PORTRES_A_OWNER_PID)
			o->has_pid = 1, o->pid = v;
		else if (a->nla_type == PORTRES_A_OWNER_UID)
			o->has_uid = 1, o->uid = v;
		else if (a->nla_type == PORTRES_A_OWNER_COMM)
			o->has_comm = 1;
	}
}

/* GET of the UDP block at @start on a socket of our own; 0 or -errno. */
static int get_owner(int family, uint16_t start, struct owner *o)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), ret = -ENOENT;
	struct nlmsghdr *h;
	char buf[8192];
	struct msg m;
	ssize_t n;

	if (fd < 0)
		return -errno;
	init_msg(&m, family, PORTRES_CMD_GET, 0);
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	put_u8(&m, PORTRES_A_PROTOCOL, IPPROTO_UDP);
	put_u16(&m, PORTRES_A_START, start);
	n = send(fd, &m, m.nlh.nlmsg_len, 0) < 0 ? -1 : recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (n > 0 && NLMSG_OK(h, n) && h->nlmsg_type == family) {
		parse_owner(h, o);
		ret = 0;
	}
	close(fd);
	return ret;
}

/*
 * A process in a pid namespace of its own (where it is pid 1) holds a
 * block.  The event listeners get carries no pid or uid, which would be
 * the owner's view; a GET from the initial namespaces gets the pid and
 * uid seen there; one from a pid and user namespace where the owner has no
 * pid and root no uid gets neither.
 */
TEST_F(nl, owner_ids_as_the_receiver_sees_them)
{
	int ev, grp, to_child[2], from_child[2], ready[2], status;
	struct owner o;
	struct nlmsghdr *h;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	char buf[8192], c;
	pid_t a, b, g = 0;
	ssize_t n;

	grp = events_group(self->fd);
	ASSERT_LE(0, grp);
	ev = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	ASSERT_LE(0, ev);
	/* Bound, so that it has a port id: a multicast skips port id 0. */
	ASSERT_EQ(0, bind(ev, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
				sizeof(grp)));
	ASSERT_EQ(0, setsockopt(ev, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));
	ASSERT_EQ(0, pipe(ready));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		if (unshare(CLONE_NEWPID))
			_exit(100);
		g = fork();
		if (g == 0) {
			struct portres_acquire arg = { .start = 40000, .count = 4 };

			arg.fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (getpid() != 1)
				_exit(3);
			if (portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &arg) ||
			    write(ready[1], "r", 1) != 1 ||
			    read(to_child[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (g < 0 || write(from_child[1], &g, sizeof(g)) != sizeof(g) ||
		    waitpid(g, &status, 0) != g)
			_exit(101);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 102);
	}
	close(from_child[1]);
	close(ready[1]);
	ASSERT_EQ(sizeof(g), read(from_child[0], &g, sizeof(g)));
	ASSERT_EQ(1, read(ready[0], &c, 1));

	/* The event: the command name only. */
	n = recv(ev, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	ASSERT_TRUE(n > 0 && NLMSG_OK(h, n));
	parse_owner(h, &o);
	EXPECT_TRUE(o.has_comm);
	EXPECT_FALSE(o.has_pid) TH_LOG("event says pid %u", o.pid);
	EXPECT_FALSE(o.has_uid);

	/* GET from here: the pid and uid of the initial namespaces. */
	ASSERT_EQ(0, get_owner(self->family, 40000, &o));
	EXPECT_TRUE(o.has_pid && o.pid == (uint32_t)g) TH_LOG("pid %u, not %d", o.pid, g);
	EXPECT_TRUE(o.has_uid && o.uid == 0);

	/* GET from a pid and user namespace the owner is not in. */
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		pid_t h2;

		if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(100);
		h2 = fork();
		if (h2 == 0) {
			struct owner o2;

			if (get_owner(self->family, 40000, &o2))
				_exit(2);
			_exit(!o2.has_comm || o2.has_pid || o2.has_uid ? 3 : 0);
		}
		if (h2 < 0 || waitpid(h2, &status, 0) != h2)
			_exit(101);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 102);
	}
	ASSERT_EQ(b, waitpid(b, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(a, waitpid(a, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ev);
}

TEST_HARNESS_MAIN
