// SPDX-License-Identifier: GPL-2.0
/*
 * portres selftests: what a user can make portres wait for.
 *
 * A user can hold a socket's lock for as long as they like: a setsockopt()
 * that copies its option from a page that never arrives (userfaultfd here;
 * a FUSE-backed mapping does the same) sleeps with the lock held.  They can
 * also make a copy to their memory wait.  Neither may hold up the other
 * users of the network namespace, and the calls that waited must end as if
 * they had not.  Nor may a request that anyone can make (a netlink dump of
 * the reservations) hold up another user's acquire.  Also here: the
 * implicit bind asks the LSMs, as bind() does (Landlock, where the kernel
 * has network rules).
 *
 * Each test runs in a network namespace of its own; helpers return 0 or
 * -errno.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "nlutil.h"

#define BLOCK	40000
#define OTHER	41000
#define WAIT	3.0	/* seconds a call of another user may take at most */

static int dev_ioctl(int dev, unsigned long cmd, void *arg)
{
	return ioctl(dev, cmd, arg) ? -errno : 0;
}

static int acquire(int dev, int s, uint16_t start, uint16_t count,
		   uint64_t *token)
{
	struct portres_acquire a = { .fd = s, .start = start, .count = count };
	int ret = dev_ioctl(dev, PORTRES_IOC_ACQUIRE, &a);

	if (!ret && token)
		*token = a.token;
	return ret;
}

static int associate(int dev, int s, uint64_t token)
{
	struct portres_token_arg t = { .fd = s, .token = token };

	return dev_ioctl(dev, PORTRES_IOC_ASSOCIATE, &t);
}

/* A userfaultfd and one registered page of it. */
struct uffd_page {
	int fd;
	char *page;
	long size;
};

