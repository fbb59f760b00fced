// SPDX-License-Identifier: GPL-2.0
/*
 * dev_test: /dev/portres itself: its version, the sockets and ioctls it
 * refuses, the per-user and per-namespace limits, and loading and
 * unloading the module under its users.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "portres.h"

#define BLOCK	40000	/* a specific block used by the tests */

FIXTURE(dev) {
};

FIXTURE_SETUP(dev)
{
	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, netns_enter());
}

FIXTURE_TEARDOWN(dev)
{
}

TEST_F(dev, version)
{
	EXPECT_EQ(PORTRES_ABI_VERSION, portres_version());
}

TEST_F(dev, not_a_socket)
{
	uint16_t start;
	uint64_t token;
	int fd = open("/proc/self/status", O_RDONLY), s;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTSOCK, portres_acquire(fd, 0, 1, &start, &token));
	EXPECT_EQ(-ENOTSOCK, portres_associate(fd, 1));
	EXPECT_EQ(-ENOTSOCK, portres_release(fd, 1));
	close(fd);
	EXPECT_EQ(-EBADF, portres_acquire(fd, 0, 1, &start, &token));
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, portres_acquire(s, 0, 1, &start, &token));
	close(s);
	/* A closed socket is a closed fd. */
	EXPECT_EQ(-EBADF, portres_release(s, token));
}

TEST_F(dev, not_tcp_or_udp)
{
	static const int kinds[][3] = {
		{ AF_UNIX, SOCK_STREAM, 0 },
		{ AF_UNIX, SOCK_DGRAM, 0 },
		{ AF_INET, SOCK_RAW, IPPROTO_UDP },
		{ AF_INET6, SOCK_RAW, IPPROTO_TCP },
		{ AF_INET, SOCK_DGRAM, IPPROTO_ICMP },
		{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE },
		{ AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE },
	};
	uint16_t start;
	uint64_t token;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, sysctl_write("ping_group_range", "0 0"));
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		fd = socket(kinds[i][0], kinds[i][1], kinds[i][2]);
		/* Newer kernels (7.3 among them) have no UDP-Lite at all. */
		if (fd < 0 && errno == EPROTONOSUPPORT &&
		    kinds[i][2] == IPPROTO_UDPLITE)
			continue;
		ASSERT_LE(0, fd) TH_LOG("socket kind %u: %s", i, strerror(errno));
		EXPECT_EQ(-EOPNOTSUPP, portres_acquire(fd, 0, 1, &start, &token))
			TH_LOG("socket kind %u", i);
		EXPECT_EQ(-EOPNOTSUPP, portres_associate(fd, 1));
		close(fd);
	}
}

TEST_F(dev, bad_ioctls)
{
	struct portres_acquire acq = { .count = 1 };
	struct portres_token_arg tok = { 0 };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_LE(0, s);
	EXPECT_EQ(-ENOTTY, portres_raw_ioctl(_IO(PORTRES_IOC_MAGIC, 0x7f), NULL));
	EXPECT_EQ(-ENOTTY, portres_raw_ioctl(_IOW(PORTRES_IOC_MAGIC, 0x01, __u32), &acq));
	EXPECT_EQ(-EFAULT, portres_raw_ioctl(PORTRES_IOC_ACQUIRE, NULL));
	EXPECT_EQ(-EFAULT, portres_raw_ioctl(PORTRES_IOC_ASSOCIATE, (void *)8));
	EXPECT_EQ(-EFAULT, portres_raw_ioctl(PORTRES_IOC_VERSION, NULL));
	/* Input fields that must be zero. */
	acq.fd = s;
	acq.token = 1;
	EXPECT_EQ(-EINVAL, portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &acq));
	acq.token = 0;
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &acq));
	tok.fd = s;
	tok.token = acq.token;
	tok.reserved = 1;
	EXPECT_EQ(-EINVAL, portres_raw_ioctl(PORTRES_IOC_RELEASE, &tok));
	tok.reserved = 0;
	EXPECT_EQ(0, portres_raw_ioctl(PORTRES_IOC_RELEASE, &tok));
	close(s);
}

/* Sets a module parameter of portres; 0 or -errno. */
static int set_param(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/portres/parameters/%s", name);
	return write_file(path, value);
}

