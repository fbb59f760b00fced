// SPDX-License-Identifier: GPL-2.0
/*
 * hook_cost: the bind hook's cost for sockets that have nothing to do with
 * any reservation must not grow with the number of reservations.
 *
 * In a network namespace of its own, times bind()+close() of unrelated TCP
 * and UDP sockets (port 0 and an explicit port outside every block) with no
 * reservation, then with 10,000 reservations and 1,000 associated sockets,
 * in interleaved rounds, and compares the medians.  Exits 1 if the loaded
 * table makes unrelated binds more than MAX_RATIO times slower.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "portres.h"

#define NRESV		10000
#define NASSOC		1000
#define OWNERS		10
#define ROUNDS		9
#define OPS		2000
#define MAX_RATIO	1.5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds for OPS bind()+close() of fresh sockets of @type to @port. */
static double bind_close(int type, int explicit_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	double t0 = now();
	int i, fd;

	for (i = 0; i < OPS; i++) {
		fd = socket(AF_INET, type, 0);
		sin.sin_port = htons(explicit_port ? 62000 + i % 1000 : 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("hook_cost: bind");
			exit(2);
		}
		close(fd);
	}
	return now() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

static void fill(int *owners, int *assoc, int type)
{
	uint64_t token = 0;
	uint16_t start;
	int i, err;

	for (i = 0; i < OWNERS; i++)
		owners[i] = socket(AF_INET, type, 0);
	for (i = 0; i < NRESV; i++) {
		/*
		 * 10,000 one-port blocks, every other port of 2000-21999: away
		 * from the ephemeral range, so that the kernel's own search for
		 * a free port does the same work with and without them.
		 */
		err = portres_acquire(owners[i % OWNERS], 2000 + 2 * i, 1,
				      &start, &token);
		if (err) {
			fprintf(stderr, "hook_cost: acquire: %s\n", strerror(-err));
			exit(2);
		}
		if (i < NASSOC) {
			assoc[i] = socket(AF_INET, type, 0);
			if (portres_associate(assoc[i], token))
				exit(2);
		}
	}
}

static void drain(int *owners, int *assoc)
{
	int i;

	for (i = 0; i < NASSOC; i++)
		close(assoc[i]);
	for (i = 0; i < OWNERS; i++)
		close(owners[i]);
}

int main(void)
{
	static const struct { int type, explicit_port; const char *name; } kinds[] = {
		{ SOCK_STREAM, 0, "tcp bind(0)" },
		{ SOCK_STREAM, 1, "tcp bind(port)" },
		{ SOCK_DGRAM, 0, "udp bind(0)" },
		{ SOCK_DGRAM, 1, "udp bind(port)" },
	};
	struct rlimit rl = { 8192, 8192 };
	struct ifreq ifr = { .ifr_name = "lo" };
	int owners[OWNERS], assoc[NASSOC], k, r, fd, bad = 0;
	double empty[ROUNDS], loaded[ROUNDS], ratio;

	if (portres_version() < 0 || unshare(CLONE_NEWNET) ||
	    setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("hook_cost: setup");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);

	for (k = 0; k < 4; k++) {
		for (r = 0; r < ROUNDS; r++) {
			empty[r] = bind_close(kinds[k].type, kinds[k].explicit_port);
			fill(owners, assoc, kinds[k].type);
			loaded[r] = bind_close(kinds[k].type, kinds[k].explicit_port);
			drain(owners, assoc);
		}
		ratio = median(loaded, ROUNDS) / median(empty, ROUNDS);
		printf("%-15s %7.2f us with no reservation, %7.2f us with %d: ratio %.3f\n",
		       kinds[k].name, median(empty, ROUNDS) * 1e6 / OPS,
		       median(loaded, ROUNDS) * 1e6 / OPS, NRESV, ratio);
		bad |= ratio > MAX_RATIO;
	}
	portres_close();
	return bad;
}
