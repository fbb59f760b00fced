// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the hooks' mechanism, for the functions of kmod/hooks.def.
 *
 * A module cannot register LSM hooks, so the functions of kmod/hooks.def
 * are hooked with ftrace (hook.c hooks one): the hot ones by a direct call
 * from the function's entry to a stub (hook_stub.S) that asks the hook's
 * policy, portres_<name>_redirect(), whether portres has anything to do
 * with the call (in constant time, without sleeping), and if so replaces
 * the call with portres_<name>_wrap(); the cold one by a callback that
 * redirects the call to its wrapper, the way livepatch does it.  A wrapper
 * runs in process context, may sleep and take the namespace's mutex, and
 * calls the original function past its ftrace call site, through a static
 * call, unless it refuses the call.
 *
 * This file has the static calls of the originals, the table of hooks, the
 * count of tasks inside a wrapper, the registration of the hot hooks while
 * anything is reserved (portres_hooks_hold()) and the cold hook, on
 * proc_do_large_bitmap: the ip_local_reserved_ports sysctl, hooked from
 * load to unload.  The hot hooks' policies are implicit_bind.c's (connect,
 * listen, sendmsg and the last close) and port_choice.c's (get_port and
 * hash_connect).
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>
#include <linux/ftrace.h>
#include <linux/static_call.h>
#include <linux/sysctl.h>

#include "compat.h"
#include "hook.h"
#include "hooks.h"
#include "portres.h"
#include "bind_order.h"
#include "reserved_ports.h"
#include "table.h"

/*
 * Tasks redirected to a wrapper that have not yet left it, counted on the
 * CPU each entered and left on: only the sum means anything
 * (portres_hooks_inside()).
 */
DEFINE_PER_CPU(long, portres_inflight);

/*
 * The wrappers call the hooked functions, and the module calls
 * kallsyms_lookup_name(), through static calls: each call site is a direct
 * call, patched to its target once the target is known.  None of them may
 * be an indirect call.  On a kernel with indirect branch tracking (x86 IBT,
 * as in Debian's 6.12) every indirect call must land on an ENDBR64, and the
 * boot seals (overwrites) the ENDBR64 of each function whose address the
 * kernel never takes: in Debian's 6.12, kallsyms_lookup_name() and the four
 * security_socket_*() functions hooked here.  An indirect call to one of
 * them faults; a direct call is not checked.  make check disassembles the
 * module to show that it makes no indirect call at all.
 */
