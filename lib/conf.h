/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libportres internals: the configuration file of persistent reservations. */
#ifndef PORTRES_CONF_H
#define PORTRES_CONF_H

#include <stddef.h>
#include <stdint.h>

struct portres_conf_entry {
	int protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t start;
	uint16_t count;
	int exclusive;
};

#define PORTRES_CONF_DEFAULT "/etc/portres.conf"
#define PORTRES_STATE_DEFAULT "/var/lib/portres/portres.conf"

/*
 * The configuration file: $PORTRES_CONF (ignored in setuid programs), else
 * /etc/portres.conf; "" keeps no file.
 */
int portres_conf_path(char *buf, size_t len);

/*
 * The state file, where a block goes that a caller who may not write the
 * configuration file made (a service with CAP_NET_ADMIN that is not
 * root): $PORTRES_STATE (ignored in setuid programs), else
 * /var/lib/portres/portres.conf; "" when there is none, as when
 * $PORTRES_CONF is "".  restore reads both.
 */
int portres_conf_state_path(char *buf, size_t len);

/*
 * Return: 0 for a reservation line, 1 for a blank or comment, -EINVAL with
 * *@why (if @why is not NULL) saying what is wrong.
 */
int portres_conf_parse_line(const char *line, size_t len,
			    struct portres_conf_entry *e, const char **why);

/* Adds (@add) or removes the line of @e's block in the file @path. */
int portres_conf_edit(const char *path, const struct portres_conf_entry *e,
		      int add);

/*
 * Keeping the file in step with the kernel, for the library (ioctls) and
 * portresctl (netlink) alike: the same transaction over their own calls.
 * Only the initial namespace's persistent blocks are in the file.  Each
 * call returns 0 or -errno.
 */
struct portres_conf_ops {
	int (*create)(void *ctx, const struct portres_conf_entry *e,
		      uint64_t *token);
	int (*remove)(void *ctx, const struct portres_conf_entry *e);
	int (*lookup)(void *ctx, const struct portres_conf_entry *e,
		      uint64_t *token);
	/*
	 * Optional, after create or lookup: 1 when the block is the initial
	 * namespace's (the kernel said so), 0 when it is another's, -errno
	 * when the kernel cannot tell (an older module): sysfs tells then.
	 */
	int (*init_netns)(void *ctx);
};

/*
 * Creates the block of @e and adds its line, to the configuration file or,
 * if the caller may not write that, to the state file; if the line cannot
 * be written, deletes the block again: all or nothing.  Return: 0, or
 * -errno from the kernel or, with *@in_file set, from the file, where
 * -EROFS stands for a file the caller may not write (-EACCES and -EPERM
 * are the kernel's "not allowed" only).
 */
int portres_conf_add(const struct portres_conf_ops *ops, void *ctx,
		     const struct portres_conf_entry *e, uint64_t *token,
		     int *in_file);

/*
 * Deletes the block of @e and removes its line from each file that lists
 * it; if a line cannot be removed, creates the block again as the file
 * lists it.  Return: as portres_conf_add().
 */
int portres_conf_remove(const struct portres_conf_ops *ops, void *ctx,
			const struct portres_conf_entry *e, int *in_file);

#endif /* PORTRES_CONF_H */
