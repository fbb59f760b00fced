/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A minimal <windows.h> for a Windows source that uses the port
 * reservation API (pkg-config --cflags portres-win): the Windows scalar
 * types (<portres/wintypes.h>) and the calling-convention words, which
 * mean nothing on Linux.  It is not Windows: no Win32 functions, handles
 * or wide-character CRT (Documentation/porting.md, "Porting Windows code").
 */
#ifndef PORTRES_WIN_WINDOWS_H
#define PORTRES_WIN_WINDOWS_H

#include <portres/wintypes.h>

#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef APIENTRY
#define APIENTRY
#endif

#endif /* PORTRES_WIN_WINDOWS_H */
