// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libportres: the Windows API layer, over the native API.
 *
 * Each function is defined under its portres_ name; the Windows name is a
 * weak alias of it, so that a program with its own closesocket() or
 * WSAIoctl() (built with PORTRES_WIN_PREFIXED_ONLY) links against the
 * static library too, its own definitions taking the Windows names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <portres/iphlpapi.h>
#include <portres/mstcpip.h>
#include <portres/winsock2.h>

#include "portres.h"

int portres_WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
{
	if (!lpWSAData)
		return WSAEFAULT;
	memset(lpWSAData, 0, sizeof(*lpWSAData));
	lpWSAData->wVersion = MAKEWORD(2, 2);
	lpWSAData->wHighVersion = MAKEWORD(2, 2);
	strcpy(lpWSAData->szDescription, "portres Windows Sockets layer");
	strcpy(lpWSAData->szSystemStatus, "Running");
	/* Windows refuses versions below 1.0 only; 2.2 is what is offered. */
	if (!LOBYTE(wVersionRequested))
		return WSAVERNOTSUPPORTED;
	return 0;
}

int portres_WSACleanup(void)
{
	return 0;
}

static const struct {
	int errnum;
	int wsa;
} portres_wsa_errors[] = {
	{ EINTR, WSAEINTR },
	{ EBADF, WSAENOTSOCK },	/* Windows: not a socket handle */
	{ EACCES, WSAEACCES },
	{ EPERM, WSAEACCES },
	{ EFAULT, WSAEFAULT },
	{ EINVAL, WSAEINVAL },
	{ EMFILE, WSAEMFILE },
	{ EAGAIN, WSAEWOULDBLOCK },
	{ EINPROGRESS, WSAEINPROGRESS },
	{ EALREADY, WSAEALREADY },
	{ ENOTSOCK, WSAENOTSOCK },
	{ EDESTADDRREQ, WSAEDESTADDRREQ },
	{ EMSGSIZE, WSAEMSGSIZE },
	{ EPROTOTYPE, WSAEPROTOTYPE },
	{ ENOPROTOOPT, WSAENOPROTOOPT },
	{ EPROTONOSUPPORT, WSAEPROTONOSUPPORT },
	{ ESOCKTNOSUPPORT, WSAESOCKTNOSUPPORT },
	{ EOPNOTSUPP, WSAEOPNOTSUPP },
	{ ENODEV, WSAEOPNOTSUPP },	/* portres is not loaded */
	{ ENOTTY, WSAEOPNOTSUPP },
	{ EPFNOSUPPORT, WSAEPFNOSUPPORT },
	{ EAFNOSUPPORT, WSAEAFNOSUPPORT },
	{ EADDRINUSE, WSAEADDRINUSE },
	{ EADDRNOTAVAIL, WSAEADDRNOTAVAIL },
	{ ENETDOWN, WSAENETDOWN },
	{ ENETUNREACH, WSAENETUNREACH },
	{ ENETRESET, WSAENETRESET },
	{ ECONNABORTED, WSAECONNABORTED },
	{ ECONNRESET, WSAECONNRESET },
	{ ENOBUFS, WSAENOBUFS },
	{ ENOMEM, WSAENOBUFS },
	{ EDQUOT, WSAENOBUFS },	/* past portres' per-user limit */
	{ EISCONN, WSAEISCONN },
	{ ENOTCONN, WSAENOTCONN },
	{ ESHUTDOWN, WSAESHUTDOWN },
	{ ETIMEDOUT, WSAETIMEDOUT },
	{ ECONNREFUSED, WSAECONNREFUSED },
	{ EHOSTUNREACH, WSAEHOSTUNREACH },
};

int portres_WSAGetLastError(void)
{
	unsigned int i;
	int err = errno;

	if (!err)
		return 0;
	/* A Windows code set with WSASetLastError() reads back as it was. */
	if (err >= WSABASEERR || err == WSA_IO_PENDING ||
	    err == WSA_OPERATION_ABORTED)
		return err;
	for (i = 0; i < sizeof(portres_wsa_errors) / sizeof(portres_wsa_errors[0]); i++)
		if (portres_wsa_errors[i].errnum == err)
			return portres_wsa_errors[i].wsa;
	return WSABASEERR + err;
}

void portres_WSASetLastError(int iError)
{
	errno = iError;
}

int portres_closesocket(SOCKET s)
{
	return close(s) ? SOCKET_ERROR : 0;
}

static int portres_wsa_fail(int err, LPDWORD lpcbBytesReturned)
{
	if (lpcbBytesReturned)
		*lpcbBytesReturned = 0;
	errno = err;
	return SOCKET_ERROR;
}

static int portres_wsa_run(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
			   LPVOID out, DWORD outlen, DWORD *bytes)
{
	INET_PORT_RESERVATION_INSTANCE inst;
	INET_PORT_RANGE range;
	ULONG64 token;
	uint16_t start;
	uint64_t tok;
	int ret;

	*bytes = 0;
	switch (code) {
	case SIO_ACQUIRE_PORT_RESERVATION:
		if (inlen < sizeof(INET_PORT_RANGE) ||
		    outlen < sizeof(INET_PORT_RESERVATION_INSTANCE))
			return EINVAL;
		if (!in || !out)
			return EFAULT;
		memcpy(&range, in, sizeof(range));
		ret = portres_acquire(s, ntohs(range.StartPort),
				      range.NumberOfPorts, &start, &tok);
		if (ret)
			return -ret;
		memset(&inst, 0, sizeof(inst));
		inst.StartPort = htons(start);
		inst.NumberOfPorts = range.NumberOfPorts;
		inst.Token = tok;
		memcpy(out, &inst, sizeof(inst));
		*bytes = sizeof(inst);
		return 0;
	case SIO_ASSOCIATE_PORT_RESERVATION:
	case SIO_RELEASE_PORT_RESERVATION:
		if (inlen < sizeof(INET_PORT_RESERVATION_TOKEN))
			return EINVAL;
		if (!in)
			return EFAULT;
		memcpy(&token, in, sizeof(token));
		ret = code == SIO_ASSOCIATE_PORT_RESERVATION ?
			portres_associate(s, token) :
			portres_release(s, token);
		return -ret;
	}
	return EOPNOTSUPP;
}

