/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <iphlpapi.h> of a Windows source, unedited (pkg-config --cflags
 * portres-win): the persistent port reservation functions.  Windows'
 * <iphlpapi.h> needs <winsock2.h> first; this one brings it.
 */
#ifndef PORTRES_WIN_IPHLPAPI_H
#define PORTRES_WIN_IPHLPAPI_H

#include <portres/winsock2.h>
#include <portres/iphlpapi.h>

#endif /* PORTRES_WIN_IPHLPAPI_H */
