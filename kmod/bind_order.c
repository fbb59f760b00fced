// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the order of binds against new reservations, per network
 * namespace: each bind's read section (fastpath.h), and what a new
 * reservation waits for (blocks.c).
 */
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "portres.h"
#include "bind_order.h"

/*
 * A bind races an acquire: the hooks test the busy bits, then the stack
 * enters the port in its bind table.  In a namespace that has an order of
 * binds (@bind_order, made at its first reservation), every call that
 * takes a port for a TCP or UDP socket while the hooks are registered (the
 * get_port and hash_connect hooks) therefore runs in an SRCU read-side
 * section of the namespace, and counted in its per-CPU counts of binds
 * begun and ended, from its test of the bits to the port's entry in the
 * bind table.  A new reservation publishes its bits and, if a section is
 * under way in the namespace, drops the namespace's lock and waits for the
 * sections that may have missed them; then it takes the lock and looks at
 * the bind tables again.  A bind either saw the bits, or is in the table
 * by then.
 *
 * The counts spare an acquire the grace period when no bind is under way:
 * a section counts itself (full barrier) before it tests the bits, an
 * acquire sets the bits (full barrier) before it reads the counts, the
 * ended ones first (portres_binds_active()), so when the acquire finds as
 * many begun as ended every later section sees its bits, and every earlier
 * one has finished its bind.  The counts are per CPU, so that a bind
 * stores to no memory another CPU's binds store to.
 *
 * A namespace without an order has no reservation: its binds are not
 * redirected at all (the hooks' callbacks let them through), so they pay
 * for no section.  Its first reservation makes the order, and the binds
 * that were let through before it, without a section, may still be under
 * way: until an RCU-tasks grace period has passed since the order was
 * made, a reservation waits for one (without the lock).  The stack's port
 * choice does not schedule voluntarily between its test of a port and the
 * port's entry in the bind table, so a task that passed a voluntary
 * schedule since is done.  A registration of the hooks waits for such a
 * grace period too (hooks.c): one after the order was made will do
 * (@bind_epoch against portres_tasks_epoch).
 */

/* Grace periods of RCU-tasks the hooks' registrations waited for. */
static unsigned long portres_tasks_epoch;

/* Called by the hooks' registration after its RCU-tasks grace period. */
void portres_table_tasks_passed(void)
{
	WRITE_ONCE(portres_tasks_epoch, READ_ONCE(portres_tasks_epoch) + 1);
}

/*
 * Sums @b's counts, the ended ones first: a bind counted there began
 * before, and is counted among the begun ones too, so that a bind under
 * way is never cancelled out by one that began after the sum of its CPU
 * and ended before another's.  Return: whether none was under way; *@begun
 * is how many had begun.
 */
bool portres_binds_sum(struct portres_binds __percpu *b,
		       unsigned long *begun)
{
	unsigned long ended = 0;
	int cpu;

	*begun = 0;
	for_each_possible_cpu(cpu)
		ended += READ_ONCE(per_cpu_ptr(b, cpu)->ended);
	/* The ended ones summed before the begun ones. */
	smp_mb();
	for_each_possible_cpu(cpu)
		*begun += READ_ONCE(per_cpu_ptr(b, cpu)->begun);
	return *begun == ended;
}

/* Whether a bind counted in @b may be under way. */
bool portres_binds_active(struct portres_binds __percpu *b)
{
	unsigned long begun;

	return !portres_binds_sum(b, &begun);
}

/*
 * Whether no bind counted in @b has begun since portres_binds_sum() found
 * @begun with none under way: each CPU's count only grows, so an equal sum
 * is an unchanged count on every CPU.
 */
bool portres_binds_still(struct portres_binds __percpu *b,
			 unsigned long begun)
{
	unsigned long now;

	return portres_binds_sum(b, &now) && now == begun;
}

/* Gives @pn its order of binds, if it has none yet.  Return: 0, -ENOMEM. */
int portres_bind_order_init(struct portres_net *pn)
{
	struct portres_bind_order *order;

	lockdep_assert_held(&pn->lock);
	if (rcu_access_pointer(pn->bind_order))
		return 0;
	order = kzalloc(sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!order)
		return -ENOMEM;
	order->binds = alloc_percpu_gfp(struct portres_binds,
					GFP_KERNEL_ACCOUNT);
	if (!order->binds)
		goto err_free;
	if (init_srcu_struct(&order->srcu))
		goto err_binds;
	pn->bind_epoch = READ_ONCE(portres_tasks_epoch);
	pn->bind_ready = false;
	rcu_assign_pointer(pn->bind_order, order);
	return 0;

err_binds:
	free_percpu(order->binds);
err_free:
	kfree(order);
	return -ENOMEM;
}

/* At the namespace's end, when no bind can be under way in it any more. */
void portres_bind_order_fini(struct portres_net *pn)
{
	struct portres_bind_order *order;

	order = rcu_replace_pointer(pn->bind_order, NULL, true);
	if (!order)
		return;
	/* No reader still holds the pointer, then none is in a section. */
	synchronize_rcu();
	synchronize_srcu(&order->srcu);
	cleanup_srcu_struct(&order->srcu);
	free_percpu(order->binds);
	kfree(order);
}

/*
 * Whether binds that were let through before @pn had its order may still
 * be under way: no RCU-tasks grace period is known to have passed since.
 */
bool portres_bind_unready(struct portres_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (!pn->bind_ready &&
	    READ_ONCE(portres_tasks_epoch) != pn->bind_epoch)
		pn->bind_ready = true;
	return !pn->bind_ready;
}