/* No unprivileged user may hold more than max_user_ports ports. */
TEST_F(dev, user_limit)
{
	uint16_t start;
	uint64_t token;
	int s = socket(AF_INET, SOCK_STREAM, 0), status, i;
	pid_t pid;

	ASSERT_EQ(0, set_param("max_user_ports", "20"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int u, bad = 0;
		uint64_t t5;

		portres_close();
		if (setgid(65534) || setuid(65534))
			_exit(100);
		u = socket(AF_INET, SOCK_DGRAM, 0);
		bad |= portres_acquire(u, 0, 15, &start, &token) != 0;
		bad |= (portres_acquire(u, 0, 6, &start, &token) != -EDQUOT) << 1;
		bad |= (portres_acquire(u, 0, 5, &start, &t5) != 0) << 2;
		bad |= (portres_acquire(u, 0, 1, &start, &token) != -EDQUOT) << 3;
		/* Releasing gives the user room again. */
		bad |= (portres_release(u, t5) != 0) << 4;
		bad |= (portres_acquire(u, 0, 5, &start, &token) != 0) << 5;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* CAP_NET_ADMIN is not limited. */
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, portres_acquire(s, 0, 10, &start, &token));
	close(s);
	EXPECT_EQ(0, set_param("max_user_ports", "4096"));
}

/* Writes "INSIDE OUTSIDE COUNT" to /proc/PID/FILE; 0 or -errno. */
static int write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return write_file(path, map);
}
/*
 * In a user namespace made by uid 1000 whose uids are 200000-200009 (as
 * /etc/subuid would give them), keeping the test's network namespace:
 * three of those uids each acquire 5 ports, with max_user_ports 8.
 * Return: how many acquires succeeded, or 100 + a step that failed.
 */
static int subuids_acquire(void)
{
	int go[2], done[2], res[2], hold[2], n = 0, k, status;
	char c;
	pid_t pid;

	if (pipe(go) || pipe(done))
		return 100;
	pid = fork();
	if (pid < 0)
		return 101;
	if (pid == 0) {
		if (setgid(1000) || setuid(1000) || unshare(CLONE_NEWUSER) ||
		    write(done[1], "u", 1) != 1 || read(go[0], &c, 1) != 1 ||
		    pipe(res) || pipe(hold))
			_exit(102);
		for (k = 0; k < 3; k++) {
			pid_t child = fork();

			if (child == 0) {
				uint16_t start;
				uint64_t token;
				int s;

				close(hold[1]);
				/* uid k of the namespace: kuid 200000 + k. */
				if (setgid(k) || setuid(k))
					_exit(2);
				s = socket(AF_INET, SOCK_DGRAM, 0);
				c = portres_acquire(s, BLOCK + 10 * k, 5,
						    &start, &token) ? 'n' : 'y';
				/* Holds its ports until the others tried. */
				if (write(res[1], &c, 1) != 1 ||
				    read(hold[0], &c, 1) < 0)
					_exit(3);
				_exit(0);
			}
			if (child < 0 || read(res[0], &c, 1) != 1)
				_exit(103);
			n += c == 'y';
		}
		close(hold[1]);
		while (wait(&status) > 0)
			;
		_exit(n);
	}
	if (read(done[0], &c, 1) != 1 ||
	    write_map(pid, "uid_map", "0 200000 10") ||
	    write_map(pid, "setgroups", "deny") ||
	    write_map(pid, "gid_map", "0 200000 10") ||
	    write(go[1], "g", 1) != 1)
		return 104;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 105;
	return WEXITSTATUS(status);
}

/*
 * A user's subordinate uids count as that user: they cannot hold more
 * than max_user_ports together, as each could alone.
 */
TEST_F(dev, user_limit_counts_subordinate_uids)
{
	ASSERT_EQ(0, set_param("max_user_ports", "8"));
	/* The first gets 5 ports; a second 5 would make the user's 10. */
	EXPECT_EQ(1, subuids_acquire());
	EXPECT_EQ(0, set_param("max_user_ports", "4096"));
}

/*
 * Forks a tenant: a process of root that makes a user namespace whose uids
 * 0-9 are @base to @base + 9 (as Docker's userns-remap, LXD, Kubernetes
 * or systemd-nspawn -U make them), keeping the test's network namespace,
 * which the initial user namespace owns.  In it, uid k < @n acquires
 * @counts[k] ports, one after the other, and holds them until the test
 * closes the write end of @hold.  @res is set to the tenant's results: a
 * character per acquire, 'y' (acquired), 'q' (EDQUOT) or 'n'.
 * Return: the tenant's pid, or -1.
 */
