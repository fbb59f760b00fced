// SPDX-License-Identifier: GPL-2.0
/*
 * resv_test: runtime and persistent reservations, association and the bind
 * hook, for TCP and UDP over IPv4 and IPv6 (the fixture's four variants).
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

#include <linux/capability.h>
#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "portres.h"

#define BLOCK	40000	/* a specific block used by the tests */


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

/* Drops CAP_NET_BIND_SERVICE from the calling process; 0 or -errno. */
static int drop_bind_service(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
	data[0].permitted &= ~(1u << CAP_NET_BIND_SERVICE);
	data[0].inheritable &= ~(1u << CAP_NET_BIND_SERVICE);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * A port of the block given by an implicit bind asks what bind() asks: a
 * process that acquired ports below ip_unprivileged_port_start and then
 * dropped CAP_NET_BIND_SERVICE gets none of them by sendfile() (which
 * reaches the stack's port choice without the sendmsg hook on Linux 6.1 to
 * 6.4), nor by sendto() or connect().
 */
TEST_F(resv, implicit_bind_needs_bind_service)
{
	int status;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int s = new_sock(self), a = new_sock(self), b = new_sock(self);
		int plain = new_sock(self), f = memfd_create("portres", 0);
		uint64_t token;
		uint16_t start;
		int port;

		if (s < 0 || a < 0 || b < 0 || plain < 0 || f < 0 ||
		    write(f, "sixteen bytes..", 16) != 16)
			_exit(10);
		if (portres_acquire(s, 100, 10, &start, &token))
			_exit(11);
		if (drop_bind_service())
			_exit(12);
		/* The capability is gone: bind() says so. */
		if (bind_port(plain, self->family, 200) != -EACCES)
			_exit(13);
		if (portres_associate(a, token) || portres_associate(b, token))
			_exit(14);
		sendfile(a, f, &(off_t){ 0 }, 16);
		port = local_port(a);
		if (in_block(port, 100, 10)) {
			fprintf(stderr, "sendfile bound port %d\n", port);
			_exit(15);
		}
		if (self->type == SOCK_DGRAM)
			sendto_port(b, self->family, 20000);
		else
			connect_port(b, self->family, 20000);
		port = local_port(b);
		if (in_block(port, 100, 10)) {
			fprintf(stderr, "implicit bind gave port %d\n", port);
			_exit(16);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
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

static int reuseport_of(int fd)
{
	int on = -1;
	socklen_t len = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, &len))
		return -errno;
	return on;
}

/* A fresh socket with SO_REUSEPORT bound to @port: 0 or -errno. */
static int bind_reuseport(int family, int type, uint16_t port)
{
	int fd = socket(family, type, 0), one = 1, ret;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		ret = -errno;
	else
		ret = bind_port(fd, family, port);
	close(fd);
	return ret;
}

/*
 * Sharing is the reservation's: a socket associated with it gets no
 * SO_REUSEPORT for a port outside the block, and no socket of the same
 * user (the stack's only condition for SO_REUSEPORT) may join a port that
 * the reservation's sockets were let share, during the reservation or
 * after its release, nor in a persistent block that lets others bind.
 */
TEST_F(resv, sharing_ends_with_the_reservation)
{
	int proto = proto_of(self->type);
	int s = new_sock(self), a = new_sock(self), b = new_sock(self);
	int c = new_sock(self);
	uint64_t token, ptoken;
	uint16_t start;

	ASSERT_EQ(0, portres_acquire(s, BLOCK, 10, &start, &token));
	ASSERT_EQ(0, portres_associate(a, token));
	ASSERT_EQ(0, portres_associate(b, token));
	EXPECT_EQ(0, bind_port(a, self->family, BLOCK + 50));
	EXPECT_EQ(0, reuseport_of(a));
	EXPECT_EQ(0, bind_port(b, self->family, BLOCK));
	EXPECT_EQ(-EACCES, bind_reuseport(self->family, self->type, BLOCK));
	EXPECT_EQ(-EADDRINUSE,
		  bind_reuseport(self->family, self->type, BLOCK + 50));
	ASSERT_EQ(0, portres_release(s, token));
	/* Released: b keeps its port, and no one may share it. */
	EXPECT_EQ(BLOCK, local_port(b));
	if (self->type == SOCK_STREAM) {
		/* b itself goes on using it. */
		EXPECT_EQ(0, listen(b, 1));
	}
	EXPECT_EQ(-EADDRINUSE, bind_reuseport(self->family, self->type, BLOCK));
	EXPECT_EQ(-EADDRINUSE,
		  bind_reuseport(self->family, self->type, BLOCK + 50));
	close(b);
	/* With b closed, the port is anyone's again. */
	EXPECT_EQ(0, bind_reuseport(self->family, self->type, BLOCK));

	ASSERT_EQ(0, portres_persistent_create(proto, BLOCK + 100, 1, 0,
					       &ptoken));
	ASSERT_EQ(0, portres_associate(c, ptoken));
	EXPECT_EQ(0, bind_port(c, self->family, BLOCK + 100));
	EXPECT_EQ(-EADDRINUSE,
		  bind_reuseport(self->family, self->type, BLOCK + 100));
	EXPECT_EQ(0, portres_persistent_delete(proto, BLOCK + 100, 1));
	close(c);
	close(a);
	close(s);
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

TEST_HARNESS_MAIN
