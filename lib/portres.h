/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libportres: TCP and UDP port reservations on Linux.
 *
 * Every function returns 0 (or a non-negative value) on success and -errno
 * on failure; errno itself is left alone.  Ports are in host byte order.
 * Each call opens /dev/portres and closes it again: the library holds no
 * descriptor between calls.
 *
 * Errors: each function returns the errnos of the kernel's call that it
 * makes, listed in <linux/portres.h> ("Errors of acquire", ...), but for
 * EFAULT (the argument structures are the library's own), and these, in
 * the same form (selftests/errno_check.py checks libportres(3) against
 * both):
 *
 * Errors of version, acquire, associate, release, create, delete, lookup:
 *	ENODEV		the module is not loaded (there is no /dev/portres)
 * Errors of acquire, lookup:
 *	EFAULT		@token is NULL
 * Errors of create, delete, lookup:
 *	EOPNOTSUPP	the module is too old for persistent reservations
 *			(ABI version 1)
 * Errors of create, delete:
 *	EROFS		in the initial namespace, the kernel allowed it, but
 *			the block could be saved to neither the
 *			configuration file nor the state file: undone (another
 *			error of the file, such as ENOSPC, is returned as it
 *			is)
 */
#ifndef PORTRES_H
#define PORTRES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PORTRES_API __attribute__((visibility("default")))
#else
#define PORTRES_API
#endif

/**
 * portres_version() - ABI version of the loaded module
 *
 * Return: the version (1 or more), -ENODEV when the module is not loaded
 * (every call returns -ENODEV then), or another -errno.
 */
PORTRES_API int portres_version(void);

/**
 * portres_acquire() - reserve a block of ports for the life of a socket
 * @sockfd: a TCP or UDP socket; its protocol and namespace are the block's
 * @start: first port, or 0 for any free block of ip_local_port_range
 * @count: number of ports
 * @start_out: if not NULL, set to the first port of the block
 * @token: set to the reservation's token
 *
 * The reservation ends at the last close of @sockfd, or portres_release().
 */
PORTRES_API int portres_acquire(int sockfd, uint16_t start, uint16_t count,
				uint16_t *start_out, uint64_t *token);

/**
 * portres_associate() - let an unbound socket take its port from a block
 * @sockfd: a TCP or UDP socket of the reservation's protocol, not bound
 * @token: the reservation's token
 *
 * bind() to port 0, connect(), listen() and sendto() on @sockfd then give
 * it a free port of the block.
 */
PORTRES_API int portres_associate(int sockfd, uint64_t token);

/**
 * portres_release() - end a reservation before its socket is closed
 * @sockfd: a TCP or UDP socket of the reservation's namespace
 * @token: the reservation's token
 */
PORTRES_API int portres_release(int sockfd, uint64_t token);

/* portres_persistent_create() flag: refuse explicit binds by other sockets. */
#define PORTRES_EXCLUSIVE	0x01

/**
 * portres_persistent_create() - reserve a block until it is deleted
 * @protocol: IPPROTO_TCP or IPPROTO_UDP
 * @start: first port, 1 to 65535
 * @count: number of ports
 * @flags: 0 or PORTRES_EXCLUSIVE
 * @token: if not NULL, set to the reservation's token
 *
 * The reservation belongs to the caller's network namespace and needs
 * CAP_NET_ADMIN there (-EACCES without).  In the initial namespace the
 * block is also added to the configuration file ($PORTRES_CONF, else
 * /etc/portres.conf), so that it is reserved again when the module loads
 * (portresctl restore, run by portres-restore.service), or, for a caller that may not write
 * it, to the state file ($PORTRES_STATE, else
 * /var/lib/portres/portres.conf), which restore reads too; if neither can
 * be written, the reservation is undone and -EROFS returned (another
 * error of the file, such as -ENOSPC, as it is): -EACCES is only ever
 * the kernel's refusal.
 */
PORTRES_API int portres_persistent_create(int protocol, uint16_t start,
					  uint16_t count, unsigned int flags,
					  uint64_t *token);

/**
 * portres_persistent_delete() - end the persistent reservation of a block
 * @protocol: IPPROTO_TCP or IPPROTO_UDP
 * @start: first port of the block
 * @count: number of ports of the block
 *
 * The block must match exactly (-ENOENT otherwise).  Needs CAP_NET_ADMIN.
 * In the initial namespace the block's line leaves the configuration file.
 */
PORTRES_API int portres_persistent_delete(int protocol, uint16_t start,
					  uint16_t count);

/**
 * portres_persistent_lookup() - the token of a persistent reservation
 * @protocol: IPPROTO_TCP or IPPROTO_UDP
 * @start: first port of the block
 * @count: number of ports of the block
 * @token: set to the token
 *
 * -ENOENT when no persistent reservation has exactly that block.
 */
PORTRES_API int portres_persistent_lookup(int protocol, uint16_t start,
					  uint16_t count, uint64_t *token);

/**
 * portres_close() - nothing, since the library keeps no descriptor open;
 * kept for programs built against libportres 0.3 and earlier
 */
PORTRES_API void portres_close(void);

#ifdef __cplusplus
}
#endif

#endif /* PORTRES_H */
