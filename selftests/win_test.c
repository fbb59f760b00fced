// SPDX-License-Identifier: GPL-2.0
/*
 * win_test: the Windows API layer returns, for every documented error of
 * the three control codes and the six iphlpapi functions, its Windows
 * value, and keeps Windows' byte orders and byte counts.  Each test runs in
 * a network namespace of its own.  Written in C: the C spelling of
 * INET_PORT_RESERVATION_INSTANCE (inst.StartPort, inst.Token).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <portres/iphlpapi.h>
#include <portres/mstcpip.h>
#include <portres/winsock2.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "portres.h"

#define BLOCK 40000

/* WSAIoctl() as a test sees it: 0 or the WSA error, and the byte count. */
static int wsa(SOCKET s, DWORD code, void *in, DWORD inlen, void *out,
	       DWORD outlen, DWORD *bytes)
{
	*bytes = 0xdead;
	if (WSAIoctl(s, code, in, inlen, out, outlen, bytes, NULL, NULL) == 0)
		return 0;
	return WSAGetLastError();
}

static int acquire(SOCKET s, USHORT start, USHORT count,
		   INET_PORT_RESERVATION_INSTANCE *inst)
{
	INET_PORT_RANGE range = { htons(start), count };
	DWORD bytes;

	return wsa(s, SIO_ACQUIRE_PORT_RESERVATION, &range, sizeof(range),
		   inst, sizeof(*inst), &bytes);
}

FIXTURE(win) {
	SOCKET tcp, udp;
};

FIXTURE_SETUP(win)
{
	WSADATA data;

	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, netns_enter());
	ASSERT_EQ(0, WSAStartup(MAKEWORD(2, 2), &data));
	ASSERT_EQ(MAKEWORD(2, 2), data.wVersion);
	self->tcp = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	self->udp = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	ASSERT_NE(INVALID_SOCKET, self->tcp);
	ASSERT_NE(INVALID_SOCKET, self->udp);
}

FIXTURE_TEARDOWN(win)
{
	closesocket(self->tcp);
	closesocket(self->udp);
	WSACleanup();
}

TEST_F(win, acquire_byte_order_and_count)
{
	INET_PORT_RANGE range = { htons(BLOCK), 20 };
	INET_PORT_RESERVATION_INSTANCE inst;
	uint64_t native;
	uint16_t start;
	DWORD bytes;

	memset(&inst, 0xff, sizeof(inst));
	ASSERT_EQ(0, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION, &range,
			 sizeof(range), &inst, sizeof(inst), &bytes));
	EXPECT_EQ(16, bytes);
	EXPECT_EQ(htons(BLOCK), inst.StartPort);
	EXPECT_EQ(20, inst.NumberOfPorts);
	EXPECT_NE(INVALID_PORT_RESERVATION_TOKEN, inst.Token);
	/* The kernel holds 40000-40019, in host order. */
	EXPECT_EQ(-EADDRINUSE, portres_acquire(socket(AF_INET, SOCK_STREAM, 0),
					       BLOCK + 19, 1, &start, &native));
	/* Wildcard. */
	range.StartPort = 0;
	ASSERT_EQ(0, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION, &range,
			 sizeof(range), &inst, sizeof(inst), &bytes));
	EXPECT_NE(0, inst.StartPort);
}

