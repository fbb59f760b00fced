/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the policy of each hot hook, from hooks.def, for bind_hook.c
 * and hook_stub.S.
 *
 * For each hot hook @name, hook_stub.S's portres_<name>_stub() calls
 * portres_<name>_redirect(), with the hooked function's arguments: whether
 * portres has anything to do with this call, decided in constant time
 * without sleeping, and counted in the in-flight count when it does.  If
 * so the call goes on in portres_<name>_wrap(), of the hooked function's
 * type, which replaces it.  portres_<name>_hot() says which hooks have a
 * stub.
 */
#ifndef _PORTRES_HOOKS_H
#define _PORTRES_HOOKS_H

#include <linux/igmp.h>
#include <linux/security.h>
#include <linux/sysctl.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/udp.h>

#define PORTRES_POLICY_HOT(name, type, params)				\
	void portres_##name##_stub(void);				\
	bool portres_##name##_redirect params;				\
	typeof(type) portres_##name##_wrap;				\
	static inline bool portres_##name##_hot(void)			\
	{								\
		return true;						\
	}
#define PORTRES_POLICY_HOT6(name, type, params)			\
	PORTRES_POLICY_HOT(name, type, params)
#define PORTRES_POLICY_COLD(name, type, params)
#define PORTRES_POLICY_CALL(name, type, params)
#define PORTRES_HOOK(name, function, type, args, kind, params)		\
	PORTRES_POLICY_##kind(name, type, params)
#include "hooks.def"
#undef PORTRES_HOOK

#endif /* _PORTRES_HOOKS_H */
