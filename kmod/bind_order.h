/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the order of binds against new reservations, per
 * network namespace (bind_order.c).
 */
#ifndef _PORTRES_BIND_ORDER_H
#define _PORTRES_BIND_ORDER_H

#include <linux/percpu.h>
#include <linux/srcu.h>

#include "portres.h"

/* Binds begun and ended on one CPU (bind_order.c says what they order). */
struct portres_binds {
	unsigned long begun;
	unsigned long ended;
};

/* A bind's read section, from portres_bind_begin() to portres_bind_end(). */
struct portres_bind_section {
	struct srcu_struct *sp;
	struct portres_binds __percpu *binds;
	int idx;
};

/*
 * A namespace's order of binds against reservations, made at its first
 * reservation under its @lock, freed at its end (portres_bind_order_fini()).
 * @srcu: the binds' read sections; @binds: their counts, per CPU, written
 * by the binds with no lock, only summed by the reservations.
 */
struct portres_bind_order {
	struct srcu_struct srcu;
	struct portres_binds __percpu *binds;
};

void portres_table_tasks_passed(void);
bool portres_binds_sum(struct portres_binds __percpu *b,
		       unsigned long *begun);
bool portres_binds_active(struct portres_binds __percpu *b);
bool portres_binds_still(struct portres_binds __percpu *b,
			 unsigned long begun);
int portres_bind_order_init(struct portres_net *pn);
void portres_bind_order_fini(struct portres_net *pn);
bool portres_bind_unready(struct portres_net *pn);

#endif /* _PORTRES_BIND_ORDER_H */