static pid_t tenant_start(const int hold[2], unsigned int base, int n,
			  const uint16_t *counts, char *res)
{
	int go[2], out[2], step[2], k, status;
	char map[64], c;
	pid_t pid;

	if (pipe(go) || pipe(out))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(hold[1]);
		close(go[1]);
		close(out[0]);
		if (unshare(CLONE_NEWUSER) || write(out[1], "u", 1) != 1 ||
		    read(go[0], &c, 1) != 1 || pipe(step))
			_exit(100);
		for (k = 0; k < n; k++) {
			pid_t child = fork();

			if (child == 0) {
				uint16_t start;
				uint64_t token;
				int ret = -EPERM;

				/* uid k of the namespace: kuid base + k. */
				if (!setgid(k) && !setuid(k))
					ret = portres_acquire(socket(AF_INET, SOCK_DGRAM, 0),
							      0, counts[k],
							      &start, &token);
				c = !ret ? 'y' : ret == -EDQUOT ? 'q' : 'n';
				if (write(step[1], &c, 1) != 1 ||
				    read(hold[0], &c, 1) < 0)
					_exit(3);
				_exit(0);
			}
			if (child < 0 || read(step[0], &c, 1) != 1 ||
			    write(out[1], &c, 1) != 1)
				_exit(101);
		}
		close(out[1]);
		while (wait(&status) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	close(out[1]);
	snprintf(map, sizeof(map), "0 %u 10", base);
	if (read(out[0], &c, 1) != 1 ||
	    write_map(pid, "uid_map", map) ||
	    write_map(pid, "setgroups", "deny") ||
	    write_map(pid, "gid_map", map) ||
	    write(go[1], "g", 1) != 1)
		n = 0;
	for (k = 0; k < n; k++)
		if (read(out[0], &res[k], 1) != 1)
			break;
	res[k] = 0;
	close(go[1]);
	close(out[0]);
	return pid;
}

/*
 * The user namespaces root makes for tenants are not all root's: each is
 * a user of its own, so that one tenant cannot take the others' ports.
 * A tenant's uids count as that tenant, as a user's subordinate uids
 * count as that user; two namespaces with the same uids (as Docker's
 * userns-remap gives every container) are two tenants.
 */
TEST_F(dev, user_limit_per_root_made_namespace)
{
	static const uint16_t two[] = { 8, 1 }, one[] = { 8 };
	char a[4] = "", b[4] = "", c[4] = "";
	pid_t pids[3];
	int hold[2], i, status;

	ASSERT_EQ(0, set_param("max_user_ports", "8"));
	ASSERT_EQ(0, pipe(hold));
	pids[0] = tenant_start(hold, 100000, 2, two, a);
	pids[1] = tenant_start(hold, 200000, 1, one, b);
	pids[2] = tenant_start(hold, 100000, 1, one, c);
	close(hold[1]);
	for (i = 0; i < 3; i++)
		if (pids[i] > 0)
			EXPECT_EQ(pids[i], waitpid(pids[i], &status, 0));
	close(hold[0]);
	/* Tenant A takes all its 8; its uid 1 is A as well. */
	EXPECT_STREQ("yq", a);
	/* B, and C with A's uids, still have theirs. */
	EXPECT_STREQ("y", b);
	EXPECT_STREQ("y", c);
	EXPECT_EQ(0, set_param("max_user_ports", "4096"));
}

static int acquire_as(uid_t uid, uint16_t count)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint16_t start;
		uint64_t token;
		int s, ret;

		if (uid && (setgid(uid) || setuid(uid)))
			_exit(100);
		s = socket(AF_INET, SOCK_STREAM, 0);
		ret = portres_acquire(s, 0, count, &start, &token);
		/* The reservation lives on in the parent's test: no. */
		_exit(ret == -EDQUOT ? 2 : ret ? 3 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * All users without CAP_NET_ADMIN together hold at most max_ns_ports of a
 * namespace, however many users there are; root is not limited.
 */
TEST_F(dev, namespace_limit)
{
	int s[2], i;
	uint16_t start;
	uint64_t token;
	pid_t pid;
	int status;

	ASSERT_EQ(0, set_param("max_ns_ports", "10"));
	/* Nobody holds 8 ports while another user asks for 5. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char c;
		int u;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		u = socket(AF_INET, SOCK_DGRAM, 0);
		c = portres_acquire(u, 0, 8, &start, &token) ? 'n' : 'y';
		if (write(s[1], &c, 1) != 1 || read(s[1], &c, 1) != 1)
			_exit(101);
		_exit(0);
	}
	{
		char c = 0;

		ASSERT_EQ(1, read(s[0], &c, 1));
		EXPECT_EQ('y', c);
	}
	EXPECT_EQ(2, acquire_as(1001, 5));
	EXPECT_EQ(0, acquire_as(1001, 2));
	EXPECT_EQ(0, acquire_as(0, 50));
	ASSERT_EQ(1, write(s[0], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Nobody's 8 are gone with its process: room again. */
	EXPECT_EQ(0, acquire_as(1001, 9));
	for (i = 0; i < 2; i++)
		close(s[i]);
	EXPECT_EQ(0, set_param("max_ns_ports", "16384"));
}

/*
 * In a user and network namespace of their own, a user administers the
 * network namespace and may make persistent reservations: at most
 * max_ns_persistent of them.
 */
TEST_F(dev, persistent_limit_in_user_owned_namespace)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_param("max_ns_persistent", "20"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t token;
		int i, made = 0, ret = 0;

		if (setgid(65534) || setuid(65534) ||
		    unshare(CLONE_NEWUSER | CLONE_NEWNET))
			_exit(100);
		for (i = 0; i < 25; i++) {
			ret = portres_persistent_create(IPPROTO_UDP,
							50000 + 2 * i, 1, 0,
							&token);
			if (ret)
				break;
			made++;
		}
		_exit(made == 20 && ret == -EDQUOT ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, set_param("max_ns_persistent", "1024"));
}

/* Protocols have separate port spaces, as in the kernel. */
TEST_F(dev, tcp_and_udp_apart)
{
	uint16_t start;
	uint64_t t1, t2;
	int t = socket(AF_INET6, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int plain = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_EQ(0, portres_acquire(t, BLOCK, 10, &start, &t1));
	EXPECT_EQ(0, bind_port(plain, AF_INET, BLOCK + 1));
	close(plain);
	ASSERT_EQ(0, portres_acquire(u, BLOCK, 10, &start, &t2));
	close(t);
	close(u);
}

/*
 * Unloading the module with reservations alive and sockets associated
 * frees them all: the sockets keep their ports, the ports leave automatic
 * selection's reserved set, and after loading again the tokens are gone.
 */
TEST_F(dev, module_reload)
{
	uint16_t start;
	uint64_t token;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int a = socket(AF_INET, SOCK_STREAM, 0);
	int b = socket(AF_INET, SOCK_STREAM, 0);
	int port, i, fd;

	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, portres_associate(b, token));
	ASSERT_EQ(0, bind_port(a, AF_INET, 0));
	port = local_port(a);
	ASSERT_TRUE(in_block(port, BLOCK, 10));

	portres_close();
	ASSERT_EQ(0, system("modprobe -r portres"));
	EXPECT_EQ(-ENODEV, portres_version());
	EXPECT_EQ(port, local_port(a));
	/* Nothing is reserved any more: b binds the way any socket does. */
	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 9));
	for (i = 0; i < 9; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		EXPECT_EQ(0, bind_port(fd, AF_INET, 0));
	}
	close(s);
	close(b);

	ASSERT_EQ(0, system("modprobe portres"));
	EXPECT_EQ(PORTRES_ABI_VERSION, portres_version());
	fd = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_EQ(-EINVAL, portres_release(fd, token));
	close(a);
}

