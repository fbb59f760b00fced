/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <winsock2.h> of a Windows source, unedited: the include directory of
 * pkg-config --cflags portres-win holds it.  What portres offers of it is
 * <portres/winsock2.h>; <portres/wintypes.h> says what each type is.
 */
#ifndef PORTRES_WIN_WINSOCK2_H
#define PORTRES_WIN_WINSOCK2_H

#include <portres/winsock2.h>

#endif /* PORTRES_WIN_WINSOCK2_H */
