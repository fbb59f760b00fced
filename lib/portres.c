// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libportres: the native API over /dev/portres.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/portres.h>

#include "conf.h"
#include "portres.h"

/*
 * Each call opens /dev/portres and closes it again: the library holds no
 * descriptor between calls, so a process that uses it does not keep the
 * module from being unloaded.  A reservation lives as long as its socket,
 * not the descriptor it was made through.  @sockfd is the socket the call
 * is about, or -1.
 */
static int portres_ioctl(unsigned long cmd, void *arg, int sockfd)
{
	int saved = errno, fd, ret;

	fd = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No device: the module is not loaded (ENOENT is "no such block"). */
		ret = errno == ENOENT ? -ENODEV : -errno;
		errno = saved;
		return ret;
	}
	/*
	 * open() takes the lowest free number: the device got @sockfd's, so
	 * @sockfd was not open.
	 */
	if (fd == sockfd) {
		close(fd);
		errno = saved;
		return -EBADF;
	}
	ret = ioctl(fd, cmd, arg) < 0 ? -errno : 0;
	close(fd);
	errno = saved;
	return ret;
}

int portres_version(void)
{
	__u32 version = 0;
	int ret;

	ret = portres_ioctl(PORTRES_IOC_VERSION, &version, -1);
	return ret ? ret : (int)version;
}

int portres_acquire(int sockfd, uint16_t start, uint16_t count,
		    uint16_t *start_out, uint64_t *token)
{
	struct portres_acquire arg = {
		.fd = sockfd,
		.start = start,
		.count = count,
	};
	int ret;

	if (!token)
		return -EFAULT;
	ret = portres_ioctl(PORTRES_IOC_ACQUIRE, &arg, sockfd);
	if (ret)
		return ret;
	if (start_out)
		*start_out = arg.start;
	*token = arg.token;
	return 0;
}

int portres_associate(int sockfd, uint64_t token)
{
	struct portres_token_arg arg = { .fd = sockfd, .token = token };

	return portres_ioctl(PORTRES_IOC_ASSOCIATE, &arg, sockfd);
}

int portres_release(int sockfd, uint64_t token)
{
	struct portres_token_arg arg = { .fd = sockfd, .token = token };

	return portres_ioctl(PORTRES_IOC_RELEASE, &arg, sockfd);
}

/*
 * The library's side of the configuration file's transaction: the flags a
 * create asks for, and the flags the kernel answered the last create or
 * lookup with.
 */
struct portres_ioctl_call {
	unsigned int flags;
	unsigned int answer;
};

static int portres_persistent_ioctl(unsigned long cmd, int protocol,
				    uint16_t start, uint16_t count,
				    unsigned int flags, uint64_t *token,
				    struct portres_ioctl_call *call)
{
	struct portres_persistent arg = {
		.protocol = protocol,
		.flags = flags,
		.start = start,
		.count = count,
	};
	int ret;

	if (protocol < 0 || protocol > 255 || flags > 255)
		return -EINVAL;
	ret = portres_ioctl(cmd, &arg, -1);
	/* A module of ABI version 1 knows no persistent reservations. */
	if (ret == -ENOTTY)
		ret = -EOPNOTSUPP;
	if (!ret && token)
		*token = arg.token;
	if (!ret && call)
		call->answer = arg.flags;
	return ret;
}

static int portres_ops_create(void *ctx, const struct portres_conf_entry *e,
			      uint64_t *token)
{
	struct portres_ioctl_call *call = ctx;
	unsigned int flags = e->exclusive ? PORTRES_F_EXCLUSIVE : 0;

	/* Creating it again after a failed delete: as the file listed it. */
	if (call->flags != ~0U)
		flags = call->flags;
	return portres_persistent_ioctl(PORTRES_IOC_CREATE, e->protocol,
					e->start, e->count, flags, token, call);
}

static int portres_ops_remove(void *ctx, const struct portres_conf_entry *e)
{
	(void)ctx;
	return portres_persistent_ioctl(PORTRES_IOC_DELETE, e->protocol,
					e->start, e->count, 0, NULL, NULL);
}

static int portres_ops_lookup(void *ctx, const struct portres_conf_entry *e,
			      uint64_t *token)
{
	return portres_persistent_ioctl(PORTRES_IOC_LOOKUP, e->protocol,
					e->start, e->count, 0, token, ctx);
}

/* From ABI version 3 the kernel says whether the block is init_net's. */
static int portres_ops_init_netns(void *ctx)
{
	struct portres_ioctl_call *call = ctx;
	int version = portres_version();

	if (version < 0)
		return version;
	if (version < 3)
		return -EOPNOTSUPP;
	return !!(call->answer & PORTRES_F_INIT_NETNS);
}

static const struct portres_conf_ops portres_ioctl_ops = {
	.create = portres_ops_create,
	.remove = portres_ops_remove,
	.lookup = portres_ops_lookup,
	.init_netns = portres_ops_init_netns,
};

int portres_persistent_create(int protocol, uint16_t start, uint16_t count,
			      unsigned int flags, uint64_t *token)
{
	struct portres_conf_entry e = {
		.protocol = protocol,
		.start = start,
		.count = count,
		.exclusive = !!(flags & PORTRES_EXCLUSIVE),
	};
	struct portres_ioctl_call call = { .flags = flags };
	int in_file;

	return portres_conf_add(&portres_ioctl_ops, &call, &e, token,
				&in_file);
}

int portres_persistent_delete(int protocol, uint16_t start, uint16_t count)
{
	struct portres_conf_entry e = {
		.protocol = protocol,
		.start = start,
		.count = count,
	};
	struct portres_ioctl_call call = { .flags = ~0U };
	int in_file;

	return portres_conf_remove(&portres_ioctl_ops, &call, &e, &in_file);
}

int portres_persistent_lookup(int protocol, uint16_t start, uint16_t count,
			      uint64_t *token)
{
	if (!token)
		return -EFAULT;
	return portres_persistent_ioctl(PORTRES_IOC_LOOKUP, protocol, start,
					count, 0, token, NULL);
}

void portres_close(void)
{
	/* The library keeps no descriptor open any more: nothing to close. */
}
