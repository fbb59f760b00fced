// SPDX-License-Identifier: GPL-2.0
/*
 * bad_input_test: every ioctl of /dev/portres with bad input, from a table:
 * wrong sizes, NULL and unmapped pointers, huge and overflowing counts,
 * closed and non-socket descriptors, sockets of other kinds, tokens that are
 * 0, random, another process's, another namespace's, persistent ones
 * without the capability; and sockets closed by another thread in the
 * middle of an associate or a bind.  Each case gets its documented errno
 * and leaves no reservation behind.  (Netlink's bad input: nl_test.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"

enum fd_kind { FD_TCP, FD_UDP6, FD_BOUND, FD_CLOSED, FD_PIPE, FD_UNIX,
	       FD_RAW, FD_SCTP, FD_ICMP };
enum tok_kind { TOK_FIELD, TOK_ZERO, TOK_RANDOM, TOK_OWN, TOK_OTHER_PROC,
		TOK_OTHER_NS, TOK_PERSISTENT };
enum arg_kind { ARG_OK, ARG_NULL, ARG_UNMAPPED, ARG_READONLY };

struct bad_case {
	const char *name;
	unsigned long cmd;
	enum arg_kind arg;
	enum fd_kind fd;
	enum tok_kind tok;
	int protocol, flags, reserved;
	unsigned int start, count;
	unsigned long long token;	/* TOK_FIELD */
	int nobody;
	int expect;
};

#define ACQ	PORTRES_IOC_ACQUIRE
#define ASSOC	PORTRES_IOC_ASSOCIATE
#define REL	PORTRES_IOC_RELEASE
#define CREATE	PORTRES_IOC_CREATE
#define DEL	PORTRES_IOC_DELETE
#define LOOKUP	PORTRES_IOC_LOOKUP

