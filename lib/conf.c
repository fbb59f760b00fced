// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libportres: keeping the configuration file of persistent reservations in
 * step with the kernel.
 *
 * The module reads no file: "portresctl restore" creates the blocks of the
 * file when /dev/portres appears (portres-restore.service, which a udev
 * rule pulls in), at boot and after every modprobe, in the initial
 * namespace.  When this library creates or deletes
 * a persistent reservation of the initial namespace, it adds or removes
 * that block's line, and touches nothing else in the file: other lines,
 * comments and malformed lines stay as they are.
 * The file is replaced atomically (written beside it, then renamed), under
 * a lock on its directory so that two writers never lose each other's line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#define PORTRES_CONF_HEADER \
	"# Persistent port reservations, restored when the portres module loads\n" \
	"# (portresctl restore, run by portres-restore.service).\n" \
	"# One per line: protocol start count [exclusive]\n"

int portres_conf_path(char *buf, size_t len)
{
	const char *path = secure_getenv("PORTRES_CONF");

	if (!path)
		path = PORTRES_CONF_DEFAULT;
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	return 0;
}

int portres_conf_state_path(char *buf, size_t len)
{
	const char *conf = secure_getenv("PORTRES_CONF");
	const char *path = secure_getenv("PORTRES_STATE");

	if (!path)
		path = conf && !conf[0] ? "" : PORTRES_STATE_DEFAULT;
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	return 0;
}

/* Sets *@why, if @why is not NULL, and returns -EINVAL. */
static int portres_conf_bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

int portres_conf_parse_line(const char *line, size_t len,
			    struct portres_conf_entry *e, const char **why)
{
	char copy[256], *words[5], *save = NULL, *w, *hash, *end;
	unsigned long start, count;
	int n = 0;

	if (len >= sizeof(copy))
		return portres_conf_bad(why, "line too long");
	if (memchr(line, 0, len))
		return portres_conf_bad(why, "line holds a NUL byte");
	memcpy(copy, line, len);
	copy[len] = 0;
	hash = strchr(copy, '#');
	if (hash)
		*hash = 0;
	for (w = strtok_r(copy, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save)) {
		if (n == 5)
			break;
		words[n++] = w;
	}
	if (n == 0)
		return 1;
	if (n < 3 || n > 4)
		return portres_conf_bad(why, "expected: protocol start count [exclusive]");
	if (!strcmp(words[0], "tcp"))
		e->protocol = 6;
	else if (!strcmp(words[0], "udp"))
		e->protocol = 17;
	else
		return portres_conf_bad(why, "protocol must be tcp or udp");
	errno = 0;
	start = strtoul(words[1], &end, 10);
	if (errno || *end || !start || start > 65535 || words[1][0] == '-')
		return portres_conf_bad(why, "start must be a port from 1 to 65535");
	count = strtoul(words[2], &end, 10);
	if (errno || *end || !count || words[2][0] == '-')
		return portres_conf_bad(why, "count must be a number from 1 up");
	if (start + count > 65536)
		return portres_conf_bad(why, "the block runs past port 65535");
	e->start = start;
	e->count = count;
	e->exclusive = 0;
	if (n == 4) {
		if (strcmp(words[3], "exclusive"))
			return portres_conf_bad(why, "the fourth word can only be \"exclusive\"");
		e->exclusive = 1;
	}
	return 0;
}

