/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: hooking one kernel function with ftrace (hook.c).
 */
#ifndef _PORTRES_HOOK_H
#define _PORTRES_HOOK_H

#include <linux/ftrace.h>

/* One hooked function. */
struct portres_hook {
	const char *name;
	/* A hot hook's entry stub (hook_stub.S), or a cold one's callback. */
	void *stub;
	ftrace_func_t thunk;
	unsigned long addr;
	unsigned long orig;
	struct ftrace_ops ops;
	bool optional;
	bool cold;
	bool registered;
	bool filtered;
};

int portres_hook_lookup_init(void);
int portres_hook_find(struct portres_hook *hook);
int portres_hook_register(struct portres_hook *hook);
void portres_hook_unregister(struct portres_hook *hook);
void portres_hook_release(struct portres_hook *hook);

#endif /* _PORTRES_HOOK_H */
