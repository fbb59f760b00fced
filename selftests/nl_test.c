// SPDX-License-Identifier: GPL-2.0
/*
 * nl_test: malformed requests to the "portres" generic netlink family are
 * refused by its strict policy with the right errno and an extended ack
 * that names the problem.  Requests are built attribute by attribute with
 * libmnl (tools/nlutil.h), which sends what it is given, malformed or not.
 * Each test in its own network namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/portres.h>

#include "kselftest_harness.h"
#include "helpers.h"
#include "nlutil.h"

/* A request of the family: command @cmd, NLM_F_REQUEST | ACK | @flags. */
#define REQ(cmd, flags) prnl_request(&self->nl, cmd, flags)

FIXTURE(nl) {
	struct prnl nl;
};

FIXTURE_SETUP(nl)
{
	int err;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	err = prnl_open(&self->nl);
	if (err == -ENOENT)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, err);
}

FIXTURE_TEARDOWN(nl)
{
	prnl_close(&self->nl);
}

/* Sends a request; Return: 0 or -errno, the extended ack in self->nl. */
#define TALK(nlh) prnl_talk(&self->nl, nlh, NULL, NULL)

#define EXPECT_REFUSED(err, text, nlh) do { \
	EXPECT_EQ(err, TALK(nlh)); \
	EXPECT_NE(NULL, strstr(self->nl.extack, text)) \
		TH_LOG("extack: \"%s\"", self->nl.extack); \
} while (0)

/* A request for the block (@proto, @start, @count) of command @cmd. */
static struct nlmsghdr *block_req(struct prnl *p, int cmd, uint8_t proto,
				  uint16_t start, uint16_t count)
{
	struct nlmsghdr *nlh = prnl_request(p, cmd, 0);

	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, proto);
	mnl_attr_put_u16(nlh, PORTRES_A_START, start);
	mnl_attr_put_u16(nlh, PORTRES_A_COUNT, count);
	return nlh;
}

TEST_F(nl, missing_attributes)
{
	struct nlmsghdr *nlh;

	EXPECT_REFUSED(-EINVAL, "PORTRES_A_PROTOCOL is required",
		       REQ(PORTRES_CMD_GET, 0));
	nlh = REQ(PORTRES_CMD_CREATE, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-EINVAL, "PORTRES_A_START and PORTRES_A_COUNT are required",
		       nlh);
}

TEST_F(nl, bad_values)
{
	EXPECT_REFUSED(-EINVAL, "IPPROTO_TCP or IPPROTO_UDP",
		       block_req(&self->nl, PORTRES_CMD_LOOKUP, IPPROTO_SCTP, 5000, 1));
	EXPECT_REFUSED(-ERANGE, "out of range",
		       block_req(&self->nl, PORTRES_CMD_CREATE, IPPROTO_TCP, 0, 1));
	EXPECT_REFUSED(-EINVAL, "past port 65535",
		       block_req(&self->nl, PORTRES_CMD_CREATE, IPPROTO_TCP, 65530, 7));
}

TEST_F(nl, malformed_attributes)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	/* A u32 where a u16 belongs. */
	nlh = REQ(PORTRES_CMD_LOOKUP, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u32(nlh, PORTRES_A_START, 5000);
	mnl_attr_put_u16(nlh, PORTRES_A_COUNT, 1);
	EXPECT_REFUSED(-EINVAL, "", nlh);
	EXPECT_NE(0, self->nl.extack[0]);
	/* An attribute the policy does not know, and one only replies carry. */
	nlh = REQ(PORTRES_CMD_GET, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, 5000);
	mnl_attr_put_u16(nlh, 200, 1);
	EXPECT_EQ(-EINVAL, TALK(nlh));
	nlh = REQ(PORTRES_CMD_GET, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, 5000);
	mnl_attr_put_u32(nlh, PORTRES_A_OWNER_PID, 1);
	EXPECT_EQ(-EINVAL, TALK(nlh));
	/* The generic header's reserved field. */
	nlh = REQ(PORTRES_CMD_GET, 0);
	g = mnl_nlmsg_get_payload(nlh);
	g->reserved = 1;
	EXPECT_REFUSED(-EINVAL, "reserved", nlh);
	/* A command that does not exist. */
	EXPECT_EQ(-EOPNOTSUPP, TALK(REQ(99, 0)));
	/* Events are sent, never received. */
	EXPECT_EQ(-EOPNOTSUPP, TALK(REQ(PORTRES_CMD_NEW, 0)));
}

