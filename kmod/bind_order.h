/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the order of binds against new reservations, per
 * network namespace (bind_order.c).
 */
#ifndef _PORTRES_BIND_ORDER_H
#define _PORTRES_BIND_ORDER_H

#include <linux/mutex.h>
#include <linux/percpu.h>

#include "portres.h"

/*
 * Binds begun and ended on one CPU in one slot of an order (bind_order.c
 * says what they order).  A bind's read section is the slot it counted
 * itself in, from portres_bind_begin() to portres_bind_end().
 */
struct portres_bind_slot {
	unsigned long begun;
	unsigned long ended;
};

/* One CPU's counts of an order's binds, in the two slots. */
struct portres_binds {
	struct portres_bind_slot slot[2];
};

/*
 * A namespace's order of binds against reservations, made at its first
 * reservation under its @lock, freed at its end (portres_bind_order_fini()).
 * @binds: the binds' counts, per CPU, written by the binds with no lock,
 * only summed by the reservations; @flip: the slot new binds count in (its
 * lowest bit), changed by a reservation that waits for the binds of the
 * other, under @wait; @wait: serializes those waits.
 */
struct portres_bind_order {
	struct portres_binds __percpu *binds;
	unsigned long flip;
	struct mutex wait;
};

void portres_table_tasks_passed(void);
bool portres_binds_sum(struct portres_binds __percpu *b,
		       unsigned long *begun);
bool portres_binds_active(struct portres_binds __percpu *b);
int portres_binds_wait(struct portres_bind_order *order, bool killable);
bool portres_binds_still(struct portres_binds __percpu *b,
			 unsigned long begun);
int portres_bind_order_init(struct portres_net *pn);
void portres_bind_order_fini(struct portres_net *pn);
bool portres_bind_unready(struct portres_net *pn);

#endif /* _PORTRES_BIND_ORDER_H */
