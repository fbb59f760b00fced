// SPDX-License-Identifier: GPL-2.0
/*
 * portres selftests: runtime reservations, association and the bind hook.
 *
 * Each test runs in a network namespace of its own, made in the fixture's
 * setup, so that ports and reservations of one test never meet another's.
 * Helpers return 0 or -errno, so that checks read EXPECT_EQ(-EACCES, ret).
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

static int sysctl_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	return write_file(path, value);
}
static int sysctl_read(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

static int port_range(int lo, int hi)
{
	char value[32];

	snprintf(value, sizeof(value), "%d %d", lo, hi);
	return sysctl_write("ip_local_port_range", value);
}

static socklen_t make_addr(int family, struct sockaddr_storage *ss,
			   uint16_t port, int loopback)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = loopback ? in6addr_loopback : in6addr_any;
		return sizeof(*sin6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	((struct sockaddr_in *)ss)->sin_addr.s_addr =
		htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
	return sizeof(struct sockaddr_in);
}

static int bind_port(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, &ss, port, 0);

	return bind(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

static int bind_loopback(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, &ss, port, 1);

	return bind(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

static int connect_port(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, &ss, port, 1);

	return connect(fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

static int sendto_port(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, &ss, port, 1);

	return sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) < 0 ?
		-errno : 0;
}

static int in_block(int port, uint16_t start, uint16_t count)
{
	return port >= start && port < start + count;
}

/* A server other sockets can connect or send to, on a port outside blocks. */
static int server(int family, int type, uint16_t port)
{
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -errno;
	if (bind_loopback(fd, family, port) ||
	    (type == SOCK_STREAM && listen(fd, 64))) {
		close(fd);
		return -errno;
	}
	return fd;
}

FIXTURE(resv) {
	int family;
	int type;
	int proto;
};

FIXTURE_VARIANT(resv) {
	int family;
	int type;
};

FIXTURE_VARIANT_ADD(resv, tcp4) { .family = AF_INET, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(resv, tcp6) { .family = AF_INET6, .type = SOCK_STREAM };
FIXTURE_VARIANT_ADD(resv, udp4) { .family = AF_INET, .type = SOCK_DGRAM };
FIXTURE_VARIANT_ADD(resv, udp6) { .family = AF_INET6, .type = SOCK_DGRAM };

FIXTURE_SETUP(resv)
{
	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, netns_enter());
	self->family = variant->family;
	self->type = variant->type;
	/* A small, known ephemeral range well away from BLOCK. */
	ASSERT_EQ(0, port_range(30000, 30999));
}

FIXTURE_TEARDOWN(resv)
{
}

#define new_sock(self) socket((self)->family, (self)->type, 0)

TEST_F(resv, acquire_wildcard)
{
	uint16_t start = 0;
	uint64_t token = 0;
	int s = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, 0, 10, &start, &token));
	EXPECT_NE((uint64_t)0, token);
	EXPECT_LE(30000, start);
	EXPECT_GE(30999 - 9, start);
	close(s);
}

TEST_F(resv, acquire_specific_and_tokens_unique)
{
	uint16_t start = 0;
	uint64_t t1 = 0, t2 = 0;
	int s = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &t1));
	EXPECT_EQ(BLOCK, start);
	ASSERT_EQ(0, portres_acquire(s, BLOCK + 10, 1, &start, &t2));
	EXPECT_EQ(BLOCK + 10, start);
	EXPECT_NE(t1, t2);
	EXPECT_NE((uint64_t)0, t2);
	close(s);
}

TEST_F(resv, acquire_boundaries)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self);

	ASSERT_LE(0, s);
	EXPECT_EQ(-EINVAL, portres_acquire(s, BLOCK, 0, &start, &token));
	EXPECT_EQ(-EINVAL, portres_acquire(s, 65530, 7, &start, &token));
	EXPECT_EQ(-EINVAL, portres_acquire(s, 2, 65535, &start, &token));
	EXPECT_EQ(0, portres_acquire(s, 65530, 6, &start, &token));
	EXPECT_EQ(65530, start);
	EXPECT_EQ(0, portres_acquire(s, 1, 1, &start, &token));
	EXPECT_EQ(1, start);
	/* Larger than the ephemeral range: no block can be found. */
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s, 0, 1001, &start, &token));
	close(s);
}

TEST_F(resv, acquire_overlap)
{
	uint16_t start;
	uint64_t token;
	int s1 = new_sock(self), s2 = new_sock(self);

	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, portres_acquire(s1, BLOCK, 10, &start, &token));
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s2, BLOCK + 5, 10, &start, &token));
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s2, BLOCK - 5, 6, &start, &token));
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s2, BLOCK + 9, 1, &start, &token));
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s1, BLOCK, 10, &start, &token));
	EXPECT_EQ(0, portres_acquire(s2, BLOCK + 10, 5, &start, &token));
	EXPECT_EQ(0, portres_acquire(s2, BLOCK - 5, 5, &start, &token));
	close(s1);
	close(s2);
}

