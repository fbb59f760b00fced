/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the kernel interfaces that differ between the kernels portres
 * builds on (Linux 6.1 to the newest).  Kbuild finds which one the headers
 * of the target kernel declare and defines PORTRES_HAVE_*; nothing here
 * tests a version number.
 */
#ifndef _PORTRES_COMPAT_H
#define _PORTRES_COMPAT_H

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

#endif /* _PORTRES_COMPAT_H */