int portres_WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer,
	     DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
	     LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
	     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
	DWORD bytes = 0;
	int err;

	if (!lpcbBytesReturned && !lpOverlapped)
		return portres_wsa_fail(EFAULT, NULL);
	err = portres_wsa_run(s, dwIoControlCode, lpvInBuffer, cbInBuffer,
			      lpvOutBuffer, cbOutBuffer, &bytes);
	if (lpcbBytesReturned)
		*lpcbBytesReturned = bytes;
	if (lpOverlapped) {
		errno = err;
		lpOverlapped->Internal = err ? (ULONG_PTR)portres_WSAGetLastError() : 0;
		lpOverlapped->InternalHigh = bytes;
		if (lpCompletionRoutine)
			lpCompletionRoutine((DWORD)lpOverlapped->Internal, bytes,
					    lpOverlapped, 0);
	}
	if (err)
		return portres_wsa_fail(err, lpcbBytesReturned);
	return 0;
}

/* Win32 error code of a native -errno. */
static ULONG portres_win32_error(int ret)
{
	switch (-ret) {
	case 0:
		return NO_ERROR;
	case EINVAL:
	case EFAULT:
		return ERROR_INVALID_PARAMETER;
	case EACCES:
	case EPERM:
		return ERROR_ACCESS_DENIED;
	case EADDRINUSE:
		return ERROR_SHARING_VIOLATION;
	case ENOENT:
		return ERROR_NOT_FOUND;
	case ENODEV:
	case EOPNOTSUPP:
		return ERROR_NOT_SUPPORTED;
	case ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case EROFS:
		return ERROR_WRITE_PROTECT;
	case ENOSPC:
		return ERROR_DISK_FULL;
	}
	return ERROR_GEN_FAILURE;
}

static ULONG portres_create(int protocol, USHORT StartPort,
			    USHORT NumberOfPorts, PULONG64 Token)
{
	uint64_t token;
	int ret;

	if (!Token)
		return ERROR_INVALID_PARAMETER;
	ret = portres_persistent_create(protocol, ntohs(StartPort),
					NumberOfPorts, 0, &token);
	if (!ret)
		*Token = token;
	return portres_win32_error(ret);
}

static ULONG portres_lookup(int protocol, USHORT StartPort,
			    USHORT NumberOfPorts, PULONG64 Token)
{
	uint64_t token;
	int ret;

	if (!Token)
		return ERROR_INVALID_PARAMETER;
	ret = portres_persistent_lookup(protocol, ntohs(StartPort),
					NumberOfPorts, &token);
	if (!ret)
		*Token = token;
	return portres_win32_error(ret);
}

ULONG portres_CreatePersistentTcpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts, PULONG64 Token)
{
	return portres_create(IPPROTO_TCP, StartPort, NumberOfPorts, Token);
}

ULONG portres_CreatePersistentUdpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts, PULONG64 Token)
{
	return portres_create(IPPROTO_UDP, StartPort, NumberOfPorts, Token);
}

ULONG portres_DeletePersistentTcpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts)
{
	return portres_win32_error(portres_persistent_delete(IPPROTO_TCP,
							     ntohs(StartPort),
							     NumberOfPorts));
}

ULONG portres_DeletePersistentUdpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts)
{
	return portres_win32_error(portres_persistent_delete(IPPROTO_UDP,
							     ntohs(StartPort),
							     NumberOfPorts));
}

ULONG portres_LookupPersistentTcpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts, PULONG64 Token)
{
	return portres_lookup(IPPROTO_TCP, StartPort, NumberOfPorts, Token);
}

ULONG portres_LookupPersistentUdpPortReservation(USHORT StartPort,
					 USHORT NumberOfPorts, PULONG64 Token)
{
	return portres_lookup(IPPROTO_UDP, StartPort, NumberOfPorts, Token);
}

/* The Windows names. */
#define PORTRES_WIN_ALIAS(name) \
	__typeof__(portres_##name) name \
		__attribute__((weak, alias("portres_" #name)))

PORTRES_WIN_ALIAS(WSAStartup);
PORTRES_WIN_ALIAS(WSACleanup);
PORTRES_WIN_ALIAS(WSAGetLastError);
PORTRES_WIN_ALIAS(WSASetLastError);
PORTRES_WIN_ALIAS(closesocket);
PORTRES_WIN_ALIAS(WSAIoctl);
PORTRES_WIN_ALIAS(CreatePersistentTcpPortReservation);
PORTRES_WIN_ALIAS(CreatePersistentUdpPortReservation);
PORTRES_WIN_ALIAS(DeletePersistentTcpPortReservation);
PORTRES_WIN_ALIAS(DeletePersistentUdpPortReservation);
PORTRES_WIN_ALIAS(LookupPersistentTcpPortReservation);
PORTRES_WIN_ALIAS(LookupPersistentUdpPortReservation);
