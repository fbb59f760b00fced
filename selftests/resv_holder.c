// SPDX-License-Identifier: GPL-2.0
/*
 * resv_holder: holds a runtime reservation for the portresctl tests.
 *
 *	resv_holder tcp|udp COUNT BOUND
 *
 * Acquires COUNT ports, binds BOUND associated sockets to ports of the
 * block, prints "START TOKEN" and waits to be killed.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portres.h"

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int type, owner, i, n;
	uint16_t start;
	uint64_t token;

	if (argc != 4)
		return 2;
	type = strcmp(argv[1], "udp") ? SOCK_STREAM : SOCK_DGRAM;
	owner = socket(AF_INET, type, 0);
	if (portres_acquire(owner, 0, atoi(argv[2]), &start, &token))
		return 1;
	n = atoi(argv[3]);
	for (i = 0; i < n; i++) {
		int s = socket(AF_INET, type, 0);

		if (portres_associate(s, token) ||
		    bind(s, (struct sockaddr *)&sin, sizeof(sin)))
			return 1;
	}
	printf("%u %llu\n", start, (unsigned long long)token);
	fflush(stdout);
	for (;;)
		pause();
}
