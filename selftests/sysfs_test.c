// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs_test: /sys/kernel/portres, and persistent reservations restored
 * from the configuration file when the module loads again.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "portres.h"

#define CONF	"/etc/portres.conf"

static int raw_persistent(unsigned long cmd, int proto, uint16_t start,
			  uint16_t count, int flags, uint64_t *token)
{
	struct portres_persistent arg = {
		.protocol = proto,
		.flags = flags,
		.start = start,
		.count = count,
	};
	int ret = portres_raw_ioctl(cmd, &arg);

	if (!ret && token)
		*token = arg.token;
	return ret;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -EIO;
	close(fd);
	return ret;
}

static const char *attr(const char *entry, const char *name)
{
	static char buf[64];
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/%s", entry, name);
	if (read_file(path, buf, sizeof(buf)))
		return "(unreadable)";
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The directories of /sys/kernel/portres, sorted, space-separated. */
static const char *entries(void)
{
	static char out[256];

	out[0] = 0;
	/* The reservations' directories, not the files beside them (hooks). */
	if (system("ls -p /sys/kernel/portres | sed -n 's,/$,,p' > /tmp/entries"))
		return "(ls failed)";
	if (read_file("/tmp/entries", out, sizeof(out)))
		return "(unreadable)";
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : 0;
	return out;
}

static int reload(void)
{
	portres_close();
	return system("modprobe -r portres && modprobe portres");
}

static int nobody_reads_token(void *entry)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/token",
		 (char *)entry);
	if (read_file(path, buf, sizeof(buf)) != -EACCES)
		return 1;
	snprintf(path, sizeof(path), "/sys/kernel/portres/%s/start",
		 (char *)entry);
	return read_file(path, buf, sizeof(buf)) != 0;
}

static int other_netns_create(void *unused)
{
	uint64_t token;

	/* Root again (not dropped); a namespace of its own. */
	return netns_enter() ||
	       raw_persistent(PORTRES_IOC_CREATE, IPPROTO_TCP, 62000, 1, 0,
			      &token) ||
	       system("test ! -e /sys/kernel/portres/tcp-62000-62000");
}

TEST(sysfs_shows_live_reservations)
{
	uint64_t ttok, utok;
	char buf[32];
	int a, b, plain, status;
	pid_t pid;

	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	EXPECT_STREQ("", entries());
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_CREATE, IPPROTO_TCP, 61000, 10,
				    PORTRES_F_EXCLUSIVE, &ttok));
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_CREATE, IPPROTO_UDP, 61100, 5,
				    0, &utok));
	EXPECT_STREQ("tcp-61000-61009 udp-61100-61104", entries());
	EXPECT_STREQ("tcp", attr("tcp-61000-61009", "protocol"));
	EXPECT_STREQ("61000", attr("tcp-61000-61009", "start"));
	EXPECT_STREQ("10", attr("tcp-61000-61009", "count"));
	EXPECT_STREQ("1", attr("tcp-61000-61009", "exclusive"));
	EXPECT_STREQ("0", attr("tcp-61000-61009", "in_use"));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ttok);
	EXPECT_STREQ(buf, attr("tcp-61000-61009", "token"));
	EXPECT_STREQ("udp", attr("udp-61100-61104", "protocol"));
	EXPECT_STREQ("0", attr("udp-61100-61104", "exclusive"));

	/* Ports in use: two associated sockets, one outsider. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET6, SOCK_STREAM, 0);
	plain = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, portres_associate(a, ttok));
	ASSERT_EQ(0, portres_associate(b, ttok));
	ASSERT_EQ(0, bind_port(a, AF_INET, 0));
	ASSERT_EQ(0, bind_port(b, AF_INET6, 0));
	ASSERT_EQ(0, bind_port(plain, AF_INET, 61102));
	EXPECT_STREQ("2", attr("tcp-61000-61009", "in_use"));
	EXPECT_STREQ("1", attr("udp-61100-61104", "in_use"));
	close(b);
	EXPECT_STREQ("1", attr("tcp-61000-61009", "in_use"));

	EXPECT_EQ(0, as_nobody(nobody_reads_token, "tcp-61000-61009"));

	/* Another namespace's persistent reservation is not shown. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(other_netns_create(NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_DELETE, IPPROTO_TCP, 61000, 10,
				    0, NULL));
	EXPECT_STREQ("udp-61100-61104", entries());
	ASSERT_EQ(0, raw_persistent(PORTRES_IOC_DELETE, IPPROTO_UDP, 61100, 5,
				    0, NULL));
	EXPECT_STREQ("", entries());
	close(a);
	close(plain);
}

static const char conf_text[] =
	"# test configuration\n"
	"tcp 61000 10\n"
	"udp 61000 10 exclusive\n"
	"bogus line here\n"
	"tcp 61005 2\n"
	"tcp 0 5\n"
	"udp 61500 1   # trailing comment\n";

/* Waits for udev (mdev in the guest) to restore the file after a load. */
static int wait_restored(int proto, uint16_t start, uint16_t count)
{
	uint64_t token;
	int i, ret = -ENOENT;

	for (i = 0; i < 100 && ret == -ENOENT; i++) {
		ret = portres_persistent_lookup(proto, start, count, &token);
		if (ret == -ENOENT)
			usleep(100000);
	}
	return ret;
}

