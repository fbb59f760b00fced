/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the portres test programs. */
#ifndef PORTRES_SELFTEST_HELPERS_H
#define PORTRES_SELFTEST_HELPERS_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

/* Sockets and sysctls of the test's namespace: 0 or -errno. */


static inline int sysctl_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	return write_file(path, value);
}
/* Reads a small file whole, NUL-terminated. */
static inline int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* A sysctl of net.ipv4, without its newline. */
static inline int sysctl_read(const char *name, char *buf, size_t len)
{
	char path[128];
	size_t n;
	int err;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	err = read_file(path, buf, len);
	n = strlen(buf);
	if (!err && n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return err;
}

static inline int port_range(int lo, int hi)
{
	char value[32];

	snprintf(value, sizeof(value), "%d %d", lo, hi);
	return sysctl_write("ip_local_port_range", value);
}

static inline socklen_t make_addr(int family, struct sockaddr_storage *ss,
			   uint16_t port, int loopback)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = loopback ? in6addr_loopback : in6addr_any;
		return sizeof(*sin6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(port);
	((struct sockaddr_in *)ss)->sin_addr.s_addr =
		htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
	return sizeof(struct sockaddr_in);
}

enum sock_op { OP_BIND, OP_CONNECT, OP_SENDTO };

/*
 * bind(), connect() or sendto() of one byte, with @port of the wildcard or
 * the loopback address of @family.
 */
static inline int sock_to(int fd, enum sock_op op, int family, uint16_t port,
			  int loopback)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, &ss, port, loopback);
	struct sockaddr *sa = (struct sockaddr *)&ss;
	int ret;

	if (op == OP_BIND)
		ret = bind(fd, sa, len);
	else if (op == OP_CONNECT)
		ret = connect(fd, sa, len);
	else
		ret = sendto(fd, "x", 1, 0, sa, len) < 0 ? -1 : 0;
	return ret ? -errno : 0;
}

#define bind_port(fd, family, port)	sock_to(fd, OP_BIND, family, port, 0)
#define bind_loopback(fd, family, port)	sock_to(fd, OP_BIND, family, port, 1)
#define connect_port(fd, family, port)	sock_to(fd, OP_CONNECT, family, port, 1)
#define sendto_port(fd, family, port)	sock_to(fd, OP_SENDTO, family, port, 1)

static inline int in_block(int port, uint16_t start, uint16_t count)
{
	return port >= start && port < start + count;
}

/* A server other sockets can connect or send to, on a port outside blocks. */
static inline int server(int family, int type, uint16_t port)
{
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -errno;
	if (bind_loopback(fd, family, port) ||
	    (type == SOCK_STREAM && listen(fd, 64))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static inline int proto_of(int type)
{
	return type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
}

/* Runs @fn in a child that has dropped root; Return: its exit status. */
static inline int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Timing, for the benchmarks. */

/* The least of @n values. */
static inline double fastest(const double *v, int n)
{
	double m = v[0];

	while (--n > 0)
		if (v[n] < m)
			m = v[n];
	return m;
}

#endif /* PORTRES_SELFTEST_HELPERS_H */
