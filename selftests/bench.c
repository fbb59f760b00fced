// SPDX-License-Identifier: GPL-2.0
/*
 * bench: what portres costs, as ratios measured in one boot (software
 * emulation makes absolute times meaningless).  Conditions are interleaved
 * round after round; each figure compares the fastest round of each side
 * (the one least disturbed by the emulator and the host).
 *
 *	1. bind()+close() of unrelated sockets: module loaded with 0 and with
 *	   10,000 reservations, against the module not loaded (target 1.03x)
 *	2. acquire+release at 10,000 live reservations against 1 (1.5x)
 *	3. acquire, associate, bind(0), close against bind(0)+close (3x)
 *	4. wildcard acquire of 100 ports, half of the ephemeral range reserved
 *	   in scattered blocks, against an empty table (2x)
 *	5. reserving 1,000 ports: portres against 1,000 placeholder sockets
 *	   (500x faster) and against a write of ip_local_reserved_ports (20x)
 *	6. kernel memory per reservation, from the slab accounting (256 bytes
 *	   plus one bit per port)
 *
 * Prints a table, and the JSON between "bench-json: begin" and "end".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
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

#include <linux/portres.h>

#include "helpers.h"

#define ROUNDS 9

static int dev = -1;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void load(int yes)
{
	if (dev >= 0)
		close(dev);
	dev = -1;
	if (system(yes ? "modprobe portres" : "modprobe -r portres"))
		die("modprobe");
	if (yes) {
		dev = open(PORTRES_DEVICE, O_RDWR);
		if (dev < 0)
			die(PORTRES_DEVICE);
	}
}

static int acquire(int s, int start, int count, uint64_t *token)
{
	struct portres_acquire a = { .fd = s, .start = start, .count = count };

	if (ioctl(dev, PORTRES_IOC_ACQUIRE, &a))
		return -1;
	*token = a.token;
	return a.start;
}

static void release(int s, uint64_t token)
{
	struct portres_token_arg a = { .fd = s, .token = token };

	if (ioctl(dev, PORTRES_IOC_RELEASE, &a))
		die("release");
}

static void associate(int s, uint64_t token)
{
	struct portres_token_arg a = { .fd = s, .token = token };

	if (ioctl(dev, PORTRES_IOC_ASSOCIATE, &a))
		die("associate");
}

/* A new network namespace, entered; a test without one is meaningless. */
static int netns(void)
{
	int ns = netns_new();

	if (ns < 0)
		die("network namespace");
	return ns;
}

static void enter(int ns)
{
	if (setns(ns, CLONE_NEWNET))
		die("setns");
}

/* Seconds per bind()+close() of a fresh unrelated socket. */
static double bind_close(int type, int explicit_port, int n)
{
	double t = time_bind_close(type, explicit_port, n);

	if (t < 0)
		die("bind");
	return t / n;
}

struct figure {
	const char *name, *unit;
	double value, target;
	int lower_is_better;
};

static struct figure figs[16];
static int nfigs;

static void figure(const char *name, double value, double target,
		   int lower_is_better, const char *unit)
{
	figs[nfigs++] = (struct figure){ name, unit, value, target,
					 lower_is_better };
}

/* 10,000 one-port reservations, 5,000 per protocol, on 10 sockets each. */
static int fill_owners[20];

static void fill(int n, int base)
{
	uint64_t token;
	int i;

	for (i = 0; i < 20; i++)
		fill_owners[i] = socket(AF_INET, i < 10 ? SOCK_STREAM : SOCK_DGRAM, 0);
	for (i = 0; i < n; i++)
		if (acquire(fill_owners[(i % 2) * 10 + i % 10], base + 2 * (i / 2),
			    1, &token) < 0)
			die("fill");
}

static void drain(void)
{
	int i;

	for (i = 0; i < 20; i++)
		close(fill_owners[i]);
}

