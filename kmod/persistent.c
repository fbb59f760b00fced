// SPDX-License-Identifier: GPL-2.0
/*
 * portres: the configuration file of persistent reservations.
 *
 * When the module loads it reserves, in the initial network namespace, the
 * blocks listed in its configuration file (module parameter conf, by
 * default /etc/portres.conf), one per line:
 *
 *	# protocol start count [exclusive]
 *	tcp 8080 10
 *	udp 5000 5 exclusive
 *
 * '#' starts a comment.  A line that cannot be read, or whose block cannot
 * be reserved, is reported in the kernel log with its line number; the
 * other lines still apply.  The module only reads the file: libportres
 * adds and removes lines as persistent reservations are created and
 * deleted.
 */
#include <linux/ctype.h>
#include <linux/in.h>
#include <linux/kernel.h>
#include <linux/kernel_read_file.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

#include "portres.h"

static char *portres_conf = "/etc/portres.conf";
module_param_named(conf, portres_conf, charp, 0444);
MODULE_PARM_DESC(conf,
		 "file of persistent reservations restored at load (\"\" for none)");

/* Return: PORTRES_TCP or PORTRES_UDP for IPPROTO_TCP or _UDP, or -EINVAL. */
int portres_proto_from_ip(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return PORTRES_TCP;
	case IPPROTO_UDP:
		return PORTRES_UDP;
	}
	return -EINVAL;
}

int portres_proto_to_ip(int proto)
{
	return proto == PORTRES_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

const char *portres_proto_name(int proto)
{
	return proto == PORTRES_TCP ? "tcp" : "udp";
}

/*
 * The persistent reservation calls of the ioctls and of netlink; the
 * callers have checked the arguments and the caller's rights.
 */
int portres_persistent_create(struct net *net, int proto, u16 start,
			      u16 count, bool exclusive, u64 *token)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;
	int err;

	mutex_lock(&pn->lock);
	err = portres_resv_create(pn, proto, start, count, exclusive, &resv);
	if (!err)
		*token = resv->token;
	mutex_unlock(&pn->lock);
	return err;
}

int portres_persistent_delete(struct net *net, int proto, u16 start,
			      u16 count)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;

	mutex_lock(&pn->lock);
	resv = portres_resv_persistent(pn, proto, start, count);
	if (resv)
		portres_resv_release(resv);
	mutex_unlock(&pn->lock);
	return resv ? 0 : -ENOENT;
}

int portres_persistent_lookup(struct net *net, int proto, u16 start,
			      u16 count, u64 *token)
{
	struct portres_net *pn = portres_pernet(net);
	struct portres_resv *resv;

	mutex_lock(&pn->lock);
	resv = portres_resv_persistent(pn, proto, start, count);
	if (resv)
		*token = resv->token;
	mutex_unlock(&pn->lock);
	return resv ? 0 : -ENOENT;
}

struct portres_conf_line {
	int proto;
	u16 start;
	u16 count;
	bool exclusive;
};

/*
 * Parses one line, comment and blanks already stripped.  Return: 0, or
 * -EINVAL with *why saying what is wrong.
 */
static int portres_conf_parse(char *line, struct portres_conf_line *out,
			      const char **why)
{
	char *word[5];
	unsigned int n = 0;
	u16 start, count;
	char *tok;

	while ((tok = strsep(&line, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (n == ARRAY_SIZE(word)) {
			*why = "too many words";
			return -EINVAL;
		}
		word[n++] = tok;
	}
	if (n < 3) {
		*why = "expected: protocol start count [exclusive]";
		return -EINVAL;
	}
	if (!strcmp(word[0], "tcp")) {
		out->proto = PORTRES_TCP;
	} else if (!strcmp(word[0], "udp")) {
		out->proto = PORTRES_UDP;
	} else {
		*why = "protocol is not tcp or udp";
		return -EINVAL;
	}
	if (kstrtou16(word[1], 10, &start) || !start) {
		*why = "start is not a port from 1 to 65535";
		return -EINVAL;
	}
	if (kstrtou16(word[2], 10, &count) || !count ||
	    (unsigned int)start + count > PORTRES_NPORTS) {
		*why = "count is not a number of ports that fits after start";
		return -EINVAL;
	}
	out->start = start;
	out->count = count;
	out->exclusive = false;
	if (n == 4) {
		if (strcmp(word[3], "exclusive")) {
			*why = "the fourth word can only be \"exclusive\"";
			return -EINVAL;
		}
		out->exclusive = true;
	} else if (n > 4) {
		*why = "too many words";
		return -EINVAL;
	}
	return 0;
}

/* Applies one line of the file; complains about it with its number. */
static bool portres_conf_apply(struct portres_net *pn, char *line,
			       unsigned int lineno)
{
	struct portres_conf_line cl;
	const char *why = NULL;
	u64 token;
	char *hash;
	int err;

	hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	line = strim(line);
	if (!*line)
		return false;

	if (portres_conf_parse(line, &cl, &why)) {
		pr_warn("%s:%u: %s; line ignored\n", portres_conf, lineno, why);
		return false;
	}
	err = portres_persistent_create(pn->net, cl.proto, cl.start, cl.count,
					cl.exclusive, &token);
	if (err) {
		pr_warn("%s:%u: cannot reserve %s %u-%u: %pe\n", portres_conf,
			lineno, portres_proto_name(cl.proto), cl.start,
			cl.start + cl.count - 1, ERR_PTR(err));
		return false;
	}
	return true;
}

/**
 * portres_persistent_load() - restore the persistent reservations
 *
 * Reads the configuration file into the initial namespace.  A missing file
 * means there is nothing to restore; no error keeps the module from loading.
 */
void portres_persistent_load(void)
{
	struct portres_net *pn = portres_pernet(&init_net);
	unsigned int lineno = 0, restored = 0;
	char *buf = NULL, *text, *line;
	ssize_t len;

	if (!portres_conf || !*portres_conf)
		return;
	len = kernel_read_file_from_path_initns(portres_conf, 0,
						(void **)&buf, SZ_1M, NULL,
						READING_UNKNOWN);
	if (len == -ENOENT)
		return;
	if (len < 0) {
		pr_warn("cannot read %s: %pe\n", portres_conf, ERR_PTR(len));
		return;
	}

	/* One more byte to end the last line. */
	text = vmalloc(len + 1);
	if (!text) {
		vfree(buf);
		return;
	}
	memcpy(text, buf, len);
	text[len] = 0;
	vfree(buf);

	for (line = text; line;) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = 0;
		lineno++;
		restored += portres_conf_apply(pn, line, lineno);
		line = next;
	}
	vfree(text);
	pr_info("restored %u persistent reservation%s from %s\n", restored,
		restored == 1 ? "" : "s", portres_conf);
}
