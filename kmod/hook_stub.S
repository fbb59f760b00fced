/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the entry stubs of the hot hooks (x86-64).
 *
 * While a hot hook is registered, ftrace's call site at the entry of the
 * hooked function calls its stub directly (a direct call, as BPF
 * trampolines are called): no ftrace trampoline, no saved register set.
 * The stub keeps the function's argument registers, asks
 * portres_<name>_redirect() whether portres has anything to do with this
 * call, and then either returns to the function past its call site (the
 * call is the stack's alone, and no frame of this module stays under it)
 * or drops that return address and jumps to portres_<name>_wrap() with the
 * function's arguments, the namespace's state the policy returned as one
 * more, and its caller's return address: the wrapper replaces the
 * function, and calls it past its call site when it wants it.
 *
 * Entered by a direct call from the call site, or by a return from
 * ftrace's trampoline when other tracers share the function: never by an
 * indirect branch.  The ENDBR64 is there for the kernels that check.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

.macro PORTRES_STUB name:req, args:req
SYM_CODE_START(portres_\name\()_stub)
	UNWIND_HINT_FUNC
	ENDBR
	.if \args > 0
	pushq	%rdi
	.endif
	.if \args > 1
	pushq	%rsi
	.endif
	.if \args > 2
	pushq	%rdx
	.endif
	.if \args > 3
	.error "portres: a hot hook's stub keeps three argument registers at most"
	.endif
	call	portres_\name\()_redirect
	.if \args > 2
	popq	%rdx
	.endif
	.if \args > 1
	popq	%rsi
	.endif
	.if \args > 0
	popq	%rdi
	.endif
	testq	%rax, %rax
	jnz	1f
	RET
1:
	/* The wrapper's last argument. */
	.if \args == 0
	movq	%rax, %rdi
	.elseif \args == 1
	movq	%rax, %rsi
	.elseif \args == 2
	movq	%rax, %rdx
	.else
	movq	%rax, %rcx
	.endif
	addq	$8, %rsp
	UNWIND_HINT_FUNC
	jmp	portres_\name\()_wrap
SYM_CODE_END(portres_\name\()_stub)
.endm

#define PORTRES_STUB_HOT(name, args)	PORTRES_STUB name, args
#define PORTRES_STUB_HOT6(name, args)	PORTRES_STUB name, args
#define PORTRES_STUB_COLD(name, args)
#define PORTRES_STUB_CALL(name, args)
#define PORTRES_HOOK(name, function, type, ret, args, kind, params) \
	PORTRES_STUB_##kind(name, args)
#include "hooks.def"