#define LINGER	15	/* seconds close() lingers in the test below */

/*
 * A child process: a socket associated with a block, connected to a
 * listener that never reads, its send queue full and SO_LINGER on; it tells
 * the parent it is about to close, and close() then waits LINGER seconds in
 * the protocol's close, after portres' release hook.  Writes when close()
 * returned.
 */
static void lingering_close(int ready, int done)
{
	struct linger lg = { .l_onoff = 1, .l_linger = LINGER };
	int small = 4096, lst, s, c, peer, port;
	char chunk[16384] = { 0 };
	uint16_t start;
	uint64_t token;
	double end;

	lst = socket(AF_INET, SOCK_STREAM, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (lst < 0 || s < 0 || c < 0 ||
	    setsockopt(lst, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) ||
	    bind_loopback(lst, AF_INET, 0) || listen(lst, 1))
		_exit(10);
	port = local_port(lst);
	if (portres_acquire(s, BLOCK, 4, &start, &token) ||
	    portres_associate(c, token) || connect_port(c, AF_INET, port))
		_exit(11);
	if (!in_block(local_port(c), BLOCK, 4))
		_exit(12);
	peer = accept(lst, NULL, NULL);
	if (peer < 0 || fcntl(c, F_SETFL, O_NONBLOCK))
		_exit(13);
	while (write(c, chunk, sizeof(chunk)) > 0)
		;
	if (errno != EAGAIN ||
	    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		_exit(14);
	/* No module reference left: the device is closed. */
	portres_close();
	if (write(ready, "r", 1) != 1)
		_exit(15);
	close(c);
	end = now();
	if (write(done, &end, sizeof(end)) != sizeof(end))
		_exit(16);
	_exit(0);
}

/*
 * A lingering close does not hold the module: it is removed while a close()
 * of an associated socket lingers (the reservation has ended by then), and
 * returns long before that close() does, which then ends cleanly.
 */
TEST_F(dev, unload_not_held_by_lingering_close)
{
	int ready[2], done[2], status;
	double unloaded, closed;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		lingering_close(ready[1], done[1]);
	close(ready[1]);
	close(done[1]);
	portres_close();
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* Let the child enter close(). */
	usleep(500000);
	EXPECT_EQ(0, syscall(SYS_delete_module, "portres", O_NONBLOCK));
	unloaded = now();
	ASSERT_EQ(sizeof(closed), read(done[0], &closed, sizeof(closed)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_LT(unloaded, closed);
	EXPECT_EQ(-ENODEV, portres_version());
	ASSERT_EQ(0, system("modprobe portres"));
	EXPECT_EQ(PORTRES_ABI_VERSION, portres_version());
	close(ready[0]);
	close(done[0]);
}

/*
 * The initial namespace: sysfs and the configuration file are about its
 * persistent reservations only.  These tests clean up after themselves.
 */

/* A limited user's reservation has at most max_resv_sockets sockets. */
TEST_F(dev, association_limit)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_param("max_resv_sockets", "16"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int s, fd, i, bad = 0;
		uint64_t token;
		uint16_t start;

		portres_close();
		if (setgid(65534) || setuid(65534))
			_exit(100);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (portres_acquire(s, 0, 4, &start, &token))
			_exit(101);
		for (i = 0; i < 16; i++) {
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			bad |= portres_associate(fd, token) != 0;
		}
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		bad |= (portres_associate(fd, token) != -EDQUOT) << 1;
		close(fd);
		/* A socket that goes makes room. */
		close(fd - 1);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		bad |= (portres_associate(fd, token) != 0) << 2;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, set_param("max_resv_sockets", "1024"));
}

/*
 * Seconds to release a 1-port reservation with @bound associated sockets
 * sharing its port and @unbound associated sockets that hold none; also
 * the longest wait, meanwhile, of an acquire in the same namespace by
 * another process (@wait).  -1 on a failure.
 */
static double release_time(int bound, int unbound, double *wait)
{
	int n = bound + unbound, *fds, i, s, pipefd[2];
	double t0, t, *shared;
	uint64_t token;
	uint16_t start;
	pid_t pid;

	fds = calloc(n, sizeof(*fds));
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!fds || shared == MAP_FAILED || pipe(pipefd))
		return -1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (portres_acquire(s, BLOCK, 1, &start, &token))
		return -1;
	for (i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || portres_associate(fds[i], token) ||
		    (i < bound && bind_port(fds[i], AF_INET, BLOCK)))
			return -1;
	}
	/* The other process acquires and releases until told to stop. */
	shared[0] = 0;
	shared[1] = 0;
	pid = wait ? fork() : 0;
	if (!wait)
		goto timed;
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		uint64_t tk;
		uint16_t st;
		double a;

		close(pipefd[1]);
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
		while (read(pipefd[0], &a, 1) < 0) {
			a = now();
			if (portres_acquire(u, 0, 1, &st, &tk) ||
			    portres_release(u, tk))
				_exit(1);
			a = now() - a;
			if (a > shared[0])
				shared[0] = a;
			shared[1]++;
		}
		_exit(0);
	}
	close(pipefd[0]);
	while (shared[1] < 10)
		usleep(1000);
timed:
	t0 = now();
	if (portres_release(s, token))
		return -1;
	t = now() - t0;
	if (wait) {
		if (write(pipefd[1], "x", 1) != 1 ||
		    waitpid(pid, &i, 0) != pid || !WIFEXITED(i) ||
		    WEXITSTATUS(i))
			return -1;
		*wait = shared[0];
	} else {
		close(pipefd[0]);
	}
	close(pipefd[1]);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(s);
	free(fds);
	munmap(shared, 4096);
	return t;
}

