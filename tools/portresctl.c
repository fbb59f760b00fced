// SPDX-License-Identifier: GPL-2.0
/*
 * portresctl: show and manage port reservations, over the generic netlink
 * family "portres" (see uapi/linux/portres.h).
 *
 *	portresctl [OPTIONS] show [tcp|udp] [port N] [runtime|persistent]
 *	portresctl [OPTIONS] show netns
 *	portresctl [OPTIONS] lookup tcp|udp START COUNT
 *	portresctl [OPTIONS] add tcp|udp START COUNT [exclusive]
 *	portresctl [OPTIONS] delete tcp|udp START COUNT
 *	portresctl [OPTIONS] monitor
 *	portresctl [OPTIONS] restore [-c|--check] [FILE]
 *	portresctl [OPTIONS] holders
 *	portresctl -V|--version
 *
 * show lists the reservations (netns: the namespace's cookie and refused
 * binds); lookup gives a persistent block's token; add and delete make and
 * end persistent blocks (in the initial namespace also in the
 * configuration file, by lib/conf.c's transaction); monitor prints each
 * reservation made or ended; restore creates the blocks of
 * /etc/portres.conf and of the state file (portres-restore.service runs
 * it when /dev/portres appears; --check reads a file and applies
 * nothing); holders lists the processes that hold /dev/portres open, and
 * so keep the module loaded.
 *
 * Options may come anywhere on the line, as in iproute2 (getopt_long).
 * Exit status: 0 on success; 1 when the kernel refuses (the message says
 * why, with the kernel's extended ack), the module cannot be loaded, a
 * line of the file is not restored (or, with --check, is bad), or the
 * namespace of -n cannot be entered; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <locale.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/portres.h>

#include "conf.h"
#include "nlutil.h"
#include "print.h"

static const char *prog = "portresctl";
/* The options (-N, -t, --check), for every command; -j and -p: print.h. */
static bool numeric, timestamps, check_only;

/* A command name as text fits print.h's room, each byte escaped. */
_Static_assert(TEXT_SIZE == 4 * sizeof(((struct prnl_resv *)0)->comm),
	       "TEXT_SIZE is four times a command name");

struct ctl {
	struct prnl nl;
	/* What the request's answers are for. */
	void (*each)(const struct prnl_resv *r, void *arg);
	void *arg;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [OPTIONS] show [tcp|udp] [port N] [runtime|persistent]\n"
		"       %s [OPTIONS] show netns\n"
		"       %s [OPTIONS] lookup tcp|udp START COUNT\n"
		"       %s [OPTIONS] add tcp|udp START COUNT [exclusive]\n"
		"       %s [OPTIONS] delete tcp|udp START COUNT\n"
		"       %s [OPTIONS] monitor\n"
		"       %s [OPTIONS] restore [-c|--check] [FILE]\n"
		"       %s [OPTIONS] holders\n"
		"       %s -V|--version\n"
		"options, anywhere on the line:\n"
		"  -j, --json          print JSON\n"
		"  -p, --pretty        print JSON, indented (implies -j)\n"
		"  -n, --netns NETNS   act in the network namespace NETNS: a name\n"
		"                      of ip netns (/run/netns/NETNS), a path or a pid\n"
		"  -N, --numeric       user ids as numbers, not names\n"
		"  -t, --timestamp     monitor: the time of each event\n"
		"  -c, --check         restore: check the file, apply nothing\n"
		"  -V, --version       the version of portresctl and of the module\n"
		"  -h, --help          this text\n",
		prog, prog, prog, prog, prog, prog, prog, prog, prog);
}

static void __attribute__((noreturn)) bad_usage(const char *fmt, const char *what)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

static const char *proto_name(int protocol)
{
	return protocol == IPPROTO_TCP ? "tcp" : "udp";
}

static int parse_proto(const char *s)
{
	if (!strcmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	bad_usage("protocol must be tcp or udp, not \"%s\"", s);
}

static uint16_t parse_port(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 65535 || s[0] == '-' ||
	    s[0] == '+')
		bad_usage("%s must be a number from 1 to 65535", what);
	return v;
}

/* Each reservation the kernel sends goes to ctl->each. */
static int resv_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl *ctl = data;
	struct prnl_resv r;
	const char *why;

	if (prnl_resv_parse(nlh, &r, &why)) {
		fprintf(stderr, "%s: the kernel sent %s\n", prog, why);
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (ctl->each)
		ctl->each(&r, ctl->arg);
	return MNL_CB_OK;
}

/*
 * Errors: each function of the tool returns 0 or -errno (libmnl's
 * callbacks excepted, which say MNL_CB_ERROR and set errno); a command
 * returns its exit status.
 */

/* Sends @nlh, each answer to @each.  Return: 0 or -errno. */
static int talk(struct ctl *ctl, struct nlmsghdr *nlh,
		void (*each)(const struct prnl_resv *r, void *arg), void *arg)
{
	ctl->each = each;
	ctl->arg = arg;
	return prnl_talk(&ctl->nl, nlh, resv_cb, ctl);
}