TEST_F(resv, acquire_port_in_use)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), user = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_LE(0, user);
	ASSERT_EQ(0, bind_port(user, self->family, BLOCK + 3));
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s, BLOCK, 10, &start, &token));
	/* A wildcard block steers clear of ports in use. */
	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 19));
	ASSERT_EQ(0, portres_acquire(s, 0, 10, &start, &token));
	EXPECT_EQ(BLOCK + 4, start);
	close(user);
	close(s);
}

TEST_F(resv, associate_bind)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), port;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	/* Associating twice, or once bound, is refused. */
	EXPECT_EQ(-EINVAL, portres_associate(a, token));
	close(a);
	close(s);
}

TEST_F(resv, associate_acquiring_socket)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), port;

	/* As the Windows example does: the acquiring socket takes a port. */
	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, 0, 4, &start, &token));
	ASSERT_EQ(0, portres_associate(s, token));
	ASSERT_EQ(0, bind_port(s, self->family, 0));
	port = local_port(s);
	EXPECT_TRUE(in_block(port, start, 4)) TH_LOG("port %d", port);
	EXPECT_EQ(0, portres_release(s, token));
	EXPECT_EQ(port, local_port(s));
	close(s);
}

TEST_F(resv, associate_after_bind)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	EXPECT_EQ(-EINVAL, portres_associate(a, token));
	close(a);
	close(s);
}

TEST_F(resv, associate_bad_token)
{
	int other_type = self->type == SOCK_STREAM ? SOCK_DGRAM : SOCK_STREAM;
	uint16_t start;
	uint64_t token, other;
	int s = new_sock(self), a = new_sock(self);
	int o = socket(self->family, other_type, 0);

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	ASSERT_LE(0, o);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_acquire(o, BLOCK, 10, &start, &other));
	EXPECT_EQ(-EINVAL, portres_associate(a, 0));
	EXPECT_EQ(-EINVAL, portres_associate(a, token ^ 0x5a5a5a5a5a5aULL));
	/* A token of the other protocol. */
	EXPECT_EQ(-EINVAL, portres_associate(a, other));
	EXPECT_EQ(0, portres_associate(a, token));
	close(o);
	close(a);
	close(s);
}

TEST_F(resv, exhaust_block)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a[4], i, port, seen = 0;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 3, &start, &token));
	for (i = 0; i < 4; i++) {
		a[i] = new_sock(self);
		ASSERT_LE(0, a[i]);
		ASSERT_EQ(0, portres_associate(a[i], token));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, bind_port(a[i], self->family, 0));
		port = local_port(a[i]);
		ASSERT_TRUE(in_block(port, BLOCK, 3)) TH_LOG("port %d", port);
		EXPECT_FALSE(seen & (1 << (port - BLOCK)));
		seen |= 1 << (port - BLOCK);
	}
	EXPECT_EQ(-EADDRINUSE, bind_port(a[3], self->family, 0));
	/* Closing a socket gives its port back to the block. */
	port = local_port(a[1]);
	close(a[1]);
	EXPECT_EQ(0, bind_port(a[3], self->family, 0));
	EXPECT_EQ(port, local_port(a[3]));
	close(a[0]);
	close(a[2]);
	close(a[3]);
	close(s);
}

TEST_F(resv, implicit_bind_connect)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), srv, port;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	srv = server(self->family, self->type, 20000);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, connect_port(a, self->family, 20000));
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	close(a);
	close(srv);
	close(s);
}

TEST_F(resv, implicit_bind_listen_or_sendto)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), srv = -1, port;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	if (self->type == SOCK_STREAM) {
		ASSERT_EQ(0, listen(a, 1));
	} else {
		srv = server(self->family, self->type, 20000);
		ASSERT_LE(0, srv);
		ASSERT_EQ(0, sendto_port(a, self->family, 20000));
	}
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	if (srv >= 0)
		close(srv);
	close(a);
	close(s);
}

/*
 * sendfile() into an unbound associated socket: UDP gives it a port first
 * (on Linux 6.1 to 6.4 through sendpage, which has no security hook), and
 * that port is of its block; TCP sends nothing on an unconnected socket
 * and binds nothing.
 */
TEST_F(resv, implicit_bind_sendfile)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), f, port;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	/* An unconnected TCP socket's send raises SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	f = memfd_create("portres", 0);
	ASSERT_LE(0, f);
	ASSERT_EQ(16, write(f, "sixteen bytes..", 16));
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	EXPECT_EQ(-1, sendfile(a, f, &(off_t){ 0 }, 16));
	port = local_port(a);
	if (self->type == SOCK_STREAM) {
		EXPECT_EQ(0, port);
	} else {
		EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	}
	close(f);
	close(a);
	close(s);
}

/* No port is taken for a call that the stack refuses before it binds. */
TEST_F(resv, implicit_bind_not_for_failing_calls)
{
	struct sockaddr_storage ss;
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), port;
	int other = self->family == AF_INET ? AF_INET6 : AF_INET;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	if (self->type == SOCK_STREAM) {
		/* A short address, and one of the other family (TCP). */
		make_addr(self->family, &ss, 20000, 1);
		EXPECT_EQ(-1, connect(a, (struct sockaddr *)&ss, 4));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, local_port(a));
		make_addr(other, &ss, 20000, 1);
		EXPECT_EQ(-1, connect(a, (struct sockaddr *)&ss,
				      sizeof(struct sockaddr_in6)));
		EXPECT_EQ(EAFNOSUPPORT, errno);
		EXPECT_EQ(0, local_port(a));
	} else {
		/* A datagram socket cannot listen. */
		EXPECT_EQ(-1, listen(a, 1));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_EQ(0, local_port(a));
	}
	/* The association is still there for the next call. */
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	close(a);
	close(s);
}

