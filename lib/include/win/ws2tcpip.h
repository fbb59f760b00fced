/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <ws2tcpip.h> of a Windows source, unedited (pkg-config --cflags
 * portres-win): getaddrinfo(), freeaddrinfo(), getnameinfo(), inet_pton()
 * and inet_ntop() are Linux's own (<netdb.h>, <arpa/inet.h>), with the
 * Windows names of their types.
 */
#ifndef PORTRES_WIN_WS2TCPIP_H
#define PORTRES_WIN_WS2TCPIP_H

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <portres/winsock2.h>

typedef struct addrinfo ADDRINFOA, *PADDRINFOA;
typedef ADDRINFOA ADDRINFO, *LPADDRINFO;

#endif /* PORTRES_WIN_WS2TCPIP_H */
