// SPDX-License-Identifier: GPL-2.0
/*
 * portres: KUnit tests of the reservation table, built into the module with
 * "make PORTRES_KUNIT=y" for a kernel with CONFIG_KUNIT; they run each time
 * that module is loaded.
 *
 * No socket is involved: the block search runs on bitmaps made up here,
 * and the table on a namespace state of the tests' own, with made-up
 * socket addresses as keys (the table never dereferences them).  The
 * namespace is the initial one, for the bind tables and the reserved-ports
 * bitmap, on ports 60000 and up, where nothing is bound in the test guest.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sort.h>

#include "fastpath.h"
#include "portres.h"
#include "assoc.h"
#include "bind_order.h"
#include "bind_tables.h"
#include "blocks.h"
#include "sockets.h"
#include "table.h"

/* Block search: tables of fragmented port spaces. */

struct portres_search_case {
	const char *name;
	unsigned int busy[4][2];	/* reserved [first, last] ranges */
	unsigned int used[4];		/* ports in use (0 ends) */
	unsigned int lo, hi, count;
	int expect;
};

static const struct portres_search_case portres_search_cases[] = {
	{ "empty space: the lowest block", {}, {}, 1000, 1999, 10, 1000 },
	{ "skips a reserved block", { { 1000, 1004 } }, {}, 1000, 1999, 10, 1005 },
	{ "gap too small is skipped", { { 1000, 1004 }, { 1010, 1019 } }, {},
	  1000, 1999, 10, 1020 },
	{ "exact fit in a gap", { { 1000, 1004 }, { 1015, 1019 } }, {},
	  1000, 1999, 10, 1005 },
	{ "skips a port in use", {}, { 1003 }, 1000, 1999, 10, 1004 },
	{ "reserved and in use together", { { 1000, 1009 } }, { 1012, 1030 },
	  1000, 1999, 10, 1013 },
	{ "block as large as the range", {}, {}, 1000, 1009, 10, 1000 },
	{ "block larger than the range", {}, {}, 1000, 1008, 10, -EADDRINUSE },
	{ "range full", { { 1000, 1999 } }, {}, 1000, 1999, 1, -EADDRINUSE },
	{ "fragmented to nothing", { { 1000, 1004 }, { 1006, 1010 },
	  { 1012, 1999 } }, { 1005, 1011 }, 1000, 1999, 1, -EADDRINUSE },
	{ "last port of the range", { { 1000, 1998 } }, {}, 1000, 1999, 1, 1999 },
	{ "port 1", {}, {}, 1, 100, 1, 1 },
	{ "ends at 65535", { { 60000, 65530 } }, {}, 60000, 65535, 5, 65531 },
	{ "past 65535", {}, {}, 65530, 65536, 5, -EADDRINUSE },
	{ "count 0", {}, {}, 1000, 1999, 0, -EADDRINUSE },
};

static void portres_search_desc(const struct portres_search_case *c,
				char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(portres_search, portres_search_cases, portres_search_desc);

/* The ports in use stand as ports the admin reserved: both are avoided. */
static void portres_test_search(struct kunit *test)
{
	const struct portres_search_case *c = test->param_value;
	size_t size = BITS_TO_LONGS(PORTRES_NPORTS) * sizeof(long);
	unsigned long *busy, *used;
	struct portres_search s = {};
	unsigned int i;

	busy = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, busy);
	used = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, used);
	for (i = 0; i < ARRAY_SIZE(c->busy) && c->busy[i][1]; i++)
		bitmap_set(busy, c->busy[i][0],
			   c->busy[i][1] - c->busy[i][0] + 1);
	for (i = 0; i < ARRAY_SIZE(c->used) && c->used[i]; i++)
		__set_bit(c->used[i], used);
	s.busy = busy;
	s.admin_reserved = used;
	KUNIT_EXPECT_EQ(test, c->expect,
			portres_find_free_block(&s, c->lo, c->hi, c->count));
}

static struct kunit_case portres_search_test_cases[] = {
	KUNIT_CASE_PARAM(portres_test_search, portres_search_gen_params),
	{}
};

static struct kunit_suite portres_search_suite = {
	.name = "portres_block_search",
	.test_cases = portres_search_test_cases,
};