static const struct bad_case cases[] = {
	/* Commands and sizes. */
	{ "unknown command", _IO(PORTRES_IOC_MAGIC, 0x42), .expect = ENOTTY },
	{ "acquire with a wrong size", _IOWR(PORTRES_IOC_MAGIC, 0x01, __u64),
	  .start = 41000, .count = 1, .expect = ENOTTY },
	{ "create with a wrong size", _IOWR(PORTRES_IOC_MAGIC, 0x04, __u32),
	  .expect = ENOTTY },
	{ "another driver's command", _IOR('T', 0x01, int), .expect = ENOTTY },
	{ "version, NULL", PORTRES_IOC_VERSION, ARG_NULL, .expect = EFAULT },
	{ "version, unmapped", PORTRES_IOC_VERSION, ARG_UNMAPPED, .expect = EFAULT },
	/* Acquire. */
	{ "acquire, NULL", ACQ, ARG_NULL, .expect = EFAULT },
	{ "acquire, unmapped", ACQ, ARG_UNMAPPED, .expect = EFAULT },
	{ "acquire, read-only result", ACQ, ARG_READONLY, .start = 41000,
	  .count = 1, .expect = EFAULT },
	{ "acquire, closed fd", ACQ, .fd = FD_CLOSED, .start = 41000, .count = 1,
	  .expect = EBADF },
	{ "acquire, pipe", ACQ, .fd = FD_PIPE, .count = 1, .expect = ENOTSOCK },
	{ "acquire, AF_UNIX", ACQ, .fd = FD_UNIX, .count = 1, .expect = EOPNOTSUPP },
	{ "acquire, raw socket", ACQ, .fd = FD_RAW, .count = 1, .expect = EOPNOTSUPP },
	{ "acquire, SCTP socket", ACQ, .fd = FD_SCTP, .count = 1, .expect = EOPNOTSUPP },
	{ "acquire, ICMP socket", ACQ, .fd = FD_ICMP, .count = 1, .expect = EOPNOTSUPP },
	{ "acquire, count 0", ACQ, .start = 41000, .expect = EINVAL },
	{ "acquire, past 65535", ACQ, .start = 65535, .count = 2, .expect = EINVAL },
	{ "acquire, overflowing", ACQ, .start = 65535, .count = 65535, .expect = EINVAL },
	{ "acquire, huge wildcard", ACQ, .count = 65535, .expect = EADDRINUSE },
	{ "acquire, token set on input", ACQ, .tok = TOK_FIELD, .token = 7,
	  .start = 41000, .count = 1, .expect = EINVAL },
	{ "acquire, over the fixture's block", ACQ, .start = 40005, .count = 1,
	  .expect = EADDRINUSE },
	/* Associate. */
	{ "associate, NULL", ASSOC, ARG_NULL, .expect = EFAULT },
	{ "associate, unmapped", ASSOC, ARG_UNMAPPED, .expect = EFAULT },
	{ "associate, closed fd", ASSOC, .fd = FD_CLOSED, .tok = TOK_OWN, .expect = EBADF },
	{ "associate, pipe", ASSOC, .fd = FD_PIPE, .tok = TOK_OWN, .expect = ENOTSOCK },
	{ "associate, AF_UNIX", ASSOC, .fd = FD_UNIX, .tok = TOK_OWN, .expect = EOPNOTSUPP },
	{ "associate, raw", ASSOC, .fd = FD_RAW, .tok = TOK_OWN, .expect = EOPNOTSUPP },
	{ "associate, bound socket", ASSOC, .fd = FD_BOUND, .tok = TOK_OWN, .expect = EINVAL },
	{ "associate, other protocol", ASSOC, .fd = FD_UDP6, .tok = TOK_OWN, .expect = EINVAL },
	{ "associate, token 0", ASSOC, .tok = TOK_ZERO, .expect = EINVAL },
	{ "associate, random token", ASSOC, .tok = TOK_RANDOM, .expect = EINVAL },
	{ "associate, another process's token", ASSOC, .tok = TOK_OTHER_PROC,
	  .expect = EACCES },
	{ "associate, another namespace's token", ASSOC, .tok = TOK_OTHER_NS,
	  .expect = EINVAL },
	{ "associate, persistent token without CAP_NET_ADMIN", ASSOC,
	  .fd = FD_UDP6, .tok = TOK_PERSISTENT, .nobody = 1, .expect = EACCES },
	{ "associate, reserved field", ASSOC, .tok = TOK_OWN, .reserved = 1,
	  .expect = EINVAL },
	/* Release. */
	{ "release, NULL", REL, ARG_NULL, .expect = EFAULT },
	{ "release, closed fd", REL, .fd = FD_CLOSED, .tok = TOK_OWN, .expect = EBADF },
	{ "release, pipe", REL, .fd = FD_PIPE, .tok = TOK_OWN, .expect = ENOTSOCK },
	{ "release, token 0", REL, .tok = TOK_ZERO, .expect = EINVAL },
	{ "release, random token", REL, .tok = TOK_RANDOM, .expect = EINVAL },
	{ "release, persistent token", REL, .tok = TOK_PERSISTENT, .expect = EINVAL },
	{ "release, another process's token", REL, .tok = TOK_OTHER_PROC,
	  .expect = EACCES },
	{ "release, another process's token, unprivileged", REL,
	  .tok = TOK_OTHER_PROC, .nobody = 1, .expect = EACCES },
	{ "release, another namespace's token", REL, .tok = TOK_OTHER_NS,
	  .expect = EINVAL },
	{ "release, reserved field", REL, .tok = TOK_OWN, .reserved = 1,
	  .expect = EINVAL },
	/* Persistent reservations. */
	{ "create, NULL", CREATE, ARG_NULL, .expect = EFAULT },
	{ "create, unmapped", CREATE, ARG_UNMAPPED, .expect = EFAULT },
	{ "create, read-only result", CREATE, ARG_READONLY, .protocol = IPPROTO_TCP,
	  .start = 41000, .count = 1, .expect = EFAULT },
	{ "create, protocol 0", CREATE, .start = 41000, .count = 1, .expect = EINVAL },
	{ "create, SCTP", CREATE, .protocol = IPPROTO_SCTP, .start = 41000,
	  .count = 1, .expect = EINVAL },
	{ "create, unknown flag", CREATE, .protocol = IPPROTO_TCP, .flags = 2,
	  .start = 41000, .count = 1, .expect = EINVAL },
	{ "create, reserved field", CREATE, .protocol = IPPROTO_TCP, .reserved = 1,
	  .start = 41000, .count = 1, .expect = EINVAL },
	{ "create, token set on input", CREATE, .protocol = IPPROTO_TCP,
	  .tok = TOK_FIELD, .token = 1, .start = 41000, .count = 1, .expect = EINVAL },
	{ "create, start 0", CREATE, .protocol = IPPROTO_UDP, .count = 1,
	  .expect = EINVAL },
	{ "create, count 0", CREATE, .protocol = IPPROTO_UDP, .start = 41000,
	  .expect = EINVAL },
	{ "create, overflowing", CREATE, .protocol = IPPROTO_UDP, .start = 65000,
	  .count = 65000, .expect = EINVAL },
	{ "create, without CAP_NET_ADMIN", CREATE, .protocol = IPPROTO_UDP,
	  .start = 41000, .count = 1, .nobody = 1, .expect = EACCES },
	{ "create, over a block", CREATE, .protocol = IPPROTO_UDP, .start = 40000,
	  .count = 100, .expect = EADDRINUSE },
	{ "delete, NULL", DEL, ARG_NULL, .expect = EFAULT },
	{ "delete, not a block", DEL, .protocol = IPPROTO_UDP, .start = 40001,
	  .count = 9, .expect = ENOENT },
	{ "delete, a runtime block", DEL, .protocol = IPPROTO_TCP, .start = 40000,
	  .count = 10, .expect = ENOENT },
	{ "delete, without CAP_NET_ADMIN", DEL, .protocol = IPPROTO_UDP,
	  .start = 40000, .count = 10, .nobody = 1, .expect = EACCES },
	{ "lookup, NULL", LOOKUP, ARG_NULL, .expect = EFAULT },
	{ "lookup, bad protocol", LOOKUP, .protocol = 255, .start = 40000,
	  .count = 10, .expect = EINVAL },
	{ "lookup, not a block", LOOKUP, .protocol = IPPROTO_UDP, .start = 40000,
	  .count = 11, .expect = ENOENT },
};