TEST_F(resv, implicit_bind_address_no_port)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), srv, port, one = 1;

	ASSERT_LE(0, s);
	ASSERT_LE(0, a);
	srv = server(self->family, self->type, 20000);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, setsockopt(a, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
				sizeof(one)));
	ASSERT_EQ(0, bind_loopback(a, self->family, 0));
	EXPECT_EQ(0, local_port(a));
	ASSERT_EQ(0, connect_port(a, self->family, 20000));
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	close(a);
	close(srv);
	close(s);
}

TEST_F(resv, shared_explicit_port)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), b = new_sock(self), one = 1;

	/* One port, one socket per CPU bound to it, as MsQuic does. */
	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 1, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, portres_associate(b, token));
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
	ASSERT_EQ(0, setsockopt(b, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
	EXPECT_EQ(0, bind_port(a, self->family, BLOCK));
	EXPECT_EQ(0, bind_port(b, self->family, BLOCK));
	close(a);
	/* b still holds the only port. */
	a = new_sock(self);
	ASSERT_EQ(0, portres_associate(a, token));
	EXPECT_EQ(-EADDRINUSE, bind_port(a, self->family, 0));
	close(a);
	close(b);
	close(s);
}

/*
 * The sockets associated with one reservation share its ports with no
 * SO_REUSEPORT of their own, MsQuic's pattern: a 1-port block acquired on
 * the first socket, every socket (the first too) associated and bound to
 * that port.  Traffic is spread over them as SO_REUSEPORT spreads it; an
 * outsider, even with SO_REUSEPORT, is refused, and so is a second acquire.
 */
TEST_F(resv, associated_sockets_share_ports)
{
	int s[3], o, other, c, i, got[3] = { 0 }, served = 0, one = 1;
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t start;
	uint64_t token;

	for (i = 0; i < 3; i++) {
		s[i] = new_sock(self);
		ASSERT_LE(0, s[i]);
	}
	ASSERT_EQ(0, portres_acquire(s[0], BLOCK, 1, &start, &token));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, portres_associate(s[i], token));
		EXPECT_EQ(0, bind_port(s[i], self->family, BLOCK));
		if (self->type == SOCK_STREAM) {
			EXPECT_EQ(0, listen(s[i], 64));
		}
		fcntl(s[i], F_SETFL, O_NONBLOCK);
	}
	o = new_sock(self);
	ASSERT_EQ(0, setsockopt(o, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
	EXPECT_EQ(-EACCES, bind_port(o, self->family, BLOCK));
	other = new_sock(self);
	EXPECT_EQ(-EADDRINUSE, portres_acquire(other, BLOCK, 1, &start, &token));

	/* 48 peers, each from a port of its own. */
	len = make_addr(self->family, &ss, BLOCK, 1);
	for (i = 0; i < 48; i++) {
		c = new_sock(self);
		if (self->type == SOCK_STREAM) {
			EXPECT_EQ(0, connect(c, (struct sockaddr *)&ss, len));
		} else {
			EXPECT_EQ(1, sendto(c, "x", 1, 0,
					    (struct sockaddr *)&ss, len));
		}
		close(c);
	}
	usleep(100000);
	for (i = 0; i < 3; i++) {
		char buf[8];
		int fd;

		for (;;) {
			if (self->type == SOCK_STREAM) {
				fd = accept(s[i], NULL, NULL);
				if (fd < 0)
					break;
				close(fd);
			} else if (recv(s[i], buf, sizeof(buf), 0) < 0) {
				break;
			}
			got[i]++;
		}
		served += got[i] > 0;
	}
	EXPECT_EQ(48, got[0] + got[1] + got[2]);
	EXPECT_LE(2, served) TH_LOG("%d %d %d", got[0], got[1], got[2]);
	for (i = 0; i < 3; i++)
		close(s[i]);
	close(o);
	close(other);
}

TEST_F(resv, outsider_explicit_bind)
{
	uint16_t start;
	uint64_t token, other;
	int s = new_sock(self), plain = new_sock(self), a = new_sock(self);
	int s2 = new_sock(self), b = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_acquire(s2, BLOCK + 10, 10, &start, &other));
	EXPECT_EQ(-EACCES, bind_port(plain, self->family, BLOCK + 5));
	EXPECT_EQ(-EACCES, bind_port(plain, self->family, BLOCK));
	EXPECT_EQ(-EACCES, bind_port(plain, self->family, BLOCK + 9));
	EXPECT_EQ(0, bind_port(plain, self->family, BLOCK + 20));
	/* A socket associated with another block is an outsider too. */
	ASSERT_EQ(0, portres_associate(b, other));
	EXPECT_EQ(-EACCES, bind_port(b, self->family, BLOCK + 5));
	ASSERT_EQ(0, portres_associate(a, token));
	EXPECT_EQ(0, bind_port(a, self->family, BLOCK + 5));
	EXPECT_EQ(BLOCK + 5, local_port(a));
	close(a);
	close(b);
	close(plain);
	close(s2);
	close(s);
}

