/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: socket records (sockets.c).
 */
#ifndef _PORTRES_SOCKETS_H
#define _PORTRES_SOCKETS_H

#include <linux/atomic.h>

#include "portres.h"

/*
 * The sockets that may have a record, in any namespace, counted by the
 * hash of their address (sockets.c): for the hooks (fastpath.h).
 */
extern atomic_t portres_sock_filter[1 << PORTRES_SOCK_HINT_BITS];

int portres_socks_init(void);
void portres_socks_uninit(void);
bool portres_socks_none(void);
bool portres_sock_known(const struct sock *sk);
struct portres_sock *portres_sock_find(const struct sock *sk);
struct portres_sock *portres_sock_find_or_add(struct portres_net *pn,
					      const struct sock *sk);
void portres_sock_forget_unused(struct portres_sock *ps);
void portres_sock_remove(struct portres_sock *ps);
void portres_socks_drop_all(struct portres_net *pn);

#endif /* _PORTRES_SOCKETS_H */
