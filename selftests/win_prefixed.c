// SPDX-License-Identifier: GPL-2.0
/*
 * win_prefixed: a program with a Windows compatibility layer of its own
 * (its own closesocket(), WSAIoctl() and WSAGetLastError()) takes only the
 * portres_ names of libportres' Windows API (PORTRES_WIN_PREFIXED_ONLY).
 * It links against the static library, whose Windows names are weak, and
 * shows that each call reaches the function it names: its own layer for
 * the Windows names, portres for the portres_ ones.  Prints TAP.
 */
#define PORTRES_WIN_PREFIXED_ONLY
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <portres/winsock2.h>
#include <portres/mstcpip.h>
#include <portres/iphlpapi.h>

/* The project's own layer, with other semantics than portres'. */
static int own_calls;

int closesocket(int fd)
{
	own_calls++;
	return close(fd);
}

int WSAIoctl(int s, unsigned int code, void *in, unsigned int inlen,
	     void *out, unsigned int outlen, unsigned int *bytes, void *ov,
	     void *routine)
{
	(void)s; (void)code; (void)in; (void)inlen; (void)out; (void)outlen;
	(void)ov; (void)routine;
	own_calls++;
	if (bytes)
		*bytes = 0;
	errno = ENOSYS;
	return -1;
}

int WSAGetLastError(void)
{
	own_calls++;
	return 4242;
}

static int n, failed;

static void ok(int cond, const char *what)
{
	n++;
	printf("%sok %d %s\n", cond ? "" : "not ", n, what);
	if (!cond)
		failed = 1;
}

int main(void)
{
	INET_PORT_RESERVATION_INSTANCE inst;
	INET_PORT_RANGE range = { 0, 8 };
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	DWORD bytes = 0;
	ULONG64 token;
	SOCKET s, t;
	int ret;

	printf("1..7\n");
	s = socket(AF_INET, SOCK_STREAM, 0);
	t = socket(AF_INET, SOCK_STREAM, 0);

	ret = WSAIoctl(s, SIO_ACQUIRE_PORT_RESERVATION, &range, sizeof(range),
		       &inst, sizeof(inst), &bytes, NULL, NULL);
	ok(ret == -1 && errno == ENOSYS && own_calls == 1,
	   "WSAIoctl() is the program's own");
	ok(WSAGetLastError() == 4242 && own_calls == 2,
	   "WSAGetLastError() is the program's own");

	ret = portres_WSAIoctl(s, SIO_ACQUIRE_PORT_RESERVATION, &range,
			       sizeof(range), &inst, sizeof(inst), &bytes,
			       NULL, NULL);
	ok(ret == 0 && bytes == sizeof(inst) && inst.NumberOfPorts == 8,
	   "portres_WSAIoctl() acquires a block");
	token = inst.Token;
	ret = portres_WSAIoctl(t, SIO_ASSOCIATE_PORT_RESERVATION, &token,
			       sizeof(token), NULL, 0, &bytes, NULL, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ok(ret == 0 && bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	   getsockname(t, (struct sockaddr *)&sin, &len) == 0 &&
	   ntohs(sin.sin_port) >= ntohs(inst.StartPort) &&
	   ntohs(sin.sin_port) < ntohs(inst.StartPort) + 8,
	   "portres_WSAIoctl() associates; bind() takes a port of the block");

	ret = portres_WSAIoctl(t, 0x12345678, NULL, 0, NULL, 0, &bytes, NULL,
			       NULL);
	ok(ret == SOCKET_ERROR && portres_WSAGetLastError() == WSAEOPNOTSUPP,
	   "portres_WSAGetLastError() maps errno");
	ok(portres_CreatePersistentTcpPortReservation(0, 1, &token) ==
	   ERROR_INVALID_PARAMETER, "portres_CreatePersistentTcpPortReservation()");

	ok(closesocket(t) == 0 && own_calls == 3 &&
	   portres_closesocket(s) == 0 && own_calls == 3,
	   "closesocket() is the program's own, portres_closesocket() portres'");
	return failed;
}
