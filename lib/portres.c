// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libportres: the native API over /dev/portres.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/portres.h>

#include "portres.h"

static int portres_fd = -1;

static int portres_dev(void)
{
	int fd = __atomic_load_n(&portres_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Another thread may have opened it first: keep one descriptor. */
	if (!__atomic_compare_exchange_n(&portres_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

static int portres_ioctl(unsigned long cmd, void *arg)
{
	int saved = errno, fd, ret;

	fd = portres_dev();
	if (fd < 0) {
		errno = saved;
		return fd;
	}
	ret = ioctl(fd, cmd, arg) < 0 ? -errno : 0;
	errno = saved;
	return ret;
}

int portres_version(void)
{
	__u32 version = 0;
	int ret;

	ret = portres_ioctl(PORTRES_IOC_VERSION, &version);
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
	ret = portres_ioctl(PORTRES_IOC_ACQUIRE, &arg);
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

	return portres_ioctl(PORTRES_IOC_ASSOCIATE, &arg);
}

int portres_release(int sockfd, uint64_t token)
{
	struct portres_token_arg arg = { .fd = sockfd, .token = token };

	return portres_ioctl(PORTRES_IOC_RELEASE, &arg);
}

void portres_close(void)
{
	int fd = __atomic_exchange_n(&portres_fd, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0)
		close(fd);
}