static void bench_unrelated_binds(void)
{
	static const struct { int type, explicit_port; const char *name; } k[] = {
		{ SOCK_STREAM, 0, "tcp bind(0)" }, { SOCK_STREAM, 1, "tcp bind(port)" },
		{ SOCK_DGRAM, 0, "udp bind(0)" }, { SOCK_DGRAM, 1, "udp bind(port)" },
	};
	double t[3][4][ROUNDS];
	char name[96];
	int r, i, ns = netns();

	for (r = 0; r < ROUNDS; r++) {
		load(0);
		enter(ns);
		for (i = 0; i < 4; i++)
			t[0][i][r] = bind_close(k[i].type, k[i].explicit_port, 1000);
		load(1);
		for (i = 0; i < 4; i++)
			t[1][i][r] = bind_close(k[i].type, k[i].explicit_port, 1000);
		/* Away from the ephemeral range and the explicit ports. */
		fill(10000, 2000);
		for (i = 0; i < 4; i++)
			t[2][i][r] = bind_close(k[i].type, k[i].explicit_port, 1000);
		drain();
	}
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "1. %s, module loaded, 0 reservations / not loaded",
			 k[i].name);
		figure(strdup(name), fastest(t[1][i], ROUNDS) / fastest(t[0][i], ROUNDS),
		       1.03, 1, "x");
		snprintf(name, sizeof(name), "1. %s, 10,000 reservations / not loaded",
			 k[i].name);
		figure(strdup(name), fastest(t[2][i], ROUNDS) / fastest(t[0][i], ROUNDS),
		       1.03, 1, "x");
	}
}

static double acquire_release(int n)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), i;
	uint64_t token;
	double t0 = now();

	for (i = 0; i < n; i++) {
		if (acquire(s, 0, 1, &token) < 0)
			die("acquire");
		release(s, token);
	}
	t0 = now() - t0;
	close(s);
	return t0 / n;
}

static void bench_scale(void)
{
	static const int live[3] = { 1, 100, 10000 };
	double t[3][ROUNDS];
	int ns[3], r, i;
	char name[96];

	for (i = 0; i < 3; i++) {
		ns[i] = netns();
		fill(live[i], 2000);
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < 3; i++) {
			enter(ns[(r + i) % 3]);
			t[(r + i) % 3][r] = acquire_release(1000);
		}
	for (i = 1; i < 3; i++) {
		snprintf(name, sizeof(name),
			 "2. acquire+release, %d live reservations / 1", live[i]);
		figure(strdup(name), fastest(t[i], ROUNDS) / fastest(t[0], ROUNDS),
		       1.5, 1, "x");
	}
	/* The fills of the three namespaces go with their sockets. */
}

static void bench_cycle(void)
{
	double full[ROUNDS], plain[ROUNDS], t0;
	int r, i, n = 1000;
	uint64_t token;

	netns();
	for (r = 0; r < ROUNDS; r++) {
		t0 = now();
		for (i = 0; i < n; i++) {
			int owner = socket(AF_INET, SOCK_DGRAM, 0);
			int a = socket(AF_INET, SOCK_DGRAM, 0);

			if (acquire(owner, 0, 1, &token) < 0)
				die("acquire");
			associate(a, token);
			if (bind_port(a, AF_INET, 0))
				die("bind");
			close(a);
			close(owner);
		}
		full[r] = (now() - t0) / n;
		plain[r] = bind_close(SOCK_DGRAM, 0, n);
	}
	figure("3. acquire, associate, bind(0), close / bind(0), close",
	       fastest(full, ROUNDS) / fastest(plain, ROUNDS), 3, 1, "x");
}