/* The table, on a namespace state of the tests' own. */

static struct portres_net *portres_test_net(struct kunit *test)
{
	struct portres_net *pn = kunit_kzalloc(test, sizeof(*pn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pn);
	portres_net_init(pn, &init_net);
	return pn;
}

/* A made-up socket: an address nothing else has. */
static struct sock *portres_test_sk(struct kunit *test)
{
	struct sock *sk = kunit_kzalloc(test, 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sk);
	return sk;
}

struct portres_block_case {
	const char *name;
	u16 start, count;
	int expect;	/* against a block 60100-60109 */
};

static const struct portres_block_case portres_block_cases[] = {
	{ "disjoint below", 60090, 10, 0 },
	{ "disjoint above", 60110, 10, 0 },
	{ "overlaps its start", 60095, 10, -EADDRINUSE },
	{ "overlaps its end", 60109, 5, -EADDRINUSE },
	{ "inside it", 60102, 2, -EADDRINUSE },
	{ "covers it", 60050, 100, -EADDRINUSE },
	{ "the same block", 60100, 10, -EADDRINUSE },
	{ "port 1", 1, 1, 0 },
	{ "port 65535", 65535, 1, 0 },
	{ "past 65535", 65535, 2, -EINVAL },
	{ "all of the ports", 1, 65535, -EADDRINUSE },
	{ "count 0", 60200, 0, -EINVAL },
	{ "start 0 (persistent)", 0, 10, -EINVAL },
};

static void portres_block_desc(const struct portres_block_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(portres_block, portres_block_cases, portres_block_desc);

static void portres_test_overlap(struct kunit *test)
{
	const struct portres_block_case *c = test->param_value;
	struct portres_net *pn = portres_test_net(test);
	struct portres_resv *first, *resv;
	int proto;

	mutex_lock(&pn->lock);
	for (proto = 0; proto < PORTRES_NPROTO; proto++) {
		KUNIT_ASSERT_EQ(test, 0, portres_resv_create(pn, proto, 60100, 10,
							     false, &first));
		KUNIT_EXPECT_EQ(test, c->expect,
				portres_resv_create(pn, proto, c->start,
						    c->count, false, &resv));
	}
	/* The protocols have a port space each. */
	KUNIT_EXPECT_EQ(test, pn->nresvs, c->expect ? 2U : 4U);
	mutex_unlock(&pn->lock);
	portres_net_uninit(pn);
}

static int portres_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void portres_test_tokens(struct kunit *test)
{
	struct portres_net *pn = portres_test_net(test);
	struct portres_resv *resv;
	unsigned int i, n = 1000;
	u64 *tokens;

	tokens = kunit_kcalloc(test, n, sizeof(*tokens), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tokens);
	mutex_lock(&pn->lock);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, 0, portres_resv_create(pn, i % 2,
							     60000 + i / 2, 1,
							     false, &resv));
		tokens[i] = resv->token;
		KUNIT_EXPECT_NE(test, 0ULL, tokens[i]);
		KUNIT_EXPECT_PTR_EQ(test, resv,
				    portres_resv_find(pn, tokens[i]));
	}
	mutex_unlock(&pn->lock);
	sort(tokens, n, sizeof(*tokens), portres_cmp_u64, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_NE(test, tokens[i - 1], tokens[i]);
	portres_net_uninit(pn);
}

/*
 * A reservation and its sockets through acquire, associate, bind, close
 * and release.
 */
static void portres_test_lifecycle(struct kunit *test)
{
	struct portres_net *pn = portres_test_net(test);
	struct sock *owner = portres_test_sk(test);
	struct sock *a = portres_test_sk(test), *b = portres_test_sk(test);
	struct sock *c = portres_test_sk(test);
	struct portres_sock *psa, *psb, *psc;
	struct portres_resv *resv;
	u64 token;
	int pa, pb;

	mutex_lock(&pn->lock);
	KUNIT_ASSERT_EQ(test, 0, portres_resv_acquire(pn, owner, PORTRES_TCP,
						      60300, 2, &resv));
	token = resv->token;
	KUNIT_EXPECT_PTR_EQ(test, resv, portres_resv_at(pn, PORTRES_TCP, 60301));
	KUNIT_EXPECT_NULL(test, portres_resv_at(pn, PORTRES_UDP, 60301));
	KUNIT_EXPECT_NULL(test, portres_resv_at(pn, PORTRES_TCP, 60302));
	KUNIT_EXPECT_NOT_NULL(test, portres_sock_find(owner));

	/* Associate three sockets; bind: two ports, then none left. */
	KUNIT_ASSERT_EQ(test, 0, portres_sock_associate(pn, a, resv));
	KUNIT_ASSERT_EQ(test, 0, portres_sock_associate(pn, b, resv));
	KUNIT_ASSERT_EQ(test, 0, portres_sock_associate(pn, c, resv));
	KUNIT_EXPECT_EQ(test, -EINVAL, portres_sock_associate(pn, a, resv));
	psa = portres_sock_find(a);
	psb = portres_sock_find(b);
	psc = portres_sock_find(c);
	pa = portres_resv_take_port(resv, psa);
	pb = portres_resv_take_port(resv, psb);
	KUNIT_EXPECT_TRUE(test, pa >= 60300 && pa <= 60301);
	KUNIT_EXPECT_TRUE(test, pb >= 60300 && pb <= 60301);
	KUNIT_EXPECT_NE(test, pa, pb);
	KUNIT_EXPECT_EQ(test, -EADDRINUSE, portres_resv_take_port(resv, psc));
	/* Taking again gives the socket's own port back first. */
	KUNIT_EXPECT_EQ(test, pa, portres_resv_take_port(resv, psa));
	mutex_unlock(&pn->lock);

	/* Closing a frees its port for c, and its record. */
	portres_sock_closed(pn, a);
	mutex_lock(&pn->lock);
	KUNIT_EXPECT_NULL(test, portres_sock_find(a));
	KUNIT_EXPECT_EQ(test, pa, portres_resv_take_port(resv, psc));

	/* Release: the token is gone, b and c lose their association. */
	portres_resv_release(resv);
	KUNIT_EXPECT_NULL(test, portres_resv_find(pn, token));
	KUNIT_EXPECT_NULL(test, portres_sock_find(b));
	KUNIT_EXPECT_NULL(test, portres_sock_find(c));
	KUNIT_EXPECT_NULL(test, portres_sock_find(owner));
	KUNIT_EXPECT_EQ(test, 0U, pn->nresvs);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&pn->nsocks));
	mutex_unlock(&pn->lock);
	/* Closing sockets portres forgot is harmless. */
	portres_sock_closed(pn, owner);
	portres_sock_closed(pn, b);
	portres_net_uninit(pn);
}