/* Says that @what failed with @err (-errno), and exits 1. */
static void __attribute__((noreturn)) fail(struct ctl *ctl, const char *what,
					   int err)
{
	fprintf(stderr, "%s: %s: %s", prog, what, strerror(-err));
	if (ctl && ctl->nl.extack[0])
		fprintf(stderr, ": %s", ctl->nl.extack);
	fputc('\n', stderr);
	exit(1);
}

static void ctl_open(struct ctl *ctl)
{
	int err = prnl_open(&ctl->nl);

	if (err == -ENOENT) {
		fprintf(stderr, "%s: the portres module is not loaded "
			"(modprobe portres)\n", prog);
		exit(1);
	}
	if (err)
		fail(NULL, "cannot find the portres netlink family", err);
}

/* The forms a reservation takes in text; JSON is the same for all. */
enum resv_view {
	VIEW_ROW,	/* a row of show's table */
	VIEW_TOKEN,	/* "tcp 5000-5009 token N": lookup and add */
	VIEW_EVENT,	/* "new tcp runtime 5000-5009 ...": monitor */
};

/*
 * The name of user @uid, or NULL: none in the user database, or -N.  The
 * kernel gives the uid as the caller's user namespace sees it, which is
 * what our user database describes.
 */
static const char *user_name(unsigned int uid)
{
	static unsigned int last_uid;
	static char last[64];
	static bool known;
	struct passwd *pw;

	if (numeric)
		return NULL;
	if (known && uid == last_uid)
		return last[0] ? last : NULL;
	pw = getpwuid(uid);
	snprintf(last, sizeof(last), "%s", pw ? pw->pw_name : "");
	last_uid = uid;
	known = true;
	return last[0] ? last : NULL;
}

/*
 * "pid 12 (name) user root", or "uid 0" where no name is known (or -N),
 * with "?" for an id the kernel left out.
 */
static void owner_text(const struct prnl_resv *r, char *buf, size_t len)
{
	char pid[16] = "?", user[TEXT_SIZE + 8] = "uid ?", comm[TEXT_SIZE];
	char name[TEXT_SIZE];
	const char *known;

	if (r->has_pid)
		snprintf(pid, sizeof(pid), "%u", r->pid);
	if (r->has_uid) {
		known = user_name(r->uid);
		if (known)
			snprintf(user, sizeof(user), "user %s",
				 text_string(known, name));
		else
			snprintf(user, sizeof(user), "uid %u", r->uid);
	}
	snprintf(buf, len, "pid %s (%s) %s", pid, text_string(r->comm, comm),
		 user);
}

static void print_owner(const struct prnl_resv *r, enum resv_view view)
{
	char text[3 * TEXT_SIZE];
	const char *name;

	if (!r->has_owner) {
		out_str(view == VIEW_ROW ? OUT_TEXT : 0, NULL, "%s", "-");
		return;
	}
	if (!out_is_json()) {
		owner_text(r, text, sizeof(text));
		printf(view == VIEW_EVENT ? " %s" : "%s", text);
		return;
	}
	out_open("owner", '{');
	if (r->has_pid)
		out_uint(OUT_JSON, "pid", NULL, r->pid);
	out_str(OUT_JSON, "comm", NULL, r->comm);
	if (r->has_uid) {
		out_uint(OUT_JSON, "uid", NULL, r->uid);
		name = user_name(r->uid);
		if (name)
			out_str(OUT_JSON, "user", NULL, name);
	}
	out_close('}');
}

/* When the event being printed was received (-t), as RFC 3339 local time. */
static char event_time[64];

static void stamp_event_time(void)
{
	char date[32], zone[8];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	/* RFC 3339 writes the offset +hh:mm, strftime() +hhmm. */
	snprintf(event_time, sizeof(event_time), "%s.%06u%.3s:%.2s", date,
		 (unsigned int)(ts.tv_nsec / 1000) % 1000000, zone,
		 zone + 3);
}

