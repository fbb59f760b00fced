/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlutil: the client side of the "portres" generic netlink family, on
 * libmnl, for portresctl and the tests (after iproute2's mnl_utils).
 *
 * One socket per struct prnl, with extended acks on: prnl_talk() sends a
 * request and reads every answer up to its ack or the end of its dump,
 * handing each message of the family to a callback, and leaves the
 * extended ack's message in @extack.
 */
#ifndef PORTRES_NLUTIL_H
#define PORTRES_NLUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include <linux/portres.h>

struct prnl {
	struct mnl_socket *nl;
	char *buf;			/* MNL_SOCKET_BUFFER_SIZE bytes */
	uint32_t seq;
	uint16_t family;		/* the family's id */
	uint32_t events_group;		/* its events group, 0 if none */
	char extack[256];		/* the last answer's message, or "" */
};

/*
 * Opens a socket and resolves the family.  Return: 0, -ENOENT when the
 * family is not registered (the module is not loaded), or -errno.
 */
int prnl_open(struct prnl *p);
void prnl_close(struct prnl *p);

/* Starts a request of the family: command @cmd, NLM_F_REQUEST | ACK | @flags. */
struct nlmsghdr *prnl_request(struct prnl *p, uint8_t cmd, uint16_t flags);

/*
 * Sends @nlh and runs @cb(@data) on each answer that is not an ack, an
 * error or a dump's end.  Return: 0, or -errno from the kernel's error (its
 * extended ack in @p->extack), from the socket, or -EBADMSG.
 */
int prnl_talk(struct prnl *p, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Joins the family's events group.  Return: 0 or -errno. */
int prnl_join_events(struct prnl *p);

/* One reservation, as a message of the family describes it. */
struct prnl_resv {
	uint8_t cmd;			/* PORTRES_CMD_GET, _NEW or _DEL */
	int protocol;			/* IPPROTO_TCP or IPPROTO_UDP */
	unsigned int start, count, kind, in_use;
	bool exclusive, has_token, has_owner, has_pid, has_uid;
	bool init_netns;		/* PORTRES_A_INIT_NETNS: create, lookup */
	uint64_t token;
	unsigned int pid, uid;
	char comm[32];
	unsigned int nports;
	uint16_t ports[PORTRES_NL_MAX_PORTS];
};

/*
 * Reads a reservation message, each attribute checked for its type.
 * Return: 0, or -EBADMSG with @why saying what was wrong.
 */
int prnl_resv_parse(const struct nlmsghdr *nlh, struct prnl_resv *r,
		    const char **why);

/* The caller's network namespace, as PORTRES_CMD_NETNS describes it. */
struct prnl_netns {
	uint64_t cookie;
	uint64_t refused;		/* binds portres refused there */
	bool init;			/* the initial namespace */
};

/*
 * Asks for the caller's namespace.  Return: 0, -EOPNOTSUPP from a module
 * that does not know the command, or -errno.
 */
int prnl_netns(struct prnl *p, struct prnl_netns *ns);

#endif /* PORTRES_NLUTIL_H */