TEST_F(resv, other_process)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), status;
	pid_t pid;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = new_sock(self), ok = 1;

		portres_close();
		/* Another process, first as root, then unprivileged. */
		ok &= portres_associate(a, token) == -EACCES;
		ok &= portres_release(a, token) == -EACCES;
		ok &= setgid(65534) == 0 && setuid(65534) == 0;
		ok &= portres_associate(a, token) == -EACCES;
		ok &= portres_release(a, token) == -EACCES;
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The owner still can. */
	EXPECT_EQ(0, portres_release(s, token));
	close(s);
}

TEST_F(resv, release_twice)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	EXPECT_EQ(0, portres_release(s, token));
	EXPECT_EQ(-EINVAL, portres_release(s, token));
	EXPECT_EQ(-EINVAL, portres_associate(a, token));
	/* The block is free again, for anyone. */
	EXPECT_EQ(0, bind_port(a, self->family, BLOCK + 5));
	close(a);
	close(s);
}

TEST_F(resv, release_after_close)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), s2 = new_sock(self), a = new_sock(self);

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	close(s);
	EXPECT_EQ(-EINVAL, portres_release(s2, token));
	EXPECT_EQ(-EINVAL, portres_associate(a, token));
	EXPECT_EQ(0, portres_acquire(s2, BLOCK, 10, &start, &token));
	close(a);
	close(s2);
}

TEST_F(resv, close_by_process_death)
{
	uint64_t token;
	uint16_t start;
	int s2 = new_sock(self), pipefd[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int s = new_sock(self);

		if (portres_acquire(s, BLOCK, 10, &start, &token))
			_exit(1);
		/* Dies holding the socket; no close, no release. */
		_exit(write(pipefd[1], &token, sizeof(token)) == sizeof(token) ?
		      0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ((ssize_t)sizeof(token), read(pipefd[0], &token, sizeof(token)));
	EXPECT_EQ(-EINVAL, portres_release(s2, token));
	EXPECT_EQ(0, portres_acquire(s2, BLOCK, 10, &start, &token));
	close(pipefd[0]);
	close(pipefd[1]);
	close(s2);
}

TEST_F(resv, port_stays_after_release)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), a = new_sock(self), s2 = new_sock(self), port;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	port = local_port(a);
	ASSERT_TRUE(in_block(port, BLOCK, 10));
	close(s);
	EXPECT_EQ(port, local_port(a));
	/* Still in use: a new reservation over it is refused. */
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s2, BLOCK, 10, &start, &token));
	close(a);
	EXPECT_EQ(0, portres_acquire(s2, BLOCK, 10, &start, &token));
	close(s2);
}

/*
 * Binds @n sockets to port 0 and connects or sends from @n more; fails the
 * test if any port lands in the block.  Return: how many got a port.
 */
static int autobind_many(struct __test_metadata *_metadata, int family,
			 int type, int n, uint16_t start, uint16_t count)
{
	struct { int family, type; } sk = { family, type }, *self = &sk;
	int srv = server(self->family, self->type, 20000);
	int i, fd, port, got = 0;

	ASSERT_LE(0, srv);
	for (i = 0; i < 2 * n; i++) {
		fd = new_sock(self);
		if (i < n)
			port = bind_port(fd, self->family, 0);
		else if (self->type == SOCK_STREAM)
			port = connect_port(fd, self->family, 20000);
		else
			port = sendto_port(fd, self->family, 20000);
		if (!port) {
			port = local_port(fd);
			EXPECT_FALSE(in_block(port, start, count))
				TH_LOG("automatic port %d in the block", port);
			got++;
		}
		/* Sockets stay open so that ports run out. */
	}
	close(srv);
	return got;
}

TEST_F(resv, excluded_from_automatic_selection)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self);

	/* 60 ephemeral ports, 50 of them reserved: 10 left for the rest. */
	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 59));
	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK + 5, 50, &start, &token));
	EXPECT_GE(10, autobind_many(_metadata, self->family, self->type, 30, BLOCK + 5, 50));
}

TEST_F(resv, sysctl_write_keeps_reservations)
{
	uint16_t start;
	uint64_t token;
	char buf[256];
	int s = new_sock(self), fd, i;

	ASSERT_LE(0, s);
	/* The admin's own port inside the block to come. */
	ASSERT_EQ(0, sysctl_write("ip_local_reserved_ports", "40005"));
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	/* The sysctl shows the admin's ports only. */
	ASSERT_EQ(0, sysctl_read("ip_local_reserved_ports", buf, sizeof(buf)));
	EXPECT_STREQ("40005", buf);
	/* A write replaces the admin's set; the reservation stays. */
	ASSERT_EQ(0, sysctl_write("ip_local_reserved_ports", "40005,50000"));
	ASSERT_EQ(0, sysctl_read("ip_local_reserved_ports", buf, sizeof(buf)));
	EXPECT_STREQ("40005,50000", buf);
	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 19));
	EXPECT_GE(10, autobind_many(_metadata, self->family, self->type, 15, BLOCK, 10));

	ASSERT_EQ(0, portres_release(s, token));
	ASSERT_EQ(0, sysctl_read("ip_local_reserved_ports", buf, sizeof(buf)));
	EXPECT_STREQ("40005,50000", buf);
	/* The reservation's ports are free again, the admin's are not. */
	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 9));
	for (i = 0; i < 9; i++) {
		fd = new_sock(self);
		ASSERT_EQ(0, bind_port(fd, self->family, 0));
		EXPECT_NE(40005, local_port(fd));
	}
	fd = new_sock(self);
	EXPECT_EQ(-EADDRINUSE, bind_port(fd, self->family, 0));
	close(s);
}

