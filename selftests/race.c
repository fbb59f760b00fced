// SPDX-License-Identifier: GPL-2.0
/*
 * race: threads that race the calls of a reservation against each other
 * and against the binds of other sockets, for a bounded time each, and
 * count the times the promise broke.
 *
 *	race [SECONDS [MIN_TRIES]]	(per race, default 4 and 200)
 *
 * The races, each in a network namespace of its own:
 *  - acquire/release of a block against explicit binds of its ports by
 *    other sockets (TCP, UDP): once an acquire has returned, no other
 *    socket is bound to a port of the block until it is released;
 *  - the same against autobinds (TCP connect(), UDP connect()), in a local
 *    port range the blocks lie in;
 *  - two threads binding one associated socket to port 0 at once: the port
 *    it got is held, the block's other port is free for the next socket;
 *  - associate against bind(0) of the same socket: an associated socket is
 *    bound inside its block;
 *  - a write of ip_local_reserved_ports against the first acquire of a
 *    namespace: the block's ports stay out of the kernel's own choice;
 *  - the first acquire of a fresh namespace against explicit binds of its
 *    ports, which portres lets through until the namespace has one.
 * Prints TAP, one result per race with its counts; a race fails on any
 * violation, and when its threads got too few tries in to mean anything.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/portres.h>

#include "helpers.h"

#define BASE		40000	/* blocks are acquired at BASE + k * BLOCK */
#define BLOCK		4
#define NBLOCKS		4
#define OUTSIDERS	3
/* Per race, below which it proved nothing (race's second argument). */
static int min_tries = 200;
#define MIN_TRIES	min_tries

static int dev;
static double deadline;
static int tests;

static int acquire(int s, uint16_t start, uint16_t count, uint64_t *token)
{
	struct portres_acquire a = { .fd = s, .start = start, .count = count };

	if (ioctl(dev, PORTRES_IOC_ACQUIRE, &a))
		return -errno;
	*token = a.token;
	return 0;
}

static int associate(int s, uint64_t token)
{
	struct portres_token_arg t = { .fd = s, .token = token };

	return ioctl(dev, PORTRES_IOC_ASSOCIATE, &t) ? -errno : 0;
}

static void report(int ok, const char *what, long tries, long others,
		   long violations)
{
	printf("%sok %d race: %s: %ld tries, %ld by the others, %ld violations\n",
	       ok ? "" : "not ", ++tests, what, tries, others, violations);
	fflush(stdout);
}

/*
 * Acquire against the binds of other sockets.  The acquiring thread makes
 * @gen odd once an acquire has returned and even before it releases; an
 * outsider bound to a port of the block while @gen was odd the whole time,
 * or seen bound (@bound) by the acquirer after its acquire returned, breaks
 * the promise.
 */
struct outsider_race {
	int type;
	bool autobind;
	uint16_t server;	/* autobind: the port connect() goes to */
	atomic_long gen;
	atomic_int block;	/* the block of the odd @gen */
	atomic_int bound[65536];
	atomic_long tries, binds, violations;
};

static bool in_nth_block(int port, int block)
{
	int start = BASE + block * BLOCK;

	return port >= start && port < start + BLOCK;
}

/*
 * Block @b was just acquired: its generation goes odd, and any outsider
 * seen bound to one of its ports is a violation.
 */
static void acquired_check(struct outsider_race *r, int b)
{
	int port;

	atomic_store(&r->block, b);
	atomic_fetch_add(&r->gen, 1);
	sched_yield();
	for (port = BASE + b * BLOCK; port < BASE + (b + 1) * BLOCK; port++)
		if (atomic_load(&r->bound[port]))
			atomic_fetch_add(&r->violations, 1);
	atomic_fetch_add(&r->gen, 1);
}

/*
 * An outsider's socket @s was given a port, with the generation at @g1
 * before: counted, and a violation if the block was reserved all along.
 */
static void outsider_bound(struct outsider_race *r, int s, long g1)
{
	long g2 = atomic_load(&r->gen);
	int port = local_port(s);

	atomic_fetch_add(&r->binds, 1);
	if (port <= 0)
		return;
	atomic_store(&r->bound[port], 1);
	if (g1 == g2 && (g1 & 1) && in_nth_block(port, atomic_load(&r->block)))
		atomic_fetch_add(&r->violations, 1);
	sched_yield();
	atomic_store(&r->bound[port], 0);
}

static void *acquirer(void *arg)
{
	struct outsider_race *r = arg;
	unsigned int k = 0;
	uint64_t token;
	int s, b;

	while (now() < deadline) {
		b = k++ % NBLOCKS;
		s = socket(AF_INET, r->type, 0);
		if (s < 0)
			break;
		atomic_fetch_add(&r->tries, 1);
		if (acquire(s, BASE + b * BLOCK, BLOCK, &token)) {
			close(s);
			continue;
		}
		acquired_check(r, b);
		close(s);
	}
	return NULL;
}

