/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * portres Windows API layer: what a program porting Windows port
 * reservation code needs of Windows' <winsock2.h>, over the Linux socket
 * API.  Link with libportres.
 *
 * Sockets are Linux file descriptors: SOCKET is int, closesocket() closes
 * it, and the Linux socket calls (socket, bind, connect, getsockname, ...)
 * are the ones used.  WSAGetLastError() maps errno, which every call here
 * sets on failure, to the Windows error code; WSASetLastError() sets errno.
 *
 * WSAIoctl() carries SIO_ACQUIRE_PORT_RESERVATION,
 * SIO_ASSOCIATE_PORT_RESERVATION and SIO_RELEASE_PORT_RESERVATION (see
 * <portres/mstcpip.h>); any other code fails with WSAEOPNOTSUPP, and so do
 * the three when the portres module is not loaded.  As on Windows:
 *	- *lpcbBytesReturned is the size written on success (16 for an
 *	  acquire, 0 otherwise) and 0 on failure; NULL is WSAEFAULT;
 *	- an input buffer smaller than the control code's structure, or an
 *	  output buffer smaller than INET_PORT_RESERVATION_INSTANCE, fails
 *	  with WSAEINVAL; a NULL buffer of sufficient size with WSAEFAULT.
 * Overlapped calls: Linux sockets have no overlapped mode, so the operation
 * always completes before WSAIoctl() returns.  When lpOverlapped is not
 * NULL, its Internal member receives the Windows error code (0 on success)
 * and InternalHigh the byte count, and lpCompletionRoutine, when not NULL,
 * is called with them before WSAIoctl() returns (Windows would queue it to
 * the thread instead); WSAIoctl() returns 0 or SOCKET_ERROR as it would for
 * an operation that completed at once.
 */
#ifndef PORTRES_WINSOCK2_H
#define PORTRES_WINSOCK2_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <portres/wintypes.h>

typedef int SOCKET;
#define INVALID_SOCKET		(-1)
#define SOCKET_ERROR		(-1)

typedef USHORT ADDRESS_FAMILY;
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;
typedef struct sockaddr_in6 SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;
typedef struct sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE;

#define MAKEWORD(low, high) \
	((WORD)(((BYTE)((low) & 0xff)) | ((WORD)((BYTE)((high) & 0xff))) << 8))
#define LOBYTE(w)		((BYTE)((w) & 0xff))
#define HIBYTE(w)		((BYTE)(((w) >> 8) & 0xff))

#define WSADESCRIPTION_LEN	256
#define WSASYS_STATUS_LEN	128

typedef struct WSAData {
	WORD wVersion;
	WORD wHighVersion;
	unsigned short iMaxSockets;
	unsigned short iMaxUdpDg;
	char *lpVendorInfo;
	char szDescription[WSADESCRIPTION_LEN + 1];
	char szSystemStatus[WSASYS_STATUS_LEN + 1];
} WSADATA, *LPWSADATA;

typedef struct _WSAOVERLAPPED {
	ULONG_PTR Internal;
	ULONG_PTR InternalHigh;
	union {
		struct {
			DWORD Offset;
			DWORD OffsetHigh;
		};
		PVOID Pointer;
	};
	HANDLE hEvent;
} WSAOVERLAPPED, *LPWSAOVERLAPPED;

typedef void (*LPWSAOVERLAPPED_COMPLETION_ROUTINE)(DWORD dwError,
						   DWORD cbTransferred,
						   LPWSAOVERLAPPED lpOverlapped,
						   DWORD dwFlags);