/*
 * Releasing a reservation is linear in its sockets, and what waits for it
 * (another user's acquire in the namespace) waits no longer than that:
 * 8 times the sockets may take at most 24 times as long (3x slack for the
 * emulator's noise).  Before, every socket holding a port walked every
 * associated socket: 2,048 + 8,192 sockets took 66-103 times as long as
 * 256 + 1,024.
 */
TEST_F_TIMEOUT(dev, release_linear_in_associated_sockets, 600)
{
	struct rlimit rl = { 20000, 20000 };
	double small = 1e9, large = 1e9, t, t_wait, wait;
	int i;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	/* The least of three each: the emulator's noise only adds. */
	for (i = 0; i < 3; i++) {
		t = release_time(256, 1024, NULL);
		ASSERT_LT(0, t);
		if (t < small)
			small = t;
		t = release_time(2048, 8192, NULL);
		ASSERT_LT(0, t);
		if (t < large)
			large = t;
	}
	t_wait = release_time(2048, 8192, &wait);
	ASSERT_LT(0, t_wait);
	TH_LOG("release of 1,280 sockets %.1f ms, of 10,240 %.1f ms (x%.1f); with an acquire meanwhile %.1f ms, which waited at most %.1f ms",
	       small * 1e3, large * 1e3, large / small, t_wait * 1e3,
	       wait * 1e3);
	EXPECT_GT(24 * small, large);
	/* The acquire waited for the release, no longer. */
	EXPECT_GE(t_wait + 0.05, wait);
}