/* Each command takes its own attributes; any other is refused. */
TEST_F(nl, attributes_a_command_does_not_take)
{
	struct nlmsghdr *nlh;

	EXPECT_REFUSED(-EINVAL, "Unsupported attribute",
		       block_req(&self->nl, PORTRES_CMD_GET, IPPROTO_TCP, 5000, 1));
	nlh = block_req(&self->nl, PORTRES_CMD_LOOKUP, IPPROTO_TCP, 5000, 1);
	mnl_attr_put(nlh, PORTRES_A_EXCLUSIVE, 0, "");
	EXPECT_REFUSED(-EINVAL, "Unsupported attribute", nlh);
	nlh = block_req(&self->nl, PORTRES_CMD_DELETE, IPPROTO_TCP, 5000, 1);
	mnl_attr_put(nlh, PORTRES_A_EXCLUSIVE, 0, "");
	EXPECT_REFUSED(-EINVAL, "Unsupported attribute", nlh);
	nlh = REQ(PORTRES_CMD_GET, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-EINVAL, "PORTRES_A_PROTOCOL only", nlh);
}

TEST_F(nl, not_found_and_dump_filter)
{
	struct nlmsghdr *nlh;

	EXPECT_REFUSED(-ENOENT, "no persistent reservation",
		       block_req(&self->nl, PORTRES_CMD_DELETE, IPPROTO_UDP, 5000, 1));
	nlh = REQ(PORTRES_CMD_GET, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, 5000);
	EXPECT_REFUSED(-ENOENT, "no reservation holds that port", nlh);
	nlh = REQ(PORTRES_CMD_GET, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, 1);
	EXPECT_REFUSED(-EINVAL, "IPPROTO_TCP or IPPROTO_UDP", nlh);
	EXPECT_EQ(0, TALK(REQ(PORTRES_CMD_GET, NLM_F_DUMP)));
}

