/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: port reservations for TCP and UDP, internal interfaces.
 */
#ifndef _PORTRES_H
#define _PORTRES_H

#include <linux/bitops.h>
#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/srcu.h>
#include <linux/static_call.h>
#include <linux/sysctl.h>
#include <linux/uidgid.h>
#include <linux/xarray.h>
#include <linux/types.h>
#include <net/net_namespace.h>

struct ctl_table;
struct portres_bind_order;
struct portres_entry;
struct portres_user;
struct sock;
struct socket;

/*
 * The kernel's proc_do_large_bitmap(), which portres wraps, called directly
 * through a static call (bind_hook.c says why), defined in reserved_ports.c.
 * Its table is const since Linux 6.11; portres only passes tables to it, so
 * that makes no difference.
 */
DECLARE_STATIC_CALL(portres_orig_sysctl, proc_do_large_bitmap);

#define PORTRES_NPORTS	65536

enum portres_proto {
	PORTRES_TCP,
	PORTRES_UDP,
	PORTRES_NPROTO,
};

/*
 * Port bitmaps of one network namespace, allocated on its first reservation.
 * @busy has a bit for every port covered by a reservation, per protocol; the
 * bind hook tests it without a lock.  @ours has a bit for every port that
 * portres set in the namespace's ip_local_reserved_ports bitmap, so that it
 * clears those and no others.
 */
#define PORTRES_SOCK_HINT_BITS	12

static inline unsigned int portres_sock_hash(const struct sock *sk)
{
	return hash_ptr(sk, PORTRES_SOCK_HINT_BITS);
}

struct portres_ports {
	struct rcu_head rcu;	/* first: kvfree_rcu() needs it within 4 KiB */
	unsigned long busy[PORTRES_NPROTO][BITS_TO_LONGS(PORTRES_NPORTS)];
	unsigned long ours[BITS_TO_LONGS(PORTRES_NPORTS)];
	/*
	 * Socket records of the namespace per hash of the socket's address
	 * (sockets.c), changed under the namespace's lock: a socket whose
	 * count is 0 has no record, and the hooks look no further.
	 */
	u16 sock_hints[1 << PORTRES_SOCK_HINT_BITS];
};

/*
 * Per network namespace state.  @lock serializes every change to the
 * reservations and socket records of the namespace; the bind hook's fast
 * path reads @ports and @nsocks under RCU without it.  @refused counts the
 * binds portres refused (trace.c).  @shared counts, per
 * (protocol << 16 | port), the sockets that were let share that port of a
 * block (struct portres_sock @shared); the get_port hooks load it under
 * RCU for a socket with SO_REUSEPORT.
 */
struct portres_net {
	struct net *net;
	struct mutex lock;
	struct portres_ports __rcu *ports;
	struct maple_tree blocks[PORTRES_NPROTO];
	struct list_head resvs;
	unsigned int nresvs;
	struct list_head socks;
	atomic_t nsocks;
	struct portres_bind_order __rcu *bind_order;
	unsigned long bind_epoch;
	bool bind_ready;
	struct xarray shared;
	unsigned int nusers;
	unsigned int limited_ports;
	unsigned int npersistent;
	unsigned int seq;
	atomic_long_t refused;
	bool live;
};

/*
 * What a runtime reservation of a limited caller (no CAP_NET_ADMIN over the
 * namespace) is charged to: the caller's uid in its user namespace, and
 * through it every user above (limits.c).
 */
struct portres_charge {
	struct portres_user *user;
};

/*
 * A reservation: a block of ports of one protocol in one namespace.  A
 * runtime one is owned by the socket it was acquired on and by that socket's
 * process; a persistent one by no socket, until it is deleted.  @nsocks
 * counts the sockets associated with it, @holders[i] those of them that
 * hold port @start + i (several may, as they share the block's ports).
 * @entry is the sysfs directory of a persistent reservation of the initial
 * namespace.
 */
struct portres_resv {
	struct rhash_head tnode;
	u64 token;
	struct portres_net *pn;
	struct list_head node;
	struct list_head owner_node;
	struct portres_sock *owner;
	struct pid *tgid;
	kuid_t uid;
	struct portres_charge charge;
	char comm[TASK_COMM_LEN];
	struct list_head socks;
	unsigned int nsocks;
	u16 start;
	u16 count;
	u16 hint;
	u8 proto;
	bool persistent;
	bool exclusive;
	bool limited;
	bool pending;
	struct portres_entry *entry;
	struct rcu_head rcu;
	u16 holders[];
};

