// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the order of binds against new reservations, per network
 * namespace: each bind's read section (fastpath.h), and what a new
 * reservation waits for (blocks.c).
 */
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "portres.h"
#include "bind_order.h"

/*
 * A bind races an acquire: the hooks test the busy bits, then the stack
 * enters the port in its bind table.  In a namespace that has an order of
 * binds (@bind_order, made at its first reservation), every call that
 * takes a port for a TCP or UDP socket while the hooks are registered (the
 * get_port and hash_connect hooks) therefore runs in a read section of the
 * namespace's binds, from its test of the bits to the port's entry in the
 * bind table: it counts itself begun, on its CPU, in the slot the order
 * names now (fastpath.h), and ended in the same slot.  A new reservation
 * publishes its bits and, if a section is under way in the namespace,
 * drops the namespace's lock and waits for the sections that may have
 * missed them (portres_binds_wait()); then it takes the lock and looks at
 * the bind tables again.  A bind either saw the bits, or is in the table
 * by then.
 *
 * Why that holds: a section counts itself (full barrier) before it tests
 * the bits, and a reservation sets the bits (full barrier) before it reads
 * the counts, the ended ones first, so that a section it does not find
 * counted sees its bits, and one it finds counted as many times ended as
 * begun has finished its bind.  A slot that new sections do not count in
 * only loses sections: only those that read its number before it was
 * turned away from can still count in it, and each ends.  So the waiter
 * first waits for that slot, then turns new sections to it, and waits for
 * the other one (SRCU scans its two indexes so).  When the counts of all
 * slots show no bind under way, an acquire spares itself the wait
 * altogether.  The counts are per CPU, so that a bind stores to no memory
 * another CPU's binds store to.  (This is SRCU's read
 * side, without its grace-period machinery, which portres does not need:
 * the reservation's wait is rare, short, and polls.)
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
 * Sums @b's counts in slots @first to @last, the ended ones first: a bind
 * counted there began before, and is counted among the begun ones too, so
 * that a bind under way is never cancelled out by one that began after the
 * sum of its CPU and ended before another's.  Return: whether none was
 * under way; *@begun is how many had begun.
 */
static bool portres_binds_sum_slots(struct portres_binds __percpu *b,
				    unsigned int first, unsigned int last,
				    unsigned long *begun)
{
	unsigned long ended = 0;
	unsigned int i;
	int cpu;

	*begun = 0;
	for_each_possible_cpu(cpu)
		for (i = first; i <= last; i++)
			ended += READ_ONCE(per_cpu_ptr(b, cpu)->slot[i].ended);
	/* The ended ones summed before the begun ones. */
	smp_mb();
	for_each_possible_cpu(cpu)
		for (i = first; i <= last; i++)
			*begun += READ_ONCE(per_cpu_ptr(b, cpu)->slot[i].begun);
	return *begun == ended;
}

/* portres_binds_sum_slots() of both slots. */
bool portres_binds_sum(struct portres_binds __percpu *b,
		       unsigned long *begun)
{
	return portres_binds_sum_slots(b, 0, 1, begun);
}

/* Whether a bind counted in @b may be under way. */
bool portres_binds_active(struct portres_binds __percpu *b)
{
	unsigned long begun;

	return !portres_binds_sum(b, &begun);
}

/* Polls slot @idx of @order until it shows no bind under way. */
static int portres_binds_drain(struct portres_bind_order *order,
			       unsigned int idx, bool killable)
{
	unsigned long begun;
	int polls = 0;

	while (!portres_binds_sum_slots(order->binds, idx, idx, &begun)) {
		if (killable && fatal_signal_pending(current))
			return -EINTR;
		/* A bind on another CPU ends within microseconds. */
		if (++polls <= 20)
			cond_resched();
		else
			usleep_range(20, 100);
	}
	return 0;
}

/*
 * Waits until every bind section of @order that may have missed what the
 * caller published before the call has ended (see above), as SRCU's grace
 * period scans its two indexes: first the slot that new sections do not
 * count in, where only those that read the slot before an earlier turn can
 * still count; then it turns new sections to that slot, and waits for the
 * other one.  Sleeps; the caller holds no lock that a bind waits for.
 * With @killable, a fatal signal ends the wait.
 *
 * Return: 0, or -EINTR when a fatal signal ended the wait.
 */
int portres_binds_wait(struct portres_bind_order *order, bool killable)
{
	unsigned int cur;
	int err;

	if (killable) {
		if (mutex_lock_killable(&order->wait))
			return -EINTR;
	} else {
		mutex_lock(&order->wait);
	}
	cur = order->flip & 1;
	/* What the caller published is out before the counts are summed. */
	smp_mb();
	err = portres_binds_drain(order, !cur, killable);
	if (err)
		goto out;
	WRITE_ONCE(order->flip, order->flip + 1);
	/* The turn is out before the old slot is summed. */
	smp_mb();
	err = portres_binds_drain(order, cur, killable);
out:
	mutex_unlock(&order->wait);
	return err;
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
	mutex_init(&order->wait);
	pn->bind_epoch = READ_ONCE(portres_tasks_epoch);
	pn->bind_ready = false;
	rcu_assign_pointer(pn->bind_order, order);
	return 0;

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
	/*
	 * No reader still holds the pointer: each counted itself with it
	 * (fastpath.h).  Then none is in a section, in either slot.
	 */
	synchronize_rcu();
	portres_binds_wait(order, false);
	mutex_destroy(&order->wait);
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