/* One reservation; @event is "new" or "del" for VIEW_EVENT. */
static void print_resv(const struct prnl_resv *r, enum resv_view view,
		       const char *event)
{
	bool persistent = r->kind == PORTRES_KIND_PERSISTENT;
	const char *kind = persistent ? "persistent" : "runtime";
	unsigned int end = r->start + r->count - 1, i;
	char text[32];

	out_open(NULL, '{');
	if (event && timestamps)
		out_str(OUT_ANY, "time", "%s ", event_time);
	if (event)
		out_str(OUT_ANY, "event", "%s ", event);
	out_str(view == VIEW_ROW ? OUT_JSON : OUT_ANY, "protocol", "%s ",
		proto_name(r->protocol));
	if (view == VIEW_EVENT)
		out_str(OUT_TEXT, NULL, "%s ", kind);
	if (view == VIEW_ROW) {
		out_uint(OUT_ANY, "start", "%10" PRIu64 "  ", r->start);
		out_uint(OUT_ANY, "end", "%10" PRIu64 " ", end);
	} else {
		snprintf(text, sizeof(text), "%u-%u", r->start, end);
		out_str(OUT_TEXT, NULL, "%s", text);
		out_uint(OUT_JSON, "start", NULL, r->start);
		out_uint(OUT_JSON, "end", NULL, end);
	}
	out_uint(OUT_JSON, "count", NULL, r->count);
	out_str(OUT_JSON, "kind", NULL, kind);
	out_bool("exclusive", r->exclusive);
	if (view == VIEW_ROW) {
		out_str(OUT_TEXT, NULL, "%s   ", persistent ? "*" : " ");
		out_str(OUT_TEXT, NULL, "%-9s  ", r->exclusive ? "yes" : "no");
	} else if (view == VIEW_EVENT && r->exclusive) {
		out_str(OUT_TEXT, NULL, "%s", " exclusive");
	}
	/* A string: JSON readers such as jq round numbers past 2^53. */
	if (r->has_token) {
		snprintf(text, sizeof(text), "%" PRIu64, r->token);
		out_str(view == VIEW_TOKEN ? OUT_ANY : OUT_JSON, "token",
			" token %s", text);
	}
	out_uint(OUT_JSON, "in_use", NULL, r->in_use);
	if (view == VIEW_ROW) {
		snprintf(text, sizeof(text), "%u/%u", r->in_use, r->count);
		out_str(OUT_TEXT, NULL, "%-12s  ", text);
	}
	out_open("ports", '[');
	for (i = 0; i < r->nports; i++)
		out_uint(OUT_JSON, NULL, NULL, r->ports[i]);
	out_close(']');
	if (view != VIEW_TOKEN)
		print_owner(r, view);
	out_close('}');
}

/* Commands. */

/* What show lists: [tcp|udp] [port N] [runtime|persistent]. */
struct show_filter {
	int protocol;		/* 0: both */
	uint16_t port;		/* 0: every block; else the one holding it */
	int kind;		/* -1: both; PORTRES_KIND_* */
	bool netns;		/* the namespace's count of refused binds only */
};

struct show {
	int kind;		/* as in struct show_filter */
	unsigned int n;
	struct prnl_resv *list;
};

static void collect(const struct prnl_resv *r, void *arg)
{
	struct show *show = arg;
	struct prnl_resv *list;

	if (show->kind >= 0 && r->kind != (unsigned int)show->kind)
		return;
	list = realloc(show->list, (show->n + 1) * sizeof(*list));
	if (!list) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	show->list = list;
	show->list[show->n++] = *r;
}

static int by_port(const void *a, const void *b)
{
	const struct prnl_resv *x = a, *y = b;

	if (x->protocol != y->protocol)
		return x->protocol - y->protocol;
	return (int)x->start - (int)y->start;
}

/* The reservations of @protocol; in text, a table after netsh's. */
static void print_table(const struct show *show, int protocol)
{
	unsigned int i, shown = 0;

	if (!out_is_json()) {
		printf("\nProtocol %s Port Exclusion Ranges\n\n",
		       proto_name(protocol));
		printf("Start Port    End Port    Exclusive  In use        Owner\n");
		printf("----------    --------    ---------  ------        -----\n");
	}
	for (i = 0; i < show->n; i++) {
		if (show->list[i].protocol != protocol)
			continue;
		shown++;
		print_resv(&show->list[i], VIEW_ROW, NULL);
		if (!out_is_json())
			putchar('\n');
	}
	if (!out_is_json()) {
		if (!shown)
			printf("(none)\n");
		printf("\n* - Administered port exclusions.\n");
	}
}

/*
 * The namespace's count of refused binds: in show's text, after the
 * tables; "show netns" prints it alone, in JSON as an object of its own
 * (show's JSON stays an array of reservations).  Nothing from a module
 * that cannot tell.
 */
static void print_netns(struct ctl *ctl, bool alone)
{
	struct prnl_netns ns;
	char cookie[32];
	int err = prnl_netns(&ctl->nl, &ns);

	if (err) {
		if (alone)
			fail(ctl, "show netns", err);
		return;
	}
	if (!out_is_json()) {
		printf("%sBinds refused by portres in this network namespace: %" PRIu64 "\n",
		       alone ? "" : "\n", ns.refused);
		return;
	}
	out_open(NULL, '{');
	/* A string, as tokens are: jq rounds numbers past 2^53. */
	snprintf(cookie, sizeof(cookie), "%" PRIu64, ns.cookie);
	out_str(OUT_JSON, "cookie", NULL, cookie);
	out_uint(OUT_JSON, "refused", NULL, ns.refused);
	out_bool("initial", ns.init);
	out_close('}');
}