/*
 * What portres knows of one socket: the reservations acquired on it, and the
 * reservation it is associated with and the port it was given from it.
 * @shared_port is set once the socket was bound, while associated, to a
 * port of its block with SO_REUSEPORT: the port stays closed to other
 * sockets with SO_REUSEPORT (pn->shared) until this socket's last close,
 * also after the association ends.  A record lives while it has one of these, at most
 * until the socket's last close.
 */
struct portres_sock {
	struct rhash_head node;
	const struct sock *sk;
	struct portres_net *pn;
	struct list_head pn_node;
	struct list_head owned;
	struct portres_resv *resv;
	struct list_head assoc_node;
	u16 port;
	u16 shared_port;
	u8 shared_proto;
	struct rcu_head rcu;
};

/*
 * Locking
 *
 * Lock order: a socket's lock (lock_sock), then its namespace's @lock
 * (struct portres_net), then the kernel's bind-table bucket locks
 * (bind_tables.c, bottom halves off per bucket).  Associate is the one path
 * that takes a socket's lock and then @lock; every other path takes @lock
 * alone.  Nothing that can wait on user memory or on the network stack's
 * own locks runs under @lock: an acquire copies its result out, and the
 * implicit bind calls kernel_bind(), after dropping it.
 *
 * @lock (a mutex, per namespace) serializes every change to the namespace's
 * reservations, socket records, counts, its @ours bits and, for the bits
 * portres sets, the ip_local_reserved_ports bitmap.
 *
 * RCU protects what the hooks read without @lock: @ports (kvfree_rcu), the
 * maple trees of blocks (MT_FLAGS_USE_RCU), reservations and socket
 * records (kfree_rcu), the socket-record and token hash tables (rhashtable,
 * whose bucket tables another namespace may resize at any time: a lookup
 * takes RCU even under @lock).  The hooks' fast path reads @ports and
 * @bind_order with preemption off, which is an RCU read section too.
 *
 * @bind_order (table.c, at portres_tasks_epoch) orders binds against new
 * reservations: in a namespace that has one, every call that takes a port
 * for a TCP or UDP socket while the hooks are registered runs in its SRCU
 * read section, counted per CPU, from its test of the bits to the port's
 * entry in the bind table.  No read section takes @lock.
 *
 * Socket fields read unlocked: sk_family, sk_type and sk_protocol, which
 * never change after socket(); the port a socket is bound to (inet_num),
 * a hint that the stack checks again under the socket's lock; and a
 * record's @resv, which changes under @lock with
 * WRITE_ONCE and is read with READ_ONCE by the hooks, which then take @lock
 * before they act on it.  A record is found by the socket's address and
 * never dereferences the socket: the close hook removes it before the
 * socket is freed.
 */

/*
 * What a socket that has nothing to do with portres pays (bind_hook.c).
 *
 * With nothing reserved anywhere, the hooks on the sockets' paths are not
 * registered: nothing.  Otherwise, per call of a hooked function, the
 * direct call of its stub (hook_stub.S), which keeps the argument
 * registers, and its policy (fastpath.h), which reads and never writes:
 *  - every hook: the socket's family, type and protocol, and the count of
 *    its namespace's hash in portres_net_filter (read-mostly, written at a
 *    namespace's first reservation and at its end).  A namespace that
 *    never had a reservation stops there.
 *  - get_port, hash_connect: with preemption off, its namespace's
 *    portres_net (net->gen) and its @bind_order pointer.  In a namespace
 *    that orders its binds, the call goes on in the wrapper: the socket's
 *    count in @ports->sock_hints, and a socket-record lookup only if it
 *    is not 0; the SRCU read section (SRCU's own per-CPU counters), the
 *    per-CPU counts of @bind_order, @ports->busy (one bit), and, for a
 *    socket with SO_REUSEPORT, @shared; the per-CPU count of tasks inside
 *    a wrapper.
 *  - connect, listen, sendmsg, release: inet_num, and with preemption off
 *    its namespace's portres_net and its count in @ports->sock_hints; a
 *    socket-record lookup only if that is not 0.
 * The only stores are to per-CPU counters: no cache line that another
 * CPU's binds write is written.
 */

