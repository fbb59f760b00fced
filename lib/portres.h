/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libportres: TCP and UDP port reservations on Linux.
 *
 * Every function returns 0 (or a non-negative value) on success and -errno
 * on failure; errno itself is left alone.  Ports are in host byte order.
 * The library keeps one file descriptor of /dev/portres open, opened on
 * first use; portres_close() closes it.
 */
#ifndef PORTRES_H
#define PORTRES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * portres_version() - ABI version of the loaded module
 *
 * Return: the version (1 or more), -ENOENT when the module is not loaded,
 * or another -errno.
 */
int portres_version(void);

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
int portres_acquire(int sockfd, uint16_t start, uint16_t count,
		    uint16_t *start_out, uint64_t *token);

/**
 * portres_associate() - let an unbound socket take its port from a block
 * @sockfd: a TCP or UDP socket of the reservation's protocol, not bound
 * @token: the reservation's token
 *
 * bind() to port 0, connect(), listen() and sendto() on @sockfd then give
 * it a free port of the block.
 */
int portres_associate(int sockfd, uint64_t token);

/**
 * portres_release() - end a reservation before its socket is closed
 * @sockfd: a TCP or UDP socket of the reservation's namespace
 * @token: the reservation's token
 */
int portres_release(int sockfd, uint64_t token);

/** portres_close() - close the library's descriptor of /dev/portres */
void portres_close(void);

#ifdef __cplusplus
}
#endif

#endif /* PORTRES_H */