/* The last close of the acquiring socket ends its reservations. */
static void portres_test_owner_close(struct kunit *test)
{
	struct portres_net *pn = portres_test_net(test);
	struct sock *owner = portres_test_sk(test), *a = portres_test_sk(test);
	struct portres_resv *r1, *r2;
	u64 t1, t2;

	mutex_lock(&pn->lock);
	KUNIT_ASSERT_EQ(test, 0, portres_resv_acquire(pn, owner, PORTRES_UDP,
						      60400, 5, &r1));
	KUNIT_ASSERT_EQ(test, 0, portres_resv_acquire(pn, owner, PORTRES_UDP,
						      60410, 5, &r2));
	t1 = r1->token;
	t2 = r2->token;
	/* The acquiring socket associated with its own block. */
	KUNIT_ASSERT_EQ(test, 0, portres_sock_associate(pn, owner, r1));
	KUNIT_ASSERT_EQ(test, 0, portres_sock_associate(pn, a, r2));
	KUNIT_EXPECT_EQ(test, 60400,
			portres_resv_take_port(r1, portres_sock_find(owner)));
	mutex_unlock(&pn->lock);

	portres_sock_closed(pn, owner);
	mutex_lock(&pn->lock);
	KUNIT_EXPECT_NULL(test, portres_resv_find(pn, t1));
	KUNIT_EXPECT_NULL(test, portres_resv_find(pn, t2));
	KUNIT_EXPECT_NULL(test, portres_sock_find(a));
	KUNIT_EXPECT_EQ(test, 0U, pn->nresvs);
	/* The block is free for a new reservation. */
	KUNIT_EXPECT_EQ(test, 0, portres_resv_create(pn, PORTRES_UDP, 60400,
						     15, false, &r1));
	mutex_unlock(&pn->lock);
	portres_sock_closed(pn, a);
	portres_net_uninit(pn);
}

