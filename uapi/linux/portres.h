/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * portres: port reservations for TCP and UDP.
 *
 * The ioctl ABI of /dev/portres, shared by the kernel module and userspace.
 *
 * Every field has a fixed width and is in host byte order, including ports.
 * Structures have no implicit padding; reserved fields must be zero, so that
 * they can be given a meaning later.  The ABI grows by new commands, never by
 * changing a structure.  Query PORTRES_IOC_VERSION first: it returns
 * PORTRES_ABI_VERSION of the loaded module, and a library built against a
 * newer header can step down to what an older module supports.
 *
 * A reservation belongs to the network namespace of the socket named by
 * @fd and to its protocol: TCP for a SOCK_STREAM/IPPROTO_TCP socket, UDP for
 * a SOCK_DGRAM/IPPROTO_UDP one, IPv4 and IPv6 sharing one port space.
 *
 * Errors.  Each call's errnos are listed below it, one block per call or
 * group of calls, in one form that selftests/errno_check.py reads: a line
 * "Errors of CALL, CALL (MACRO):", then one line per errno (or errnos of
 * one meaning), a tab, the errno, a tab and its meaning, continued on
 * lines that begin with two tabs.  This header is the one source of the
 * errno contract: README, Documentation/ and the man pages either list
 * no errnos for a call, or exactly these (make check compares them).
 *
 * Errors of version, acquire, associate, release, create, delete, lookup
 * (every PORTRES_IOC_*):
 *	EFAULT		the argument's memory cannot be read or written
 * Errors of ioctl (any other command):
 *	ENOTTY		unknown command
 *
 * PORTRES_IOC_VERSION: the module's PORTRES_ABI_VERSION, a __u32.
 *
 * PORTRES_IOC_ACQUIRE: reserve @count ports starting at @start on the
 *	socket @fd (start 0: any free block of the namespace's
 *	ip_local_port_range).  On success @start and @count describe the block
 *	and @token identifies it.  The reservation lives until the last close
 *	of @fd's socket or PORTRES_IOC_RELEASE, whichever comes first.
 * PORTRES_IOC_ASSOCIATE: let socket @fd take its port from the reservation
 *	@token when it is bound to port 0 or bound implicitly by connect(),
 *	listen() or sendmsg().
 * PORTRES_IOC_RELEASE: end the reservation @token early; the namespace is
 *	that of socket @fd.  Ports already bound stay with their sockets.
 *
 * Errors of acquire, associate, release (PORTRES_IOC_ACQUIRE, _ASSOCIATE,
 * _RELEASE):
 *	EBADF, ENOTSOCK	@fd is not open, or not a socket
 *	EOPNOTSUPP	not a TCP or UDP socket of IPv4 or IPv6 (UNIX, raw,
 *			UDP-Lite, ICMP, MPTCP, ...)
 * Errors of acquire (PORTRES_IOC_ACQUIRE):
 *	EINVAL		count 0, the block runs past 65535, or @token not 0
 *	EACCES		the block starts below the namespace's
 *			ip_unprivileged_port_start and the caller has no
 *			CAP_NET_BIND_SERVICE over the namespace (a
 *			reservation gives no more than bind() would)
 *	EADDRINUSE	the block overlaps a reservation or a port in use;
 *			no free block (start 0)
 *	EDQUOT		the caller has no CAP_NET_ADMIN over the namespace,
 *			and it, or a user who made its user namespace or one
 *			above it, would hold more ports in runtime
 *			reservations of the namespace than the module
 *			parameter max_user_ports allows, or all such callers
 *			together more than max_ns_ports
 *	EBUSY		the hooks cannot be registered: another module (a
 *			livepatch) modifies the calls of a function portres
 *			hooks, or a BPF trampoline (fentry, fexit) is
 *			attached to it; the kernel log names it
 *	ENOMEM		out of memory, or past the caller's memory cgroup
 * Errors of associate (PORTRES_IOC_ASSOCIATE):
 *	EINVAL		@reserved not 0; the socket is bound or associated
 *			already; unknown token, or one of the other protocol
 *			or another namespace
 *	EACCES		the reservation belongs to another process, or is
 *			persistent and the caller has no CAP_NET_ADMIN over
 *			the namespace
 *	EDQUOT		the reservation has as many associated sockets as it
 *			may: max_resv_sockets for a caller without
 *			CAP_NET_ADMIN, 65535 for any
 *	EBUSY		the hooks cannot be registered (as for acquire)
 *	ENOMEM		out of memory, or past the caller's memory cgroup
 * Errors of release (PORTRES_IOC_RELEASE):
 *	EINVAL		@reserved not 0; unknown token (never acquired,
 *			released already, its socket closed), or the token of
 *			a persistent reservation (delete it instead)
 *	EACCES		the reservation belongs to another process
 *
 * Persistent reservations (ABI version 2) belong to the caller's network
 * namespace and to no socket; they last until deleted, or until the module
 * is unloaded.  The module reads no file: those of the initial namespace
 * are kept in /etc/portres.conf (or, for callers that may not write it,
 * /var/lib/portres/portres.conf) by libportres and portresctl, and created
 * again from them by "portresctl restore", which udev runs when
 * /dev/portres appears.  A socket associated with a persistent token needs
 * CAP_NET_ADMIN; other sockets may bind ports of a persistent block
 * explicitly unless it is PORTRES_F_EXCLUSIVE.
 *
 * PORTRES_IOC_CREATE: reserve exactly @count ports from @start for
 *	@protocol; @token is set.  Needs CAP_NET_ADMIN over the namespace.
 * PORTRES_IOC_DELETE: end the persistent reservation of exactly that
 *	block.  Needs CAP_NET_ADMIN over the namespace.
 * PORTRES_IOC_LOOKUP: set @token to that of the persistent reservation of
 *	exactly that block.  Anyone may look up.
 *
 * Errors of create, delete, lookup (PORTRES_IOC_CREATE, _DELETE, _LOOKUP):
 *	EINVAL		@protocol not IPPROTO_TCP or IPPROTO_UDP, start or
 *			count 0, the block runs past 65535, an unknown flag,
 *			@reserved or the input @token not 0
 * Errors of create, delete (PORTRES_IOC_CREATE, _DELETE):
 *	EACCES		no CAP_NET_ADMIN over the namespace
 * Errors of create (PORTRES_IOC_CREATE):
 *	EADDRINUSE	the block overlaps a reservation (runtime or
 *			persistent) or a port in use
 *	EDQUOT		the namespace is owned by a user namespace other than
 *			the initial one and holds max_ns_persistent persistent
 *			reservations already
 *	EBUSY		the hooks cannot be registered (as for acquire)
 *	ENOMEM		out of memory, or past the caller's memory cgroup
 * Errors of delete, lookup (PORTRES_IOC_DELETE, _LOOKUP):
 *	ENOENT		no persistent reservation of exactly that block
 *
 * Sockets that portres concerns get these errnos from the calls that bind
 * them (an associated socket's implicit bind is that of connect(),
 * listen() and sendmsg(), and of sendto() and send() with it):
 *
 * Errors of bind, connect, listen, sendmsg:
 *	EACCES		an LSM refuses the port of the block the socket was
 *			given (or returns its own errno), as it would refuse
 *			bind() to it; or the port is below
 *			ip_unprivileged_port_start and the caller has no
 *			CAP_NET_BIND_SERVICE, as bind() would refuse it
 *	EADDRINUSE	an associated socket, and no free port left in its
 *			block
 * Errors of bind:
 *	EACCES		an explicit bind into a block the socket is not
 *			associated with (also when the bind raced the acquire
 *			and reached the stack's port choice after it)
 *	EADDRINUSE	a socket with SO_REUSEPORT binds a port that the
 *			sockets of a reservation share, without being
 *			associated with that reservation (also after its
 *			release, while they hold the port)
 * Errors of connect:
 *	EADDRNOTAVAIL	an unbound TCP socket associated while its connect()
 *			was already past portres' connect hook
 */
#ifndef _UAPI_LINUX_PORTRES_H
#define _UAPI_LINUX_PORTRES_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PORTRES_DEVICE		"/dev/portres"
#define PORTRES_ABI_VERSION	3

/**
 * struct portres_acquire - argument of PORTRES_IOC_ACQUIRE
 * @fd: socket the reservation is acquired on (in)
 * @start: first port, 0 for any free block (in, out)
 * @count: number of ports, 1 to 65535 (in, out)
 * @token: the reservation's token, never 0 (out)
 */
struct portres_acquire {
	__s32 fd;
	__u16 start;
	__u16 count;
	__u64 token;
};

/**
 * struct portres_token_arg - argument of PORTRES_IOC_ASSOCIATE and _RELEASE
 * @fd: socket to associate, or whose namespace holds the reservation (in)
 * @reserved: must be 0
 * @token: the reservation's token (in)
 */
struct portres_token_arg {
	__s32 fd;
	__u32 reserved;
	__u64 token;
};

/* Persistent reservations refuse explicit binds by other sockets. */
#define PORTRES_F_EXCLUSIVE	0x01
/*
 * Out only (ABI version 3): set by PORTRES_IOC_CREATE and _LOOKUP when the
 * caller's network namespace is the initial one, whose persistent blocks
 * are saved to a file (libportres tells a block of its own from another
 * namespace's by it).  Given as input, it is an unknown flag (EINVAL).
 */
#define PORTRES_F_INIT_NETNS	0x80

/**
 * struct portres_persistent - argument of PORTRES_IOC_CREATE, _DELETE, _LOOKUP
 * @protocol: IPPROTO_TCP or IPPROTO_UDP (in)
 * @flags: PORTRES_F_EXCLUSIVE (in, create); 0 otherwise; on output of
 *	create and lookup, PORTRES_F_INIT_NETNS too (ABI version 3)
 * @start: first port, 1 to 65535 (in)
 * @count: number of ports (in)
 * @reserved: must be 0
 * @token: the reservation's token (out: create, lookup); 0 on input
 */
struct portres_persistent {
	__u8 protocol;
	__u8 flags;
	__u16 start;
	__u16 count;
	__u16 reserved;
	__u64 token;
};

#define PORTRES_IOC_MAGIC	0xE7

#define PORTRES_IOC_VERSION	_IOR(PORTRES_IOC_MAGIC, 0x00, __u32)
#define PORTRES_IOC_ACQUIRE	_IOWR(PORTRES_IOC_MAGIC, 0x01, struct portres_acquire)
#define PORTRES_IOC_ASSOCIATE	_IOW(PORTRES_IOC_MAGIC, 0x02, struct portres_token_arg)
#define PORTRES_IOC_RELEASE	_IOW(PORTRES_IOC_MAGIC, 0x03, struct portres_token_arg)
#define PORTRES_IOC_CREATE	_IOWR(PORTRES_IOC_MAGIC, 0x04, struct portres_persistent)
#define PORTRES_IOC_DELETE	_IOW(PORTRES_IOC_MAGIC, 0x05, struct portres_persistent)
#define PORTRES_IOC_LOOKUP	_IOWR(PORTRES_IOC_MAGIC, 0x06, struct portres_persistent)

/*
 * Generic netlink family "portres", version 1, one per network namespace:
 * the admin interface (portresctl).  Commands and attributes are only ever
 * appended.  Every request is validated strictly; a malformed one is refused
 * with an extended ack that names the problem.
 *
 * PORTRES_CMD_GET
 *	dump: every reservation of the caller's namespace, one message each,
 *	      by protocol and first port; [PORTRES_A_PROTOCOL] keeps one
 *	      protocol.  Messages sent after a reservation was made or
 *	      ended during the dump carry NLM_F_DUMP_INTR.
 *	do:   PORTRES_A_PROTOCOL, PORTRES_A_START: the reservation covering
 *	      that port (ENOENT if none).
 *	Each reservation is described by:
 *	  PORTRES_A_PROTOCOL	u8	IPPROTO_TCP or IPPROTO_UDP
 *	  PORTRES_A_START	u16	first port
 *	  PORTRES_A_COUNT	u16	number of ports
 *	  PORTRES_A_KIND	u8	PORTRES_KIND_RUNTIME or _PERSISTENT
 *	  PORTRES_A_EXCLUSIVE	flag	explicit binds by other sockets are
 *					refused (always, for runtime ones)
 *	  PORTRES_A_TOKEN	u64	the token, only to callers with
 *					CAP_NET_ADMIN over the namespace
 *	  PORTRES_A_IN_USE	u32	ports of the block some socket is
 *					bound to
 *	  PORTRES_A_PORTS	nest	those ports, PORTRES_A_PORT u16 each,
 *					at most PORTRES_NL_MAX_PORTS of them
 *	  PORTRES_A_OWNER_PID	u32	runtime: the owning process, in the
 *					caller's pid namespace; left out
 *					when it has no pid there
 *	  PORTRES_A_OWNER_COMM	string	runtime: its command name
 *	  PORTRES_A_OWNER_UID	u32	runtime: its user, in the caller's
 *					user namespace; left out when not
 *					mapped there
 *	The three owner attributes go only to the owner's user (the uid
 *	the request was sent with) and to callers with CAP_NET_ADMIN over
 *	the namespace, as /proc with hidepid= and ss -p show a process;
 *	other callers get none of them.
 * PORTRES_CMD_CREATE	PORTRES_A_PROTOCOL, _START, _COUNT, [_EXCLUSIVE]:
 *	a persistent reservation; the reply describes it, token included.
 *	Needs CAP_NET_ADMIN over the namespace (EACCES).
 * PORTRES_CMD_DELETE	PORTRES_A_PROTOCOL, _START, _COUNT: the persistent
 *	reservation of exactly that block.  Needs CAP_NET_ADMIN (EACCES).
 * PORTRES_CMD_LOOKUP	PORTRES_A_PROTOCOL, _START, _COUNT: the reply
 *	describes the persistent reservation of exactly that block, token
 *	included, to anyone.
 * PORTRES_CMD_NEW, PORTRES_CMD_DEL: sent to the multicast group
 *	PORTRES_GENL_MCGRP_EVENTS when a reservation is made (acquired or
 *	created) or ends (released, closed or deleted); described as by GET,
 *	without the token and the owner attributes: any user may join the
 *	group, and a multicast reaches listeners in many namespaces at once.
 *	A listener asks GET for the owner, and gets it if it may see it.
 *	The replies to CREATE and LOOKUP carry PORTRES_A_INIT_NETNS (flag)
 *	when the namespace is the initial one (libportres and portresctl
 *	save only those blocks to a file).
 * PORTRES_CMD_NETNS	do, no attributes: the caller's namespace, to anyone:
 *	  PORTRES_A_NETNS_COOKIE u64	the namespace's cookie (as
 *					SO_NETNS_COOKIE and the tracepoint
 *					portres:bind_refused give it)
 *	  PORTRES_A_REFUSED	u64	binds portres refused in it since the
 *					module loaded (EACCES, EADDRINUSE)
 *	  PORTRES_A_INIT_NETNS	flag	it is the initial namespace
 *
 * Every request is checked against its command's policy first:
 * Errors of netlink GET, netlink CREATE, netlink DELETE, netlink LOOKUP,
 * netlink NETNS (PORTRES_CMD_*):
 *	EINVAL		an attribute of the wrong size, or one the request does
 *			not take
 * Errors of netlink GET, netlink CREATE, netlink DELETE, netlink LOOKUP:
 *	EINVAL		a required attribute is missing, or PORTRES_A_PROTOCOL
 *			is not IPPROTO_TCP or IPPROTO_UDP
 *	ERANGE		PORTRES_A_START or PORTRES_A_COUNT is 0
 * Errors of netlink GET, netlink LOOKUP:
 *	ENOENT		no reservation holds that port (GET); no persistent
 *			reservation of exactly that block (LOOKUP)
 * Errors of netlink CREATE, netlink DELETE, netlink LOOKUP:
 *	EINVAL		the block runs past 65535
 * Errors of netlink CREATE, netlink DELETE:
 *	EACCES		no CAP_NET_ADMIN over the namespace
 * Errors of netlink CREATE:
 *	EADDRINUSE	the block overlaps a reservation or a port in use
 *	EDQUOT		as for PORTRES_IOC_CREATE: max_ns_persistent
 *	EBUSY		the hooks cannot be registered (as for acquire); the
 *			extended ack says so
 * Errors of netlink DELETE:
 *	ENOENT		no persistent reservation of exactly that block
 * Errors of netlink GET, netlink CREATE, netlink LOOKUP, netlink NETNS:
 *	ENOMEM		no memory for the reply (CREATE: or the block)
 * The extended ack names the problem.
 */
#define PORTRES_GENL_NAME		"portres"
#define PORTRES_GENL_VERSION		1
#define PORTRES_GENL_MCGRP_EVENTS	"events"
#define PORTRES_NL_MAX_PORTS		256

enum portres_kind {
	PORTRES_KIND_RUNTIME,
	PORTRES_KIND_PERSISTENT,
};

enum portres_cmd {
	PORTRES_CMD_UNSPEC,
	PORTRES_CMD_GET,
	PORTRES_CMD_CREATE,
	PORTRES_CMD_DELETE,
	PORTRES_CMD_LOOKUP,
	PORTRES_CMD_NEW,
	PORTRES_CMD_DEL,
	PORTRES_CMD_NETNS,
	__PORTRES_CMD_MAX,
};
#define PORTRES_CMD_MAX (__PORTRES_CMD_MAX - 1)

enum portres_attr {
	PORTRES_A_UNSPEC,
	PORTRES_A_PAD,
	PORTRES_A_PROTOCOL,
	PORTRES_A_START,
	PORTRES_A_COUNT,
	PORTRES_A_KIND,
	PORTRES_A_EXCLUSIVE,
	PORTRES_A_TOKEN,
	PORTRES_A_IN_USE,
	PORTRES_A_PORTS,
	PORTRES_A_PORT,
	PORTRES_A_OWNER_PID,
	PORTRES_A_OWNER_COMM,
	PORTRES_A_OWNER_UID,
	PORTRES_A_INIT_NETNS,
	PORTRES_A_NETNS_COOKIE,
	PORTRES_A_REFUSED,
	__PORTRES_A_MAX,
};
#define PORTRES_A_MAX (__PORTRES_A_MAX - 1)

#endif /* _UAPI_LINUX_PORTRES_H */