#define PORTRES_ORIG_SETTER(name, type)					\
	static void portres_##name##_set_orig(void *fn)		\
	{								\
		static_call_update(portres_orig_##name, (typeof(&type))fn); \
	}
#define PORTRES_ORIG_HOT(name, type)					\
	DEFINE_STATIC_CALL_NULL(portres_orig_##name, type);		\
	static void portres_##name##_set_orig(void *fn)		\
	{								\
		static_call_update(portres_orig_##name, (typeof(&type))fn); \
	}
#define PORTRES_ORIG_HOT6	PORTRES_ORIG_HOT
#define PORTRES_ORIG_CALL	PORTRES_ORIG_HOT
/* The sysctl handler's is reserved_ports.c's, which calls it. */
#define PORTRES_ORIG_COLD	PORTRES_ORIG_SETTER
#define PORTRES_HOOK(name, function, type, ret, args, kind, params)		\
	PORTRES_ORIG_##kind(name, type)
#include "hooks.def"
#undef PORTRES_HOOK

enum portres_hook_id {
#define PORTRES_HOOK(name, function, type, ret, args, kind, params) \
	PORTRES_HOOK_##name,
#include "hooks.def"
#undef PORTRES_HOOK
	PORTRES_NHOOKS,
};

static struct portres_hook portres_hooks[PORTRES_NHOOKS];

/*
 * Every access to ip_local_reserved_ports, also in a namespace with no
 * reservation yet: a write that began before the first reservation must
 * not replace the bitmap after it.
 */
static bool portres_sysctl_wanted(struct pt_regs *regs)
{
	struct ctl_table *table = (void *)regs_get_kernel_argument(regs, 0);

	return portres_rp_table_net(table);
}

static int portres_sysctl_wrap(struct ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	struct portres_net *pn = portres_pernet(portres_rp_table_net(table));
	int ret;

	ret = portres_rp_sysctl(pn, table, write, buffer, lenp, ppos);
	portres_hook_leave();
	return ret;
}

/*
 * The cold hook's callback, called by ftrace's trampoline on each call of
 * proc_do_large_bitmap(): whether the call is the ip_local_reserved_ports
 * sysctl's, and if so it goes on in the wrapper.  Where the wrapper calls
 * the original at its entry (hook.c), its call is let through.
 */
static void notrace portres_sysctl_thunk(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	struct pt_regs *regs = portres_fregs_regs(fregs);

	if (WARN_ON_ONCE(!regs))
		return;
	if (unlikely(portres_hooks[PORTRES_HOOK_sysctl].orig ==
		     portres_hooks[PORTRES_HOOK_sysctl].addr) &&
	    within_module(parent_ip, THIS_MODULE))
		return;
	if (!portres_sysctl_wanted(regs))
		return;
	portres_hook_enter();
	portres_fregs_set_ip(fregs, (unsigned long)portres_sysctl_wrap);
}

/*
 * The table, from hooks.def.  security_socket_bind is called, not hooked:
 * a bind's port is decided in get_port, which asks the LSMs about the port
 * it gives (see portres_lsm_bind()).  inet6_hash_connect is in the kernel
 * itself also when IPv6 is a module (net/ipv6/Makefile builds
 * inet6_hashtables.o in for CONFIG_IPV6=m): hooked whenever IPv6 can be
 * there at all, so IPv6 connects loaded after portres are ordered too.
 * The sysctl hook is registered from load to unload: it is not on any
 * socket's path, and as a PERMANENT hook it keeps kernel.ftrace_enabled
 * from being set to 0 while portres is loaded, so that the hot hooks can
 * always be registered when they are needed.
 */
#define PORTRES_ENTRY_HOT(name)	.stub = portres_##name##_stub,
#define PORTRES_ENTRY_HOT6(name)					\
	.stub = portres_##name##_stub, .optional = !IS_ENABLED(CONFIG_IPV6),
#define PORTRES_ENTRY_COLD(name)	.thunk = portres_##name##_thunk, .cold = true,
#define PORTRES_ENTRY_CALL(name)
static struct portres_hook portres_hooks[PORTRES_NHOOKS] = {
#define PORTRES_HOOK(hook, function, type, ret, args, kind, params)		\
	[PORTRES_HOOK_##hook] = {					\
		.name = #function,					\
		PORTRES_ENTRY_##kind(hook)				\
	},
#include "hooks.def"
#undef PORTRES_HOOK
};

/* Points the static call of a hooked function at the function. */
static void portres_hook_set_original(enum portres_hook_id id, void *fn)
{
#define PORTRES_HOOK(name, function, type, ret, args, kind, params)		\
	(id == PORTRES_HOOK_##name ? portres_##name##_set_orig(fn) : (void)0),
#include "hooks.def"
#undef PORTRES_HOOK
	WARN_ON_ONCE(id >= PORTRES_NHOOKS);
}

/* Finds a hooked function and points its static call at it. */
static int portres_hook_find_all(void)
{
	int i, err;

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (portres_hooks[i].optional) {
			pr_info("not hooking %s: no IPv6 in this kernel\n",
				portres_hooks[i].name);
			continue;
		}
		err = portres_hook_find(&portres_hooks[i]);
		if (err)
			return err;
		/* Before the first call can reach the wrapper. */
		portres_hook_set_original(i, (void *)portres_hooks[i].orig);
	}
	return 0;
}

/*
 * The hot hooks, on the paths of every socket's bind, connect, send and
 * close, are registered only while portres has something to enforce: from
 * the first acquire, association or persistent block on (a front end
 * calls portres_hooks_hold() before it makes one), until no reservation
 * and no socket record has been left anywhere for hook_idle_ms.  A host
 * where nothing is reserved runs its sockets through no hook at all.
 *
 * Registering them while binds are under way is safe because of what
 * follows it: a bind that entered an unhooked get_port took no read
 * section (bind_order.c), and synchronize_rcu_tasks() waits for every task to
 * pass a voluntary schedule, which the stack's port choice does not make
 * between its test of a port and the port's entry in the bind table.  So
 * when it returns, each such bind is in the bind table, and every later
 * one is hooked.  (The callbacks let through the binds of a namespace that
 * has no reservation yet; its first waits for such a grace period in the
 * same way, or counts this one: portres_table_tasks_passed().)  That holds where RCU-tasks exists and spinlocks do not
 * sleep; on a PREEMPT_RT kernel, or one without TASKS_RCU, the hooks are
 * registered from load to unload instead.
 */
static DEFINE_MUTEX(portres_hooks_mutex);
static bool portres_hooks_hot;
static unsigned long portres_hooks_registrations;
static atomic_t portres_hooks_holds = ATOMIC_INIT(0);
static unsigned long portres_hooks_used;
static void portres_hooks_idle(struct work_struct *work);
static DECLARE_DELAYED_WORK(portres_hooks_idle_work, portres_hooks_idle);

static unsigned int hook_idle_ms = 10000;
module_param(hook_idle_ms, uint, 0644);
MODULE_PARM_DESC(hook_idle_ms,
		 "how long the hooks stay registered after the last reservation and socket record are gone, in ms (default 10000)");

static bool portres_hooks_dynamic(void)
{
	return IS_ENABLED(CONFIG_TASKS_RCU) && !IS_ENABLED(CONFIG_PREEMPT_RT);
}

static unsigned long portres_hooks_idle_delay(void)
{
	return msecs_to_jiffies(max(READ_ONCE(hook_idle_ms), 10U));
}

static int portres_hooks_register_hot(void)
{
	int i, err;

	lockdep_assert_held(&portres_hooks_mutex);
	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (portres_hooks[i].optional || !portres_hooks[i].stub)
			continue;
		err = portres_hook_register(&portres_hooks[i]);
		if (err)
			goto err_unwind;
	}
	synchronize_rcu_tasks();
	portres_table_tasks_passed();
	WRITE_ONCE(portres_hooks_hot, true);
	WRITE_ONCE(portres_hooks_registrations, portres_hooks_registrations + 1);
	if (portres_hooks_dynamic())
		schedule_delayed_work(&portres_hooks_idle_work,
				      portres_hooks_idle_delay());
	return 0;

err_unwind:
	while (--i >= 0)
		if (!portres_hooks[i].cold)
			portres_hook_unregister(&portres_hooks[i]);
	return err;
}

static void portres_hooks_unregister_hot(void)
{
	int i;

	lockdep_assert_held(&portres_hooks_mutex);
	for (i = PORTRES_NHOOKS - 1; i >= 0; i--)
		if (!portres_hooks[i].cold)
			portres_hook_unregister(&portres_hooks[i]);
	WRITE_ONCE(portres_hooks_hot, false);
}

/**
 * portres_hooks_hold() - have the hooks enforce, before making a reservation
 * or an association
 *
 * Registers the hot hooks if they are not (which takes an RCU-tasks grace
 * period), and keeps them until portres_hooks_unhold(); whatever the
 * caller made meanwhile keeps them after (portres_table_idle()).
 *
 * Return: 0, or the error of ftrace (-EBUSY: another module, such as a
 * livepatch, modifies the calls of a hooked function).
 */
int portres_hooks_hold(void)
{
	int err = 0;

	atomic_inc(&portres_hooks_holds);
	/* Counted before the state is read: pairs with portres_hooks_idle(). */
	smp_mb__after_atomic();
	if (READ_ONCE(portres_hooks_hot))
		return 0;
	mutex_lock(&portres_hooks_mutex);
	if (!portres_hooks_hot)
		err = portres_hooks_register_hot();
	mutex_unlock(&portres_hooks_mutex);
	if (err) {
		atomic_dec(&portres_hooks_holds);
		pr_warn_ratelimited("cannot enforce reservations: hooking the stack failed (%d)\n",
				    err);
	}
	return err;
}

void portres_hooks_unhold(void)
{
	WRITE_ONCE(portres_hooks_used, jiffies);
	/* What the holder made is in the table before the hold ends. */
	smp_mb__before_atomic();
	atomic_dec(&portres_hooks_holds);
}

/*
 * Whether the hot hooks are registered now, and how many times they were
 * since the module loaded (sysfs).
 */
bool portres_hooks_registered(unsigned long *registrations)
{
	*registrations = READ_ONCE(portres_hooks_registrations);
	return READ_ONCE(portres_hooks_hot);
}

/*
 * Every hook_idle_ms while the hot hooks are registered: once nothing has
 * been reserved or known anywhere for that long, they go.  A holder that
 * found them registered either is seen here (its count), or sees them
 * gone and registers them again under the mutex.
 */
static void portres_hooks_idle(struct work_struct *work)
{
	unsigned long delay = portres_hooks_idle_delay();

	mutex_lock(&portres_hooks_mutex);
	if (!portres_hooks_hot)
		goto out;
	if (!atomic_read(&portres_hooks_holds) && portres_table_idle() &&
	    time_after_eq(jiffies, READ_ONCE(portres_hooks_used) + delay)) {
		WRITE_ONCE(portres_hooks_hot, false);
		/* Cleared before the holds are read: pairs with the hold's. */
		smp_mb();
		if (!atomic_read(&portres_hooks_holds) && portres_table_idle()) {
			portres_hooks_unregister_hot();
			goto out;
		}
		WRITE_ONCE(portres_hooks_hot, true);
	}
	schedule_delayed_work(&portres_hooks_idle_work, delay);
out:
	mutex_unlock(&portres_hooks_mutex);
}

/* Tasks inside a wrapper: exact once no task can enter one any more. */
static long portres_hooks_inside(void)
{
	long inside = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		inside += READ_ONCE(per_cpu(portres_inflight, cpu));
	return inside;
}

void portres_hooks_uninit(void)
{
	long inside;
	int i;

	cancel_delayed_work_sync(&portres_hooks_idle_work);
	mutex_lock(&portres_hooks_mutex);
	if (portres_hooks_hot)
		portres_hooks_unregister_hot();
	mutex_unlock(&portres_hooks_mutex);
	for (i = PORTRES_NHOOKS - 1; i >= 0; i--) {
		portres_hook_unregister(&portres_hooks[i]);
		portres_hook_release(&portres_hooks[i]);
	}

	/*
	 * No task is redirected any more.  Wait for those inside a wrapper to
	 * leave it, then for each to pass a voluntary schedule, so that none
	 * is still on the few instructions after portres_hook_leave().  The
	 * wait is bounded: no wrapper waits for anything a user controls
	 * while it is counted here, except the implicit bind, which holds the
	 * module meanwhile, so that the unload fails before it gets here.
	 * With no task entering, each CPU's count only falls, so a sum of 0
	 * means every task has left.
	 */
	inside = portres_hooks_inside();
	if (inside)
		pr_info("waiting for %ld calls inside the hooks\n", inside);
	while (portres_hooks_inside())
		msleep(20);
	synchronize_rcu_tasks();
}

/*
 * Without CONFIG_HAVE_STATIC_CALL, static_call() is an indirect call through
 * the key.  On a kernel that checks the targets of indirect branches (x86
 * IBT, arm64 BTI, kCFI) such a call into a hooked function can fault, so
 * portres refuses to load there rather than fault on the first bind().
 */
static bool portres_static_calls_unsafe(void)
{
	return !IS_ENABLED(CONFIG_HAVE_STATIC_CALL) &&
	       (IS_ENABLED(CONFIG_X86_KERNEL_IBT) ||
		IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ||
		IS_ENABLED(CONFIG_CFI_CLANG));
}

int portres_hooks_init(void)
{
	int i, err;

	if (portres_static_calls_unsafe()) {
		pr_err("this kernel checks indirect branches and has no static calls: portres cannot call the functions it hooks safely\n");
		return -EOPNOTSUPP;
	}

	err = portres_hook_lookup_init();
	if (err) {
		pr_err("cannot find kallsyms_lookup_name: %d\n", err);
		return err;
	}
	err = portres_hook_find_all();
	if (err)
		return err;

	for (i = 0; i < PORTRES_NHOOKS; i++) {
		if (!portres_hooks[i].cold)
			continue;
		err = portres_hook_register(&portres_hooks[i]);
		if (err)
			goto err_unwind;
	}
	if (!portres_hooks_dynamic()) {
		mutex_lock(&portres_hooks_mutex);
		err = portres_hooks_register_hot();
		mutex_unlock(&portres_hooks_mutex);
		if (err)
			goto err_unwind;
		return 0;
	}
	/* A sysctl write that entered before its hook: see above. */
	synchronize_rcu_tasks();
	return 0;

err_unwind:
	portres_hooks_uninit();
	return err;
}