FIXTURE(bad) {
	int owner;		/* TCP socket holding TCP 40000-40009 */
	uint64_t own, other_proc, other_ns, persistent;
	pid_t helpers[2];
	void *unmapped, *readonly;
};

static int acquire(int s, unsigned int start, unsigned int count, uint64_t *token)
{
	struct portres_acquire a = { .fd = s, .start = start, .count = count };
	int ret = portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &a);

	*token = a.token;
	return ret;
}

/* A process that holds a reservation (in a namespace of its own if asked). */
static pid_t helper(int own_netns, uint64_t *token)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		int s;

		if (own_netns && netns_enter())
			_exit(1);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (acquire(s, 45000, 10, token))
			_exit(1);
		if (write(p[1], token, sizeof(*token)) != sizeof(*token))
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(p[0], token, sizeof(*token)) != sizeof(*token))
		pid = -1;
	close(p[0]);
	close(p[1]);
	return pid;
}

FIXTURE_SETUP(bad)
{
	struct portres_persistent p = {
		.protocol = IPPROTO_UDP, .start = 40000, .count = 10,
	};
	int fd;

	if (access(PORTRES_DEVICE, F_OK))
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, netns_enter());
	/* ICMP sockets, for root. */
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	ASSERT_EQ(3, write(fd, "0 0", 3));
	close(fd);
	self->owner = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, acquire(self->owner, 40000, 10, &self->own));
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_CREATE, &p));
	self->persistent = p.token;
	self->helpers[0] = helper(0, &self->other_proc);
	self->helpers[1] = helper(1, &self->other_ns);
	ASSERT_LT(0, self->helpers[0]);
	ASSERT_LT(0, self->helpers[1]);
	self->unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	self->readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	ASSERT_NE(MAP_FAILED, self->unmapped);
	ASSERT_NE(MAP_FAILED, self->readonly);
}

FIXTURE_TEARDOWN(bad)
{
	int i;

	for (i = 0; i < 2; i++) {
		kill(self->helpers[i], SIGKILL);
		waitpid(self->helpers[i], NULL, 0);
	}
}

static int make_fd(enum fd_kind kind)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, p[2];

	switch (kind) {
	case FD_TCP:
		return socket(AF_INET, SOCK_STREAM, 0);
	case FD_UDP6:
		return socket(AF_INET6, SOCK_DGRAM, 0);
	case FD_BOUND:
		fd = socket(AF_INET, SOCK_STREAM, 0);
		bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		return fd;
	case FD_CLOSED:
		/* High enough that the device's own open never reuses it. */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		dup2(fd, 900);
		close(fd);
		close(900);
		return 900;
	case FD_PIPE:
		if (pipe(p))
			return -1;
		close(p[1]);
		return p[0];
	case FD_UNIX:
		return socket(AF_UNIX, SOCK_STREAM, 0);
	case FD_RAW:
		return socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	case FD_SCTP:
		return socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	case FD_ICMP:
		return socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	}
	return -1;
}

static uint64_t pick_token(const FIXTURE_DATA(bad) * self,
			   const struct bad_case *c)
{
	switch (c->tok) {
	case TOK_FIELD:
		return c->token;
	case TOK_ZERO:
		return 0;
	case TOK_RANDOM:
		return 0x5eed5eed5eedULL ^ self->own;
	case TOK_OWN:
		return self->own;
	case TOK_OTHER_PROC:
		return self->other_proc;
	case TOK_OTHER_NS:
		return self->other_ns;
	case TOK_PERSISTENT:
		return self->persistent;
	}
	return 0;
}