static void bench_wildcard(void)
{
	double t[2][ROUNDS];
	int ns[2], r, i, port, reserved = 0, lo = 32768, hi = 60999, s;
	unsigned int seed = 1;
	uint64_t token;

	ns[0] = netns();
	ns[1] = netns();
	/* Half of the ephemeral range, in scattered blocks of 1 to 150. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	for (port = lo; port < hi;) {
		int len = 1 + rand_r(&seed) % 150, gap = 1 + rand_r(&seed) % 150;

		if (port + len > hi)
			break;
		if (acquire(s, port, len, &token) < 0)
			die("scatter");
		reserved += len;
		port += len + gap;
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < 2; i++) {
			int o = socket(AF_INET, SOCK_STREAM, 0), j;
			double t0;

			enter(ns[(r + i) % 2]);
			o = socket(AF_INET, SOCK_STREAM, 0);
			t0 = now();
			for (j = 0; j < 200; j++) {
				if (acquire(o, 0, 100, &token) < 0)
					die("wildcard");
				release(o, token);
			}
			t[(r + i) % 2][r] = (now() - t0) / 200;
			close(o);
		}
	printf("# %d of %d ephemeral ports reserved in scattered blocks\n",
	       reserved, hi - lo + 1);
	figure("4. wildcard acquire of 100 ports, half the range reserved / empty",
	       fastest(t[1], ROUNDS) / fastest(t[0], ROUNDS), 2, 1, "x");
}

static void bench_alternatives(void)
{
	double p[ROUNDS], sock[ROUNDS], sysctl[ROUNDS], t0;
	int r, i, fds[1000], fd;
	uint64_t token;

	netns();
	for (r = 0; r < ROUNDS; r++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);

		t0 = now();
		if (acquire(s, 40000, 1000, &token) < 0)
			die("acquire 1000");
		p[r] = now() - t0;
		close(s);

		t0 = now();
		for (i = 0; i < 1000; i++) {
			fds[i] = socket(AF_INET, SOCK_STREAM, 0);
			if (bind_port(fds[i], AF_INET, 40000 + i))
				die("placeholder");
		}
		sock[r] = now() - t0;
		for (i = 0; i < 1000; i++)
			close(fds[i]);

		t0 = now();
		fd = open("/proc/sys/net/ipv4/ip_local_reserved_ports", O_WRONLY);
		if (fd < 0 || write(fd, "40000-40999", 11) != 11)
			die("sysctl");
		close(fd);
		sysctl[r] = now() - t0;
		fd = open("/proc/sys/net/ipv4/ip_local_reserved_ports", O_WRONLY);
		if (fd < 0 || write(fd, "\n", 1) != 1)
			die("sysctl");
		close(fd);
	}
	printf("# reserving 1,000 ports: portres %.1f us, placeholder sockets %.1f us, sysctl write %.1f us\n",
	       fastest(p, ROUNDS) * 1e6, fastest(sock, ROUNDS) * 1e6,
	       fastest(sysctl, ROUNDS) * 1e6);
	figure("5. 1,000 placeholder sockets / portres acquire of 1,000 ports",
	       fastest(sock, ROUNDS) / fastest(p, ROUNDS), 500, 0, "x faster");
	figure("5. ip_local_reserved_ports write / portres acquire of 1,000 ports",
	       fastest(sysctl, ROUNDS) / fastest(p, ROUNDS), 20, 0, "x faster");
}

static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void bench_memory(void)
{
	double per[ROUNDS];
	long before, after;
	int r;

	netns();
	for (r = 0; r < ROUNDS; r++) {
		int i;

		for (i = 0; i < 20; i++)
			fill_owners[i] = -1;
		/* The namespace's bitmaps and the sockets come first. */
		fill(2, 30000);
		drain();
		for (i = 0; i < 20; i++)
			fill_owners[i] = socket(AF_INET, i < 10 ? SOCK_STREAM :
						SOCK_DGRAM, 0);
		before = slab_kb();
		for (i = 0; i < 10000; i++) {
			uint64_t token;

			if (acquire(fill_owners[(i % 2) * 10 + i % 10],
				    2000 + 2 * (i / 2), 1, &token) < 0)
				die("memory");
		}
		after = slab_kb();
		per[r] = (after - before) * 1024.0 / 10000;
		drain();
		usleep(200000);
	}
	figure("6. kernel memory per one-port reservation", fastest(per, ROUNDS),
	       256 + 1.0 / 8, 1, "bytes");
}

int main(void)
{
	struct rlimit rl = { 65536, 65536 };
	int i, met = 0;
	time_t t = time(NULL);
	char date[32];

	setrlimit(RLIMIT_NOFILE, &rl);
	load(1);
	bench_unrelated_binds();
	bench_scale();
	bench_cycle();
	bench_wildcard();
	bench_alternatives();
	bench_memory();

	printf("%-72s %12s %10s\n", "figure", "measured", "target");
	for (i = 0; i < nfigs; i++) {
		int ok = figs[i].lower_is_better ? figs[i].value <= figs[i].target :
						   figs[i].value >= figs[i].target;

		met += ok;
		printf("%-72s %9.3f %-4s %s%g %s\n", figs[i].name, figs[i].value,
		       figs[i].unit, figs[i].lower_is_better ? "<= " : ">= ",
		       figs[i].target, ok ? "met" : "MISSED");
	}
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));
	printf("bench-json: begin\n{\"date\":\"%s\",\"figures\":[", date);
	for (i = 0; i < nfigs; i++)
		printf("%s{\"name\":\"%s\",\"value\":%.4f,\"unit\":\"%s\",\"target\":%g,\"%s\":%s}",
		       i ? "," : "", figs[i].name, figs[i].value, figs[i].unit,
		       figs[i].target, figs[i].lower_is_better ? "at_most" : "at_least",
		       (figs[i].lower_is_better ? figs[i].value <= figs[i].target :
			figs[i].value >= figs[i].target) ? "true" : "false");
	printf("]}\nbench-json: end\n");
	printf("%d of %d figures meet their targets\n", met, nfigs);
	return 0;
}
