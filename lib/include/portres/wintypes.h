/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * portres Windows API layer: the Windows scalar types its headers use, with
 * their Windows sizes (ULONG is 32 bits, as on Windows, not a Linux long).
 * Included by <portres/winsock2.h>, <portres/mstcpip.h> and
 * <portres/iphlpapi.h>; each of those stands alone.
 */
#ifndef PORTRES_WINTYPES_H
#define PORTRES_WINTYPES_H

#include <stdint.h>
#include <wchar.h>

typedef uint8_t BYTE, UCHAR, BOOLEAN;
typedef uint16_t USHORT, WORD;
typedef int16_t SHORT;
typedef uint32_t ULONG, DWORD, UINT;
typedef int32_t LONG, INT, BOOL;
typedef uint64_t ULONG64, ULONGLONG, DWORD64;
typedef int64_t LONG64, LONGLONG;
typedef uintptr_t ULONG_PTR;
typedef char CHAR;
typedef wchar_t WCHAR;
typedef void VOID, *PVOID, *LPVOID, *HANDLE;
typedef const void *LPCVOID;
typedef USHORT *PUSHORT;
typedef ULONG *PULONG;
typedef ULONG64 *PULONG64;
typedef DWORD *PDWORD, *LPDWORD;
typedef INT *PINT, *LPINT;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;

/* Functions of libportres, exported from its shared object. */
#if defined(__GNUC__)
#define PORTRES_WINAPI __attribute__((visibility("default")))
#else
#define PORTRES_WINAPI
#endif

#ifndef NO_ERROR
#define NO_ERROR		0UL
#endif
#ifndef TRUE
#define TRUE			1
#define FALSE			0
#endif

#endif /* PORTRES_WINTYPES_H */