TEST_F(win, acquire_errors)
{
	INET_PORT_RANGE range = { htons(BLOCK), 20 };
	INET_PORT_RESERVATION_INSTANCE inst;
	DWORD bytes;
	int fds[2], unix_sock;

	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
				 &range, sizeof(range) - 1, &inst,
				 sizeof(inst), &bytes));
	EXPECT_EQ(0, bytes);
	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
				 &range, sizeof(range), &inst,
				 sizeof(inst) - 1, &bytes));
	EXPECT_EQ(0, bytes);
	EXPECT_EQ(WSAEFAULT, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
				 NULL, sizeof(range), &inst, sizeof(inst),
				 &bytes));
	EXPECT_EQ(SOCKET_ERROR, WSAIoctl(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
					 &range, sizeof(range), &inst,
					 sizeof(inst), NULL, NULL, NULL));
	EXPECT_EQ(WSAEFAULT, WSAGetLastError());
	range.NumberOfPorts = 0;
	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
				 &range, sizeof(range), &inst, sizeof(inst),
				 &bytes));
	range.StartPort = htons(65530);
	range.NumberOfPorts = 7;
	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
				 &range, sizeof(range), &inst, sizeof(inst),
				 &bytes));
	EXPECT_EQ(0, bytes);
	EXPECT_EQ(0, acquire(self->tcp, BLOCK, 10, &inst));
	EXPECT_EQ(WSAEADDRINUSE, acquire(self->tcp, BLOCK + 5, 10, &inst));
	/* Not a socket; not TCP or UDP; a closed descriptor. */
	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(WSAENOTSOCK, acquire(fds[0], BLOCK + 100, 1, &inst));
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(WSAENOTSOCK, acquire(fds[0], BLOCK + 100, 1, &inst));
	unix_sock = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_EQ(WSAEOPNOTSUPP, acquire(unix_sock, BLOCK + 100, 1, &inst));
	close(unix_sock);
	/* Any other control code. */
	EXPECT_EQ(WSAEOPNOTSUPP, wsa(self->tcp, 0x98000067, &range,
				     sizeof(range), &inst, sizeof(inst),
				     &bytes));
	EXPECT_EQ(0, bytes);
}

TEST_F(win, associate_and_release)
{
	INET_PORT_RESERVATION_INSTANCE inst;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	SOCKET a = socket(AF_INET, SOCK_STREAM, 0);
	SOCKET b = socket(AF_INET, SOCK_STREAM, 0);
	ULONG64 bogus = 12345;
	DWORD bytes;

	ASSERT_EQ(0, acquire(self->tcp, BLOCK, 10, &inst));
	EXPECT_EQ(WSAEINVAL, wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &inst.Token,
				 sizeof(inst.Token) - 1, NULL, 0, &bytes));
	EXPECT_EQ(WSAEINVAL, wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &bogus,
				 sizeof(bogus), NULL, 0, &bytes));
	/* The other protocol's socket. */
	EXPECT_EQ(WSAEINVAL, wsa(self->udp, SIO_ASSOCIATE_PORT_RESERVATION,
				 &inst.Token, sizeof(inst.Token), NULL, 0,
				 &bytes));
	ASSERT_EQ(0, wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &inst.Token,
			 sizeof(inst.Token), NULL, 0, &bytes));
	EXPECT_EQ(0, bytes);
	ASSERT_EQ(0, bind(a, (SOCKADDR *)&sin, sizeof(sin)));
	ASSERT_EQ(0, getsockname(a, (SOCKADDR *)&sin, &len));
	EXPECT_TRUE(ntohs(sin.sin_port) >= BLOCK && ntohs(sin.sin_port) < BLOCK + 10);
	/* Bound already. */
	sin.sin_port = 0;
	ASSERT_EQ(0, bind(b, (SOCKADDR *)&sin, sizeof(sin)));
	EXPECT_EQ(WSAEINVAL, wsa(b, SIO_ASSOCIATE_PORT_RESERVATION, &inst.Token,
				 sizeof(inst.Token), NULL, 0, &bytes));
	/* An outsider's explicit bind into the block. */
	closesocket(b);
	b = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons(BLOCK + 9);
	EXPECT_EQ(SOCKET_ERROR, bind(b, (SOCKADDR *)&sin, sizeof(sin)));
	EXPECT_EQ(WSAEACCES, WSAGetLastError());

	ASSERT_EQ(0, wsa(self->tcp, SIO_RELEASE_PORT_RESERVATION, &inst.Token,
			 sizeof(inst.Token), NULL, 0, &bytes));
	EXPECT_EQ(0, bytes);
	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_RELEASE_PORT_RESERVATION,
				 &inst.Token, sizeof(inst.Token), NULL, 0,
				 &bytes));
	closesocket(a);
	closesocket(b);
}