/* The namespace's reserved-ports bitmap: set while reserved, admin's kept. */
static void portres_test_reserved_bits(struct kunit *test)
{
	struct portres_net *pn = portres_test_net(test);
	unsigned long *rp = init_net.ipv4.sysctl_local_reserved_ports;
	struct portres_resv *tcp, *udp;

	KUNIT_ASSERT_NOT_NULL(test, rp);
	set_bit(60502, rp);	/* the admin's */
	mutex_lock(&pn->lock);
	KUNIT_ASSERT_EQ(test, 0, portres_resv_create(pn, PORTRES_TCP, 60500, 5,
						     false, &tcp));
	KUNIT_ASSERT_EQ(test, 0, portres_resv_create(pn, PORTRES_UDP, 60503, 5,
						     false, &udp));
	KUNIT_EXPECT_TRUE(test, test_bit(60500, rp) && test_bit(60507, rp));
	portres_resv_release(tcp);
	/* 60503 and 60504 stay for the UDP block, 60502 for the admin. */
	KUNIT_EXPECT_FALSE(test, test_bit(60500, rp) || test_bit(60501, rp));
	KUNIT_EXPECT_TRUE(test, test_bit(60502, rp) && test_bit(60503, rp) &&
			  test_bit(60504, rp));
	portres_resv_release(udp);
	KUNIT_EXPECT_FALSE(test, test_bit(60503, rp) || test_bit(60507, rp));
	KUNIT_EXPECT_TRUE(test, test_bit(60502, rp));
	mutex_unlock(&pn->lock);
	clear_bit(60502, rp);
	portres_net_uninit(pn);
}

/* A persistent reservation made in a thread of its own. */
struct portres_test_maker {
	struct portres_net *pn;
	u16 start;
	int err;
	struct completion done;
};

static int portres_test_make(void *data)
{
	struct portres_test_maker *m = data;
	struct portres_resv *resv;

	mutex_lock(&m->pn->lock);
	m->err = portres_resv_create(m->pn, PORTRES_TCP, m->start, 1, false,
				     &resv);
	mutex_unlock(&m->pn->lock);
	complete(&m->done);
	return 0;
}

/* Gives @pn its order of binds: a reservation of @port, made and ended. */
static void portres_test_ordered(struct kunit *test, struct portres_net *pn,
				 u16 port)
{
	struct portres_resv *resv;
	int err;

	mutex_lock(&pn->lock);
	err = portres_resv_create(pn, PORTRES_TCP, port, 1, false, &resv);
	if (!err)
		portres_resv_release(resv);
	mutex_unlock(&pn->lock);
	KUNIT_ASSERT_EQ(test, 0, err);
}

/*
 * A new reservation waits for the binds under way in its namespace, with
 * the namespace's lock dropped, and for no bind of another namespace: a
 * bind held in @a does not delay a reservation in @b, and @b's lock is
 * free while the reservation waits for @b's own bind.  Nor does it wait
 * for a bind that began during the wait, which sees its bits.
 */