static int uffd_page_init(struct uffd_page *u, bool wp)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = wp ? UFFD_FEATURE_PAGEFAULT_FLAG_WP : 0,
	};
	struct uffdio_register reg = {
		.mode = wp ? UFFDIO_REGISTER_MODE_WP : UFFDIO_REGISTER_MODE_MISSING,
	};

	u->size = sysconf(_SC_PAGESIZE);
	u->fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	u->page = mmap(NULL, u->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->page == MAP_FAILED)
		return -errno;
	/* Write protection needs the page present; a missing page, absent. */
	if (wp)
		memset(u->page, 0, u->size);
	reg.range.start = (unsigned long)u->page;
	reg.range.len = u->size;
	if (ioctl(u->fd, UFFDIO_API, &api) || ioctl(u->fd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Waits until a task faults on the page: it is then asleep in the kernel. */
static int uffd_wait_fault(struct uffd_page *u)
{
	struct pollfd pfd = { .fd = u->fd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, 10000) != 1)
		return -ETIMEDOUT;
	if (read(u->fd, &msg, sizeof(msg)) != sizeof(msg))
		return -errno;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -EPROTO;
}

/* Lets the faulting task go on: the page arrives (zeros). */
static int uffd_fill(struct uffd_page *u)
{
	char *zeros = calloc(1, u->size);
	struct uffdio_copy copy = {
		.dst = (unsigned long)u->page,
		.src = (unsigned long)zeros,
		.len = u->size,
	};
	int ret = ioctl(u->fd, UFFDIO_COPY, &copy) ? -errno : 0;

	free(zeros);
	return ret;
}

static int uffd_protect(struct uffd_page *u, bool on)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = (unsigned long)u->page, .len = u->size },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(u->fd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

static void uffd_page_fini(struct uffd_page *u)
{
	if (u->page && u->page != MAP_FAILED)
		munmap(u->page, u->size);
	if (u->fd >= 0)
		close(u->fd);
}

/* Holds a socket's lock: setsockopt(IP_OPTIONS) from the missing page. */
struct lock_holder {
	pthread_t thread;
	int sock;
	char *page;
	int ret;
};

static void *hold_lock(void *arg)
{
	struct lock_holder *h = arg;

	h->ret = setsockopt(h->sock, IPPROTO_IP, IP_OPTIONS, h->page, 40) ?
		 -errno : 0;
	return NULL;
}

/* A call in a thread of its own, and whether it returned. */
struct call {
	pthread_t thread;
	int dev, sock, ret, done;
	uint16_t start;
};

static void *call_acquire(void *arg)
{
	struct call *c = arg;

	c->ret = acquire(c->dev, c->sock, c->start, 4, NULL);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *call_connect(void *arg)
{
	struct call *c = arg;

	c->ret = connect_port(c->sock, AF_INET, 9);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *call_bind_zero(void *arg)
{
	struct call *c = arg;

	c->ret = bind_loopback(c->sock, AF_INET, 0);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Whether another user's acquire ends within WAIT seconds. */
static bool acquire_not_held_up(int dev)
{
	struct call c = { .dev = dev, .start = OTHER };
	double deadline = now() + WAIT;

	c.sock = socket(AF_INET, SOCK_DGRAM, 0);
	pthread_create(&c.thread, NULL, call_acquire, &c);
	while (!__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) && now() < deadline)
		usleep(10000);
	if (!__atomic_load_n(&c.done, __ATOMIC_ACQUIRE)) {
		/* Held up: it ends once the page arrives. */
		pthread_detach(c.thread);
		return false;
	}
	pthread_join(c.thread, NULL);
	close(c.sock);
	return !c.ret;
}

FIXTURE(stall) {
	int dev;
	struct uffd_page u;
};

FIXTURE_SETUP(stall)
{
	self->u.fd = -1;
	self->u.page = NULL;
	self->dev = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
	if (self->dev < 0)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, netns_enter());
}

FIXTURE_TEARDOWN(stall)
{
	uffd_page_fini(&self->u);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * An associated socket's connect() binds it implicitly, and waits for the
 * socket's lock to do so.  While it waits, the namespace's other users go
 * on: portres does not wait for a socket's lock under its own.
 */
TEST_F(stall, socket_lock_holds_up_nobody_else)
{
	struct lock_holder h = { 0 };
	struct call c = { 0 };
	int owner, port;
	uint64_t token;

	ASSERT_EQ(0, uffd_page_init(&self->u, false));
	owner = socket(AF_INET, SOCK_DGRAM, 0);
	h.sock = socket(AF_INET, SOCK_DGRAM, 0);
	h.page = self->u.page;
	ASSERT_EQ(0, acquire(self->dev, owner, BLOCK, 4, &token));
	ASSERT_EQ(0, associate(self->dev, h.sock, token));

	pthread_create(&h.thread, NULL, hold_lock, &h);
	ASSERT_EQ(0, uffd_wait_fault(&self->u));
	c.sock = h.sock;
	pthread_create(&c.thread, NULL, call_connect, &c);
	/* Let connect() reach the implicit bind and wait for the lock. */
	usleep(500000);

	EXPECT_TRUE(acquire_not_held_up(self->dev));

	ASSERT_EQ(0, uffd_fill(&self->u));
	pthread_join(h.thread, NULL);
	pthread_join(c.thread, NULL);
	EXPECT_EQ(0, h.ret);
	EXPECT_EQ(0, c.ret);
	port = local_port(h.sock);
	EXPECT_TRUE(port >= BLOCK && port < BLOCK + 4);
	close(h.sock);
	close(owner);
}

/*
 * The same wait, and rmmod: the implicit bind holds the module while it
 * waits for the socket's lock, so the unload fails at once (EBUSY or
 * EWOULDBLOCK, as for any module in use) and the block is still enforced.
 * Before, the unload removed the hooks and then waited for the implicit
 * bind for as long as the user held the lock.
 */
TEST_F(stall, unload_refused_while_an_implicit_bind_waits)
{
	struct lock_holder h = { 0 };
	struct call c = { 0 };
	int owner, plain, port, status, i, limit = WAIT * 100;
	uint64_t token;
	pid_t pid;

	ASSERT_EQ(0, uffd_page_init(&self->u, false));
	owner = socket(AF_INET, SOCK_DGRAM, 0);
	h.sock = socket(AF_INET, SOCK_DGRAM, 0);
	h.page = self->u.page;
	ASSERT_EQ(0, acquire(self->dev, owner, BLOCK, 4, &token));
	ASSERT_EQ(0, associate(self->dev, h.sock, token));
	/* An open /dev/portres holds the module too. */
	close(self->dev);
	self->dev = -1;

	pthread_create(&h.thread, NULL, hold_lock, &h);
	ASSERT_EQ(0, uffd_wait_fault(&self->u));
	c.sock = h.sock;
	pthread_create(&c.thread, NULL, call_connect, &c);
	usleep(500000);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(syscall(SYS_delete_module, "portres", O_NONBLOCK) ?
		      errno : 0);
	for (i = 0; i < limit && waitpid(pid, &status, WNOHANG) != pid; i++)
		usleep(10000);
	ASSERT_GT(limit, i) TH_LOG("rmmod still waits after %.0f s", WAIT);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_TRUE(WEXITSTATUS(status) == EBUSY ||
		    WEXITSTATUS(status) == EWOULDBLOCK)
		TH_LOG("rmmod: %s", strerror(WEXITSTATUS(status)));
	/* Still enforced. */
	plain = socket(AF_INET, SOCK_DGRAM, 0);
	EXPECT_EQ(-EACCES, bind_port(plain, AF_INET, BLOCK + 1));
	close(plain);

	ASSERT_EQ(0, uffd_fill(&self->u));
	pthread_join(h.thread, NULL);
	pthread_join(c.thread, NULL);
	EXPECT_EQ(0, c.ret);
	port = local_port(h.sock);
	EXPECT_TRUE(port >= BLOCK && port < BLOCK + 4);
	close(h.sock);
	close(owner);
}

/* The acquire ioctl, raw, on an argument the test placed. */
struct raw_acquire {
	pthread_t thread;
	int dev;
	struct portres_acquire *arg;
	int ret;
};

static void *call_raw_acquire(void *p)
{
	struct raw_acquire *r = p;

	r->ret = dev_ioctl(r->dev, PORTRES_IOC_ACQUIRE, r->arg);
	return NULL;
}

/*
 * The acquire's result is copied to the caller's memory, which the caller
 * can make wait (write-protected here).  The namespace's other users go
 * on meanwhile, and the acquire returns its block once the copy is done.
 */
TEST_F(stall, result_copy_holds_up_nobody_else)
{
	struct raw_acquire r = { 0 };
	struct portres_acquire *arg;
	int owner;

	ASSERT_EQ(0, uffd_page_init(&self->u, true));
	owner = socket(AF_INET, SOCK_DGRAM, 0);
	arg = (struct portres_acquire *)self->u.page;
	arg->fd = owner;
	arg->start = BLOCK;
	arg->count = 4;
	ASSERT_EQ(0, uffd_protect(&self->u, true));

	r.dev = self->dev;
	r.arg = arg;
	pthread_create(&r.thread, NULL, call_raw_acquire, &r);
	ASSERT_EQ(0, uffd_wait_fault(&self->u));

	EXPECT_TRUE(acquire_not_held_up(self->dev));

	ASSERT_EQ(0, uffd_protect(&self->u, false));
	pthread_join(r.thread, NULL);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(BLOCK, arg->start);
	EXPECT_NE(0, arg->token);
	close(owner);
}

/*
 * Two threads bind one associated socket to port 0 at once, both given a
 * port of the block before either can take the socket's lock: the port the
 * socket ends up bound to is held, and the block's other port is free.
 */
TEST_F(stall, double_bind_zero_keeps_block_whole)
{
	struct lock_holder h = { 0 };
	struct call c1 = { 0 }, c2 = { 0 };
	int owner, b, port;
	uint64_t token;

	ASSERT_EQ(0, uffd_page_init(&self->u, false));
	owner = socket(AF_INET, SOCK_DGRAM, 0);
	h.sock = socket(AF_INET, SOCK_DGRAM, 0);
	h.page = self->u.page;
	b = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, acquire(self->dev, owner, BLOCK, 2, &token));
	ASSERT_EQ(0, associate(self->dev, h.sock, token));
	ASSERT_EQ(0, associate(self->dev, b, token));

	pthread_create(&h.thread, NULL, hold_lock, &h);
	ASSERT_EQ(0, uffd_wait_fault(&self->u));
	c1.sock = c2.sock = h.sock;
	pthread_create(&c1.thread, NULL, call_bind_zero, &c1);
	usleep(300000);
	pthread_create(&c2.thread, NULL, call_bind_zero, &c2);
	usleep(300000);
	ASSERT_EQ(0, uffd_fill(&self->u));
	pthread_join(h.thread, NULL);
	pthread_join(c1.thread, NULL);
	pthread_join(c2.thread, NULL);

	/* One bind won, the other found the socket bound. */
	EXPECT_EQ(-EINVAL, c1.ret + c2.ret);
	port = local_port(h.sock);
	EXPECT_TRUE(port == BLOCK || port == BLOCK + 1);
	ASSERT_EQ(0, bind_loopback(b, AF_INET, 0));
	EXPECT_EQ(port == BLOCK ? BLOCK + 1 : BLOCK, local_port(b));
	close(b);
	close(h.sock);
	close(owner);
}

#define WALK_START	2000
#define WALK_COUNT	60000
#define WALK_SOCKS	20000

/*
 * Makes the persistent UDP block WALK_START.. of WALK_COUNT ports, not
 * exclusive, and binds WALK_SOCKS sockets into it, in the caller's
 * namespace: describing the block walks the bind table's chain of each of
 * its ports, about 20 sockets long in a guest's 1,024-slot table.
 * Return: the sockets (closed by walk_block_end()), or NULL.
 */
static int *walk_block_make(void)
{
	struct portres_persistent arg = {
		.protocol = IPPROTO_UDP,
		.start = WALK_START,
		.count = WALK_COUNT,
	};
	struct rlimit nofile = { WALK_SOCKS + 100, WALK_SOCKS + 100 };
	int i, *socks;

	if (setrlimit(RLIMIT_NOFILE, &nofile) ||
	    portres_raw_ioctl(PORTRES_IOC_CREATE, &arg))
		return NULL;
	socks = calloc(WALK_SOCKS, sizeof(*socks));
	for (i = 0; socks && i < WALK_SOCKS; i++) {
		socks[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (bind_loopback(socks[i], AF_INET, WALK_START + i))
			return NULL;
	}
	return socks;
}

static int walk_block_end(int *socks)
{
	struct portres_persistent arg = {
		.protocol = IPPROTO_UDP,
		.start = WALK_START,
		.count = WALK_COUNT,
	};
	int i;

	for (i = 0; i < WALK_SOCKS; i++)
		close(socks[i]);
	free(socks);
	return portres_raw_ioctl(PORTRES_IOC_DELETE, &arg);
}

/* Dumps the reservations of the namespace; 0 or -errno. */
static int dump_all(struct prnl *p)
{
	return prnl_talk(p, prnl_request(p, PORTRES_CMD_GET, NLM_F_DUMP),
			 NULL, NULL);
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Any user may dump the reservations, and a dump counts the ports in use
 * of each one, which for the 60,000-port block here walks 60,000 bind-table
 * chains.  It does so without the namespace's lock: while user nobody
 * dumps in a loop (on CPU 0), another user's acquire and release of a
 * 4-port block (on CPU 1) never take as long as half a dump.
 */
TEST_F_TIMEOUT(stall, dump_holds_up_no_acquire, 300)
{
	double one = 0, worst = 0, t, end;
	int i, *socks, s, ready[2], status;
	unsigned long *dumps, before;
	struct prnl p;
	uint64_t token;
	pid_t child;
	char c;

	socks = walk_block_make();
	ASSERT_NE(NULL, socks);
	ASSERT_EQ(0, prnl_open(&p));
	for (i = 0; i < 3; i++) {
		t = now();
		ASSERT_EQ(0, dump_all(&p));
		one += (now() - t) / 3;
	}
	prnl_close(&p);

	dumps = mmap(NULL, sizeof(*dumps), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dumps);
	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pin_to_cpu(0);
		/* Dies with the test, even one that stops at an assert. */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
			_exit(100);
		for (;;) {
			/*
			 * A dump that saw the acquirer's block come or go
			 * ends with EINTR (NLM_F_DUMP_INTR), the rest of it
			 * unread: a new socket for each.
			 */
			if (prnl_open(&p))
				_exit(101);
			i = dump_all(&p);
			prnl_close(&p);
			if (i && i != -EINTR)
				_exit(102);
			if (!__atomic_fetch_add(dumps, 1, __ATOMIC_RELAXED) &&
			    write(ready[1], "d", 1) != 1)
				_exit(103);
		}
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		pin_to_cpu(1);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	before = __atomic_load_n(dumps, __ATOMIC_RELAXED);
	end = now() + 3 + 5 * one;
	while (now() < end) {
		struct portres_token_arg rel = { .fd = s };

		t = now();
		ASSERT_EQ(0, acquire(self->dev, s, 63000, 4, &token));
		rel.token = token;
		ASSERT_EQ(0, dev_ioctl(self->dev, PORTRES_IOC_RELEASE, &rel));
		t = now() - t;
		if (t > worst)
			worst = t;
		usleep(1000);
	}
	EXPECT_LE(before + 2, __atomic_load_n(dumps, __ATOMIC_RELAXED));
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status))
		TH_LOG("the dumper exited with %d", WEXITSTATUS(status));
	close(s);
	EXPECT_EQ(0, walk_block_end(socks));
	EXPECT_LT(worst, one / 2)
		TH_LOG("one dump %.1f ms, longest acquire and release %.1f ms",
		       one * 1000, worst * 1000);
}

/* Landlock's network rules (Linux 6.7, ABI 4), declared here for older headers. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

#define LL_ACCESS_NET_BIND_TCP		(1ULL << 0)
#define LL_CREATE_RULESET_VERSION	(1U << 0)

static int landlock_abi(void)
{
	return syscall(__NR_landlock_create_ruleset, NULL, 0,
		       LL_CREATE_RULESET_VERSION);
}

/* Forbids every TCP bind of the calling process; 0 or -errno. */
static int landlock_no_tcp_bind(void)
{
	struct ll_ruleset_attr attr = {
		.handled_access_net = LL_ACCESS_NET_BIND_TCP,
	};
	int fd, ret = 0;

	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_landlock_restrict_self, fd, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The implicit bind portres does for an associated socket is a bind: an
 * LSM that forbids the socket's task TCP binds (Landlock) refuses it, as
 * it refuses bind(), and the port goes back to the block.
 */
TEST_F(stall, implicit_bind_asks_the_lsm)
{
	int l, owner, c, d, s[4], i, status;
	uint64_t token;
	pid_t pid;

	if (landlock_abi() < 4)
		SKIP(return, "Landlock network rules need Linux 6.7");
	l = socket(AF_INET, SOCK_STREAM, 0);
	owner = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	d = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind_loopback(l, AF_INET, 20000));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, acquire(self->dev, owner, BLOCK, 4, &token));
	ASSERT_EQ(0, associate(self->dev, c, token));
	ASSERT_EQ(0, associate(self->dev, d, token));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (landlock_no_tcp_bind())
			_exit(10);
		/* bind(0), which portres gives a port of the block. */
		if (bind_loopback(d, AF_INET, 0) != -EACCES)
			_exit(11);
		/* connect(), which binds implicitly. */
		if (connect_port(c, AF_INET, 20000) != -EACCES)
			_exit(12);
		_exit(local_port(c) == 0 ? 0 : 13);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* No port was kept: the whole block is there for four sockets. */
	for (i = 0; i < 4; i++) {
		s[i] = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_EQ(0, associate(self->dev, s[i], token));
		EXPECT_EQ(0, bind_loopback(s[i], AF_INET, 0));
	}
	for (i = 0; i < 4; i++)
		close(s[i]);
	close(c);
	close(d);
	close(owner);
	close(l);
}

/* Reads a number from a file; -1 on failure. */
static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

#define CG	"/sys/fs/cgroup"
#define CG_TEST	CG "/portres-test"
#define NRESV	4000

/*
 * Tests that run in the initial network namespace (sysfs shows its
 * persistent blocks) and do thousands of calls: under KASAN on one TCG
 * thread they take minutes, past the harness's default 30 s.
 */
FIXTURE(initns) {
};

FIXTURE_SETUP(initns)
{
}

FIXTURE_TEARDOWN(initns)
{
}

/*
 * The kernel memory of a caller's reservations is charged to the caller's
 * memory cgroup: 4,000 one-port reservations made in a cgroup of its own
 * (root, so no per-user limit) raise its memory.current by at least
 * 100 bytes each.
 */
TEST_F_TIMEOUT(initns, memory_charged_to_the_callers_cgroup, 300)
{
	int go[2], done[2], status;
	long before, after;
	char c, pid[16];
	pid_t child;

	if (access(PORTRES_DEVICE, F_OK))
		SKIP(return, "portres is not loaded");
	mkdir(CG, 0755);
	if (access(CG "/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("none", CG, "cgroup2", 0, NULL));
	ASSERT_EQ(0, write_file(CG "/cgroup.subtree_control", "+memory"));
	rmdir(CG_TEST);
	ASSERT_EQ(0, mkdir(CG_TEST, 0755));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct portres_acquire arg = { .count = 1 };
		int i, s, dev;

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_file(CG_TEST "/cgroup.procs", pid) || netns_enter())
			_exit(100);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		dev = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
		if (s < 0 || dev < 0 || write(done[1], "b", 1) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(101);
		for (i = 0; i < NRESV; i++) {
			arg.fd = s;
			arg.start = 20000 + i;
			arg.token = 0;
			if (ioctl(dev, PORTRES_IOC_ACQUIRE, &arg))
				_exit(102);
		}
		/* Holds them until the parent has looked. */
		if (write(done[1], "a", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(103);
		_exit(0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	before = read_long(CG_TEST "/memory.current");
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	after = read_long(CG_TEST "/memory.current");
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_LE(0, before);
	EXPECT_LE(100L * NRESV, after - before)
		TH_LOG("memory.current %ld before, %ld after %d reservations",
		       before, after, NRESV);
	rmdir(CG_TEST);
}

/* Reads @path and Return: the seconds it took, or -1. */
static double timed_read(const char *path)
{
	char buf[32];
	double t = now();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? now() - t : -1;
}

struct reader {
	pthread_t thread;
	const char *path;
	int stop;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;

	pin_to_cpu(0);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		timed_read(r->path);
	return NULL;
}

/*
 * Any user may read a persistent block's in_use, which walks the bind
 * table's chain of every port of the block.  The walk disables bottom
 * halves, and so preemption, for one port at a time: a task that wants the
 * CPU gets it long before the walk ends.  With 20,000 UDP sockets bound in
 * a 60,000-port block (chains of about 20 in a guest's 1,024-slot table),
 * a 1 ms sleeper (SCHED_FIFO) on the CPU of back-to-back reads must never
 * oversleep by half a read's time.
 */
TEST_F_TIMEOUT(initns, block_walk_leaves_the_cpu, 300)
{
	const char *path = "/sys/kernel/portres/udp-2000-61999/in_use";
	struct sched_param fifo = { .sched_priority = 10 };
	struct reader r = { .path = path };
	double one = 0, worst = 0, t, end;
	int i, *socks;

	if (access(PORTRES_DEVICE, F_OK))
		SKIP(return, "portres is not loaded");
	/* In the initial namespace, whose blocks sysfs shows. */
	socks = walk_block_make();
	ASSERT_NE(NULL, socks);
	pin_to_cpu(0);
	for (i = 0; i < 3; i++) {
		t = timed_read(path);
		ASSERT_LT(0, t);
		one += t / 3;
	}
	pthread_create(&r.thread, NULL, read_loop, &r);
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO, &fifo));
	end = now() + 3;
	while (now() < end) {
		t = now();
		usleep(1000);
		t = now() - t - 0.001;
		if (t > worst)
			worst = t;
	}
	fifo.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &fifo);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(r.thread, NULL);
	EXPECT_EQ(0, walk_block_end(socks));
	EXPECT_LT(worst, one / 2)
		TH_LOG("one read %.1f ms, longest oversleep %.1f ms",
		       one * 1000, worst * 1000);
}

TEST_HARNESS_MAIN
