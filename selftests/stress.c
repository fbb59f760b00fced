// SPDX-License-Identifier: GPL-2.0
/*
 * stress: many processes and threads at once doing random acquire,
 * associate, bind, connect, sendto, listen, close (some lingering in
 * inet_release), release and persistent create/delete, over TCP and UDP,
 * IPv4 and IPv6, in four network namespaces, while another process rewrites
 * ip_local_reserved_ports and, with -r, another unloads and reloads the
 * module every half second in the middle of it all.
 *
 *	stress [-r] [SECONDS]	(default 45; each thread also stops after
 *				 MAX_OPS operations; -r: reload the module)
 *
 * Afterwards: every process ran to its end, the module was reloaded at
 * least twice (-r), nothing leaked (kmemleak, checked where the kernel has
 * it), and once the module is unloaded the reserved-ports sysctl holds
 * exactly what the admin wrote.  Prints TAP.
 *
 * With -r, run it in QEMU with one TCG thread (run-guest.sh -S): see there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/portres.h>

#include "helpers.h"

#define WORKERS		4
#define THREADS		3
#define SOCKS		24
#define TOKENS		8
#define MAX_OPS		200000
/*
 * Seconds between a thread's lingering closes: each leaves the server a
 * full receive window until its namespace goes.
 */
#define LINGER_EVERY	2
#define SERVER_PORT	20000

struct shared {
	/*
	 * Held for reading around each use of /dev/portres, for writing by
	 * the reloader while it unloads: an open device keeps the module, so
	 * without it unloads would hardly ever find a moment.  The hooks on
	 * bind, connect, sendmsg and close run on regardless.
	 */
	pthread_rwlock_t device;
	long ops[WORKERS];
	long reloads;
	long unload_busy;
	long sysctl_writes;
};

static struct shared *shared;
static double deadline;

/* Opens the device for each call, so that the module can unload between. */
static int dev_ioctl(unsigned long cmd, void *arg)
{
	int fd, ret;

	pthread_rwlock_rdlock(&shared->device);
	fd = open(PORTRES_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = ioctl(fd, cmd, arg) ? -errno : 0;
		close(fd);
	}
	pthread_rwlock_unlock(&shared->device);
	return ret;
}

struct thread {
	int worker;
	unsigned int seed;
	int fd[SOCKS], family[SOCKS];
	uint64_t token[TOKENS];
	long ops;
	double next_linger;
};

/*
 * Closes @fd; a connected TCP socket first gets a small send buffer, fills
 * it and the server's receive window (the server never reads) and sets
 * SO_LINGER, so that close() waits up to a second in inet_release, where an
 * unload may find it.  Return: whether the socket was set to linger.
 */
static int linger_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	int small = 4096, n, type;
	socklen_t len = sizeof(type);
	char chunk[4096] = { 0 };

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_STREAM ||
	    send(fd, chunk, 1, MSG_DONTWAIT) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) ||
	    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		close(fd);
		return 0;
	}
	for (n = 0; n < 256; n++)
		if (send(fd, chunk, sizeof(chunk), MSG_DONTWAIT) < 0)
			break;
	close(fd);
	return 1;
}