/* Gives @s a port: an explicit bind, or a connect() that autobinds. */
static int outsider_bind(struct outsider_race *r, int s, unsigned int i)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(r->server),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	if (!r->autobind)
		return bind_loopback(s, AF_INET, BASE + i % (NBLOCKS * BLOCK));
	return connect(s, (struct sockaddr *)&sin, sizeof(sin)) ? -errno : 0;
}

static void *outsider(void *arg)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct outsider_race *r = arg;
	unsigned int i = rand();
	long g1;
	int s;

	while (now() < deadline) {
		s = socket(AF_INET, r->type, 0);
		if (s < 0)
			break;
		/* No TIME_WAIT left behind on the port. */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		g1 = atomic_load(&r->gen);
		if (!outsider_bind(r, s, i++))
			outsider_bound(r, s, g1);
		close(s);
	}
	return NULL;
}

/* Accepts and drops the autobinding outsiders' connections. */
static void *acceptor(void *arg)
{
	int l = *(int *)arg, c;

	while (now() < deadline) {
		c = accept(l, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

static void race_outsiders(int type, bool autobind, double seconds)
{
	pthread_t acq, out[OUTSIDERS], acc;
	struct outsider_race *r;
	struct timeval tv = { .tv_usec = 100000 };
	char what[96], range[32];
	int i, l = -1, ok = 1;

	snprintf(what, sizeof(what), "acquire against %s %s",
		 type == SOCK_STREAM ? "TCP" : "UDP",
		 autobind ? "autobinds (connect)" : "explicit binds");
	r = calloc(1, sizeof(*r));
	if (!r || netns_enter()) {
		report(0, what, 0, 0, 0);
		free(r);
		return;
	}
	r->type = type;
	r->autobind = autobind;
	if (autobind) {
		/* The kernel's choice: the blocks' ports and a few more. */
		snprintf(range, sizeof(range), "%d %d", BASE,
			 BASE + NBLOCKS * BLOCK + 3);
		if (write_file("/proc/sys/net/ipv4/ip_local_port_range", range))
			ok = 0;
		r->server = 9;
		if (type == SOCK_STREAM) {
			r->server = 20000;
			l = socket(AF_INET, SOCK_STREAM, 0);
			if (l < 0 || bind_loopback(l, AF_INET, r->server) || listen(l, 4096) ||
			    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv,
				       sizeof(tv)))
				ok = 0;
		}
	}
	deadline = now() + seconds;
	pthread_create(&acq, NULL, acquirer, r);
	for (i = 0; i < OUTSIDERS; i++)
		pthread_create(&out[i], NULL, outsider, r);
	if (l >= 0)
		pthread_create(&acc, NULL, acceptor, &l);
	pthread_join(acq, NULL);
	for (i = 0; i < OUTSIDERS; i++)
		pthread_join(out[i], NULL);
	if (l >= 0) {
		pthread_join(acc, NULL);
		close(l);
	}
	report(ok && !r->violations && r->binds >= MIN_TRIES &&
	       r->tries >= MIN_TRIES, what, r->tries,
	       r->binds, r->violations);
	free(r);
}

/*
 * Two threads, each doing one call on one socket at the same moment, again
 * and again: the main thread sets the socket up, releases both at the
 * barrier, and looks at the outcome.
 */
enum pair_op { PAIR_BIND0, PAIR_ASSOCIATE };

struct pair_race {
	pthread_barrier_t go, done;
	int s;
	uint64_t token;
	enum pair_op op[2];
	int err[2];
	bool stop;
};

struct pair_thread {
	struct pair_race *r;
	int me;
};

static void *pair_thread(void *arg)
{
	struct pair_thread *t = arg;
	struct pair_race *r = t->r;

	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			break;
		if (r->op[t->me] == PAIR_ASSOCIATE)
			r->err[t->me] = associate(r->s, r->token);
		else
			r->err[t->me] = bind_loopback(r->s, AF_INET, 0);
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

static void pair_start(struct pair_race *r, struct pair_thread t[2],
		       pthread_t th[2])
{
	int i;

	pthread_barrier_init(&r->go, NULL, 3);
	pthread_barrier_init(&r->done, NULL, 3);
	for (i = 0; i < 2; i++) {
		t[i].r = r;
		t[i].me = i;
		pthread_create(&th[i], NULL, pair_thread, &t[i]);
	}
}

static void pair_stop(struct pair_race *r, pthread_t th[2])
{
	r->stop = true;
	pthread_barrier_wait(&r->go);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
}

/* Runs both calls once on r->s. */
static void pair_go(struct pair_race *r)
{
	pthread_barrier_wait(&r->go);
	pthread_barrier_wait(&r->done);
}

/* Two threads bind one associated socket to port 0 at once. */
static void race_double_bind(double seconds)
{
	struct pair_race r = { .op = { PAIR_BIND0, PAIR_BIND0 } };
	long tries = 0, violations = 0;
	struct pair_thread t[2];
	pthread_t th[2];
	int owner, b, pa, pb, ok = 1;

	if (netns_enter() || (owner = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    acquire(owner, BASE, 2, &r.token)) {
		report(0, "double bind(0) of an associated socket", 0, 0, 0);
		return;
	}
	pair_start(&r, t, th);
	deadline = now() + seconds;
	while (now() < deadline) {
		r.s = socket(AF_INET, SOCK_DGRAM, 0);
		b = socket(AF_INET, SOCK_DGRAM, 0);
		if (r.s < 0 || b < 0 || associate(r.s, r.token) ||
		    associate(b, r.token)) {
			ok = 0;
			break;
		}
		pair_go(&r);
		tries++;
		pa = local_port(r.s);
		/* One bind won; the block's other port is the next one's. */
		if ((r.err[0] && r.err[1]) || pa < BASE || pa > BASE + 1 ||
		    bind_loopback(b, AF_INET, 0) || (pb = local_port(b)) == pa ||
		    pb < BASE || pb > BASE + 1)
			violations++;
		close(b);
		close(r.s);
	}
	pair_stop(&r, th);
	close(owner);
	report(ok && !violations && tries >= MIN_TRIES,
	       "double bind(0) of an associated socket",
	       tries, tries, violations);
}

/* Associate against bind(0) of the same socket. */
static void race_associate_bind(double seconds)
{
	struct pair_race r = { .op = { PAIR_ASSOCIATE, PAIR_BIND0 } };
	long tries = 0, associated = 0, violations = 0;
	struct pair_thread t[2];
	pthread_t th[2];
	int owner, port, ok = 1;

	if (netns_enter() || (owner = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    acquire(owner, BASE, BLOCK, &r.token)) {
		report(0, "associate against bind(0)", 0, 0, 0);
		return;
	}
	pair_start(&r, t, th);
	deadline = now() + seconds;
	while (now() < deadline) {
		r.s = socket(AF_INET, SOCK_DGRAM, 0);
		if (r.s < 0) {
			ok = 0;
			break;
		}
		pair_go(&r);
		tries++;
		port = local_port(r.s);
		/* err[0]: associate's, err[1]: bind's. */
		if (!r.err[0]) {
			associated++;
			if (r.err[1] || !in_nth_block(port, 0))
				violations++;
		} else if (r.err[0] != -EINVAL || r.err[1]) {
			violations++;
		}
		close(r.s);
	}
	pair_stop(&r, th);
	close(owner);
	report(ok && !violations && tries >= MIN_TRIES,
	       "associate against bind(0)", tries,
	       associated, violations);
}

/*
 * The admin's write of ip_local_reserved_ports against the first acquire
 * of a fresh namespace.  Afterwards the kernel may choose only the block's
 * ports: a UDP autobind that gets one of them means the write wiped the
 * block from the bitmap.
 */
struct sysctl_race {
	pthread_barrier_t go, done;
	int netns;
	bool stop;
};

static void *sysctl_writer(void *arg)
{
	struct sysctl_race *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->go);
		if (r->stop)
			break;
		if (!setns(r->netns, CLONE_NEWNET))
			write_file("/proc/sys/net/ipv4/ip_local_reserved_ports",
				   "1000-1010");
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

static void race_sysctl_first_acquire(double seconds)
{
	struct sysctl_race r = { 0 };
	long tries = 0, acquired = 0, violations = 0;
	char range[32];
	uint64_t token;
	pthread_t t;
	int s, u, ok = 1, port;

	pthread_barrier_init(&r.go, NULL, 2);
	pthread_barrier_init(&r.done, NULL, 2);
	pthread_create(&t, NULL, sysctl_writer, &r);
	snprintf(range, sizeof(range), "%d %d", BASE, BASE + BLOCK - 1);
	deadline = now() + seconds;
	while (now() < deadline) {
		r.netns = netns_new();
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (r.netns < 0 || s < 0) {
			ok = 0;
			break;
		}
		pthread_barrier_wait(&r.go);
		if (!acquire(s, BASE, BLOCK, &token))
			acquired++;
		pthread_barrier_wait(&r.done);
		tries++;
		u = socket(AF_INET, SOCK_DGRAM, 0);
		if (write_file("/proc/sys/net/ipv4/ip_local_port_range", range))
			ok = 0;
		if (u >= 0 && !bind_loopback(u, AF_INET, 0)) {
			port = local_port(u);
			if (in_nth_block(port, 0))
				violations++;
		}
		close(u);
		close(s);
		close(r.netns);
	}
	r.stop = true;
	pthread_barrier_wait(&r.go);
	pthread_join(t, NULL);
	/*
	 * A namespace per try: fewer tries, each a first acquire, which
	 * waits for an RCU-tasks grace period (table.c).
	 */
	report(ok && !violations && acquired >= MIN_TRIES / 20,
	       "ip_local_reserved_ports write against a namespace's first acquire",
	       tries, acquired, violations);
}

/*
 * The first acquire of a fresh namespace against explicit binds of its
 * ports.  Until a namespace has a reservation, portres lets its binds
 * through without a read section; the first acquire must still see each
 * of them, or wait for it.  Each try is a new namespace that the
 * outsiders move into before the acquire.
 */
struct fresh_race {
	struct outsider_race o;	/* block 0, UDP, explicit binds */
	atomic_int ns;
	atomic_long epoch;
	atomic_int arrived;
};

static void *fresh_outsider(void *arg)
{
	struct fresh_race *r = arg;
	unsigned int i = rand();
	long mine = 0, g1, e;
	int s;

	while (now() < deadline) {
		e = atomic_load(&r->epoch);
		if (e != mine) {
			if (setns(atomic_load(&r->ns), CLONE_NEWNET))
				break;
			mine = e;
			atomic_fetch_add(&r->arrived, 1);
		}
		s = socket(AF_INET, SOCK_DGRAM, 0);
		if (s < 0)
			break;
		g1 = atomic_load(&r->o.gen);
		if (!bind_loopback(s, AF_INET, BASE + i++ % BLOCK))
			outsider_bound(&r->o, s, g1);
		close(s);
	}
	return NULL;
}

static void race_fresh_namespace(double seconds)
{
	struct fresh_race *r = calloc(1, sizeof(*r));
	pthread_t out[OUTSIDERS];
	int i, ns, old = -1, s, ok = 1;
	uint64_t token;

	if (!r) {
		report(0, "a namespace's first acquire against explicit binds",
		       0, 0, 0);
		return;
	}
	deadline = now() + seconds;
	ns = netns_new();
	atomic_store(&r->ns, ns);
	atomic_store(&r->epoch, 1);
	for (i = 0; i < OUTSIDERS; i++)
		pthread_create(&out[i], NULL, fresh_outsider, r);
	while (ns >= 0 && now() < deadline) {
		/* Every outsider binds in this namespace before the acquire. */
		while (atomic_load(&r->arrived) < OUTSIDERS && now() < deadline)
			sched_yield();
		if (old >= 0)
			close(old);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		atomic_fetch_add(&r->o.tries, 1);
		if (s >= 0 && !acquire(s, BASE, BLOCK, &token))
			acquired_check(&r->o, 0);
		if (s >= 0)
			close(s);
		old = ns;
		ns = netns_new();
		atomic_store(&r->arrived, 0);
		atomic_store(&r->ns, ns);
		atomic_fetch_add(&r->epoch, 1);
	}
	if (ns < 0)
		ok = 0;
	deadline = 0;
	for (i = 0; i < OUTSIDERS; i++)
		pthread_join(out[i], NULL);
	if (old >= 0)
		close(old);
	if (ns >= 0)
		close(ns);
	/* A namespace per try, each first acquire waiting a grace period. */
	report(ok && !r->o.violations && r->o.tries >= MIN_TRIES / 20 &&
	       r->o.binds >= MIN_TRIES,
	       "a namespace's first acquire against explicit binds",
	       r->o.tries, r->o.binds, r->o.violations);
	free(r);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 4;
	int init;

	if (argc > 2)
		min_tries = atoi(argv[2]);
	dev = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
	init = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (dev < 0 || init < 0) {
		perror("race");
		return 1;
	}
	srand(getpid());
	printf("1..8\n");
	fflush(stdout);
	race_outsiders(SOCK_STREAM, false, seconds);
	race_outsiders(SOCK_DGRAM, false, seconds);
	race_outsiders(SOCK_STREAM, true, seconds);
	race_outsiders(SOCK_DGRAM, true, seconds);
	race_double_bind(seconds);
	race_associate_bind(seconds);
	race_sysctl_first_acquire(seconds);
	setns(init, CLONE_NEWNET);
	race_fresh_namespace(seconds);
	setns(init, CLONE_NEWNET);
	return 0;
}