TEST_F(resv, other_namespace_unaffected)
{
	uint16_t start;
	uint64_t token;
	int s = new_sock(self), status;
	pid_t pid;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ok = netns_enter() == 0, a;

		a = new_sock(self);
		ok &= bind_port(a, self->family, BLOCK + 5) == 0;
		/* The token means nothing in another namespace. */
		close(a);
		a = new_sock(self);
		ok &= portres_associate(a, token) == -EINVAL;
		ok &= portres_release(a, token) == -EINVAL;
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(s);
}

/* Persistent reservations, in the test's own namespace. */

static int proto_of(int type)
{
	return type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
}

/* Runs @fn in a child that has dropped root; Return: its exit status. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		portres_close();
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * No reservation gives more power than bind(): a block below
 * ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE over the namespace.
 */
struct priv_case {
	int family, type;
	uint16_t start, count;
	int userns;	/* in a user and network namespace of its own */
	int expect;	/* what portres_acquire() returns */
};

static int priv_acquire(void *arg)
{
	const struct priv_case *c = arg;
	uint64_t token;
	uint16_t start;
	int s, ret;

	if (c->userns && (unshare(CLONE_NEWUSER | CLONE_NEWNET) || lo_up()))
		return 99;
	s = socket(c->family, c->type, 0);
	if (s < 0)
		return 98;
	ret = portres_acquire(s, c->start, c->count, &start, &token);
	close(s);
	return ret == c->expect ? 0 : 10 + (ret < 0 ? -ret : 0);
}

TEST_F(resv, privileged_ports_need_bind_service)
{
	struct priv_case c = { self->family, self->type, 80, 1, 0, -EACCES };
	uint64_t token;
	uint16_t start;
	int s;

	/* Without the capability: no block that starts below 1024. */
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	c.start = 1020;
	c.count = 10;
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	c.start = 1024;
	c.expect = 0;
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	/* Where the user holds it, as bind() would let them: their own netns. */
	c.start = 80;
	c.count = 1;
	c.userns = 1;
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	/* The namespace's own limit counts. */
	c.userns = 0;
	ASSERT_EQ(0, sysctl_write("ip_unprivileged_port_start", "80"));
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	c.start = 79;
	c.expect = -EACCES;
	EXPECT_EQ(0, as_nobody(priv_acquire, &c));
	/* With the capability (root here), as before. */
	s = new_sock(self);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, portres_acquire(s, 22, 1, &start, &token));
	EXPECT_EQ(22, start);
	close(s);
}

/* An MPTCP socket binds TCP ports: refused a runtime TCP block like TCP. */
TEST_F(resv, mptcp_refused_like_tcp)
{
	int s = new_sock(self), m, t;
	uint64_t token;
	uint16_t start;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, portres_acquire(s, BLOCK, 4, &start, &token));
	m = socket(self->family, SOCK_STREAM, IPPROTO_MPTCP);
	ASSERT_LE(0, m) TH_LOG("MPTCP socket: %s", strerror(errno));
	t = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, t);
	if (self->type == SOCK_STREAM) {
		EXPECT_EQ(-EACCES, bind_port(m, self->family, BLOCK + 1));
		EXPECT_EQ(-EACCES, bind_port(t, self->family, BLOCK + 1));
	} else {
		/* A UDP block keeps no TCP port. */
		EXPECT_EQ(0, bind_port(m, self->family, BLOCK + 1));
		EXPECT_EQ(0, bind_port(t, self->family, BLOCK + 2));
	}
	/* It cannot hold a reservation itself. */
	close(m);
	m = socket(self->family, SOCK_STREAM, IPPROTO_MPTCP);
	ASSERT_LE(0, m);
	EXPECT_EQ(-EOPNOTSUPP, portres_acquire(m, BLOCK + 10, 1, &start, &token));
	EXPECT_EQ(-EOPNOTSUPP, portres_associate(m, token));
	close(m);
	close(t);
	close(s);
}