/* The block of @protocol that holds @port, if any: the kernel finds it. */
static void show_port(struct ctl *ctl, struct show *show, int protocol,
		      uint16_t port)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = prnl_request(&ctl->nl, PORTRES_CMD_GET, 0);
	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, protocol);
	mnl_attr_put_u16(nlh, PORTRES_A_START, port);
	err = talk(ctl, nlh, collect, show);
	if (err && err != -ENOENT)
		fail(ctl, "show", err);
}

static int cmd_show(struct ctl *ctl, const struct show_filter *f)
{
	struct show show = { .kind = f->kind };
	int protocol = f->protocol, err;
	struct nlmsghdr *nlh;

	if (f->netns) {
		print_netns(ctl, true);
		if (out_is_json())
			out_end();
		return 0;
	}
	if (f->port) {
		if (protocol != IPPROTO_UDP)
			show_port(ctl, &show, IPPROTO_TCP, f->port);
		if (protocol != IPPROTO_TCP)
			show_port(ctl, &show, IPPROTO_UDP, f->port);
	} else {
		nlh = prnl_request(&ctl->nl, PORTRES_CMD_GET, NLM_F_DUMP);
		if (protocol)
			mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, protocol);
		err = talk(ctl, nlh, collect, &show);
		if (err)
			fail(ctl, "show", err);
	}
	if (show.n)
		qsort(show.list, show.n, sizeof(*show.list), by_port);
	out_open(NULL, '[');
	if (!protocol || protocol == IPPROTO_TCP)
		print_table(&show, IPPROTO_TCP);
	if (!protocol || protocol == IPPROTO_UDP)
		print_table(&show, IPPROTO_UDP);
	out_close(']');
	/* Unfiltered text only: a filter asks for blocks. */
	if (!out_is_json() && !protocol && !f->port && f->kind < 0)
		print_netns(ctl, false);
	if (out_is_json())
		out_end();
	free(show.list);
	return 0;
}

static struct nlmsghdr *block_request(struct ctl *ctl, uint8_t cmd,
				      const struct portres_conf_entry *e)
{
	struct nlmsghdr *nlh = prnl_request(&ctl->nl, cmd, 0);

	mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, e->protocol);
	mnl_attr_put_u16(nlh, PORTRES_A_START, e->start);
	mnl_attr_put_u16(nlh, PORTRES_A_COUNT, e->count);
	if (cmd == PORTRES_CMD_CREATE && e->exclusive)
		mnl_attr_put(nlh, PORTRES_A_EXCLUSIVE, 0, NULL);
	return nlh;
}

/* The kernel's side of the configuration file's transaction (conf.h). */
struct block_call {
	struct ctl *ctl;
	bool print;		/* print the reservation the kernel sends */
	bool init_netns;	/* the kernel said: the initial namespace's */
	uint64_t token;
};

static void block_answer(const struct prnl_resv *r, void *arg)
{
	struct block_call *call = arg;

	call->token = r->token;
	call->init_netns = r->init_netns;
	if (call->print) {
		print_resv(r, VIEW_TOKEN, NULL);
		out_end();
	}
}

static int block_talk(struct block_call *call, uint8_t cmd,
		      const struct portres_conf_entry *e, uint64_t *token)
{
	int err = talk(call->ctl, block_request(call->ctl, cmd, e),
		       block_answer, call);

	if (err)
		return err;
	if (token)
		*token = call->token;
	return 0;
}

static int nl_create(void *ctx, const struct portres_conf_entry *e,
		     uint64_t *token)
{
	return block_talk(ctx, PORTRES_CMD_CREATE, e, token);
}

static int nl_remove(void *ctx, const struct portres_conf_entry *e)
{
	return block_talk(ctx, PORTRES_CMD_DELETE, e, NULL);
}

static int nl_lookup(void *ctx, const struct portres_conf_entry *e,
		     uint64_t *token)
{
	return block_talk(ctx, PORTRES_CMD_LOOKUP, e, token);
}

/* A module that knows PORTRES_CMD_NETNS flags the initial namespace. */
static int nl_init_netns(void *ctx)
{
	struct block_call *call = ctx;
	struct prnl_netns ns;
	int err = prnl_netns(&call->ctl->nl, &ns);

	return err ? err : call->init_netns;
}

static const struct portres_conf_ops nl_ops = {
	.create = nl_create,
	.remove = nl_remove,
	.lookup = nl_lookup,
	.init_netns = nl_init_netns,
};

static int cmd_lookup(struct ctl *ctl, const struct portres_conf_entry *e)
{
	struct block_call call = { .ctl = ctl, .print = true };
	int err = nl_lookup(&call, e, NULL);

	if (err)
		fail(ctl, "lookup", err);
	return 0;
}

