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

/* The file the loaded module restores from; "" when it has none. */
int portres_conf_path(char *buf, size_t len);

/* Return: 0 for a reservation line, 1 for a blank or comment, -EINVAL. */
int portres_conf_parse_line(const char *line, size_t len,
			    struct portres_conf_entry *e);

/* Adds (@add) or removes the line of @e's block in the file @path. */
int portres_conf_edit(const char *path, const struct portres_conf_entry *e,
		      int add);

#endif /* PORTRES_CONF_H */
