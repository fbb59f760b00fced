// SPDX-License-Identifier: GPL-2.0
/*
 * portres: hooking a kernel function with ftrace, the way livepatch does.
 *
 * The mechanism only: find a function by name, and have an ftrace callback
 * on its entry that may redirect the call.  Which functions, what the
 * callback decides and where it redirects to is hooks.c's.
 */
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/string.h>
#include <linux/kprobes.h>
#include <linux/static_call.h>

#include "compat.h"
#include "portres.h"
#include "hook.h"

#ifndef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
#error "portres needs ftrace's direct calls (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)"
#endif

/*
 * kallsyms_lookup_name(), called through a static call: a direct call,
 * which an IBT kernel does not check (hooks.c says why that matters).
 */
DEFINE_STATIC_CALL_NULL(portres_kallsyms_lookup_name, kallsyms_lookup_name);

/*
 * kallsyms_lookup_name() is not exported: a kprobe on it gives its address,
 * and it gives the others.  One kprobe on that cold function, rather than
 * one on each hooked function, keeps code patching off the hot paths while
 * the module loads.  On a kernel with IBT the kprobe's address is past the
 * function's ENDBR64, where a direct call may enter.
 */
int portres_hook_lookup_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	void *addr;
	int err;

	err = register_kprobe(&kp);
	if (err < 0)
		return err;
	addr = kp.addr;
	unregister_kprobe(&kp);
	if (!addr)
		return -ENOENT;
	static_call_update(portres_kallsyms_lookup_name,
			   (typeof(&kallsyms_lookup_name))addr);
	return 0;
}

/*
 * Where a direct call into the hooked function may enter past its ftrace
 * call site: on x86-64 the site is the function's first instruction, or
 * its second after an ENDBR64, five bytes long, a NOP while no one traces
 * the function and a CALL while someone does.  Entering past it, the
 * wrappers' calls of the originals pass no trampoline at all (the stack
 * is then as it is at the function's entry: the site pushes nothing that
 * stays).  The boot seals the ENDBR64 of a function whose address the
 * kernel never takes (on Debian's 6.12: the security_socket_*() functions)
 * by writing a 4-byte NOP over it.  Anything else there, and a hot hook
 * cannot be had (its stub would be called again); the cold hook's wrapper
 * calls the function's entry, and its callback lets calls from this module
 * through.
 */
static unsigned long portres_hook_past_fentry(unsigned long addr)
{
	static const u8 endbr64[][4] = {
		{ 0xf3, 0x0f, 0x1e, 0xfa },
		/*
		 * What the boot writes over an ENDBR64 it seals
		 * (gen_endbr_poison() of asm/ibt.h): osp nopl (%rax) in 6.1
		 * and 6.12, nopl -42(%rax) in 7.3.
		 */
		{ 0x66, 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0xd6 },
	};
	static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	const u8 *p = (const u8 *)addr;
	int i;

	if (!IS_ENABLED(CONFIG_X86_64))
		return 0;
	for (i = 0; i < ARRAY_SIZE(endbr64); i++) {
		if (!memcmp(p, endbr64[i], sizeof(endbr64[i]))) {
			p += sizeof(endbr64[i]);
			break;
		}
	}
	if (memcmp(p, nop5, sizeof(nop5)) && p[0] != 0xe8)
		return 0;
	return (unsigned long)p + sizeof(nop5);
}

/*
 * Return: 0 with @hook->addr set to the address of its function and
 * @hook->orig to where the wrapper calls it, -ENOENT.
 */
int portres_hook_find(struct portres_hook *hook)
{
	hook->addr = static_call(portres_kallsyms_lookup_name)(hook->name);
	if (!hook->addr) {
		pr_err("cannot find %s\n", hook->name);
		return -ENOENT;
	}
	hook->orig = portres_hook_past_fentry(hook->addr);
	if (hook->orig)
		return 0;
	/*
	 * A hot hook's wrapper would call the entry into its own stub again;
	 * the cold hook's callback lets the module's calls through.
	 */
	if (hook->stub) {
		pr_err("%s does not begin with an ftrace call site that portres knows\n",
		       hook->name);
		return -EOPNOTSUPP;
	}
	pr_info("%s does not begin with an ftrace call site: its wrapper calls its entry\n",
		hook->name);
	hook->orig = hook->addr;
	return 0;
}