/* add and delete: the kernel and the configuration file, all or nothing. */
static int cmd_edit(struct ctl *ctl, const struct portres_conf_entry *e,
		    bool add)
{
	struct block_call call = { .ctl = ctl, .print = add };
	const char *what = add ? "add" : "delete";
	char why[64];
	int in_file, err;

	if (add)
		err = portres_conf_add(&nl_ops, &call, e, NULL, &in_file);
	else
		err = portres_conf_remove(&nl_ops, &call, e, &in_file);
	if (err && in_file) {
		snprintf(why, sizeof(why),
			 "%s: cannot update the configuration file", what);
		fail(NULL, why, err);
	}
	if (err)
		fail(ctl, what, err);
	return 0;
}

/* Creates the block of one line of the configuration file: 0 or -errno. */
static int restore_line(struct ctl *ctl, const struct portres_conf_entry *e)
{
	struct block_call call = { .ctl = ctl };
	int err;

	err = nl_create(&call, e, NULL);
	/* Restored already (the unit ran twice, or an admin did): nothing to do. */
	if (err == -EADDRINUSE && !nl_lookup(&call, e, NULL))
		return 0;
	return err;
}

/* The blocks of the lines read so far, for --check. */
struct conf_lines {
	unsigned int n;
	struct conf_line {
		unsigned int lineno;
		struct portres_conf_entry e;
	} *list;
};

/*
 * Whether @e, of line @lineno, may go with the lines before it: a block
 * that overlaps another's cannot be reserved, and a block listed twice is
 * reserved once, so both lines must say the same.  Return: 0, or -EINVAL
 * having said why.
 */
static int check_line(struct conf_lines *lines, const char *path,
		      unsigned int lineno, const struct portres_conf_entry *e)
{
	unsigned int end = e->start + e->count - 1, i;
	const struct portres_conf_entry *o;
	struct conf_line *list;

	for (i = 0; i < lines->n; i++) {
		o = &lines->list[i].e;
		if (o->protocol != e->protocol || o->start > end ||
		    e->start > o->start + o->count - 1)
			continue;
		if (o->start == e->start && o->count == e->count &&
		    o->exclusive == e->exclusive)
			continue;
		fprintf(stderr, "%s:%u: %s %u-%u %s line %u's %s %u-%u\n",
			path, lineno, proto_name(e->protocol), e->start, end,
			o->start == e->start && o->count == e->count ?
			"differs in \"exclusive\" from" : "overlaps",
			lines->list[i].lineno, proto_name(o->protocol),
			o->start, o->start + o->count - 1);
		return -EINVAL;
	}
	list = realloc(lines->list, (lines->n + 1) * sizeof(*list));
	if (!list) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	lines->list = list;
	list[lines->n].lineno = lineno;
	list[lines->n++].e = *e;
	return 0;
}

/*
 * Creates, in the namespace it runs in, the persistent blocks that the
 * configuration file lists; portres-restore.service runs it when
 * /dev/portres appears (the udev rule 60-portres.rules pulls it in).  Each
 * line that cannot be read or reserved is reported with its number and the
 * others still apply.  A missing default file holds nothing to restore; a
 * file named on the command line must exist.
 * With --check (@ctl NULL) it reserves nothing: it reads the file and
 * reports each line that cannot be read or that overlaps another as
 * "FILE:LINE: why", without the module.
 */
/*
 * Whether the state file may be applied: whoever can write it decides
 * which blocks root reserves at boot, so a file (or directory) that users
 * other than its owner may write is refused, and so is a file its
 * directory's owner does not own; that owner (root, or the service that
 * saved into it) is trusted as portres.conf(5) says.
 */
static bool state_file_trusted(FILE *f, const char *path)
{
	char dir[4096];
	struct stat st, dst;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	if (fstat(fileno(f), &st) || stat(dir, &dst))
		return false;
	/* Owned by root or by its directory's owner, whom nobody else can
	 * write over: no group or other write, and no shared directory. */
	if ((st.st_mode & 022) || (dst.st_mode & 022) ||
	    (st.st_uid != 0 && st.st_uid != dst.st_uid)) {
		fprintf(stderr, "%s: %s: not applied: users other than its owner may write it (or its directory)\n",
			prog, path);
		return false;
	}
	return true;
}

static int cmd_restore_file(struct ctl *ctl, const char *path, bool named,
			    bool state);

static int cmd_restore(struct ctl *ctl, const char *path, bool named)
{
	return cmd_restore_file(ctl, path, named, false);
}

static int cmd_restore_file(struct ctl *ctl, const char *path, bool named,
			    bool state)
{
	struct conf_lines lines = { 0 };
	struct portres_conf_entry e;
	unsigned int lineno = 0, bad = 0;
	size_t cap = 0;
	char *line = NULL;
	const char *why;
	ssize_t len;
	FILE *f;
	int err;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !named)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	if (state && !state_file_trusted(f, path)) {
		fclose(f);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		switch (portres_conf_parse_line(line, len, &e, &why)) {
		case 1:
			continue;
		case 0:
			break;
		default:
			if (ctl)
				fprintf(stderr, "%s: %s:%u: %s; line ignored\n",
					prog, path, lineno, why);
			else
				fprintf(stderr, "%s:%u: %s\n", path, lineno,
					why);
			bad++;
			continue;
		}
		if (!ctl) {
			if (check_line(&lines, path, lineno, &e))
				bad++;
			continue;
		}
		err = restore_line(ctl, &e);
		if (!err)
			continue;
		fprintf(stderr, "%s: %s:%u: cannot reserve %s %u-%u: %s", prog,
			path, lineno, proto_name(e.protocol), e.start,
			e.start + e.count - 1, strerror(-err));
		if (ctl->nl.extack[0])
			fprintf(stderr, ": %s", ctl->nl.extack);
		fputc('\n', stderr);
		bad++;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		bad++;
	}
	free(line);
	free(lines.list);
	fclose(f);
	return bad ? 1 : 0;
}