TEST_F(nl, unprivileged)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		bad |= TALK(block_req(&self->nl, PORTRES_CMD_CREATE,
				      IPPROTO_TCP, 5000, 1)) != -EACCES;
		bad |= !strstr(self->nl.extack, "CAP_NET_ADMIN") << 1;
		bad |= (TALK(block_req(&self->nl, PORTRES_CMD_DELETE,
				       IPPROTO_TCP, 5000, 1)) != -EACCES) << 2;
		bad |= (TALK(REQ(PORTRES_CMD_GET, NLM_F_DUMP)) != 0) << 3;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static int keep_resv(const struct nlmsghdr *nlh, void *data)
{
	const char *why;

	return prnl_resv_parse(nlh, data, &why) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* GET of the UDP block at @start on a socket of our own; 0 or -errno. */
static int get_owner(uint16_t start, struct prnl_resv *r)
{
	struct nlmsghdr *nlh;
	struct prnl p;
	int err;

	err = prnl_open(&p);
	if (err)
		return err;
	nlh = prnl_request(&p, PORTRES_CMD_GET, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, PORTRES_A_START, start);
	r->start = 0;
	err = prnl_talk(&p, nlh, keep_resv, r);
	prnl_close(&p);
	if (!err && r->start != start)
		err = -ENOENT;
	return err;
}

/*
 * A process in a pid namespace of its own (where it is pid 1) holds a
 * block.  The event listeners get carries no owner (any user may listen);
 * a GET from the initial namespaces gets the pid and uid seen there; one
 * by the same user from a pid and user namespace where the owner has no
 * pid and root no uid gets the command name only.
 */
TEST_F(nl, owner_ids_as_the_receiver_sees_them)
{
	int to_child[2], from_child[2], ready[2], status;
	struct timeval tv = { .tv_sec = 5 };
	struct prnl_resv o;
	struct prnl ev;
	const char *why;
	pid_t a, b, g = 0;
	ssize_t n;
	char c;

	ASSERT_EQ(0, prnl_open(&ev));
	ASSERT_EQ(0, prnl_join_events(&ev));
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(ev.nl), SOL_SOCKET,
				SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));
	ASSERT_EQ(0, pipe(ready));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		if (unshare(CLONE_NEWPID))
			_exit(100);
		g = fork();
		if (g == 0) {
			struct portres_acquire arg = { .start = 40000, .count = 4 };

			arg.fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (getpid() != 1)
				_exit(3);
			if (portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &arg) ||
			    write(ready[1], "r", 1) != 1 ||
			    read(to_child[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (g < 0 || write(from_child[1], &g, sizeof(g)) != sizeof(g) ||
		    waitpid(g, &status, 0) != g)
			_exit(101);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 102);
	}
	close(from_child[1]);
	close(ready[1]);
	ASSERT_EQ(sizeof(g), read(from_child[0], &g, sizeof(g)));
	ASSERT_EQ(1, read(ready[0], &c, 1));

	/* The event: no owner at all. */
	n = mnl_socket_recvfrom(ev.nl, ev.buf, MNL_SOCKET_BUFFER_SIZE);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, prnl_resv_parse((struct nlmsghdr *)ev.buf, &o, &why))
		TH_LOG("%s", why);
	EXPECT_EQ(PORTRES_CMD_NEW, o.cmd);
	EXPECT_EQ(PORTRES_KIND_RUNTIME, o.kind);
	EXPECT_FALSE(o.has_owner) TH_LOG("event says comm %s", o.comm);
	EXPECT_FALSE(o.has_pid) TH_LOG("event says pid %u", o.pid);
	EXPECT_FALSE(o.has_uid);

	/* GET from here: the pid and uid of the initial namespaces. */
	ASSERT_EQ(0, get_owner(40000, &o));
	EXPECT_TRUE(o.has_pid && o.pid == (uint32_t)g) TH_LOG("pid %u, not %d", o.pid, g);
	EXPECT_TRUE(o.has_uid && o.uid == 0);

	/* GET from a pid and user namespace the owner is not in. */
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		pid_t h2;

		if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(100);
		h2 = fork();
		if (h2 == 0) {
			struct prnl_resv o2;

			if (get_owner(40000, &o2))
				_exit(2);
			_exit(!o2.has_owner || o2.has_pid || o2.has_uid ? 3 : 0);
		}
		if (h2 < 0 || waitpid(h2, &status, 0) != h2)
			_exit(101);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 102);
	}
	ASSERT_EQ(b, waitpid(b, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(a, waitpid(a, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	prnl_close(&ev);
}

/* The reservations of a dump, or the one a GET answers. */
struct seen {
	unsigned int n;
	struct prnl_resv r[4];
};

static int collect_resv(const struct nlmsghdr *nlh, void *data)
{
	struct seen *seen = data;
	const char *why;

	if (seen->n == 4)
		return MNL_CB_ERROR;
	return prnl_resv_parse(nlh, &seen->r[seen->n++], &why) ?
	       MNL_CB_ERROR : MNL_CB_OK;
}

/* Dumps the reservations, or GETs the UDP one at @start; 0 or -errno. */
static int look(struct prnl *p, uint16_t start, struct seen *seen)
{
	struct nlmsghdr *nlh;

	seen->n = 0;
	nlh = prnl_request(p, PORTRES_CMD_GET, start ? 0 : NLM_F_DUMP);
	if (start) {
		mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, IPPROTO_UDP);
		mnl_attr_put_u16(nlh, PORTRES_A_START, start);
	}
	return prnl_talk(p, nlh, collect_resv, seen);
}

static const struct prnl_resv *find(const struct seen *seen, unsigned int start)
{
	unsigned int i;

	for (i = 0; i < seen->n; i++)
		if (seen->r[i].start == start)
			return &seen->r[i];
	return NULL;
}

/* Whether @r is a runtime reservation whose owner is @pid and @uid. */
static bool owned_by(const struct prnl_resv *r, pid_t pid, uid_t uid)
{
	return r && r->kind == PORTRES_KIND_RUNTIME && r->has_owner &&
	       r->has_pid && r->pid == (unsigned int)pid && r->has_uid &&
	       r->uid == uid && r->comm[0];
}

static bool ownerless(const struct prnl_resv *r)
{
	return r && !r->has_owner && !r->has_pid && !r->has_uid;
}

/*
 * Who owns a runtime reservation is shown, in GET and dumps, to the
 * owner's user and to CAP_NET_ADMIN over the namespace, as /proc with
 * hidepid= and ss -p show a process: root holds one block and nobody
 * another; nobody sees its own owner and not root's, root sees both.
 */
TEST_F(nl, owner_shown_to_its_user_and_admins)
{
	struct portres_acquire arg = { .start = 40000, .count = 4 };
	int go[2], ready[2], status;
	struct seen seen;
	pid_t child;
	char c;

	arg.fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &arg));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct portres_acquire mine = { .start = 41000, .count = 2 };
		struct prnl p;
		int bad = 0;

		close(go[1]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		mine.fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (portres_raw_ioctl(PORTRES_IOC_ACQUIRE, &mine) || prnl_open(&p))
			_exit(101);
		bad |= look(&p, 0, &seen) || seen.n != 2;
		bad |= !ownerless(find(&seen, 40000)) << 1;
		bad |= !owned_by(find(&seen, 41000), getpid(), 65534) << 2;
		bad |= (look(&p, 40000, &seen) || !ownerless(find(&seen, 40000))) << 3;
		bad |= (look(&p, 41000, &seen) ||
			!owned_by(find(&seen, 41000), getpid(), 65534)) << 4;
		prnl_close(&p);
		/* Holds its block until root has looked. */
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(102);
		_exit(bad);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, look(&self->nl, 0, &seen));
	EXPECT_EQ(2, seen.n);
	EXPECT_TRUE(owned_by(find(&seen, 40000), getpid(), 0));
	EXPECT_TRUE(owned_by(find(&seen, 41000), child, 65534));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(arg.fd);
}

