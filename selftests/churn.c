// SPDX-License-Identifier: GPL-2.0
/*
 * churn: six threads that create, bind, listen on, connect, send on and
 * close TCP and UDP sockets as fast as they can, for the QEMU control in
 * selftests/qemu/tcg-control.sh.  It calls every function portres hooks and
 * needs nothing of portres.
 *
 *	churn [SECONDS]		(default 60)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS 6

static time_t deadline;
static long rounds;

static void *churn(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	long n = 0;

	(void)arg;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (time(NULL) < deadline) {
		int tcp = socket(AF_INET, SOCK_STREAM, 0);
		int udp = socket(AF_INET, SOCK_DGRAM, 0);

		if (tcp < 0 || udp < 0) {
			perror("churn: socket");
			exit(1);
		}
		sin.sin_port = 0;
		bind(tcp, (struct sockaddr *)&sin, sizeof(sin));
		listen(tcp, 1);
		sin.sin_port = htons(9);
		connect(udp, (struct sockaddr *)&sin, sizeof(sin));
		send(udp, "x", 1, 0);
		close(tcp);
		close(udp);
		n++;
	}
	__atomic_add_fetch(&rounds, n, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t thread[THREADS];
	int i, secs = argc > 1 ? atoi(argv[1]) : 60;

	deadline = time(NULL) + secs;
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&thread[i], NULL, churn, NULL)) {
			fprintf(stderr, "churn: cannot start a thread\n");
			return 1;
		}
	for (i = 0; i < THREADS; i++)
		pthread_join(thread[i], NULL);
	printf("churn: %ld rounds in %d s\n", rounds, secs);
	return 0;
}