/*
 * A hot hook: the call site at the function's entry calls the hook's stub
 * directly (ftrace's direct call, as a BPF trampoline is called), which
 * costs an unrelated call a few instructions where a trampoline that
 * saves registers and calls a callback costs a hundred.  A function has
 * one direct call at most: while a BPF trampoline (fentry, fexit) is
 * attached to a hooked function, the hook cannot be registered (-EBUSY),
 * and while the hook is, such a program cannot be attached.
 */
/* Why a registration failed, with @busy what EBUSY means for this kind. */
static void portres_hook_failed(const struct portres_hook *hook, int err,
				const char *busy)
{
	if (err == -EBUSY)
		pr_err("cannot hook %s: kernel.ftrace_enabled is 0, or %s\n",
		       hook->name, busy);
	else
		pr_err("cannot hook %s: %d\n", hook->name, err);
}

static int portres_hook_register_direct(struct portres_hook *hook)
{
	int err;

	/* The filter stays from the first registration to the unload. */
	if (!hook->filtered) {
		err = ftrace_set_filter_ip(&hook->ops, hook->addr, 0, 0);
		if (err) {
			pr_err("cannot trace %s: %d\n", hook->name, err);
			return err;
		}
		hook->filtered = true;
	}
#ifdef PORTRES_HAVE_FTRACE_DIRECT_MULTI
	err = register_ftrace_direct_multi(&hook->ops,
					   (unsigned long)hook->stub);
#else
	err = register_ftrace_direct(&hook->ops, (unsigned long)hook->stub);
#endif
	if (err) {
		portres_hook_failed(hook, err,
				    "another module (a livepatch) or a BPF trampoline already attaches to it");
		return err;
	}
	hook->registered = true;
	return 0;
}

static void portres_hook_unregister_direct(struct portres_hook *hook)
{
#ifdef PORTRES_HAVE_FTRACE_DIRECT_MULTI
	unregister_ftrace_direct_multi(&hook->ops, (unsigned long)hook->stub);
#else
	unregister_ftrace_direct(&hook->ops, (unsigned long)hook->stub, false);
#endif
}

/* At the unload, once the hook is unregistered for good. */
void portres_hook_release(struct portres_hook *hook)
{
	if (hook->filtered)
		ftrace_free_filter(&hook->ops);
	hook->filtered = false;
}

/**
 * portres_hook_register() - start redirecting the calls of a function
 * @hook: the hook, its function found by portres_hook_find() and its
 *        stub (@hook->stub) or callback (@hook->thunk) set
 *
 * Return: 0 or the error of ftrace.
 */
int portres_hook_register(struct portres_hook *hook)
{
	int err;

	if (hook->stub)
		return portres_hook_register_direct(hook);

	/*
	 * As livepatch registers: the light trampoline where the
	 * architecture has one (compat.h), no recursion guard (the callback
	 * calls no hooked function, and the wrappers call the originals
	 * past their call sites or are let through), and PERMANENT: while a
	 * hook is registered, kernel.ftrace_enabled cannot be set to 0,
	 * which would silently stop enforcing the reservations.
	 */
	hook->ops.func = hook->thunk;
	hook->ops.flags = PORTRES_FTRACE_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_PERMANENT;

	err = ftrace_set_filter_ip(&hook->ops, hook->addr, 0, 0);
	if (err) {
		pr_err("cannot trace %s: %d\n", hook->name, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		portres_hook_failed(hook, err,
				    "another module (a livepatch) already modifies its calls");
		ftrace_set_filter_ip(&hook->ops, hook->addr, 1, 0);
		return err;
	}
	hook->registered = true;
	return 0;
}

void portres_hook_unregister(struct portres_hook *hook)
{
	if (!hook->registered)
		return;
	if (hook->stub) {
		portres_hook_unregister_direct(hook);
	} else {
		unregister_ftrace_function(&hook->ops);
		ftrace_set_filter_ip(&hook->ops, hook->addr, 1, 0);
	}
	hook->registered = false;
}
