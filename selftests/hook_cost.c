// SPDX-License-Identifier: GPL-2.0
/*
 * hook_cost: the bind hook's cost for sockets that have nothing to do with
 * any reservation must not grow with the number of reservations.
 *
 * Times bind()+close() of unrelated TCP and UDP sockets (port 0 and an
 * explicit port outside every block) in three network namespaces of its
 * own: one with no reservation, one with 10 reservations and 10 associated
 * sockets, one with 10,000 reservations and 1,000 associated sockets,
 * switching between them round after round, and compares the fastest
 * round of each (the least disturbed by the emulator and the host).
 * Exits 1 if unrelated binds cost more than MAX_RATIO times as much with
 * 10,000 reservations as with 10, in each of ATTEMPTS measurements: a
 * cost that grows with the reservations shows every time, while the
 * emulator's and the host's noise has been seen to put one measurement
 * out of a few dozen past the bound.  The cost against no reservation at
 * all is printed too: that is the hook's constant cost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

#include "helpers.h"
#include "portres.h"

#define NRESV		10000
#define NASSOC		1000
#define OWNERS		10
#define ROUNDS		15
#define OPS		1000
#define MAX_RATIO	1.25
#define ATTEMPTS	3

/* Seconds for OPS bind()+close() of fresh sockets of @type. */
static double bind_close(int type, int explicit_port)
{
	double t = time_bind_close(type, explicit_port, OPS);

	if (t < 0) {
		perror("hook_cost: bind");
		exit(2);
	}
	return t;
}

static void fill(int *owners, int *assoc, int type, int nresv, int nassoc)
{
	uint64_t token = 0;
	uint16_t start;
	int i, err;

	for (i = 0; i < OWNERS; i++)
		owners[i] = socket(AF_INET, type, 0);
	for (i = 0; i < nresv; i++) {
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
		if (i < nassoc) {
			assoc[i] = socket(AF_INET, type, 0);
			if (portres_associate(assoc[i], token))
				exit(2);
		}
	}
}

static void drain(int *owners, int *assoc, int nassoc)
{
	int i;

	for (i = 0; i < nassoc; i++)
		close(assoc[i]);
	for (i = 0; i < OWNERS; i++)
		close(owners[i]);
}

static double measure(int netns, int type, int explicit_port)
{
	if (setns(netns, CLONE_NEWNET)) {
		perror("hook_cost: setns");
		exit(2);
	}
	return bind_close(type, explicit_port);
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
	int owners[OWNERS], assoc[NASSOC], few_owners[OWNERS], few_assoc[10];
	int k, r, i, a, bad = 0, ns[3];
	double t[3][ROUNDS], m[3], ratio;

	if (portres_version() < 0 || setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("hook_cost: setup");
		return 2;
	}
	for (i = 0; i < 3; i++) {
		ns[i] = netns_new();
		if (ns[i] < 0) {
			perror("hook_cost: network namespace");
			return 2;
		}
	}

	for (k = 0; k < 4; k++) {
		if (setns(ns[1], CLONE_NEWNET))
			return 2;
		fill(few_owners, few_assoc, kinds[k].type, 10, 10);
		if (setns(ns[2], CLONE_NEWNET))
			return 2;
		fill(owners, assoc, kinds[k].type, NRESV, NASSOC);
		for (a = 0; a < ATTEMPTS; a++) {
			for (r = 0; r < ROUNDS; r++)
				/* Rotate which goes first, against drift. */
				for (i = 0; i < 3; i++) {
					int n = (r + i) % 3;

					t[n][r] = measure(ns[n], kinds[k].type,
							  kinds[k].explicit_port);
				}
			for (i = 0; i < 3; i++)
				m[i] = fastest(t[i], ROUNDS) * 1e6 / OPS;
			ratio = m[2] / m[1];
			printf("%-15s %7.2f us, with 10 reservations %7.2f us, with %d %7.2f us: ratio %.3f\n",
			       kinds[k].name, m[0], m[1], NRESV, m[2], ratio);
			if (ratio <= MAX_RATIO)
				break;
		}
		drain(few_owners, few_assoc, 10);
		drain(owners, assoc, NASSOC);
		bad |= a == ATTEMPTS;
	}
	portres_close();
	return bad;
}
