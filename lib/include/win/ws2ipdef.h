/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <ws2ipdef.h> of a Windows source, unedited (pkg-config --cflags
 * portres-win): sockaddr_in6 (SOCKADDR_IN6), IPv6 addresses and the
 * IPPROTO_ and IPV6_ socket options, which Linux declares in
 * <netinet/in.h>.
 */
#ifndef PORTRES_WIN_WS2IPDEF_H
#define PORTRES_WIN_WS2IPDEF_H

#include <netinet/in.h>

#include <portres/winsock2.h>

#endif /* PORTRES_WIN_WS2IPDEF_H */