/*
 * The files, each calling only those listed before it (make check runs
 * selftests/kmod_deps.sh to hold this):
 *
 *   bind_tables.c     what the kernel's bind tables say about a port
 *   sockets.c         socket records
 *   reserved_ports.c  the ip_local_reserved_ports bitmap and its sysctl
 *   limits.c          quotas: module parameters and charges
 *   hook.c            hooking a kernel function with ftrace
 *   trace.c           the count and tracepoint of refused binds
 *   assoc.c           associated sockets and the ports they hold
 *   table.c           the reservation table, per network namespace
 *   persistent.c      persistent reservations by block
 *   bind_hook.c       the hooks: bind, connect, get_port, close, sysctl
 *   device.c          /dev/portres and its ioctls
 *   netlink.c         the generic netlink family and its events
 *   sysfs.c           /sys/kernel/portres
 *   main.c            module init and exit
 *
 * The table tells the front ends of new and ended reservations through a
 * notifier chain (portres_resv_notifier_register()), never by calling them.
 */

/* bind_tables.c */
bool portres_port_in_use(struct net *net, int proto, u16 port);
bool portres_block_in_use(struct net *net, int proto, unsigned int start,
			  unsigned int count);

/*
 * What a wildcard acquire must avoid: the ports of reservations (@busy), the
 * ports the admin reserved through the sysctl (@admin_reserved less @ours,
 * either may be NULL) and the ports bound in @net.  With no @net, only the
 * bitmaps count (the KUnit tests).
 */
struct portres_search {
	unsigned long *busy;
	const unsigned long *admin_reserved;
	const unsigned long *ours;
	struct net *net;
	int proto;
};

int portres_find_free_block(const struct portres_search *s, unsigned int lo,
			    unsigned int hi, unsigned int count);

/* sockets.c */
int portres_socks_init(void);
void portres_socks_uninit(void);
bool portres_socks_none(void);
bool portres_sock_known(const struct sock *sk);
struct portres_sock *portres_sock_find(const struct sock *sk);
struct portres_sock *portres_sock_find_or_add(struct portres_net *pn,
					      const struct sock *sk);
void portres_sock_forget_unused(struct portres_sock *ps);
void portres_sock_remove(struct portres_sock *ps);
void portres_socks_drop_all(struct portres_net *pn);

/* reserved_ports.c */
void portres_rp_reserve(struct portres_net *pn, struct portres_ports *ports,
			u16 start, u16 count);
void portres_rp_unreserve(struct portres_net *pn, struct portres_ports *ports,
			  u16 start, u16 count);
int portres_rp_sysctl(struct portres_net *pn, struct ctl_table *table,
		      int write, void *buffer, size_t *lenp, loff_t *ppos);
struct net *portres_rp_table_net(struct ctl_table *table);

/* limits.c */
int portres_limits_init(void);
void portres_limits_uninit(void);
int portres_charge(struct portres_net *pn, unsigned int count,
		   struct portres_charge *c);
void portres_uncharge(struct portres_net *pn, struct portres_charge *c,
		      unsigned int count);
int portres_persistent_check(struct portres_net *pn);
int portres_assoc_check(const struct portres_resv *resv);

/* hook.c: one hooked function */
struct portres_hook {
	const char *name;
	/* A hot hook's entry stub (hook_stub.S), or a cold one's callback. */
	void *stub;
	ftrace_func_t thunk;
	unsigned long addr;
	unsigned long orig;
	struct ftrace_ops ops;
	bool optional;
	bool cold;
	bool registered;
	bool filtered;
};

int portres_hook_lookup_init(void);
int portres_hook_find(struct portres_hook *hook);
int portres_hook_register(struct portres_hook *hook);
void portres_hook_unregister(struct portres_hook *hook);
void portres_hook_release(struct portres_hook *hook);

/* trace.c */
int portres_refused(struct portres_net *pn, int proto, u16 port,
		    const struct portres_resv *resv, int err);

/* assoc.c */
int portres_sock_associate(struct portres_net *pn, struct sock *sk,
			   struct portres_resv *resv);