TEST_F(resv, persistent_roundtrip)
{
	int proto = proto_of(self->type), other = proto == IPPROTO_TCP ?
		IPPROTO_UDP : IPPROTO_TCP;
	uint64_t token = 0, found = 0;

	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
	EXPECT_NE((uint64_t)0, token);
	ASSERT_EQ(0, portres_persistent_lookup(proto, BLOCK, 10, &found));
	EXPECT_EQ(token, found);
	/* Lookup and delete match the block exactly. */
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(proto, BLOCK, 9, &found));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(proto, BLOCK + 1, 9, &found));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(other, BLOCK, 10, &found));
	EXPECT_EQ(-ENOENT, portres_persistent_delete(proto, BLOCK, 11));
	EXPECT_EQ(-ENOENT, portres_persistent_delete(other, BLOCK, 10));
	EXPECT_EQ(0, portres_persistent_delete(proto, BLOCK, 10));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(proto, BLOCK, 10, &found));
	EXPECT_EQ(-ENOENT, portres_persistent_delete(proto, BLOCK, 10));
}

TEST_F(resv, persistent_errors)
{
	int proto = proto_of(self->type);
	int s = new_sock(self), user = new_sock(self);
	uint64_t token, runtime;
	uint16_t start;

	EXPECT_EQ(-EINVAL, portres_persistent_create(proto, 0, 10, 0, &token));
	EXPECT_EQ(-EINVAL, portres_persistent_create(proto, BLOCK, 0, 0, &token));
	EXPECT_EQ(-EINVAL, portres_persistent_create(proto, 65530, 7, 0, &token));
	EXPECT_EQ(-EINVAL, portres_persistent_create(IPPROTO_SCTP, BLOCK, 1, 0,
						     &token));
	EXPECT_EQ(-EINVAL, portres_persistent_create(proto, BLOCK, 1, 0x80,
						     &token));
	EXPECT_EQ(-EINVAL, portres_persistent_lookup(proto, 0, 1, &token));
	EXPECT_EQ(-EINVAL, portres_persistent_delete(proto, BLOCK, 0));
	EXPECT_EQ(0, portres_persistent_create(proto, 65535, 1, 0, &token));

	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
	EXPECT_EQ(-EADDRINUSE, portres_persistent_create(proto, BLOCK + 9, 5, 0,
							 &token));
	/* Runtime and persistent blocks never overlap, either way round. */
	EXPECT_EQ(-EADDRINUSE, portres_acquire(s, BLOCK + 3, 1, &start,
					       &runtime));
	ASSERT_EQ(0, portres_acquire(s, BLOCK + 20, 10, &start, &runtime));
	EXPECT_EQ(-EADDRINUSE, portres_persistent_create(proto, BLOCK + 25, 10,
							 0, &token));
	/* A port in use. */
	ASSERT_EQ(0, bind_port(user, self->family, BLOCK + 40));
	EXPECT_EQ(-EADDRINUSE, portres_persistent_create(proto, BLOCK + 35, 10,
							 0, &token));
	/* A persistent token is not released like a runtime one. */
	ASSERT_EQ(0, portres_persistent_lookup(proto, BLOCK, 10, &token));
	EXPECT_EQ(-EINVAL, portres_release(s, token));
	close(user);
	close(s);
}

struct nobody_args {
	int proto, family, type;
	uint64_t token;
};

static int nobody_persistent(void *p)
{
	struct nobody_args *a = p;
	uint64_t token = 0;
	int fd = socket(a->family, a->type, 0), bad = 0;

	bad |= (portres_persistent_create(a->proto, BLOCK + 100, 1, 0,
					  &token) != -EACCES) << 0;
	bad |= (portres_persistent_delete(a->proto, BLOCK, 10) != -EACCES) << 1;
	bad |= (portres_persistent_lookup(a->proto, BLOCK, 10, &token) != 0 ||
		token != a->token) << 2;
	bad |= (portres_associate(fd, a->token) != -EACCES) << 3;
	bad |= (portres_release(fd, a->token) != -EINVAL) << 4;
	return bad;
}

TEST_F(resv, persistent_unprivileged)
{
	struct nobody_args a = {
		.proto = proto_of(self->type),
		.family = self->family,
		.type = self->type,
	};
	int s = new_sock(self);

	ASSERT_EQ(0, portres_persistent_create(a.proto, BLOCK, 10, 0, &a.token));
	EXPECT_EQ(0, as_nobody(nobody_persistent, &a));
	/* Root still can. */
	EXPECT_EQ(0, portres_associate(s, a.token));
	EXPECT_EQ(0, portres_persistent_delete(a.proto, BLOCK, 10));
	close(s);
}

TEST_F(resv, persistent_associate_bind)
{
	int proto = proto_of(self->type);
	int a = new_sock(self), b = new_sock(self), srv, port;
	uint64_t token;

	srv = server(self->family, self->type, 20000);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	port = local_port(a);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	ASSERT_EQ(0, portres_associate(b, token));
	ASSERT_EQ(0, connect_port(b, self->family, 20000));
	port = local_port(b);
	EXPECT_TRUE(in_block(port, BLOCK, 10)) TH_LOG("port %d", port);
	close(a);
	close(b);
	close(srv);
}

TEST_F(resv, persistent_exclusive_or_not)
{
	int proto = proto_of(self->type);
	int plain = new_sock(self), a = new_sock(self);
	uint64_t token;

	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK + 10, 10,
					       PORTRES_EXCLUSIVE, &token));
	/* Anyone may bind a port of a block that is not exclusive... */
	EXPECT_EQ(0, bind_port(plain, self->family, BLOCK + 3));
	close(plain);
	/* ...but not of an exclusive one, unless associated with it. */
	plain = new_sock(self);
	EXPECT_EQ(-EACCES, bind_port(plain, self->family, BLOCK + 13));
	ASSERT_EQ(0, portres_associate(a, token));
	EXPECT_EQ(0, bind_port(a, self->family, BLOCK + 13));
	close(plain);
	close(a);
}

