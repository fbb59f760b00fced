// SPDX-License-Identifier: GPL-2.0
/*
 * win_compile: the Windows API headers compile as C (gnu11) and C++ (c++17)
 * with -Wall -Wextra -Werror, beside the system's socket headers, and give
 * the Windows sizes, offsets and values.  Built twice by make check; it
 * also runs (on the host), to check what only a program can.
 */
#include <netinet/in.h>
#include <sys/socket.h>
#include <portres/winsock2.h>
#include <portres/mstcpip.h>
#include <portres/iphlpapi.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
#define STATIC_ASSERT static_assert
#else
#define STATIC_ASSERT _Static_assert
#endif

STATIC_ASSERT(sizeof(USHORT) == 2, "USHORT");
STATIC_ASSERT(sizeof(ULONG) == 4, "ULONG is 32 bits, as on Windows");
STATIC_ASSERT(sizeof(DWORD) == 4, "DWORD");
STATIC_ASSERT(sizeof(ULONG64) == 8, "ULONG64");
STATIC_ASSERT(sizeof(INET_PORT_RANGE) == 4, "INET_PORT_RANGE");
STATIC_ASSERT(offsetof(INET_PORT_RANGE, NumberOfPorts) == 2, "NumberOfPorts");
STATIC_ASSERT(sizeof(INET_PORT_RESERVATION) == 4, "INET_PORT_RESERVATION");
STATIC_ASSERT(sizeof(INET_PORT_RESERVATION_TOKEN) == 8, "token");
STATIC_ASSERT(sizeof(INET_PORT_RESERVATION_INSTANCE) == 16, "instance");
STATIC_ASSERT(offsetof(INET_PORT_RESERVATION_INSTANCE, Token) == 8, "Token");
STATIC_ASSERT(sizeof(INET_PORT_RESERVATION_INFORMATION) == 4, "information");
STATIC_ASSERT(SIO_ACQUIRE_PORT_RESERVATION == 0x98000064, "acquire code");
STATIC_ASSERT(SIO_RELEASE_PORT_RESERVATION == 0x98000065, "release code");
STATIC_ASSERT(SIO_ASSOCIATE_PORT_RESERVATION == 0x98000066, "associate code");
STATIC_ASSERT(INVALID_PORT_RESERVATION_TOKEN == 0, "invalid token");
STATIC_ASSERT(NO_ERROR == 0 && ERROR_ACCESS_DENIED == 5 &&
	      ERROR_SHARING_VIOLATION == 32 && ERROR_INVALID_PARAMETER == 87 &&
	      ERROR_NOT_FOUND == 1168, "Win32 error codes");
STATIC_ASSERT(WSAEINVAL == 10022 && WSAEACCES == 10013 &&
	      WSAEADDRINUSE == 10048 && WSAENOTSOCK == 10038 &&
	      WSAEOPNOTSUPP == 10045 && WSAEFAULT == 10014, "WSA error codes");
STATIC_ASSERT(MAKEWORD(2, 2) == 0x0202, "MAKEWORD");
STATIC_ASSERT(INVALID_SOCKET == -1 && SOCKET_ERROR == -1, "SOCKET values");

/* The signatures, exactly. */
static ULONG (*const create_tcp)(USHORT, USHORT, PULONG64) =
	CreatePersistentTcpPortReservation;
static ULONG (*const delete_udp)(USHORT, USHORT) =
	DeletePersistentUdpPortReservation;
static ULONG (*const lookup_udp)(USHORT, USHORT, PULONG64) =
	LookupPersistentUdpPortReservation;
static int (*const wsaioctl)(SOCKET, DWORD, LPVOID, DWORD, LPVOID, DWORD,
			     LPDWORD, LPWSAOVERLAPPED,
			     LPWSAOVERLAPPED_COMPLETION_ROUTINE) = WSAIoctl;

int main(void)
{
	INET_PORT_RESERVATION_INSTANCE inst;
	INET_PORT_RANGE range = { htons(5000), 20 };
	SOCKET s = INVALID_SOCKET;
	WSADATA data;

#ifdef __cplusplus
	/* C++ spells the members out. */
	inst.Reservation.StartPort = range.StartPort;
	inst.Reservation.NumberOfPorts = range.NumberOfPorts;
	inst.Token.Token = 42;
	if (inst.Reservation.StartPort != htons(5000) || inst.Token.Token != 42)
		return 1;
	{
		sockaddr_in sin = {};
		int len = sizeof(sin);

		/* Windows' int length, through the C++ overload. */
		(void)getsockname(s, (SOCKADDR *)&sin, &len);
	}
#else
	/* C's members are anonymous: inst.StartPort, inst.Token. */
	inst.StartPort = range.StartPort;
	inst.NumberOfPorts = range.NumberOfPorts;
	inst.Token = 42;
	if (inst.Reservation.StartPort != htons(5000) || inst.Token != 42)
		return 1;
#endif
	if (WSAStartup(MAKEWORD(2, 2), &data) || data.wVersion != 0x0202)
		return 1;
	(void)create_tcp;
	(void)delete_udp;
	(void)lookup_udp;
	(void)wsaioctl;
	(void)s;
	puts("Windows headers: sizes, offsets and values as on Windows");
	return WSACleanup();
}