static void *thread_main(void *p)
{
	struct thread *t = p;
	struct sockaddr_storage ss;
	socklen_t len;
	int i;

	for (i = 0; i < SOCKS; i++)
		t->fd[i] = -1;
	while (now() < deadline && t->ops < MAX_OPS) {
		int op = rand_r(&t->seed) % 12, i = rand_r(&t->seed) % SOCKS;
		int k = rand_r(&t->seed) % TOKENS, fd = t->fd[i];

		t->ops++;
		switch (op) {
		case 0:
		case 1:	/* a new socket */
			if (fd >= 0)
				close(fd);
			t->family[i] = rand_r(&t->seed) % 2 ? AF_INET6 : AF_INET;
			t->fd[i] = socket(t->family[i], rand_r(&t->seed) % 2 ?
					  SOCK_STREAM : SOCK_DGRAM, 0);
			break;
		case 2: {	/* acquire, specific or wildcard */
			struct portres_acquire a = {
				.fd = fd,
				.start = rand_r(&t->seed) % 2 ? 0 :
					 40000 + rand_r(&t->seed) % 10000,
				.count = 1 + rand_r(&t->seed) % 20,
			};

			if (!dev_ioctl(PORTRES_IOC_ACQUIRE, &a))
				t->token[k] = a.token;
			break;
		}
		case 3: {	/* associate */
			struct portres_token_arg a = { .fd = fd, .token = t->token[k] };

			dev_ioctl(PORTRES_IOC_ASSOCIATE, &a);
			break;
		}
		case 4:	/* bind, to port 0 or a port that may be reserved */
			len = make_addr(t->family[i], &ss, rand_r(&t->seed) % 2 ? 0 :
				   40000 + rand_r(&t->seed) % 10000, 0);
			bind(fd, (struct sockaddr *)&ss, len);
			break;
		case 5:	/* connect: an implicit bind */
			len = make_addr(t->family[i], &ss, SERVER_PORT, 1);
			connect(fd, (struct sockaddr *)&ss, len);
			break;
		case 6:	/* sendto: an implicit bind for UDP */
			len = make_addr(t->family[i], &ss, SERVER_PORT, 1);
			sendto(fd, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&ss, len);
			break;
		case 7:	/* close */
			if (fd >= 0)
				close(fd);
			t->fd[i] = -1;
			break;
		case 8: {	/* release */
			struct portres_token_arg a = { .fd = fd, .token = t->token[k] };

			dev_ioctl(PORTRES_IOC_RELEASE, &a);
			break;
		}
		case 9: {	/* persistent create or delete */
			struct portres_persistent p = {
				.protocol = rand_r(&t->seed) % 2 ? IPPROTO_TCP :
					    IPPROTO_UDP,
				.start = 50000 + 10 * (rand_r(&t->seed) % 100),
				.count = 10,
			};

			dev_ioctl(rand_r(&t->seed) % 2 ? PORTRES_IOC_CREATE :
				  PORTRES_IOC_DELETE, &p);
			break;
		}
		case 10:	/* listen: an implicit bind for TCP */
			listen(fd, 1);
			break;
		case 11:	/* a close() that lingers in inet_release */
			if (fd >= 0 && now() < t->next_linger)
				close(fd);
			else if (fd >= 0 && linger_close(fd))
				t->next_linger = now() + LINGER_EVERY;
			t->fd[i] = -1;
			break;
		}
	}
	for (i = 0; i < SOCKS; i++)
		if (t->fd[i] >= 0)
			close(t->fd[i]);
	return NULL;
}