TEST_F(resv, persistent_excluded_from_automatic_selection)
{
	uint64_t token;

	ASSERT_EQ(0, port_range(BLOCK, BLOCK + 59));
	ASSERT_EQ(0, portres_persistent_create(proto_of(self->type), BLOCK + 5,
					       50, 0, &token));
	EXPECT_GE(10, autobind_many(_metadata, self->family, self->type, 30,
				    BLOCK + 5, 50));
}

TEST_F(resv, persistent_delete_keeps_ports)
{
	int proto = proto_of(self->type), a = new_sock(self), port;
	uint64_t token;

	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, bind_port(a, self->family, 0));
	port = local_port(a);
	ASSERT_EQ(0, portres_persistent_delete(proto, BLOCK, 10));
	EXPECT_EQ(port, local_port(a));
	EXPECT_EQ(-EADDRINUSE, portres_persistent_create(proto, BLOCK, 10, 0,
							 &token));
	close(a);
	EXPECT_EQ(0, portres_persistent_create(proto, BLOCK, 10, 0, &token));
}

/*
 * A namespace that goes away with reservations in it: runtime ones with
 * their sockets (the process dies), persistent ones on their own.  Nothing
 * may be left behind; the module checks its tables when it unloads.
 */
TEST_F(resv, netns_teardown)
{
	int status, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int proto = proto_of(self->type), ok = netns_enter() == 0;
		uint64_t token;
		uint16_t start;

		for (i = 0; i < 20 && ok; i++) {
			int s = new_sock(self), a = new_sock(self);

			ok &= portres_acquire(s, BLOCK + 10 * i, 5, &start,
					      &token) == 0;
			ok &= portres_associate(a, token) == 0;
			ok &= bind_port(a, self->family, 0) == 0;
			ok &= portres_persistent_create(proto, 50000 + 10 * i,
							5, 0, &token) == 0;
			ok &= portres_associate(new_sock(self), token) == 0;
		}
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

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

#define CONF	"/etc/portres.conf"

static int raw_persistent(unsigned long cmd, int proto, uint16_t start,
			  uint16_t count, int flags, uint64_t *token)
{
	struct portres_persistent arg = {
		.protocol = proto,
		.flags = flags,
		.start = start,
		.count = count,
	};
	int ret = portres_raw_ioctl(cmd, &arg);

	if (!ret && token)
		*token = arg.token;
	return ret;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -EIO;
	close(fd);
	return ret;
}

static const char *attr(const char *entry, const char *name)
{
	static char buf[64];
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/%s", entry, name);
	if (read_text(path, buf, sizeof(buf)))
		return "(unreadable)";
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The directories of /sys/kernel/portres, sorted, space-separated. */
static const char *entries(void)
{
	static char out[256];

	out[0] = 0;
	if (system("ls /sys/kernel/portres > /tmp/entries"))
		return "(ls failed)";
	if (read_text("/tmp/entries", out, sizeof(out)))
		return "(unreadable)";
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : 0;
	return out;
}

static int reload(void)
{
	portres_close();
	return system("modprobe -r portres && modprobe portres");
}

static int nobody_reads_token(void *entry)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/token",
		 (char *)entry);
	if (read_text(path, buf, sizeof(buf)) != -EACCES)
		return 1;
	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/start",
		 (char *)entry);
	return read_text(path, buf, sizeof(buf)) != 0;
}

static int other_netns_create(void *unused)
{
	uint64_t token;

	/* Root again (not dropped); a namespace of its own. */
	return netns_enter() ||
	       raw_persistent(PORTRES_IOC_CREATE, IPPROTO_TCP, 62000, 1, 0,
			      &token) ||
	       system("test ! -e /sys/kernel/portres/tcp-62000-62000");
}