TEST_F(win, another_process)
{
	INET_PORT_RESERVATION_INSTANCE inst;
	int status;
	pid_t pid;

	ASSERT_EQ(0, acquire(self->tcp, BLOCK, 10, &inst));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		SOCKET a = socket(AF_INET, SOCK_STREAM, 0);
		DWORD bytes;

		portres_close();
		_exit(wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &inst.Token,
			  sizeof(inst.Token), NULL, 0, &bytes) != WSAEACCES ||
		      wsa(a, SIO_RELEASE_PORT_RESERVATION, &inst.Token,
			  sizeof(inst.Token), NULL, 0, &bytes) != WSAEACCES);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static DWORD seen_error, seen_bytes, seen_calls;
static LPWSAOVERLAPPED seen_ov;

static void completion(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
		       DWORD flags)
{
	seen_error = err;
	seen_bytes = bytes;
	seen_ov = ov;
	seen_calls += 1 + flags;
}

TEST_F(win, overlapped_completes_at_once)
{
	INET_PORT_RANGE range = { htons(BLOCK), 4 };
	INET_PORT_RESERVATION_INSTANCE inst;
	WSAOVERLAPPED ov;
	DWORD bytes = 0;

	memset(&ov, 0, sizeof(ov));
	ASSERT_EQ(0, WSAIoctl(self->tcp, SIO_ACQUIRE_PORT_RESERVATION, &range,
			      sizeof(range), &inst, sizeof(inst), &bytes, &ov,
			      completion));
	EXPECT_EQ(16, bytes);
	EXPECT_EQ(0, ov.Internal);
	EXPECT_EQ(16, ov.InternalHigh);
	EXPECT_EQ(1, seen_calls);
	EXPECT_EQ(0, seen_error);
	EXPECT_EQ(16, seen_bytes);
	EXPECT_EQ(&ov, seen_ov);
	/* A failure reaches the overlapped structure and the routine too. */
	EXPECT_EQ(SOCKET_ERROR, WSAIoctl(self->tcp, SIO_ACQUIRE_PORT_RESERVATION,
					 &range, sizeof(range), &inst,
					 sizeof(inst), &bytes, &ov, completion));
	EXPECT_EQ(WSAEADDRINUSE, WSAGetLastError());
	EXPECT_EQ(WSAEADDRINUSE, ov.Internal);
	EXPECT_EQ(2, seen_calls);
	EXPECT_EQ(WSAEADDRINUSE, seen_error);
	EXPECT_EQ(0, bytes);
}

