/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the hooks of kmod/hooks.def (hooks.c), and the policy of each
 * hot hook, for implicit_bind.c, port_choice.c and hook_stub.S.
 *
 * For each hot hook @name, hook_stub.S's portres_<name>_stub() calls
 * portres_<name>_redirect(), with the hooked function's arguments: whether
 * portres has anything to do with this call, decided in constant time
 * without sleeping, and counted in the in-flight count when it does
 * (portres_hook_redirect()).  If so it returns the state of the socket's
 * namespace, and the call goes on in portres_<name>_wrap(), which takes
 * the hooked function's arguments and that state, replaces the function,
 * calls the original through the static call portres_orig_<name> and
 * leaves (portres_hook_leave()).
 */
#ifndef _PORTRES_HOOKS_H
#define _PORTRES_HOOKS_H

#include <linux/igmp.h>
#include <linux/percpu.h>
#include <linux/security.h>
#include <linux/static_call.h>
#include <linux/sysctl.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/udp.h>

#include "portres.h"

/*
 * The originals, called through static calls (hooks.c says why), defined
 * in hooks.c; the sysctl handler's is reserved_ports.c's (reserved_ports.h).
 * A hot hook's wrapper takes the hooked function's parameters and, last,
 * the namespace's state that its redirect returned.
 */
#define PORTRES_WRAP_PARAMS(...)	(__VA_ARGS__, struct portres_net *pn)
#define PORTRES_POLICY_HOT(name, type, ret, params)			\
	void portres_##name##_stub(void);				\
	struct portres_net *portres_##name##_redirect params;		\
	ret portres_##name##_wrap PORTRES_WRAP_PARAMS params;		\
	DECLARE_STATIC_CALL(portres_orig_##name, type)
#define PORTRES_POLICY_HOT6(name, type, ret, params)			\
	PORTRES_POLICY_HOT(name, type, ret, params)
#define PORTRES_POLICY_CALL(name, type, ret, params)			\
	DECLARE_STATIC_CALL(portres_orig_##name, type)
#define PORTRES_POLICY_COLD(name, type, ret, params)
#define PORTRES_HOOK(name, function, type, ret, args, kind, params)	\
	PORTRES_POLICY_##kind(name, type, ret, params)
#include "hooks.def"
#undef PORTRES_HOOK

/* Tasks inside a wrapper, per CPU (hooks.c). */
DECLARE_PER_CPU(long, portres_inflight);

/* A call is redirected: counted before the task can enter the wrapper. */
static __always_inline void portres_hook_enter(void)
{
	this_cpu_inc(portres_inflight);
}

/* A hot hook's call is redirected, with @pn for its wrapper. */
static __always_inline struct portres_net *
portres_hook_redirect(struct portres_net *pn)
{
	portres_hook_enter();
	return pn;
}

/* A wrapper's last act: the task is about to leave it. */
static inline void portres_hook_leave(void)
{
	this_cpu_dec(portres_inflight);
}

int portres_hooks_init(void);
void portres_hooks_uninit(void);
int portres_hooks_hold(void);
void portres_hooks_unhold(void);
bool portres_hooks_registered(unsigned long *registrations);

#endif /* _PORTRES_HOOKS_H */
