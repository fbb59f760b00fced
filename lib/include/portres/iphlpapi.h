/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * portres Windows API layer: the persistent port reservation functions of
 * Windows' <iphlpapi.h>.  Link with libportres.
 *
 * StartPort is in network byte order (htons), NumberOfPorts in host order.
 * Each function returns a Win32 error code:
 *	NO_ERROR		success
 *	ERROR_INVALID_PARAMETER	StartPort or NumberOfPorts 0, a block past
 *				65535, a NULL Token
 *	ERROR_ACCESS_DENIED	Create or Delete without CAP_NET_ADMIN
 *	ERROR_SHARING_VIOLATION	Create: a port of the block is in use, or the
 *				block overlaps another reservation
 *	ERROR_NOT_FOUND		Delete or Lookup: no persistent reservation of
 *				exactly that block
 *	ERROR_NOT_SUPPORTED	the portres module is not loaded, or too old
 *	ERROR_NOT_ENOUGH_MEMORY	out of memory
 *	ERROR_WRITE_PROTECT	Create or Delete in the initial namespace: the
 *				kernel allowed it, but the block could be
 *				saved to neither /etc/portres.conf nor the
 *				state file /var/lib/portres/portres.conf
 *				(the caller may not write them); nothing was
 *				changed (portres.conf(5))
 *	ERROR_DISK_FULL		the same, for a full file system
 * Other failures map to ERROR_GEN_FAILURE.
 *
 * The reservations belong to the caller's network namespace; those of the
 * initial namespace are written to portres' configuration file and survive
 * reboots, as on Windows.  Tokens may change across a reboot.
 */
#ifndef PORTRES_IPHLPAPI_H
#define PORTRES_IPHLPAPI_H

#include <portres/wintypes.h>

#define ERROR_ACCESS_DENIED		5UL
#define ERROR_NOT_ENOUGH_MEMORY		8UL
#define ERROR_WRITE_PROTECT		19UL
#define ERROR_GEN_FAILURE		31UL
#define ERROR_SHARING_VIOLATION		32UL
#define ERROR_NOT_SUPPORTED		50UL
#define ERROR_INVALID_PARAMETER		87UL
#define ERROR_DISK_FULL			112UL
#define ERROR_NOT_FOUND			1168UL

#ifdef __cplusplus
extern "C" {
#endif

/* Each under a portres_ name too (<portres/winsock2.h> says why). */
PORTRES_WINAPI ULONG
portres_CreatePersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
					   PULONG64 Token);
PORTRES_WINAPI ULONG
portres_CreatePersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
					   PULONG64 Token);
PORTRES_WINAPI ULONG
portres_DeletePersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts);
PORTRES_WINAPI ULONG
portres_DeletePersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts);
PORTRES_WINAPI ULONG
portres_LookupPersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
					   PULONG64 Token);
PORTRES_WINAPI ULONG
portres_LookupPersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
					   PULONG64 Token);


#ifndef PORTRES_WIN_PREFIXED_ONLY
PORTRES_WINAPI ULONG
CreatePersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
				   PULONG64 Token);
PORTRES_WINAPI ULONG
CreatePersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
				   PULONG64 Token);
PORTRES_WINAPI ULONG
DeletePersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts);
PORTRES_WINAPI ULONG
DeletePersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts);
PORTRES_WINAPI ULONG
LookupPersistentTcpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
				   PULONG64 Token);
PORTRES_WINAPI ULONG
LookupPersistentUdpPortReservation(USHORT StartPort, USHORT NumberOfPorts,
				   PULONG64 Token);

#endif /* PORTRES_WIN_PREFIXED_ONLY */

#ifdef __cplusplus
}
#endif

#endif /* PORTRES_IPHLPAPI_H */
