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

TEST_HARNESS_MAIN
