// SPDX-License-Identifier: GPL-2.0
/*
 * bad_input_test: every ioctl of /dev/portres with bad input, from a table:
 * wrong sizes, NULL and unmapped pointers, huge and overflowing counts,
 * closed and non-socket descriptors, sockets of other kinds, tokens that are
 * 0, random, another process's, another namespace's, persistent ones
 * without the capability; and sockets closed by another thread in the
 * middle of an associate or a bind.  Each case is a test of its own, which
 * gets its documented errno and leaves no reservation behind.  (Netlink's
 * bad input: nl_test.)
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
#include "nlutil.h"

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

FIXTURE(bad) {
	int owner;		/* TCP socket holding TCP 40000-40009 */
	uint64_t own, other_proc, other_ns, persistent;
	pid_t helpers[2];
	void *unmapped, *readonly;
};

/*
 * One variant per case: each is a test of its own, "bad.CASE.ioctl", with
 * the fixture's reservations made again for it.
 */
FIXTURE_VARIANT(bad) {
	struct bad_case c;
};

/* Commands and sizes. */
FIXTURE_VARIANT_ADD(bad, unknown_command) {
	.c = { "unknown command", _IO(PORTRES_IOC_MAGIC, 0x42), .expect = ENOTTY },
};
FIXTURE_VARIANT_ADD(bad, acquire_with_a_wrong_size) {
	.c = { "acquire with a wrong size", _IOWR(PORTRES_IOC_MAGIC, 0x01, __u64), .start = 41000, .count = 1, .expect = ENOTTY },
};
FIXTURE_VARIANT_ADD(bad, create_with_a_wrong_size) {
	.c = { "create with a wrong size", _IOWR(PORTRES_IOC_MAGIC, 0x04, __u32), .expect = ENOTTY },
};
FIXTURE_VARIANT_ADD(bad, another_driver_s_command) {
	.c = { "another driver's command", _IOR('T', 0x01, int), .expect = ENOTTY },
};
FIXTURE_VARIANT_ADD(bad, version_null) {
	.c = { "version, NULL", PORTRES_IOC_VERSION, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, version_unmapped) {
	.c = { "version, unmapped", PORTRES_IOC_VERSION, ARG_UNMAPPED, .expect = EFAULT },
};
/* Acquire. */
FIXTURE_VARIANT_ADD(bad, acquire_null) {
	.c = { "acquire, NULL", ACQ, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, acquire_unmapped) {
	.c = { "acquire, unmapped", ACQ, ARG_UNMAPPED, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, acquire_read_only_result) {
	.c = { "acquire, read-only result", ACQ, ARG_READONLY, .start = 41000, .count = 1, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, acquire_closed_fd) {
	.c = { "acquire, closed fd", ACQ, .fd = FD_CLOSED, .start = 41000, .count = 1, .expect = EBADF },
};
FIXTURE_VARIANT_ADD(bad, acquire_pipe) {
	.c = { "acquire, pipe", ACQ, .fd = FD_PIPE, .count = 1, .expect = ENOTSOCK },
};
FIXTURE_VARIANT_ADD(bad, acquire_af_unix) {
	.c = { "acquire, AF_UNIX", ACQ, .fd = FD_UNIX, .count = 1, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, acquire_raw_socket) {
	.c = { "acquire, raw socket", ACQ, .fd = FD_RAW, .count = 1, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, acquire_sctp_socket) {
	.c = { "acquire, SCTP socket", ACQ, .fd = FD_SCTP, .count = 1, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, acquire_icmp_socket) {
	.c = { "acquire, ICMP socket", ACQ, .fd = FD_ICMP, .count = 1, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, acquire_count_0) {
	.c = { "acquire, count 0", ACQ, .start = 41000, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, acquire_past_65535) {
	.c = { "acquire, past 65535", ACQ, .start = 65535, .count = 2, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, acquire_overflowing) {
	.c = { "acquire, overflowing", ACQ, .start = 65535, .count = 65535, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, acquire_huge_wildcard) {
	.c = { "acquire, huge wildcard", ACQ, .count = 65535, .expect = EADDRINUSE },
};
FIXTURE_VARIANT_ADD(bad, acquire_token_set_on_input) {
	.c = { "acquire, token set on input", ACQ, .tok = TOK_FIELD, .token = 7, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, acquire_over_the_fixture_s_block) {
	.c = { "acquire, over the fixture's block", ACQ, .start = 40005, .count = 1, .expect = EADDRINUSE },
};
/* Associate. */
FIXTURE_VARIANT_ADD(bad, associate_null) {
	.c = { "associate, NULL", ASSOC, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, associate_unmapped) {
	.c = { "associate, unmapped", ASSOC, ARG_UNMAPPED, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, associate_closed_fd) {
	.c = { "associate, closed fd", ASSOC, .fd = FD_CLOSED, .tok = TOK_OWN, .expect = EBADF },
};
FIXTURE_VARIANT_ADD(bad, associate_pipe) {
	.c = { "associate, pipe", ASSOC, .fd = FD_PIPE, .tok = TOK_OWN, .expect = ENOTSOCK },
};
FIXTURE_VARIANT_ADD(bad, associate_af_unix) {
	.c = { "associate, AF_UNIX", ASSOC, .fd = FD_UNIX, .tok = TOK_OWN, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, associate_raw) {
	.c = { "associate, raw", ASSOC, .fd = FD_RAW, .tok = TOK_OWN, .expect = EOPNOTSUPP },
};
FIXTURE_VARIANT_ADD(bad, associate_bound_socket) {
	.c = { "associate, bound socket", ASSOC, .fd = FD_BOUND, .tok = TOK_OWN, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, associate_other_protocol) {
	.c = { "associate, other protocol", ASSOC, .fd = FD_UDP6, .tok = TOK_OWN, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, associate_token_0) {
	.c = { "associate, token 0", ASSOC, .tok = TOK_ZERO, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, associate_random_token) {
	.c = { "associate, random token", ASSOC, .tok = TOK_RANDOM, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, associate_another_process_s_token) {
	.c = { "associate, another process's token", ASSOC, .tok = TOK_OTHER_PROC, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, associate_another_namespace_s_token) {
	.c = { "associate, another namespace's token", ASSOC, .tok = TOK_OTHER_NS, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, associate_persistent_token_without_cap_net_admin) {
	.c = { "associate, persistent token without CAP_NET_ADMIN", ASSOC, .fd = FD_UDP6, .tok = TOK_PERSISTENT, .nobody = 1, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, associate_reserved_field) {
	.c = { "associate, reserved field", ASSOC, .tok = TOK_OWN, .reserved = 1, .expect = EINVAL },
};
/* Release. */
FIXTURE_VARIANT_ADD(bad, release_null) {
	.c = { "release, NULL", REL, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, release_closed_fd) {
	.c = { "release, closed fd", REL, .fd = FD_CLOSED, .tok = TOK_OWN, .expect = EBADF },
};
FIXTURE_VARIANT_ADD(bad, release_pipe) {
	.c = { "release, pipe", REL, .fd = FD_PIPE, .tok = TOK_OWN, .expect = ENOTSOCK },
};
FIXTURE_VARIANT_ADD(bad, release_token_0) {
	.c = { "release, token 0", REL, .tok = TOK_ZERO, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, release_random_token) {
	.c = { "release, random token", REL, .tok = TOK_RANDOM, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, release_persistent_token) {
	.c = { "release, persistent token", REL, .tok = TOK_PERSISTENT, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, release_another_process_s_token) {
	.c = { "release, another process's token", REL, .tok = TOK_OTHER_PROC, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, release_another_process_s_token_unprivileged) {
	.c = { "release, another process's token, unprivileged", REL, .tok = TOK_OTHER_PROC, .nobody = 1, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, release_another_namespace_s_token) {
	.c = { "release, another namespace's token", REL, .tok = TOK_OTHER_NS, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, release_reserved_field) {
	.c = { "release, reserved field", REL, .tok = TOK_OWN, .reserved = 1, .expect = EINVAL },
};
/* Persistent reservations. */
FIXTURE_VARIANT_ADD(bad, create_null) {
	.c = { "create, NULL", CREATE, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, create_unmapped) {
	.c = { "create, unmapped", CREATE, ARG_UNMAPPED, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, create_read_only_result) {
	.c = { "create, read-only result", CREATE, ARG_READONLY, .protocol = IPPROTO_TCP, .start = 41000, .count = 1, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, create_protocol_0) {
	.c = { "create, protocol 0", CREATE, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_sctp) {
	.c = { "create, SCTP", CREATE, .protocol = IPPROTO_SCTP, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_unknown_flag) {
	.c = { "create, unknown flag", CREATE, .protocol = IPPROTO_TCP, .flags = 2, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_reserved_field) {
	.c = { "create, reserved field", CREATE, .protocol = IPPROTO_TCP, .reserved = 1, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_token_set_on_input) {
	.c = { "create, token set on input", CREATE, .protocol = IPPROTO_TCP, .tok = TOK_FIELD, .token = 1, .start = 41000, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_start_0) {
	.c = { "create, start 0", CREATE, .protocol = IPPROTO_UDP, .count = 1, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_count_0) {
	.c = { "create, count 0", CREATE, .protocol = IPPROTO_UDP, .start = 41000, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_overflowing) {
	.c = { "create, overflowing", CREATE, .protocol = IPPROTO_UDP, .start = 65000, .count = 65000, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, create_without_cap_net_admin) {
	.c = { "create, without CAP_NET_ADMIN", CREATE, .protocol = IPPROTO_UDP, .start = 41000, .count = 1, .nobody = 1, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, create_over_a_block) {
	.c = { "create, over a block", CREATE, .protocol = IPPROTO_UDP, .start = 40000, .count = 100, .expect = EADDRINUSE },
};
FIXTURE_VARIANT_ADD(bad, delete_null) {
	.c = { "delete, NULL", DEL, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, delete_not_a_block) {
	.c = { "delete, not a block", DEL, .protocol = IPPROTO_UDP, .start = 40001, .count = 9, .expect = ENOENT },
};
FIXTURE_VARIANT_ADD(bad, delete_a_runtime_block) {
	.c = { "delete, a runtime block", DEL, .protocol = IPPROTO_TCP, .start = 40000, .count = 10, .expect = ENOENT },
};
FIXTURE_VARIANT_ADD(bad, delete_without_cap_net_admin) {
	.c = { "delete, without CAP_NET_ADMIN", DEL, .protocol = IPPROTO_UDP, .start = 40000, .count = 10, .nobody = 1, .expect = EACCES },
};
FIXTURE_VARIANT_ADD(bad, lookup_null) {
	.c = { "lookup, NULL", LOOKUP, ARG_NULL, .expect = EFAULT },
};
FIXTURE_VARIANT_ADD(bad, lookup_bad_protocol) {
	.c = { "lookup, bad protocol", LOOKUP, .protocol = 255, .start = 40000, .count = 10, .expect = EINVAL },
};
FIXTURE_VARIANT_ADD(bad, lookup_not_a_block) {
	.c = { "lookup, not a block", LOOKUP, .protocol = IPPROTO_UDP, .start = 40000, .count = 11, .expect = ENOENT },
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

/*
 * What every case runs against: in a network namespace of its own, a TCP
 * block of ours, a persistent UDP block, and the blocks of two other
 * processes, one in another namespace.
 */
static void setup_blocks(struct __test_metadata *_metadata,
			 FIXTURE_DATA(bad) * self)
{
	struct portres_persistent p = {
		.protocol = IPPROTO_UDP, .start = 40000, .count = 10,
	};
	int fd;

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

static void teardown_blocks(FIXTURE_DATA(bad) * self)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (self->helpers[i] <= 0)
			continue;
		kill(self->helpers[i], SIGKILL);
		waitpid(self->helpers[i], NULL, 0);
	}
}

FIXTURE_SETUP(bad)
{
	if (access(PORTRES_DEVICE, F_OK))
		SKIP(return, "portres is not loaded");
	setup_blocks(_metadata, self);
}

FIXTURE_TEARDOWN(bad)
{
	teardown_blocks(self);
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

static int count_one(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* Reservations of the current namespace, counted over netlink; or -errno. */
static int count_reservations(void)
{
	struct prnl p;
	int n = 0, err;

	err = prnl_open(&p);
	if (err)
		return err;
	err = prnl_talk(&p, prnl_request(&p, PORTRES_CMD_GET, NLM_F_DUMP),
			count_one, &n);
	prnl_close(&p);
	return err ? err : n;
}

TEST_F(bad, ioctl)
{
	const struct bad_case *c = &variant->c;

	if (c->fd == FD_SCTP) {
		int fd = make_fd(FD_SCTP);

		if (fd < 0)
			SKIP(return, "no SCTP in this kernel");
		close(fd);
	}
	/* The fixture's two blocks; the helpers' are in other processes. */
	ASSERT_EQ(3, count_reservations());
	EXPECT_EQ(-c->expect, run_case(self, c)) TH_LOG("%s", c->name);
	/* No trace: the same reservations as before. */
	EXPECT_EQ(3, count_reservations());
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

/* The race below, once: a fixture without variants. */
FIXTURE(closing) {
	FIXTURE_DATA(bad) b;
};

FIXTURE_SETUP(closing)
{
	if (access(PORTRES_DEVICE, F_OK))
		SKIP(return, "portres is not loaded");
	setup_blocks(_metadata, &self->b);
}

FIXTURE_TEARDOWN(closing)
{
	teardown_blocks(&self->b);
}

TEST_F(closing, close_during_associate_and_bind)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct race r = { .fd = -1 };
	pthread_t t;
	int i;

	ASSERT_EQ(0, pthread_create(&t, NULL, closer, &r));
	for (i = 0; i < 3000; i++) {
		struct portres_token_arg arg = { .token = self->b.own };
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
		struct portres_token_arg arg = { .fd = fd, .token = self->b.own };

		EXPECT_EQ(0, portres_raw_ioctl(PORTRES_IOC_ASSOCIATE, &arg));
		EXPECT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			TH_LOG("port %d of 10: %s", i, strerror(errno));
	}
}

TEST_HARNESS_MAIN