static void worker(int n)
{
	struct thread t[THREADS];
	pthread_t tid[THREADS];
	struct sockaddr_storage ss;
	int srv[4], i;
	long ops = 0;

	/* Worker 0 stays in the initial namespace; the others get one each. */
	if (n && unshare(CLONE_NEWNET))
		_exit(1);
	lo_up();
	for (i = 0; i < 4; i++) {
		int family = i % 2 ? AF_INET6 : AF_INET;
		socklen_t len = make_addr(family, &ss, SERVER_PORT, 1);

		srv[i] = socket(family, i < 2 ? SOCK_STREAM : SOCK_DGRAM, 0);
		bind(srv[i], (struct sockaddr *)&ss, len);
		if (i < 2)
			listen(srv[i], 4096);
	}
	for (i = 0; i < THREADS; i++) {
		t[i] = (struct thread){ .worker = n, .seed = n * 100 + i + 1 };
		pthread_create(&tid[i], NULL, thread_main, &t[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(tid[i], NULL);
		ops += t[i].ops;
	}
	shared->ops[n] = ops;
	_exit(0);
}

static void sysctl_writer(void)
{
	unsigned int seed = 7;
	char value[64];

	while (now() < deadline) {
		int a = 40000 + rand_r(&seed) % 10000;

		snprintf(value, sizeof(value), "%d-%d,%d", a, a + rand_r(&seed) % 50,
			 30000 + rand_r(&seed) % 1000);
		if (!write_file("/proc/sys/net/ipv4/ip_local_reserved_ports", value))
			shared->sysctl_writes++;
		usleep(5000);
	}
	_exit(0);
}

static void reloader(void)
{
	int tries, ret = 0;

	while (now() < deadline - 2) {
		usleep(500000);
		pthread_rwlock_wrlock(&shared->device);
		/*
		 * An implicit bind in progress holds the module: the unload
		 * is refused, and tried again (for 2 s at most).
		 */
		for (tries = 0; tries < 200; tries++) {
			ret = syscall(SYS_delete_module, "portres", O_NONBLOCK);
			if (!ret || (errno != EWOULDBLOCK && errno != EBUSY))
				break;
			shared->unload_busy++;
			usleep(10000);
		}
		if (ret) {
			perror("stress: unload");
			/* Let the workers run to their end, then fail. */
			pthread_rwlock_unlock(&shared->device);
			_exit(1);
		}
		pthread_rwlock_unlock(&shared->device);
		if (system("modprobe portres"))
			_exit(1);
		shared->reloads++;
	}
	_exit(0);
}

static int n_tests, failed;

static void check(int ok, const char *fmt, const char *detail)
{
	printf("%sok %d ", ok ? "" : "not ", ++n_tests);
	printf(fmt, detail);
	putchar('\n');
	failed |= !ok;
}

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static int have_kmemleak(void)
{
	mkdir("/sys/kernel/debug", 0755);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return !access(KMEMLEAK, F_OK);
}

/* Whether kmemleak reports no object the module allocated. */
static int kmemleak_clean(char *report, size_t len)
{
	FILE *f;
	size_t n;

	/* Two scans: an object must stay unreferenced to be reported. */
	write_file(KMEMLEAK, "scan");
	sleep(6);
	write_file(KMEMLEAK, "scan");
	f = fopen(KMEMLEAK, "r");
	if (!f) {
		snprintf(report, len, ": cannot read %s", KMEMLEAK);
		return 0;
	}
	n = fread(report, 1, len - 1, f);
	fclose(f);
	report[n] = 0;
	return !strstr(report, "portres");
}

int main(int argc, char **argv)
{
	int reload = argc > 1 && !strcmp(argv[1], "-r");
	int seconds = argc > 1 + reload ? atoi(argv[1 + reload]) : 45;
	pid_t pids[WORKERS + 2];
	char buf[16384], detail[64];
	long ops = 0;
	int i, status, all_ok = 1, kmemleak = have_kmemleak();

	/* Sockets die under the threads' feet: no SIGPIPE for that. */
	signal(SIGPIPE, SIG_IGN);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 2;
	memset(shared, 0, sizeof(*shared));
	{
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&shared->device, &attr);
	}
	printf("1..%d\n", 3 + reload + kmemleak);
	fflush(stdout);
	deadline = now() + seconds;
	for (i = 0; i < WORKERS + 1 + reload; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i < WORKERS)
				worker(i);
			else if (i == WORKERS)
				sysctl_writer();
			else
				reloader();
		}
	}
	for (i = 0; i < WORKERS + 1 + reload; i++) {
		waitpid(pids[i], &status, 0);
		all_ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	for (i = 0; i < WORKERS; i++)
		ops += shared->ops[i];
	snprintf(detail, sizeof(detail), "%ld operations, %ld sysctl writes",
		 ops, shared->sysctl_writes);
	check(all_ok && ops > 1000, "every process ran to its end: %s", detail);
	if (reload) {
		snprintf(detail, sizeof(detail),
			 "%ld times under load (%ld refused, tried again)",
			 shared->reloads, shared->unload_busy);
		check(shared->reloads >= 2,
		      "the module was unloaded and loaded %s", detail);
	}

	if (kmemleak) {
		i = kmemleak_clean(buf, sizeof(buf));
		check(i, "no leak of portres objects (kmemleak)%s", i ? "" : buf);
	}

	/* The admin's word, then no portres: exactly that word is left. */
	check(write_file("/proc/sys/net/ipv4/ip_local_reserved_ports", "12345,23456-23460") == 0 &&
	      system("modprobe -r portres") == 0, "the module unloads after the storm%s", "");
	i = open("/proc/sys/net/ipv4/ip_local_reserved_ports", O_RDONLY);
	buf[0] = 0;
	if (i >= 0) {
		ssize_t n = read(i, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = 0;
		close(i);
	}
	buf[strcspn(buf, "\n")] = 0;
	check(!strcmp(buf, "12345,23456-23460"),
	      "no reserved-port bit left behind: ip_local_reserved_ports is \"%s\"",
	      buf);
	write_file("/proc/sys/net/ipv4/ip_local_reserved_ports", "");
	system("modprobe portres");
	return failed;
}