#define NBLOCKS	400

/*
 * A dump of more reservations than one message batch holds, during which
 * the first one ends: each of the others is described once (the dump goes
 * on from a port, not from a count of reservations passed), and the
 * messages after the change say NLM_F_DUMP_INTR.
 */
TEST_F(nl, dump_goes_on_from_a_port)
{
	struct portres_persistent arg = { .protocol = IPPROTO_TCP, .count = 1 };
	static unsigned char seen[NBLOCKS];
	bool done = false, intr = false;
	struct nlmsghdr *nlh;
	unsigned int i, batches = 0, twice = 0, missing = 0;
	int n;

	for (i = 0; i < NBLOCKS; i++) {
		arg.start = 20000 + 2 * i;
		arg.token = 0;
		ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_CREATE, &arg));
	}
	nlh = REQ(PORTRES_CMD_GET, NLM_F_DUMP);
	ASSERT_LT(0, mnl_socket_sendto(self->nl.nl, nlh, nlh->nlmsg_len));
	/* The first batch is queued; the next is made after this. */
	arg.start = 20000;
	arg.token = 0;
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_DELETE, &arg));
	while (!done) {
		n = mnl_socket_recvfrom(self->nl.nl, self->nl.buf,
					MNL_SOCKET_BUFFER_SIZE);
		ASSERT_LT(0, n);
		batches++;
		for (nlh = (struct nlmsghdr *)self->nl.buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			struct prnl_resv r;
			const char *why;

			intr |= !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			ASSERT_NE(NLMSG_ERROR, nlh->nlmsg_type);
			ASSERT_EQ(0, prnl_resv_parse(nlh, &r, &why))
				TH_LOG("%s", why);
			i = (r.start - 20000) / 2;
			ASSERT_LT(i, NBLOCKS);
			twice += seen[i]++ == 1;
		}
	}
	for (i = 1; i < NBLOCKS; i++)
		missing += !seen[i];
	EXPECT_LT(2, batches);
	EXPECT_EQ(0, twice);
	EXPECT_EQ(0, missing);
	EXPECT_TRUE(intr);
}

#define TRACEFS "/sys/kernel/tracing"
#define EVENT TRACEFS "/events/portres/bind_refused/enable"