static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The answer to GET for an event's block: its owner, if we may see it. */
static void fill_owner(const struct prnl_resv *got, void *arg)
{
	struct prnl_resv *r = arg;

	if (got->protocol != r->protocol || got->start != r->start ||
	    got->count != r->count)
		return;
	r->has_owner = got->has_owner;
	memcpy(r->comm, got->comm, sizeof(r->comm));
	r->has_pid = got->has_pid;
	r->pid = got->pid;
	r->has_uid = got->has_uid;
	r->uid = got->uid;
}

/*
 * Events carry no owner (any user may listen); a new runtime block's owner
 * comes from a GET on @query, the monitor's second socket, while the block
 * lives, and only to its user and to CAP_NET_ADMIN.
 */
static void print_event(const struct prnl_resv *ev, void *arg)
{
	struct ctl *query = arg;
	struct nlmsghdr *nlh;
	struct prnl_resv r = *ev;

	if (r.cmd == PORTRES_CMD_NEW && r.kind == PORTRES_KIND_RUNTIME) {
		nlh = prnl_request(&query->nl, PORTRES_CMD_GET, 0);
		mnl_attr_put_u8(nlh, PORTRES_A_PROTOCOL, r.protocol);
		mnl_attr_put_u16(nlh, PORTRES_A_START, r.start);
		/* Gone already (ENOENT): the ids stay unknown. */
		talk(query, nlh, fill_owner, &r);
	}
	print_resv(&r, VIEW_EVENT, r.cmd == PORTRES_CMD_NEW ? "new" : "del");
	out_end();
}

static int cmd_monitor(struct ctl *ctl)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ctl query = { 0 };
	ssize_t n;
	int err;

	err = prnl_join_events(&ctl->nl);
	if (err == -ENOENT) {
		fprintf(stderr, "%s: the kernel has no events group\n", prog);
		return 1;
	}
	if (err)
		fail(NULL, "monitor", err);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ctl_open(&query);
	ctl->each = print_event;
	ctl->arg = &query;
	fprintf(stderr, "%s: monitoring reservations; interrupt to stop\n",
		prog);
	while (!stop) {
		n = mnl_socket_recvfrom(ctl->nl.nl, ctl->nl.buf,
					MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(NULL, "monitor", -errno);
		}
		if (timestamps)
			stamp_event_time();
		if (mnl_cb_run(ctl->nl.buf, n, 0, 0, resv_cb, ctl) < 0 &&
		    errno != ENOENT)
			fail(NULL, "monitor", -errno);
	}
	prnl_close(&query.nl);
	return 0;
}

/* How many descriptors of /dev/portres process @pid has open. */
static int holder_fds(const char *pid)
{
	char path[600], link[sizeof(PORTRES_DEVICE) + 1];
	struct dirent *f;
	int n = 0;
	ssize_t len;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	fds = opendir(path);
	if (!fds)
		return 0;
	while ((f = readdir(fds))) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, f->d_name);
		len = readlink(path, link, sizeof(link));
		if (len == sizeof(PORTRES_DEVICE) - 1 &&
		    !memcmp(link, PORTRES_DEVICE, len))
			n++;
	}
	closedir(fds);
	return n;
}

/*
 * The processes with /dev/portres open, which keep the module loaded
 * (libportres opens it only for the length of a call).  Others' descriptors
 * are seen by root only.
 */
static int cmd_holders(void)
{
	char path[300], comm[32];
	struct dirent *p;
	size_t len;
	DIR *proc;
	FILE *f;
	int n;

	proc = opendir("/proc");
	if (!proc) {
		fprintf(stderr, "%s: /proc: %s\n", prog, strerror(errno));
		return 1;
	}
	out_open(NULL, '[');
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		n = holder_fds(p->d_name);
		if (!n)
			continue;
		/* The name and a new line; the name may hold new lines too. */
		snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
		f = fopen(path, "r");
		len = f ? fread(comm, 1, sizeof(comm) - 1, f) : 0;
		if (f)
			fclose(f);
		if (len && comm[len - 1] == '\n')
			len--;
		comm[len] = 0;
		out_open(NULL, '{');
		out_uint(OUT_ANY, "pid", "pid %" PRIu64, strtoull(p->d_name, NULL, 10));
		out_str(OUT_ANY, "comm", " comm %s", comm);
		out_uint(OUT_ANY, "descriptors", " descriptors %" PRIu64 "\n", n);
		out_close('}');
	}
	closedir(proc);
	out_close(']');
	if (out_is_json())
		out_end();
	return 0;
}

