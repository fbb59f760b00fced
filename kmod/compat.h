/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the kernel interfaces that differ between the kernels portres
 * builds on (Linux 6.1 to the newest).  Kbuild finds which one the headers
 * of the target kernel declare and defines PORTRES_HAVE_*; nothing here
 * tests a version number.
 */
#ifndef _PORTRES_COMPAT_H
#define _PORTRES_COMPAT_H

#include <linux/ftrace.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>

/* IP_BIND_ADDRESS_NO_PORT moved into inet->inet_flags in 6.6. */
static inline bool portres_no_port(const struct sock *sk)
{
#ifdef PORTRES_HAVE_INET_FLAGS
	return inet_test_bit(BIND_ADDRESS_NO_PORT, sk);
#else
	return inet_sk(sk)->bind_address_no_port;
#endif
}

/* A dump's parsed attributes moved into a struct genl_info in 6.6. */
static inline struct nlattr **portres_dump_attrs(struct netlink_callback *cb)
{
#ifdef PORTRES_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* kernel_bind() takes a struct sockaddr_unsized in newer kernels (7.x). */
static inline int portres_kernel_bind(struct socket *sock,
				      struct sockaddr_storage *addr,
				      int addrlen)
{
#ifdef PORTRES_HAVE_SOCKADDR_UNSIZED
	return kernel_bind(sock, (struct sockaddr_unsized *)addr, addrlen);
#else
	return kernel_bind(sock, (struct sockaddr *)addr, addrlen);
#endif
}

/*
 * The hooks' callback and the registers it reads and sets (hook.c).  With
 * DYNAMIC_FTRACE_WITH_ARGS (x86-64 since 5.11) ftrace's light trampoline
 * saves the argument registers and the stack pointer, and honours a new
 * instruction pointer, as livepatch relies on; elsewhere the hooks ask for
 * the full register set (SAVE_REGS).  The arguments are read from the
 * saved pt_regs layout in both cases.
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define PORTRES_FTRACE_SAVE_REGS	0
static __always_inline struct pt_regs *
portres_fregs_regs(struct ftrace_regs *fregs)
{
#ifdef PORTRES_HAVE_ARCH_FTRACE_REGS
	return &arch_ftrace_regs(fregs)->regs;
#else
	return &fregs->regs;
#endif
}

static __always_inline void portres_fregs_set_ip(struct ftrace_regs *fregs,
						 unsigned long ip)
{
#ifdef PORTRES_HAVE_FTRACE_REGS_SET_IP
	ftrace_regs_set_instruction_pointer(fregs, ip);
#else
	ftrace_instruction_pointer_set(fregs, ip);
#endif
}
#else
#define PORTRES_FTRACE_SAVE_REGS	FTRACE_OPS_FL_SAVE_REGS
static __always_inline struct pt_regs *
portres_fregs_regs(struct ftrace_regs *fregs)
{
	return ftrace_get_regs(fregs);
}

static __always_inline void portres_fregs_set_ip(struct ftrace_regs *fregs,
						 unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}
#endif

#endif /* _PORTRES_COMPAT_H */
