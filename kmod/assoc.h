/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: associated sockets and the ports they hold (assoc.c).
 */
#ifndef _PORTRES_ASSOC_H
#define _PORTRES_ASSOC_H

#include "portres.h"

int portres_sock_associate(struct portres_net *pn, struct sock *sk,
			   struct portres_resv *resv);
void portres_sock_dissociate(struct portres_sock *ps);
void portres_sock_disconnect(struct portres_sock *ps);
bool portres_share_grant(struct portres_net *pn, struct sock *sk, u16 port);
int portres_share_begin(struct portres_sock *ps);
void portres_share_end(struct portres_sock *ps);
bool portres_share_refused(struct portres_net *pn, const struct sock *sk,
			   int proto, u16 port);
void portres_resv_put_port(struct portres_sock *ps);
int portres_resv_take_port(struct portres_resv *resv, struct portres_sock *ps);
void portres_resv_mark_port(struct portres_resv *resv, struct portres_sock *ps,
			    u16 port);

#endif /* _PORTRES_ASSOC_H */
