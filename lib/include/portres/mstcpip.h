/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * portres Windows API layer: the port reservation types and control codes
 * of Windows' <mstcpip.h>, with the Windows layout.
 *
 * StartPort is in network byte order, NumberOfPorts in host byte order.
 * INET_PORT_RESERVATION_INSTANCE is 16 bytes: the reservation at offset 0,
 * 4 bytes of padding, the token at offset 8.  In C its members are
 * anonymous, as in Windows' C headers: write inst.StartPort,
 * inst.NumberOfPorts and inst.Token (a ULONG64).  In C++ write
 * inst.Reservation.StartPort and inst.Token.Token.
 */
#ifndef PORTRES_MSTCPIP_H
#define PORTRES_MSTCPIP_H

#include <portres/wintypes.h>

typedef struct _INET_PORT_RANGE {
	USHORT StartPort;
	USHORT NumberOfPorts;
} INET_PORT_RANGE, *PINET_PORT_RANGE;

typedef INET_PORT_RANGE INET_PORT_RESERVATION, *PINET_PORT_RESERVATION;

typedef struct {
	ULONG64 Token;
} INET_PORT_RESERVATION_TOKEN, *PINET_PORT_RESERVATION_TOKEN;

#define INVALID_PORT_RESERVATION_TOKEN ((ULONG64)0)

#ifdef __cplusplus
typedef struct {
	INET_PORT_RESERVATION Reservation;
	INET_PORT_RESERVATION_TOKEN Token;
} INET_PORT_RESERVATION_INSTANCE, *PINET_PORT_RESERVATION_INSTANCE;
#else
typedef struct {
	union {
		INET_PORT_RESERVATION Reservation;
		struct {
			USHORT StartPort;
			USHORT NumberOfPorts;
		};
	};
	union {
		ULONG64 Token;
		INET_PORT_RESERVATION_TOKEN TokenStruct;
	};
} INET_PORT_RESERVATION_INSTANCE, *PINET_PORT_RESERVATION_INSTANCE;
#endif

typedef struct {
	ULONG OwningPid;
} INET_PORT_RESERVATION_INFORMATION, *PINET_PORT_RESERVATION_INFORMATION;

#define SIO_ACQUIRE_PORT_RESERVATION	((DWORD)0x98000064)
#define SIO_RELEASE_PORT_RESERVATION	((DWORD)0x98000065)
#define SIO_ASSOCIATE_PORT_RESERVATION	((DWORD)0x98000066)

#endif /* PORTRES_MSTCPIP_H */
