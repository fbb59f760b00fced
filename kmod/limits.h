/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: quotas: module parameters and charges (limits.c).
 */
#ifndef _PORTRES_LIMITS_H
#define _PORTRES_LIMITS_H

#include "portres.h"

int portres_limits_init(void);
void portres_limits_uninit(void);
int portres_charge(struct portres_net *pn, unsigned int count,
		   struct portres_charge *c);
void portres_uncharge(struct portres_net *pn, struct portres_charge *c,
		      unsigned int count);
int portres_persistent_check(struct portres_net *pn);
int portres_assoc_check(const struct portres_resv *resv);

#endif /* _PORTRES_LIMITS_H */
