// SPDX-License-Identifier: GPL-2.0
/*
 * persist_boot: persistent reservations survive a reboot.
 *
 *	persist_boot create	(first boot) create two persistent blocks
 *	persist_boot verify	(second boot, same disk) they are back
 *
 * Prints TAP.  The guest keeps the configuration file on its disk
 * (PORTRES_CONF) and restores it as udev would, when /dev/portres appears.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portres.h"

#define CONF "/persist/portres.conf"

static int n, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++n, what);
	failed |= !ok;
}

static int file_has(const char *needle)
{
	char buf[4096];
	FILE *f = fopen(CONF, "r");
	size_t len;

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	return strstr(buf, needle) != NULL;
}

static int sysfs_is(const char *path, const char *want)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return !strcmp(buf, want);
}

int main(int argc, char **argv)
{
	uint64_t token;

	if (argc != 2)
		return 2;
	if (!strcmp(argv[1], "create")) {
		printf("1..3\n");
		check(portres_persistent_create(IPPROTO_TCP, 61000, 10, 0,
						&token) == 0,
		      "create tcp 61000-61009");
		check(portres_persistent_create(IPPROTO_UDP, 61500, 3,
						PORTRES_EXCLUSIVE, &token) == 0,
		      "create udp 61500-61502 exclusive");
		check(file_has("\ntcp 61000 10\n") &&
		      file_has("\nudp 61500 3 exclusive\n"),
		      "both are in " CONF);
	} else {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(61501),
		};
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		printf("1..4\n");
		/* udev (here mdev) runs portresctl restore as the device appears. */
		for (int i = 0; i < 100; i++) {
			if (portres_persistent_lookup(IPPROTO_UDP, 61500, 3,
						      &token) == 0)
				break;
			usleep(100000);
		}
		check(portres_persistent_lookup(IPPROTO_TCP, 61000, 10,
						&token) == 0,
		      "after the reboot, tcp 61000-61009 is reserved");
		check(portres_persistent_lookup(IPPROTO_UDP, 61500, 3,
						&token) == 0,
		      "after the reboot, udp 61500-61502 is reserved");
		check(sysfs_is("/sys/kernel/portres/udp-61500-61502/exclusive",
			       "1"), "and is still exclusive");
		check(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		      errno == EACCES, "and refuses an outsider's bind");
		close(fd);
	}
	return failed;
}