/* 1 when the hooks are registered, 0 when not, -1 when it cannot tell. */
static int hooks_on(void)
{
	char buf[32];

	if (read_file("/sys/kernel/portres/hooks", buf, sizeof(buf)) < 0)
		return -1;
	return !strncmp(buf, "on ", 3);
}

static int hooks_wait(int want, int ms)
{
	while (hooks_on() != want && ms > 0) {
		usleep(20000);
		ms -= 20;
	}
	return hooks_on() == want;
}

/*
 * The hooks on every socket's path are registered only while something is
 * reserved: the first acquire registers them and is enforced at once, the
 * last release lets them go after hook_idle_ms, and each time they come
 * back they enforce again.
 */
TEST_F(dev, hooks_registered_only_while_needed)
{
	char old[32] = "10000";
	uint16_t start;
	uint64_t token;
	int round, s, o;

	read_file("/sys/module/portres/parameters/hook_idle_ms", old,
		  sizeof(old));
	ASSERT_EQ(0, set_param("hook_idle_ms", "50"));
	/* What earlier tests left goes within the idle period they set. */
	ASSERT_TRUE(hooks_wait(0, 30000))
		TH_LOG("the hooks stay registered with nothing reserved");
	for (round = 0; round < 3; round++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
		EXPECT_EQ(1, hooks_on());
		o = socket(AF_INET, SOCK_STREAM, 0);
		EXPECT_EQ(-EACCES, bind_port(o, AF_INET, BLOCK + 1))
			TH_LOG("round %d: a bind into the block got through", round);
		close(o);
		close(s);
		EXPECT_TRUE(hooks_wait(0, 5000))
			TH_LOG("round %d: the hooks stay after the release", round);
		o = socket(AF_INET, SOCK_STREAM, 0);
		EXPECT_EQ(0, bind_port(o, AF_INET, BLOCK + 1));
		close(o);
	}
	set_param("hook_idle_ms", old);
}

TEST_HARNESS_MAIN
