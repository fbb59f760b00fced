/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: runtime reservations for the front ends (runtime.c).
 */
#ifndef _PORTRES_RUNTIME_H
#define _PORTRES_RUNTIME_H

#include "portres.h"

/* What a front end learns of a reservation it acquired: a copy. */
struct portres_resv_snap {
	u64 token;
	u16 start;
	u16 count;
};

int portres_runtime_acquire(struct portres_net *pn, struct sock *sk,
			    int proto, u16 start, u16 count,
			    struct portres_resv_snap *snap);
int portres_runtime_associate(struct portres_net *pn, struct sock *sk,
			      int proto, u64 token);
int portres_runtime_release(struct portres_net *pn, u64 token);

#endif /* _PORTRES_RUNTIME_H */