static int read_all(int fd, char **bufp, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(buf);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Replaces @path with @len bytes of @buf, keeping its mode. */
static int replace_file(const char *path, const char *dir, mode_t mode,
			const char *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s/.portres.conf.XXXXXX", dir) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (!err && fchmod(fd, mode))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int portres_conf_edit(const char *path, const struct portres_conf_entry *e,
		      int add)
{
	char dirbuf[PATH_MAX], line[64], *dir, *old = NULL, *out = NULL;
	size_t oldlen = 0, outlen = 0, pos, end;
	struct portres_conf_entry cur;
	int dirfd, fd, err, found = 0;
	mode_t mode = 0644;
	struct stat st;

	if (snprintf(dirbuf, sizeof(dirbuf), "%s", path) >= (int)sizeof(dirbuf))
		return -ENAMETOOLONG;
	dir = dirname(dirbuf);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	if (flock(dirfd, LOCK_EX)) {
		err = -errno;
		goto out_dir;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		err = fstat(fd, &st) ? -errno : read_all(fd, &old, &oldlen);
		mode = st.st_mode & 07777;
		close(fd);
		if (err)
			goto out_dir;
	} else if (errno != ENOENT) {
		err = -errno;
		goto out_dir;
	}

	out = malloc(oldlen + sizeof(PORTRES_CONF_HEADER) + sizeof(line) + 1);
	if (!out) {
		err = -ENOMEM;
		goto out_dir;
	}
	for (pos = 0; pos < oldlen; pos = end) {
		const char *nl = memchr(old + pos, '\n', oldlen - pos);

		end = nl ? (size_t)(nl - old) + 1 : oldlen;
		if (portres_conf_parse_line(old + pos, end - pos -
					    (nl ? 1 : 0), &cur, NULL) == 0 &&
		    cur.protocol == e->protocol && cur.start == e->start &&
		    cur.count == e->count) {
			found = 1;
			if (!add)
				continue;
		}
		memcpy(out + outlen, old + pos, end - pos);
		outlen += end - pos;
	}

	if (add && found) {
		err = 0;
		goto out_dir;
	}
	if (!add && !found) {
		err = 0;
		goto out_dir;
	}
	if (add) {
		if (!oldlen) {
			memcpy(out, PORTRES_CONF_HEADER,
			       sizeof(PORTRES_CONF_HEADER) - 1);
			outlen = sizeof(PORTRES_CONF_HEADER) - 1;
		} else if (out[outlen - 1] != '\n') {
			out[outlen++] = '\n';
		}
		outlen += snprintf(out + outlen, sizeof(line) + 1, "%s %u %u%s\n",
				   e->protocol == 6 ? "tcp" : "udp", e->start,
				   e->count, e->exclusive ? " exclusive" : "");
	}
	err = replace_file(path, dir, mode, out, outlen);
	if (!err)
		fsync(dirfd);
out_dir:
	free(old);
	free(out);
	close(dirfd);
	return err;
}

/*
 * Whether a persistent block belongs to the initial namespace, whose blocks
 * are saved: the kernel says so in its answer to the create or lookup just
 * made (ABI version 3).  An older module does not: then only the initial
 * namespace's blocks have a directory in /sys/kernel/portres, whose token
 * (readable by root) tells it apart from another namespace's block of the
 * same ports.  *@exclusive, if asked for, from sysfs.
 */
static int portres_in_init_net(const struct portres_conf_ops *ops, void *ctx,
			       const struct portres_conf_entry *e,
			       uint64_t token, int *exclusive)
{
	char dir[96], path[128], buf[32];
	int init = ops->init_netns ? ops->init_netns(ctx) : -EOPNOTSUPP;
	unsigned long long t;
	FILE *f;

	if (init == 0)
		return 0;
	snprintf(dir, sizeof(dir), "/sys/kernel/portres/%s-%u-%u",
		 e->protocol == 6 ? "tcp" : "udp", e->start,
		 e->start + e->count - 1);
	if (init < 0) {
		if (access(dir, F_OK))
			return 0;
		snprintf(path, sizeof(path), "%s/token", dir);
		f = fopen(path, "re");
		if (f) {
			int match = fscanf(f, "%llu", &t) == 1 && t == token;

			fclose(f);
			if (!match)
				return 0;
		}
	}
	if (exclusive) {
		snprintf(path, sizeof(path), "%s/exclusive", dir);
		f = fopen(path, "re");
		*exclusive = f && fgets(buf, sizeof(buf), f) && buf[0] == '1';
		if (f)
			fclose(f);
	}
	return 1;
}

/* A file the caller may not write: -EROFS, never the kernel's -EACCES. */
static int portres_conf_denied(int err)
{
	return err == -EACCES || err == -EPERM || err == -EROFS;
}

static int portres_conf_errno(int err)
{
	return portres_conf_denied(err) ? -EROFS : err;
}

/*
 * Adds @e's line to the configuration file or, when the caller may not
 * write it, to the state file, making its directory if it can.
 */
static int portres_conf_save(const struct portres_conf_entry *e)
{
	char path[PATH_MAX], state[PATH_MAX], dir[PATH_MAX];
	int ret;

	if (portres_conf_path(path, sizeof(path)) || !path[0])
		return 0;
	ret = portres_conf_edit(path, e, 1);
	if (!portres_conf_denied(ret) ||
	    portres_conf_state_path(state, sizeof(state)) || !state[0])
		return portres_conf_errno(ret);
	snprintf(dir, sizeof(dir), "%s", state);
	mkdir(dirname(dir), 0755);
	return portres_conf_errno(portres_conf_edit(state, e, 1));
}

/* Removes @e's line from each file that lists it. */
static int portres_conf_unsave(const struct portres_conf_entry *e)
{
	char path[PATH_MAX];
	int ret;

	if (portres_conf_path(path, sizeof(path)) || !path[0])
		return 0;
	ret = portres_conf_edit(path, e, 0);
	if (ret && ret != -ENOENT)
		return portres_conf_errno(ret);
	if (portres_conf_state_path(path, sizeof(path)) || !path[0])
		return 0;
	ret = portres_conf_edit(path, e, 0);
	return ret == -ENOENT ? 0 : portres_conf_errno(ret);
}

int portres_conf_add(const struct portres_conf_ops *ops, void *ctx,
		     const struct portres_conf_entry *e, uint64_t *token,
		     int *in_file)
{
	uint64_t tok;
	int ret;

	*in_file = 0;
	ret = ops->create(ctx, e, &tok);
	if (ret)
		return ret;
	if (portres_in_init_net(ops, ctx, e, tok, NULL)) {
		ret = portres_conf_save(e);
		if (ret) {
			/* All or nothing: a block the file forgets is undone. */
			ops->remove(ctx, e);
			*in_file = 1;
			return ret;
		}
	}
	if (token)
		*token = tok;
	return 0;
}

int portres_conf_remove(const struct portres_conf_ops *ops, void *ctx,
			const struct portres_conf_entry *e, int *in_file)
{
	struct portres_conf_entry was = *e;
	uint64_t tok;
	int listed, ret;

	*in_file = 0;
	/* The token tells the initial namespace's block from another's. */
	ret = ops->lookup(ctx, e, &tok);
	if (ret)
		return ret;
	listed = portres_in_init_net(ops, ctx, e, tok, &was.exclusive);
	ret = ops->remove(ctx, e);
	if (ret || !listed)
		return ret;
	ret = portres_conf_unsave(&was);
	if (ret) {
		/* A file still lists the block: reserve it again. */
		ops->create(ctx, &was, &tok);
		*in_file = 1;
	}
	return ret;
}
