/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: an associated socket's binds to a port of its
 * block (implicit_bind.c), for port_choice.c.
 */
#ifndef _PORTRES_IMPLICIT_BIND_H
#define _PORTRES_IMPLICIT_BIND_H

#include "portres.h"

int portres_take_port(struct portres_net *pn, struct sock *sk);
void portres_give_back(struct portres_net *pn, struct sock *sk, u16 port);
int portres_lsm_bind(struct socket *sock, struct sock *sk, u16 port);

#endif /* _PORTRES_IMPLICIT_BIND_H */
