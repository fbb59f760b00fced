/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <mstcpip.h> of a Windows source, unedited (pkg-config --cflags
 * portres-win): the port reservation types and control codes.
 */
#ifndef PORTRES_WIN_MSTCPIP_H
#define PORTRES_WIN_MSTCPIP_H

#include <portres/winsock2.h>
#include <portres/mstcpip.h>

#endif /* PORTRES_WIN_MSTCPIP_H */
