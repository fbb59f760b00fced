// SPDX-License-Identifier: GPL-2.0
/*
 * service_test: a service that runs as a user of its own with
 * CAP_NET_ADMIN (systemd User= and AmbientCapabilities=), with /etc
 * read-only (ProtectSystem=), which can write neither /etc nor read the
 * 0400 token of /sys/kernel/portres, creates a
 * persistent block through libportres: the kernel says the block is the
 * initial namespace's, the block's line goes to the state file in
 * /var/lib/portres, and "portresctl restore" reads it back.  A block it
 * cannot save is undone with EROFS (ERROR_WRITE_PROTECT), apart from
 * EACCES (ERROR_ACCESS_DENIED) for a caller without CAP_NET_ADMIN.
 * Runs as root in the initial namespace, the service's part in a child.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <portres/iphlpapi.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "portres.h"

#define SERVICE_UID	65534
#define STATE_DIR	"/var/lib/portres"
#define STATE		STATE_DIR "/portres.conf"
#define START		61500

/* Becomes the service: uid SERVICE_UID with CAP_NET_ADMIN only, or none. */
static int become_service(int net_admin)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) ||
	    setgid(SERVICE_UID) || setuid(SERVICE_UID))
		return -errno;
	if (net_admin)
		data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Whether FILE holds LINE as a line of its own. */
static int file_has(const char *file, const char *line)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "grep -qx '%s' %s 2>/dev/null", line, file);
	return system(cmd) == 0;
}

/*
 * /etc read-only, as a hardened service sees it (systemd ProtectSystem=),
 * in a mount namespace of the calling child's own.
 */
static int etc_read_only(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("/etc", "/etc", NULL, MS_BIND, NULL) ||
	    mount(NULL, "/etc", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
		return -errno;
	return 0;
}

/* Runs @fn as the service in a child; Return: its exit status. */
static int as_service(int net_admin, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (etc_read_only()) {
			perror("service_test: /etc read-only");
			_exit(101);
		}
		if (become_service(net_admin)) {
			perror("service_test: become the service");
			_exit(100);
		}
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The service's part: each failed step exits with its own status. */
static int service_create(void)
{
	uint64_t token = 0, found = 0;
	struct statvfs sv;

	if (!access("/etc", W_OK) || statvfs("/etc", &sv) ||
	    !(sv.f_flag & ST_RDONLY))
		return 10;	/* not the service this test is about */
	if (portres_persistent_create(IPPROTO_TCP, START, 3, 0, &token))
		return 11;
	/* The token in sysfs, which told the namespace before, is root's. */
	if (!access("/sys/kernel/portres/tcp-61500-61502/token", R_OK))
		return 13;
	if (portres_persistent_lookup(IPPROTO_TCP, START, 3, &found) ||
	    found != token)
		return 12;
	return 0;
}

/* The same through the Windows layer, with nowhere to save it. */
static int service_unsaved(void)
{
	ULONG64 token = 0;
	int ret;

	setenv("PORTRES_STATE", "/etc/portres.state", 1);
	ret = portres_persistent_create(IPPROTO_UDP, START, 2, 0, NULL);
	if (ret != -EROFS)
		return 20;
	if (CreatePersistentUdpPortReservation(htons(START), 2, &token) !=
	    ERROR_WRITE_PROTECT)
		return 21;
	/* All or nothing: not reserved either. */
	if (portres_persistent_lookup(IPPROTO_UDP, START, 2, &token) != -ENOENT)
		return 22;
	return 0;
}

static int service_delete(void)
{
	return portres_persistent_delete(IPPROTO_TCP, START, 3) ? 30 : 0;
}

/* Without CAP_NET_ADMIN: the kernel's refusal, as before. */
static int service_not_allowed(void)
{
	ULONG64 token;

	if (portres_persistent_create(IPPROTO_UDP, START, 2, 0, NULL) != -EACCES)
		return 40;
	if (CreatePersistentUdpPortReservation(htons(START), 2, &token) !=
	    ERROR_ACCESS_DENIED)
		return 41;
	return 0;
}

FIXTURE(service) {
	int unused;
};

FIXTURE_SETUP(service)
{
	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, getuid());
	/* What the package or systemd's StateDirectory= gives the service. */
	mkdir("/var", 0755);
	mkdir("/var/lib", 0755);
	mkdir(STATE_DIR, 0755);
	ASSERT_EQ(0, chown(STATE_DIR, SERVICE_UID, SERVICE_UID));
	unlink(STATE);
	unsetenv("PORTRES_CONF");
	unsetenv("PORTRES_STATE");
}

FIXTURE_TEARDOWN(service)
{
	portres_persistent_delete(IPPROTO_TCP, START, 3);
	unlink(STATE);
}

TEST_F(service, creates_saves_restores_deletes)
{
	struct portres_persistent del = {
		.protocol = IPPROTO_TCP, .start = START, .count = 3,
	};
	uint64_t token;

	ASSERT_EQ(0, as_service(1, service_create));
	EXPECT_TRUE(file_has(STATE, "tcp 61500 3"));
	EXPECT_FALSE(file_has("/etc/portres.conf", "tcp 61500 3"));

	/* Gone from the kernel alone (a reload): restore reads the state file. */
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_DELETE, &del));
	ASSERT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_TCP, START, 3,
						     &token));
	EXPECT_EQ(0, system("portresctl restore"));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, START, 3, &token));

	EXPECT_EQ(0, as_service(1, service_delete));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_TCP, START, 3,
						     &token));
	EXPECT_FALSE(file_has(STATE, "tcp 61500 3"));
}

TEST_F(service, unsaved_is_not_not_allowed)
{
	EXPECT_EQ(0, as_service(1, service_unsaved));
	EXPECT_EQ(0, as_service(0, service_not_allowed));
}

TEST_HARNESS_MAIN