/* Windows Sockets error codes. */
#define WSABASEERR		10000
#define WSAEINTR		10004
#define WSAEBADF		10009
#define WSAEACCES		10013
#define WSAEFAULT		10014
#define WSAEINVAL		10022
#define WSAEMFILE		10024
#define WSAEWOULDBLOCK		10035
#define WSAEINPROGRESS		10036
#define WSAEALREADY		10037
#define WSAENOTSOCK		10038
#define WSAEDESTADDRREQ		10039
#define WSAEMSGSIZE		10040
#define WSAEPROTOTYPE		10041
#define WSAENOPROTOOPT		10042
#define WSAEPROTONOSUPPORT	10043
#define WSAESOCKTNOSUPPORT	10044
#define WSAEOPNOTSUPP		10045
#define WSAEPFNOSUPPORT		10046
#define WSAEAFNOSUPPORT		10047
#define WSAEADDRINUSE		10048
#define WSAEADDRNOTAVAIL	10049
#define WSAENETDOWN		10050
#define WSAENETUNREACH		10051
#define WSAENETRESET		10052
#define WSAECONNABORTED		10053
#define WSAECONNRESET		10054
#define WSAENOBUFS		10055
#define WSAEISCONN		10056
#define WSAENOTCONN		10057
#define WSAESHUTDOWN		10058
#define WSAETIMEDOUT		10060
#define WSAECONNREFUSED		10061
#define WSAEHOSTUNREACH		10065
#define WSASYSNOTREADY		10091
#define WSAVERNOTSUPPORTED	10092
#define WSANOTINITIALISED	10093
#define WSA_IO_PENDING		997
#define WSA_OPERATION_ABORTED	995

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Each function under a portres_ name; unless PORTRES_WIN_PREFIXED_ONLY is
 * defined before the first portres header, under its Windows name too (a
 * project with its own closesocket() or WSAIoctl() defines it and calls
 * the portres_ names).
 */
PORTRES_WINAPI int portres_WSAStartup(WORD wVersionRequested,
				      LPWSADATA lpWSAData);
PORTRES_WINAPI int portres_WSACleanup(void);
PORTRES_WINAPI int portres_WSAGetLastError(void);
PORTRES_WINAPI void portres_WSASetLastError(int iError);
PORTRES_WINAPI int portres_closesocket(SOCKET s);
PORTRES_WINAPI int portres_WSAIoctl(SOCKET s, DWORD dwIoControlCode,
				    LPVOID lpvInBuffer, DWORD cbInBuffer,
				    LPVOID lpvOutBuffer, DWORD cbOutBuffer,
				    LPDWORD lpcbBytesReturned,
				    LPWSAOVERLAPPED lpOverlapped,
				    LPWSAOVERLAPPED_COMPLETION_ROUTINE
				    lpCompletionRoutine);

#ifndef PORTRES_WIN_PREFIXED_ONLY
PORTRES_WINAPI int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData);
PORTRES_WINAPI int WSACleanup(void);
PORTRES_WINAPI int WSAGetLastError(void);
PORTRES_WINAPI void WSASetLastError(int iError);
PORTRES_WINAPI int closesocket(SOCKET s);
PORTRES_WINAPI int WSAIoctl(SOCKET s, DWORD dwIoControlCode,
			    LPVOID lpvInBuffer, DWORD cbInBuffer,
			    LPVOID lpvOutBuffer, DWORD cbOutBuffer,
			    LPDWORD lpcbBytesReturned,
			    LPWSAOVERLAPPED lpOverlapped,
			    LPWSAOVERLAPPED_COMPLETION_ROUTINE
			    lpCompletionRoutine);

#endif /* PORTRES_WIN_PREFIXED_ONLY */

#ifdef __cplusplus
}

#ifndef PORTRES_WIN_PREFIXED_ONLY
/*
 * Windows passes socket address lengths as int *, Linux as socklen_t *: in
 * C++ these overloads take the Windows spelling.
 */
static inline int getsockname(SOCKET s, struct sockaddr *name, int *namelen)
{
	socklen_t len = (socklen_t)*namelen;
	int ret = ::getsockname(s, name, &len);

	*namelen = (int)len;
	return ret;
}

static inline int getpeername(SOCKET s, struct sockaddr *name, int *namelen)
{
	socklen_t len = (socklen_t)*namelen;
	int ret = ::getpeername(s, name, &len);

	*namelen = (int)len;
	return ret;
}

static inline SOCKET accept(SOCKET s, struct sockaddr *addr, int *addrlen)
{
	socklen_t len = addrlen ? (socklen_t)*addrlen : 0;
	SOCKET ret = ::accept(s, addr, addrlen ? &len : NULL);

	if (addrlen)
		*addrlen = (int)len;
	return ret;
}
#endif /* PORTRES_WIN_PREFIXED_ONLY */
#endif /* __cplusplus */

#endif /* PORTRES_WINSOCK2_H */