TEST(sysfs_shows_live_reservations)
{
	uint64_t ttok, utok;
	char buf[32];
	int a, b, plain, status;
	pid_t pid;

	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	EXPECT_STREQ("", entries());
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_CREATE, IPPROTO_TCP, 61000, 10,
				    PORTRES_F_EXCLUSIVE, &ttok));
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_CREATE, IPPROTO_UDP, 61100, 5,
				    0, &utok));
	EXPECT_STREQ("tcp-61000-61009 udp-61100-61104", entries());
	EXPECT_STREQ("tcp", attr("tcp-61000-61009", "protocol"));
	EXPECT_STREQ("61000", attr("tcp-61000-61009", "start"));
	EXPECT_STREQ("10", attr("tcp-61000-61009", "count"));
	EXPECT_STREQ("1", attr("tcp-61000-61009", "exclusive"));
	EXPECT_STREQ("0", attr("tcp-61000-61009", "in_use"));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ttok);
	EXPECT_STREQ(buf, attr("tcp-61000-61009", "token"));
	EXPECT_STREQ("udp", attr("udp-61100-61104", "protocol"));
	EXPECT_STREQ("0", attr("udp-61100-61104", "exclusive"));

	/* Ports in use: two associated sockets, one outsider. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET6, SOCK_STREAM, 0);
	plain = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, portres_associate(a, ttok));
	ASSERT_EQ(0, portres_associate(b, ttok));
	ASSERT_EQ(0, bind_port(a, AF_INET, 0));
	ASSERT_EQ(0, bind_port(b, AF_INET6, 0));
	ASSERT_EQ(0, bind_port(plain, AF_INET, 61102));
	EXPECT_STREQ("2", attr("tcp-61000-61009", "in_use"));
	EXPECT_STREQ("1", attr("udp-61100-61104", "in_use"));
	close(b);
	EXPECT_STREQ("1", attr("tcp-61000-61009", "in_use"));

	EXPECT_EQ(0, as_nobody(nobody_reads_token, "tcp-61000-61009"));

	/* Another namespace's persistent reservation is not shown. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(other_netns_create(NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_DELETE, IPPROTO_TCP, 61000, 10,
				    0, NULL));
	EXPECT_STREQ("udp-61100-61104", entries());
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_DELETE, IPPROTO_UDP, 61100, 5,
				    0, NULL));
	EXPECT_STREQ("", entries());
	close(a);
	close(plain);
}

static const char conf_text[] =
	"# test configuration\n"
	"tcp 61000 10\n"
	"udp 61000 10 exclusive\n"
	"bogus line here\n"
	"tcp 61005 2\n"
	"tcp 0 5\n"
	"udp 61500 1   # trailing comment\n";

/* Waits for udev (mdev in the guest) to restore the file after a load. */
static int wait_restored(int proto, uint16_t start, uint16_t count)
{
	uint64_t token;
	int i, ret = -ENOENT;

	for (i = 0; i < 100 && ret == -ENOENT; i++) {
		ret = portres_persistent_lookup(proto, start, count, &token);
		if (ret == -ENOENT)
			usleep(100000);
	}
	return ret;
}

TEST(persistent_restored_on_reload)
{
	char buf[1024], expect[1024];
	uint64_t token;

	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	if (access("/tests/portresctl", X_OK))
		SKIP(return, "no portresctl to restore the file");
	ASSERT_EQ(0, write_text(CONF, conf_text));
	ASSERT_EQ(0, reload());
	/* The device appeared: udev ran portresctl restore. */
	EXPECT_EQ(0, wait_restored(IPPROTO_UDP, 61500, 1));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, 61000, 10, &token));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_UDP, 61000, 10, &token));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_TCP, 61005, 2,
						     &token));
	EXPECT_STREQ("1", attr("udp-61000-61009", "exclusive"));
	EXPECT_STREQ("0", attr("tcp-61000-61009", "exclusive"));
	/*
	 * Once more by hand: what is there already stays, each bad line is
	 * reported with its number, and the exit status says so.
	 */
	EXPECT_EQ(1 << 8, system("portresctl restore 2>/tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":4: protocol must be tcp or udp; line ignored' /tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":5: cannot reserve tcp 61005-61006: Address already in use' /tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":6: start must be a port' /tmp/restore.err"));
	EXPECT_EQ(3, system("exit $(wc -l </tmp/restore.err)") >> 8);
	EXPECT_STREQ("tcp-61000-61009 udp-61000-61009 udp-61500-61500",
		     entries());

	/* The library adds its block's line and touches nothing else. */
	ASSERT_EQ(0, portres_persistent_create(IPPROTO_TCP, 62000, 4, 0, &token));
	ASSERT_EQ(0, read_text(CONF, buf, sizeof(buf)));
	snprintf(expect, sizeof(expect), "%stcp 62000 4\n", conf_text);
	EXPECT_STREQ(expect, buf);
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_TCP, 62000, 4));
	ASSERT_EQ(0, read_text(CONF, buf, sizeof(buf)));
	EXPECT_STREQ(conf_text, buf);

	/* Deleting a block of the file removes its line and no other. */
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 61000, 10));
	ASSERT_EQ(0, read_text(CONF, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "udp 61000 10 exclusive"));
	EXPECT_NE(NULL, strstr(buf, "bogus line here\ntcp 61005 2\n"));
	ASSERT_EQ(0, reload());
	EXPECT_EQ(0, wait_restored(IPPROTO_UDP, 61500, 1));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_UDP, 61000, 10,
						     &token));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, 61000, 10, &token));

	/* Without a file, the library makes one. */
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_TCP, 61000, 10));
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 61500, 1));
	ASSERT_EQ(0, unlink(CONF));
	ASSERT_EQ(0, portres_persistent_create(IPPROTO_UDP, 62000, 2,
					       PORTRES_EXCLUSIVE, &token));
	ASSERT_EQ(0, read_text(CONF, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "# ", 2));
	EXPECT_NE(NULL, strstr(buf, "\nudp 62000 2 exclusive\n"));
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 62000, 2));
	ASSERT_EQ(0, read_text(CONF, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "62000"));
	EXPECT_STREQ("", entries());
	unlink(CONF);
}

TEST_HARNESS_MAIN