/* Acquires @count ports on a new socket of @type; Return: the socket. */
static int acquire(int type, uint16_t count, struct portres_acquire *a)
{
	int fd = socket(AF_INET, type, 0);

	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->count = count;
	if (fd < 0 || portres_raw_ioctl(PORTRES_IOC_ACQUIRE, a)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* tracefs, mounted if it is not; Return: 0 or -errno. */
static int tracefs(void)
{
	if (!access(EVENT, F_OK))
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return access(EVENT, F_OK) ? -errno : 0;
}

/*
 * A bind refused because of a reservation counts in the namespace's
 * PORTRES_CMD_NETNS answer and fires portres:bind_refused, read through
 * tracefs: a runtime block's port (EACCES, the bind hook), and a port
 * still shared by the sockets of a released reservation, asked for with
 * SO_REUSEPORT (EADDRINUSE, the get_port hooks: no reservation, 0 0).
 */
TEST_F(nl, refused_binds_counted_and_traced)
{
	char want[160], trace[65536];
	struct portres_token_arg t = { 0 };
	struct portres_acquire a;
	struct prnl_netns ns;
	int fd, other, share[2], i, one = 1;
	unsigned int tcp_start;
	uint64_t cookie;

	ASSERT_EQ(0, prnl_netns(&self->nl, &ns));
	EXPECT_EQ(0, ns.refused);
	EXPECT_NE(0, ns.cookie);
	EXPECT_FALSE(ns.init);
	cookie = ns.cookie;
	ASSERT_EQ(0, tracefs());
	ASSERT_EQ(0, write_file(EVENT, "1"));
	/* Opened for writing with O_TRUNC, the trace empties. */
	fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);

	fd = acquire(SOCK_STREAM, 4, &a);
	ASSERT_LE(0, fd);
	tcp_start = a.start;
	other = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_EQ(-EACCES, bind_port(other, AF_INET, a.start + 1));
	EXPECT_EQ(-EACCES, bind_port(other, AF_INET, a.start + 3));
	ASSERT_EQ(0, prnl_netns(&self->nl, &ns));
	EXPECT_EQ(2, ns.refused);
	EXPECT_EQ(cookie, ns.cookie);
	close(other);
	close(fd);

	/* Two UDP sockets share the port of a block, which is then released. */
	fd = acquire(SOCK_DGRAM, 1, &a);
	ASSERT_LE(0, fd);
	t.token = a.token;
	for (i = 0; i < 2; i++) {
		share[i] = socket(AF_INET, SOCK_DGRAM, 0);
		t.fd = share[i];
		ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_ASSOCIATE, &t));
		ASSERT_EQ(0, bind_port(share[i], AF_INET, a.start));
	}
	t.fd = fd;
	ASSERT_EQ(0, portres_raw_ioctl(PORTRES_IOC_RELEASE, &t));
	other = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, setsockopt(other, SOL_SOCKET, SO_REUSEPORT, &one,
				sizeof(one)));
	EXPECT_EQ(-EADDRINUSE, bind_port(other, AF_INET, a.start));
	ASSERT_EQ(0, prnl_netns(&self->nl, &ns));
	EXPECT_EQ(3, ns.refused);
	close(other);
	close(share[0]);
	close(share[1]);
	close(fd);

	EXPECT_EQ(0, write_file(EVENT, "0"));
	ASSERT_EQ(0, read_file(TRACEFS "/trace", trace, sizeof(trace)));
	snprintf(want, sizeof(want),
		 "bind_refused: pid=%d comm=nl_test netns=%llu protocol=tcp port=%u start=%u count=4 err=13",
		 getpid(), (unsigned long long)cookie, tcp_start + 3, tcp_start);
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("%s", trace);
	snprintf(want, sizeof(want),
		 "pid=%d comm=nl_test netns=%llu protocol=udp port=%u start=0 count=0 err=98",
		 getpid(), (unsigned long long)cookie, a.start);
	EXPECT_NE(NULL, strstr(trace, want)) TH_LOG("%s", trace);
}

/* The initial namespace says so; a new one starts at 0 refusals. */
TEST(netns_initial)
{
	struct prnl_netns ns;
	struct prnl nl;
	int err = prnl_open(&nl);

	if (err == -ENOENT)
		SKIP(return, "portres is not loaded");
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, prnl_netns(&nl, &ns));
	EXPECT_TRUE(ns.init);
	EXPECT_NE(0, ns.cookie);
	prnl_close(&nl);
}

TEST_HARNESS_MAIN