static void portres_test_wait(struct kunit *test)
{
	struct portres_net *a = portres_test_net(test);
	struct portres_net *b = portres_test_net(test);
	struct portres_test_maker m = { .pn = b, .start = 60720 };
	struct portres_bind_slot __percpu *sa, *sb, *sc;
	struct portres_bind_order *order;
	struct portres_ports *ports;
	struct task_struct *t;
	unsigned long flip;
	bool done, busy;
	int i;

	/* Each namespace gets its own order of binds at its first. */
	portres_test_ordered(test, a, 60700);
	portres_test_ordered(test, b, 60710);

	init_completion(&m.done);
	order = rcu_dereference_protected(b->bind_order, true);
	flip = READ_ONCE(order->flip);
	/* No assertion may end the test while a section is under way. */
	sa = portres_bind_begin(a);
	sb = portres_bind_begin(b);
	KUNIT_EXPECT_TRUE(test, sa && sb);
	t = sa && sb ? kthread_run(portres_test_make, &m, "portres-kunit") :
		       ERR_PTR(-EINVAL);
	if (IS_ERR(t)) {
		KUNIT_FAIL(test, "no bind section or no thread");
		if (sb)
			portres_bind_end(sb);
		if (sa)
			portres_bind_end(sa);
		goto out;
	}
	/* Until the reservation waits: it turns new binds to the other slot. */
	for (i = 0; i < 200 && READ_ONCE(order->flip) == flip; i++)
		msleep(50);
	KUNIT_EXPECT_NE(test, flip, READ_ONCE(order->flip));
	msleep(100);
	/* Waiting for @b's bind, not holding @b's lock. */
	KUNIT_EXPECT_FALSE(test, completion_done(&m.done));
	if (mutex_trylock(&b->lock))
		mutex_unlock(&b->lock);
	else
		KUNIT_FAIL(test, "the namespace's lock is held during the wait");
	/* A bind that begins now sees the reservation's bits. */
	sc = portres_bind_begin(b);
	KUNIT_EXPECT_TRUE(test, sc);
	rcu_read_lock();
	ports = rcu_dereference(b->ports);
	busy = ports && test_bit(m.start, ports->busy[PORTRES_TCP]);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, busy);
	portres_bind_end(sb);
	/* Done, though a bind of @a, and a later one of @b, are under way. */
	done = wait_for_completion_timeout(&m.done, 5 * HZ);
	KUNIT_EXPECT_TRUE(test, done);
	if (sc)
		portres_bind_end(sc);
	portres_bind_end(sa);
	if (!done)
		wait_for_completion(&m.done);
	KUNIT_EXPECT_EQ(test, 0, m.err);
out:
	portres_net_uninit(a);
	portres_net_uninit(b);
}

/*
 * A bind that read the number of its slot before an earlier wait turned
 * new binds away from it, and counted itself there only after that wait
 * summed it, is waited for by the next reservation all the same.
 */
static void portres_test_wait_straggler(struct kunit *test)
{
	struct portres_net *b = portres_test_net(test);
	struct portres_test_maker m = { .pn = b, .start = 60730 };
	struct portres_bind_slot __percpu *slot;
	struct portres_bind_order *order;
	struct task_struct *t;
	bool done;

	portres_test_ordered(test, b, 60710);
	order = rcu_dereference_protected(b->bind_order, true);
	/* A wait with nothing under way: new binds now count in the other slot. */
	KUNIT_ASSERT_EQ(test, 0, portres_binds_wait(order, false));
	/* The straggler counts itself in the slot binds were turned from. */
	slot = &order->binds->slot[!(READ_ONCE(order->flip) & 1)];
	this_cpu_inc(slot->begun);
	init_completion(&m.done);
	t = kthread_run(portres_test_make, &m, "portres-kunit");
	if (IS_ERR(t)) {
		this_cpu_inc(slot->ended);
		KUNIT_FAIL(test, "no thread");
		goto out;
	}
	done = wait_for_completion_timeout(&m.done, HZ / 2);
	KUNIT_EXPECT_FALSE(test, done);
	this_cpu_inc(slot->ended);
	if (!done)
		done = wait_for_completion_timeout(&m.done, 5 * HZ);
	KUNIT_EXPECT_TRUE(test, done);
	if (!done)
		wait_for_completion(&m.done);
	KUNIT_EXPECT_EQ(test, 0, m.err);
out:
	portres_net_uninit(b);
}

static struct kunit_case portres_table_test_cases[] = {
	KUNIT_CASE_PARAM(portres_test_overlap, portres_block_gen_params),
	KUNIT_CASE(portres_test_tokens),
	KUNIT_CASE(portres_test_lifecycle),
	KUNIT_CASE(portres_test_owner_close),
	KUNIT_CASE(portres_test_reserved_bits),
	KUNIT_CASE(portres_test_wait),
	KUNIT_CASE(portres_test_wait_straggler),
	{}
};

static struct kunit_suite portres_table_suite = {
	.name = "portres_table",
	.test_cases = portres_table_test_cases,
};

/*
 * KUnit runs the suites when the module goes live, after portres_init():
 * every load of a module built with PORTRES_KUNIT=y runs them, so make check
 * loads that build only in a boot of its own.
 */
kunit_test_suites(&portres_search_suite, &portres_table_suite);