void portres_sock_dissociate(struct portres_sock *ps);
void portres_sock_disconnect(struct portres_sock *ps);
bool portres_share_grant(struct portres_net *pn, struct sock *sk, u16 port);
int portres_share_begin(struct portres_sock *ps);
void portres_share_end(struct portres_sock *ps);
bool portres_share_refused(struct portres_net *pn, const struct sock *sk,
			   int proto, u16 port);
void portres_resv_put_port(struct portres_sock *ps);
int portres_resv_take_port(struct portres_resv *resv, struct portres_sock *ps);
void portres_resv_mark_port(struct portres_resv *resv, struct portres_sock *ps,
			    u16 port);

/* table.c */
int portres_table_init(void);
void portres_table_uninit(void);
int portres_nets_init(void);
void portres_nets_uninit(void);
bool portres_table_idle(void);
struct portres_net *portres_pernet(const struct net *net);
void portres_net_init(struct portres_net *pn, struct net *net);
void portres_net_uninit(struct portres_net *pn);
void portres_net_check_dead(struct portres_net *pn);

extern unsigned int portres_net_id;

/* The namespaces that may have anything, for the hooks (fastpath.h). */
#define PORTRES_NET_FILTER_BITS	6
extern atomic_t portres_net_filter[1 << PORTRES_NET_FILTER_BITS];
void portres_net_filter_add(const struct net *net, int delta);

static inline unsigned int portres_net_hash(const struct net *net)
{
	return hash_ptr(net, PORTRES_NET_FILTER_BITS);
}

int portres_proto_from_ip(int protocol);
int portres_proto_to_ip(int proto);
const char *portres_proto_name(int proto);

/* Binds begun and ended on one CPU (table.c says what they order). */
struct portres_binds {
	unsigned long begun;
	unsigned long ended;
};

/* A bind's read section, from portres_bind_begin() to portres_bind_end(). */
struct portres_bind_section {
	struct srcu_struct *sp;
	struct portres_binds __percpu *binds;
	int idx;
};

void portres_table_tasks_passed(void);
/* A namespace's order of binds against reservations (table.c). */
struct portres_bind_order {
	struct srcu_struct srcu;
	struct portres_binds __percpu *binds;
};

int portres_port_refused_slow(struct portres_net *pn, const struct sock *sk,
			      int proto, u16 port);

/* The events of portres_resv_notifier_register(); the data is the resv. */
enum portres_resv_event {
	PORTRES_RESV_ADDED,
	PORTRES_RESV_REMOVED,
};

int portres_resv_notifier_register(struct notifier_block *nb);
void portres_resv_notifier_unregister(struct notifier_block *nb);

int portres_resv_acquire(struct portres_net *pn, struct sock *sk, int proto,
			 u16 start, u16 count, struct portres_resv **resvp);
int portres_resv_create(struct portres_net *pn, int proto, u16 start,
			u16 count, bool exclusive, struct portres_resv **resvp);
struct portres_resv *portres_resv_find(struct portres_net *pn, u64 token);
struct portres_resv *portres_resv_persistent(struct portres_net *pn, int proto,
					     u16 start, u16 count);
unsigned int portres_resv_ports_in_use(const struct portres_resv *resv);
struct portres_resv *portres_resv_at(struct portres_net *pn, int proto,
				     u16 port);
void portres_resv_release(struct portres_resv *resv);
void portres_sock_closed(struct portres_net *pn, const struct sock *sk);

/* persistent.c */
int portres_persistent_create(struct net *net, int proto, u16 start,
			      u16 count, bool exclusive, u64 *token);
int portres_persistent_delete(struct net *net, int proto, u16 start,
			      u16 count);
int portres_persistent_lookup(struct net *net, int proto, u16 start,
			      u16 count, u64 *token);

/* bind_hook.c */
int portres_hooks_init(void);
void portres_hooks_uninit(void);
int portres_hooks_hold(void);
void portres_hooks_unhold(void);
bool portres_hooks_registered(unsigned long *registrations);

/* device.c */
int portres_device_init(void);
void portres_device_uninit(void);

/* netlink.c */
int portres_netlink_init(void);
void portres_netlink_uninit(void);

/* sysfs.c */
int portres_sysfs_init(void);
void portres_sysfs_uninit(void);

#endif /* _PORTRES_H */
