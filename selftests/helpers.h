/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the portres test programs. */
#ifndef PORTRES_SELFTEST_HELPERS_H
#define PORTRES_SELFTEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/portres.h>

/* Seconds on the monotonic clock. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes @text to the file @path (sysctl, sysfs, /proc); 0 or -errno. */
static inline int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Return: the local port of socket @fd (0 when unbound), or -errno. */
static inline int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Brings the loopback device of the current network namespace up. */
static inline int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* Enters a new network namespace with its loopback up; 0 or -errno. */
static inline int netns_enter(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	return lo_up();
}

/* As netns_enter(); Return: a descriptor of the namespace, or -errno. */
static inline int netns_new(void)
{
	int ret = netns_enter();

	if (ret)
		return ret;
	ret = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return ret < 0 ? -errno : ret;
}

/*
 * Issues one ioctl on a descriptor of /dev/portres of its own, for what
 * the library never sends; 0 or -errno.
 */
static inline int portres_raw_ioctl(unsigned long cmd, void *arg)
{
	int fd = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, arg) ? -errno : 0;
	close(fd);
	return ret;
}

#endif /* PORTRES_SELFTEST_HELPERS_H */