TEST_F(win, iphlpapi_roundtrip_and_errors)
{
	ULONG64 token = 0, found = 0;
	uint64_t native;
	SOCKET a = socket(AF_INET6, SOCK_DGRAM, 0);
	DWORD bytes;

	EXPECT_EQ(NO_ERROR, CreatePersistentTcpPortReservation(htons(BLOCK), 10,
								&token));
	EXPECT_NE(0, token);
	EXPECT_EQ(NO_ERROR, LookupPersistentTcpPortReservation(htons(BLOCK), 10,
								&found));
	EXPECT_EQ(token, found);
	/* StartPort went to the kernel in host order. */
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, BLOCK, 10, &native));
	EXPECT_EQ(token, native);
	EXPECT_EQ(ERROR_SHARING_VIOLATION,
		  CreatePersistentTcpPortReservation(htons(BLOCK + 5), 10, &token));
	EXPECT_EQ(ERROR_INVALID_PARAMETER,
		  CreatePersistentTcpPortReservation(0, 10, &token));
	EXPECT_EQ(ERROR_INVALID_PARAMETER,
		  CreatePersistentTcpPortReservation(htons(BLOCK + 50), 0, &token));
	EXPECT_EQ(ERROR_INVALID_PARAMETER,
		  CreatePersistentTcpPortReservation(htons(65530), 7, &token));
	EXPECT_EQ(ERROR_INVALID_PARAMETER,
		  CreatePersistentTcpPortReservation(htons(BLOCK + 50), 1, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER,
		  LookupPersistentTcpPortReservation(htons(BLOCK), 10, NULL));
	EXPECT_EQ(ERROR_NOT_FOUND,
		  LookupPersistentTcpPortReservation(htons(BLOCK), 9, &found));
	EXPECT_EQ(ERROR_NOT_FOUND,
		  LookupPersistentUdpPortReservation(htons(BLOCK), 10, &found));
	EXPECT_EQ(ERROR_NOT_FOUND,
		  DeletePersistentTcpPortReservation(htons(BLOCK), 11));
	/* A persistent token is not released with the control code. */
	EXPECT_EQ(WSAEINVAL, wsa(self->tcp, SIO_RELEASE_PORT_RESERVATION,
				 &token, sizeof(token), NULL, 0, &bytes));
	EXPECT_EQ(NO_ERROR, DeletePersistentTcpPortReservation(htons(BLOCK), 10));
	EXPECT_EQ(ERROR_NOT_FOUND,
		  DeletePersistentTcpPortReservation(htons(BLOCK), 10));

	/* UDP, and association with a persistent token. */
	EXPECT_EQ(NO_ERROR, CreatePersistentUdpPortReservation(htons(BLOCK), 3,
								&token));
	EXPECT_EQ(0, wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &token,
			 sizeof(token), NULL, 0, &bytes));
	EXPECT_EQ(ERROR_SHARING_VIOLATION,
		  CreatePersistentUdpPortReservation(htons(BLOCK), 3, &token));
	EXPECT_EQ(NO_ERROR, LookupPersistentUdpPortReservation(htons(BLOCK), 3,
								&found));
	EXPECT_EQ(NO_ERROR, DeletePersistentUdpPortReservation(htons(BLOCK), 3));
	closesocket(a);
}

TEST_F(win, iphlpapi_unprivileged)
{
	ULONG64 token = 0;
	int status;
	pid_t pid;

	ASSERT_EQ(NO_ERROR, CreatePersistentUdpPortReservation(htons(BLOCK), 4,
								&token));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ULONG64 t = 0;
		SOCKET a;
		DWORD bytes;
		int bad = 0;

		portres_close();
		if (setgid(65534) || setuid(65534))
			_exit(100);
		a = socket(AF_INET, SOCK_DGRAM, 0);
		bad |= CreatePersistentUdpPortReservation(htons(BLOCK + 10), 1,
							  &t) != ERROR_ACCESS_DENIED;
		bad |= (DeletePersistentUdpPortReservation(htons(BLOCK), 4) !=
			ERROR_ACCESS_DENIED) << 1;
		bad |= (LookupPersistentUdpPortReservation(htons(BLOCK), 4, &t) !=
			NO_ERROR || t != token) << 2;
		bad |= (wsa(a, SIO_ASSOCIATE_PORT_RESERVATION, &token,
			    sizeof(token), NULL, 0, &bytes) != WSAEACCES) << 3;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(wsa_error_mapping)
{
	static const int map[][2] = {
		{ EINVAL, WSAEINVAL }, { EACCES, WSAEACCES },
		{ EADDRINUSE, WSAEADDRINUSE }, { ENOTSOCK, WSAENOTSOCK },
		{ EOPNOTSUPP, WSAEOPNOTSUPP }, { EFAULT, WSAEFAULT },
		{ ENODEV, WSAEOPNOTSUPP }, { EBADF, WSAENOTSOCK },
		{ ECONNREFUSED, WSAECONNREFUSED }, { EAGAIN, WSAEWOULDBLOCK },
		{ 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		errno = map[i][0];
		EXPECT_EQ(map[i][1], WSAGetLastError()) TH_LOG("errno %d", map[i][0]);
	}
	WSASetLastError(WSAEADDRINUSE);
	EXPECT_EQ(WSAEADDRINUSE, WSAGetLastError());
}

TEST_HARNESS_MAIN
