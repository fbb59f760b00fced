// SPDX-License-Identifier: GPL-2.0
/*
 * portres-demo: acquire a block of TCP ports, associate a second socket with
 * it, bind that socket to port 0 and show that its port came from the block,
 * then release the block.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portres.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "portres-demo: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	uint16_t count = argc > 1 ? (uint16_t)atoi(argv[1]) : 16;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	uint16_t start, port;
	uint64_t token;
	int owner, sock, ret;

	ret = portres_version();
	if (ret < 0)
		return fail("/dev/portres", ret);
	printf("portres ABI version %d\n", ret);

	owner = socket(AF_INET, SOCK_STREAM, 0);
	sock = socket(AF_INET, SOCK_STREAM, 0);
	if (owner < 0 || sock < 0) {
		perror("portres-demo: socket");
		return 1;
	}

	ret = portres_acquire(owner, 0, count, &start, &token);
	if (ret)
		return fail("acquire", ret);
	printf("acquired TCP ports %u-%u, token %#llx\n", start,
	       start + count - 1, (unsigned long long)token);

	ret = portres_associate(sock, token);
	if (ret)
		return fail("associate", ret);
	printf("associated a second socket with the reservation\n");

	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(sock, (struct sockaddr *)&addr, &len)) {
		perror("portres-demo: bind");
		return 1;
	}
	port = ntohs(addr.sin_port);
	printf("bind(port 0) gave port %u, %s the block %u-%u\n", port,
	       port >= start && port < start + count ? "inside" : "OUTSIDE",
	       start, start + count - 1);

	ret = portres_release(owner, token);
	if (ret)
		return fail("release", ret);
	printf("released the reservation; the socket keeps port %u\n", port);

	close(sock);
	close(owner);
	portres_close();
	return port >= start && port < start + count ? 0 : 1;
}