TEST(persistent_restored_on_reload)
{
	char buf[1024], expect[1024];
	uint64_t token;

	if (portres_version() < 0)
		SKIP(return, "portres is not loaded");
	if (access("/tests/portresctl", X_OK))
		SKIP(return, "no portresctl to restore the file");
	ASSERT_EQ(0, write_text(CONF, conf_text));
	ASSERT_EQ(0, reload());
	/* The device appeared: udev ran portresctl restore. */
	EXPECT_EQ(0, wait_restored(IPPROTO_UDP, 61500, 1));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, 61000, 10, &token));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_UDP, 61000, 10, &token));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_TCP, 61005, 2,
						     &token));
	EXPECT_STREQ("1", attr("udp-61000-61009", "exclusive"));
	EXPECT_STREQ("0", attr("tcp-61000-61009", "exclusive"));
	/*
	 * Once more by hand: what is there already stays, each bad line is
	 * reported with its number, and the exit status says so.
	 */
	EXPECT_EQ(1 << 8, system("portresctl restore 2>/tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":4: protocol must be tcp or udp; line ignored' /tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":5: cannot reserve tcp 61005-61006: Address already in use' /tmp/restore.err"));
	EXPECT_EQ(0, system("grep -q '^portresctl: " CONF ":6: start must be a port' /tmp/restore.err"));
	EXPECT_EQ(3, system("exit $(wc -l </tmp/restore.err)") >> 8);
	EXPECT_STREQ("tcp-61000-61009 udp-61000-61009 udp-61500-61500",
		     entries());

	/* The library adds its block's line and touches nothing else. */
	ASSERT_EQ(0, portres_persistent_create(IPPROTO_TCP, 62000, 4, 0, &token));
	ASSERT_EQ(0, read_file(CONF, buf, sizeof(buf)));
	snprintf(expect, sizeof(expect), "%stcp 62000 4\n", conf_text);
	EXPECT_STREQ(expect, buf);
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_TCP, 62000, 4));
	ASSERT_EQ(0, read_file(CONF, buf, sizeof(buf)));
	EXPECT_STREQ(conf_text, buf);

	/* Deleting a block of the file removes its line and no other. */
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 61000, 10));
	ASSERT_EQ(0, read_file(CONF, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "udp 61000 10 exclusive"));
	EXPECT_NE(NULL, strstr(buf, "bogus line here\ntcp 61005 2\n"));
	ASSERT_EQ(0, reload());
	EXPECT_EQ(0, wait_restored(IPPROTO_UDP, 61500, 1));
	EXPECT_EQ(-ENOENT, portres_persistent_lookup(IPPROTO_UDP, 61000, 10,
						     &token));
	EXPECT_EQ(0, portres_persistent_lookup(IPPROTO_TCP, 61000, 10, &token));

	/* Without a file, the library makes one. */
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_TCP, 61000, 10));
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 61500, 1));
	ASSERT_EQ(0, unlink(CONF));
	ASSERT_EQ(0, portres_persistent_create(IPPROTO_UDP, 62000, 2,
					       PORTRES_EXCLUSIVE, &token));
	ASSERT_EQ(0, read_file(CONF, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "# ", 2));
	EXPECT_NE(NULL, strstr(buf, "\nudp 62000 2 exclusive\n"));
	ASSERT_EQ(0, portres_persistent_delete(IPPROTO_UDP, 62000, 2));
	ASSERT_EQ(0, read_file(CONF, buf, sizeof(buf)));
	EXPECT_EQ(NULL, strstr(buf, "62000"));
	EXPECT_STREQ("", entries());
	unlink(CONF);
}

TEST_HARNESS_MAIN