/* Runs one case; Return: 0 or -errno. */
static int run_case(const FIXTURE_DATA(bad) * self, const struct bad_case *c)
{
	union {
		struct portres_acquire acq;
		struct portres_token_arg tok;
		struct portres_persistent per;
	} u;
	void *arg = &u;
	int fd = make_fd(c->fd), ret;

	memset(&u, 0, sizeof(u));
	if (c->cmd == ACQ) {
		u.acq.fd = fd;
		u.acq.start = c->start;
		u.acq.count = c->count;
		u.acq.token = pick_token(self, c);
	} else if (c->cmd == ASSOC || c->cmd == REL) {
		u.tok.fd = fd;
		u.tok.reserved = c->reserved;
		u.tok.token = pick_token(self, c);
	} else {
		u.per.protocol = c->protocol;
		u.per.flags = c->flags;
		u.per.start = c->start;
		u.per.count = c->count;
		u.per.reserved = c->reserved;
		u.per.token = pick_token(self, c);
	}
	if (c->arg == ARG_NULL)
		arg = NULL;
	else if (c->arg == ARG_UNMAPPED)
		arg = self->unmapped;
	else if (c->arg == ARG_READONLY) {
		/* Good input the kernel can read but not answer into. */
		mprotect(self->readonly, 4096, PROT_READ | PROT_WRITE);
		memcpy(self->readonly, &u, sizeof(u));
		mprotect(self->readonly, 4096, PROT_READ);
		arg = self->readonly;
	}

	if (c->nobody) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(255);
			_exit(-portres_raw_ioctl(c->cmd, arg));
		}
		waitpid(pid, &status, 0);
		ret = WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
	} else {
		ret = portres_raw_ioctl(c->cmd, arg);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Reservations of the current namespace, counted over netlink. */
static int count_reservations(void)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		char attrs[64];
	} req = { 0 };
	char buf[16384];
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), family = -1;
	int n = 0, done = 0;
	struct nlmsghdr *h;
	struct nlattr *a;
	ssize_t len;

	/* The family's id. */
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nlh.nlmsg_type = GENL_ID_CTRL;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a = (struct nlattr *)((char *)&req + req.nlh.nlmsg_len);
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(PORTRES_GENL_NAME);
	memcpy((char *)a + NLA_HDRLEN, PORTRES_GENL_NAME, sizeof(PORTRES_GENL_NAME));
	req.nlh.nlmsg_len += NLA_ALIGN(a->nla_len);
	send(fd, &req, req.nlh.nlmsg_len, 0);
	len = recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (len > 0 && h->nlmsg_type != NLMSG_ERROR) {
		int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		for (a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		     alen >= NLA_HDRLEN; alen -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				family = *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	if (family < 0) {
		close(fd);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.g.cmd = PORTRES_CMD_GET;
	req.g.version = PORTRES_GENL_VERSION;
	send(fd, &req, req.nlh.nlmsg_len, 0);
	while (!done && (len = recv(fd, buf, sizeof(buf), 0)) > 0)
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			n++;
		}
	close(fd);
	return n;
}

TEST_F(bad, every_ioctl)
{
	unsigned int i;
	int ret;

	/* The fixture's two blocks; the helpers' are in other processes. */
	ASSERT_EQ(3, count_reservations());
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bad_case *c = &cases[i];

		if (c->fd == FD_SCTP) {
			int fd = make_fd(FD_SCTP);

			if (fd < 0) {
				TH_LOG("no SCTP in this kernel: %s skipped", c->name);
				continue;
			}
			close(fd);
		}
		ret = run_case(self, c);
		EXPECT_EQ(-c->expect, ret) TH_LOG("%s", c->name);
		/* No trace: the same reservations as before. */
		EXPECT_EQ(3, count_reservations()) TH_LOG("after %s", c->name);
	}
}

/*
 * Another thread closes (and reuses) the descriptor while this one
 * associates and binds it: whatever each call returns, nothing is left.
 */
struct race {
	volatile int stop;
	volatile int fd;
};

static void *closer(void *p)
{
	struct race *r = p;

	while (!r->stop) {
		int fd = r->fd;

		if (fd >= 0)
			close(fd);
		usleep(rand() % 50);
	}
	return NULL;
}

TEST_F(bad, close_during_associate_and_bind)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct race r = { .fd = -1 };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, closer, &r));
	for (i = 0; i < 3000; i++) {
		struct portres_token_arg arg = { .token = self->own };
		int fd = socket(AF_INET, i % 2 ? SOCK_STREAM : SOCK_DGRAM, 0);

		r.fd = fd;
		arg.fd = fd;
		portres_raw_ioctl(PORTRES_IOC_ASSOCIATE, &arg);
		bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		r.fd = -1;
		close(fd);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(3, count_reservations());
	/* The block's ports are all free again. */
	for (i = 0; i < 10; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct portres_token_arg arg = { .fd = fd, .token = self->own };

		EXPECT_EQ(0, portres_raw_ioctl(PORTRES_IOC_ASSOCIATE, &arg));
		EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			TH_LOG("port %d of 10: %s", i, strerror(errno));
	}
}

TEST_HARNESS_MAIN