/* The command line: the command, then its arguments. */

/* tcp|udp START COUNT [exclusive]: @exclusive_ok for add only. */
static void parse_block(int argc, char **argv, const char *cmd,
			bool exclusive_ok, struct portres_conf_entry *e)
{
	if (argc < 3 || argc > (exclusive_ok ? 4 : 3))
		bad_usage("%s takes tcp|udp START COUNT", cmd);
	e->protocol = parse_proto(argv[0]);
	e->start = parse_port(argv[1], "START");
	e->count = parse_port(argv[2], "COUNT");
	if (e->start + e->count > 65536)
		bad_usage("%s", "the block runs past port 65535");
	e->exclusive = 0;
	if (argc == 4) {
		if (strcmp(argv[3], "exclusive"))
			bad_usage("the last word can only be \"exclusive\", not \"%s\"",
				  argv[3]);
		e->exclusive = 1;
	}
}

static int do_show(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	struct show_filter f = { .kind = -1 };
	int i;

	(void)cmd;
	for (i = 0; i < argc; i++) {
		if (!f.protocol && (!strcmp(argv[i], "tcp") ||
				    !strcmp(argv[i], "udp"))) {
			f.protocol = parse_proto(argv[i]);
		} else if (!f.port && !strcmp(argv[i], "port") &&
			   i + 1 < argc) {
			f.port = parse_port(argv[++i], "the port");
		} else if (f.kind < 0 && !strcmp(argv[i], "runtime")) {
			f.kind = PORTRES_KIND_RUNTIME;
		} else if (f.kind < 0 && !strcmp(argv[i], "persistent")) {
			f.kind = PORTRES_KIND_PERSISTENT;
		} else if (!strcmp(argv[i], "netns") && argc == 1) {
			f.netns = true;
		} else {
			bad_usage("show takes [tcp|udp] [port N] [runtime|persistent], or netns, not \"%s\"",
				  argv[i]);
		}
	}
	ctl_open(ctl);
	return cmd_show(ctl, &f);
}

/* lookup, add and delete: tcp|udp START COUNT, and "exclusive" for add. */
static int do_block(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	struct portres_conf_entry e;
	bool add = !strcmp(cmd, "add");

	parse_block(argc, argv, cmd, add, &e);
	ctl_open(ctl);
	if (!strcmp(cmd, "lookup"))
		return cmd_lookup(ctl, &e);
	return cmd_edit(ctl, &e, add);
}

static int do_monitor(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	(void)argv;
	if (argc)
		bad_usage("%s takes no arguments", cmd);
	ctl_open(ctl);
	return cmd_monitor(ctl);
}

static int do_restore(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	char path[4096];
	int ret;

	if (argc > 1)
		bad_usage("%s takes at most a file", cmd);
	if (argc)
		snprintf(path, sizeof(path), "%s", argv[0]);
	else if (portres_conf_path(path, sizeof(path)))
		bad_usage("%s", "PORTRES_CONF is too long");
	if (!path[0])
		return 0;
	/* --check: no module, no netlink (cmd_restore_file() with no ctl). */
	if (check_only)
		ctl = NULL;
	else
		ctl_open(ctl);
	if (argc)
		return cmd_restore(ctl, path, argc);
	/* The admin's file, then what services saved (portres.conf(5)). */
	ret = cmd_restore(ctl, path, argc);
	if (!portres_conf_state_path(path, sizeof(path)) && path[0])
		ret |= cmd_restore_file(ctl, path, argc, true);
	return ret;
}

static int do_holders(struct ctl *ctl, const char *cmd, int argc, char **argv)
{
	(void)ctl;
	(void)argv;
	if (argc)
		bad_usage("%s takes no arguments", cmd);
	return cmd_holders();
}

static const struct command {
	const char *name;
	int (*run)(struct ctl *ctl, const char *cmd, int argc, char **argv);
} commands[] = {
	{ "show", do_show },
	{ "lookup", do_block },
	{ "add", do_block },
	{ "delete", do_block },
	{ "monitor", do_monitor },
	{ "restore", do_restore },
	{ "holders", do_holders },
};

/* A line of a sysfs file, or of a command's output, without its new line. */
static bool read_line(FILE *f, char *buf, size_t len)
{
	bool got = f && fgets(buf, len, f);

	if (got)
		buf[strcspn(buf, "\n")] = 0;
	return got && buf[0];
}

static bool sysfs_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool got = read_line(f, buf, len);

	if (f)
		fclose(f);
	return got;
}

/*
 * @field of the module that modprobe would load now (modinfo), which after
 * an upgrade (DKMS) is not the loaded one until the module is reloaded.
 */
