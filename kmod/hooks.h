/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the hooks of kmod/hooks.def (hooks.c), and the policy of each
 * hot hook, for implicit_bind.c, port_choice.c and hook_stub.S.
 *
 * For each hot hook @name, hook_stub.S's portres_<name>_stub() calls
 * portres_<name>_redirect(), with the hooked function's arguments: whether
 * portres has anything to do with this call, decided in constant time
 * without sleeping, and counted in the in-flight count when it does
 * (portres_hook_redirect()).  If so the call goes on in
 * portres_<name>_wrap(), of the hooked function's type, which replaces it,
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

/*
 * The originals, called through static calls (hooks.c says why), defined
 * in hooks.c; the sysctl handler's is reserved_ports.c's (reserved_ports.h).
 */
#define PORTRES_POLICY_HOT(name, type, params)				\
	void portres_##name##_stub(void);				\
	bool portres_##name##_redirect params;				\
	typeof(type) portres_##name##_wrap;				\
	DECLARE_STATIC_CALL(portres_orig_##name, type)
#define PORTRES_POLICY_HOT6(name, type, params)			\
	PORTRES_POLICY_HOT(name, type, params)
#define PORTRES_POLICY_CALL(name, type, params)				\
	DECLARE_STATIC_CALL(portres_orig_##name, type)
#define PORTRES_POLICY_COLD(name, type, params)
#define PORTRES_HOOK(name, function, type, args, kind, params)		\
	PORTRES_POLICY_##kind(name, type, params)
#include "hooks.def"
#undef PORTRES_HOOK

/* Tasks inside a wrapper, per CPU (hooks.c). */
DECLARE_PER_CPU(long, portres_inflight);

/* A call is redirected: counted before the task can enter the wrapper. */
static inline bool portres_hook_redirect(void)
{
	this_cpu_inc(portres_inflight);
	return true;
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
