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

/*
 * The configuration file: $PORTRES_CONF (ignored in setuid programs), else
 * /etc/portres.conf; "" keeps no file.
 */
int portres_conf_path(char *buf, size_t len);

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
 * Keeping the file in step with the kernel, for the library and portresctl
 * alike.  Only the initial namespace's persistent blocks are in the file.
 *
 * portres_conf_created(): a block was just created with @token; adds its
 * line.  On failure the caller deletes the block again: all or nothing.
 *
 * portres_conf_delete_prepare() before deleting the block of @token, and
 * portres_conf_delete_commit() after: removes its line.  On failure the
 * caller creates the block again as @pending->entry says.
 */
struct portres_conf_pending {
	struct portres_conf_entry entry;
	int in_file;
	char path[4096];
};

int portres_conf_created(const struct portres_conf_entry *e, uint64_t token);
void portres_conf_delete_prepare(const struct portres_conf_entry *e,
				 uint64_t token,
				 struct portres_conf_pending *pending);
int portres_conf_delete_commit(const struct portres_conf_pending *pending);

#endif /* PORTRES_CONF_H */