static bool installed_field(const char *field, char *buf, size_t len)
{
	char cmd[64];
	bool got;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "modinfo -F %s portres 2>/dev/null", field);
	p = popen(cmd, "re");
	if (!p)
		return false;
	got = read_line(p, buf, len);
	return pclose(p) == 0 && got;
}

/*
 * -V: the tool's version and the ABI it was built for; the loaded module's
 * version (MODULE_VERSION, in sysfs) and ABI (PORTRES_IOC_VERSION); the
 * installed module's version when it is not the one loaded.
 */
static int cmd_version(void)
{
	char ver[64], src[64], inst_ver[64], inst_src[64];
	bool loaded, has_ver, stale;
	uint32_t abi = 0;
	int fd = -1;

	loaded = !access("/sys/module/portres", F_OK);
	has_ver = loaded && sysfs_line("/sys/module/portres/version", ver,
				       sizeof(ver));
	if (loaded)
		fd = open(PORTRES_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && ioctl(fd, PORTRES_IOC_VERSION, &abi))
		abi = 0;
	if (fd >= 0)
		close(fd);
	/* Another build than the one loaded: its srcversion differs. */
	stale = loaded &&
		sysfs_line("/sys/module/portres/srcversion", src, sizeof(src)) &&
		installed_field("srcversion", inst_src, sizeof(inst_src)) &&
		strcmp(src, inst_src) &&
		installed_field("version", inst_ver, sizeof(inst_ver));

	out_open(NULL, '{');
	out_str(OUT_ANY, "version", "portresctl %s", PORTRES_VERSION);
	out_uint(OUT_ANY, "abi", ", ABI version %" PRIu64 "\n",
		 PORTRES_ABI_VERSION);
	out_open("module", '{');
	out_bool("loaded", loaded);
	if (!loaded)
		out_str(OUT_TEXT, NULL, "%s\n", "module portres: not loaded");
	else if (has_ver)
		out_str(OUT_ANY, "version", "module portres %s", ver);
	else
		out_str(OUT_TEXT, NULL, "%s", "module portres (no version)");
	if (abi)
		out_uint(OUT_ANY, "abi", ", ABI version %" PRIu64, abi);
	if (loaded && !abi)
		out_str(OUT_TEXT, NULL, "%s", ", ABI version unknown (no /dev/portres)");
	if (stale)
		out_str(OUT_ANY, "installed_version",
			"; installed: %s, another build (reload the module to run it)",
			inst_ver);
	if (loaded && !out_is_json())
		putchar('\n');
	out_close('}');
	out_close('}');
	if (out_is_json())
		out_end();
	return 0;
}

/*
 * -n NETNS, as ip -n: a name of ip netns (/run/netns/NETNS), a path to a
 * namespace file, or a process id (/proc/PID/ns/net).  Everything after
 * acts in that namespace.
 */
static void enter_netns(const char *netns)
{
	char path[PATH_MAX];
	size_t digits = strspn(netns, "0123456789");
	int fd;

	if (strchr(netns, '/')) {
		snprintf(path, sizeof(path), "%s", netns);
	} else {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		/* A number that names no namespace of ip netns: a pid. */
		if (digits && !netns[digits] && access(path, F_OK))
			snprintf(path, sizeof(path), "/proc/%s/ns/net", netns);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: network namespace \"%s\": %s: %s\n", prog,
			netns, path, strerror(errno));
		exit(1);
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "%s: cannot enter the network namespace \"%s\": %s\n",
			prog, netns, strerror(errno));
		exit(1);
	}
	close(fd);
}

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "netns", required_argument, NULL, 'n' },
	{ "numeric", no_argument, NULL, 'N' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "check", no_argument, NULL, 'c' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	const char *cmd, *netns = NULL;
	bool version = false, json = false, pretty = false;
	struct ctl ctl = { 0 };
	int opt, ret;
	size_t i;

	/* What the terminal can show of a name (text_string()). */
	setlocale(LC_CTYPE, "");
	/* getopt's own message for an unknown option comes before the usage. */
	while ((opt = getopt_long(argc, argv, "jpn:NtcVh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'N':
			numeric = true;
			break;
		case 't':
			timestamps = true;
			break;
		case 'c':
			check_only = true;
			break;
		case 'V':
			version = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	out_init(json, pretty);
	if (version) {
		if (optind < argc)
			bad_usage("-V takes no command, not \"%s\"", argv[optind]);
		return cmd_version();
	}
	if (optind >= argc)
		bad_usage("%s", "a command is needed");
	cmd = argv[optind++];
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		bad_usage("unknown command \"%s\"", cmd);
	if (check_only && strcmp(cmd, "restore"))
		bad_usage("--check is for restore, not %s", cmd);
	if (netns)
		enter_netns(netns);
	ret = commands[i].run(&ctl, cmd, argc - optind, argv + optind);
	prnl_close(&ctl.nl);
	return ret;
}
