// SPDX-License-Identifier: GPL-2.0
/*
 * portres: what the kernel's bind tables say about a port.
 *
 * The stack enters every TCP port a socket holds in its bind hash (a
 * bind bucket per port and namespace) and every bound UDP socket in the UDP
 * table's port slots.  These probes read them under the buckets' own locks,
 * one bucket at a time, and know nothing of reservations: the table asks
 * them before it publishes a block and after, the wildcard search for each
 * port it considers.
 */
#include <linux/bitmap.h>
#include <linux/sched.h>
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "portres.h"
#include "bind_tables.h"

static struct udp_table *portres_udp_table(const struct net *net)
{
#ifdef PORTRES_HAVE_NETNS_UDP_TABLE
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

static bool portres_port_in_use_bh(struct net *net, int proto, u16 port)
{
	bool used = false;

	if (proto == PORTRES_TCP) {
		struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
		struct inet_bind_hashbucket *head;
		struct inet_bind_bucket *tb;

		head = &hinfo->bhash[inet_bhashfn(net, port, hinfo->bhash_size)];
		spin_lock(&head->lock);
		inet_bind_bucket_for_each(tb, &head->chain) {
			if (net_eq(ib_net(tb), net) && tb->port == port) {
				used = true;
				break;
			}
		}
		spin_unlock(&head->lock);
	} else {
		struct udp_hslot *hslot;
		struct sock *sk;

		hslot = udp_hashslot(portres_udp_table(net), net, port);
		spin_lock(&hslot->lock);
		sk_for_each(sk, &hslot->head) {
			if (net_eq(sock_net(sk), net) &&
			    udp_sk(sk)->udp_port_hash == port) {
				used = true;
				break;
			}
		}
		spin_unlock(&hslot->lock);
	}
	return used;
}

/* Whether the bucket of @port holds no entry: read without its lock. */
static __always_inline bool portres_bucket_empty(struct net *net, int proto, u16 port)
{
	if (proto == PORTRES_TCP) {
		struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;

		return hlist_empty(&hinfo->bhash[inet_bhashfn(net, port,
							      hinfo->bhash_size)].chain);
	}
	return hlist_empty(&udp_hashslot(portres_udp_table(net), net,
					 port)->head);
}

/**
 * portres_port_in_use() - whether any socket of a namespace holds a port
 * @net: the namespace
 * @proto: PORTRES_TCP or PORTRES_UDP
 * @port: the port
 *
 * A TCP port is in use while the kernel has a bind bucket for it (a bound,
 * listening, connected or TIME_WAIT socket); a UDP port while a socket is
 * hashed on it.  Either way a fresh socket could not bind it without
 * SO_REUSEADDR.  Bottom halves are disabled for one bucket's walk only:
 * checks of many ports, which any user can ask for, call this per port.
 *
 * An empty bucket is seen without its lock.  That is exact for every
 * socket whose entry was made before the caller's last full barrier (the
 * table orders the binds under way against a new block that way, and then
 * calls this); a bind entered meanwhile is one that saw the block's bits.
 */
bool portres_port_in_use(struct net *net, int proto, u16 port)
{
	bool used;

	/* An empty bucket, the common case, is neither locked nor walked. */
	if (portres_bucket_empty(net, proto, port))
		return false;
	local_bh_disable();
	used = portres_port_in_use_bh(net, proto, port);
	local_bh_enable();
	return used;
}

/*
 * Whether a socket of @net holds any port of [@start, @start + @count):
 * each port's bucket looked at without its lock, and locked and walked
 * only when it holds an entry (portres_port_in_use()), with a chance to
 * reschedule every 256 ports.  Both tables hash a port of a namespace to
 * (port + net_hash_mix(net)) & mask, so consecutive ports have consecutive
 * buckets: the loop steps through the array, a load and a test per empty
 * bucket.  Were the hash ever another, the loop would be wrong, and each
 * block's last bucket is checked against the kernel's own function.
 */
bool portres_block_in_use(struct net *net, int proto, unsigned int start,
			  unsigned int count)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	struct udp_table *udptable = portres_udp_table(net);
	unsigned int i, first, mask, stride;
	const u8 *base;

	if (!count)
		return false;
	if (proto == PORTRES_TCP) {
		base = (const u8 *)hinfo->bhash;
		stride = sizeof(*hinfo->bhash);
		mask = hinfo->bhash_size - 1;
		first = inet_bhashfn(net, start, hinfo->bhash_size);
		if (WARN_ON_ONCE(inet_bhashfn(net, start + count - 1,
					      hinfo->bhash_size) !=
				 ((first + count - 1) & mask)))
			goto slow;
	} else {
		base = (const u8 *)udptable->hash;
		stride = sizeof(*udptable->hash);
		mask = udptable->mask;
		first = udp_hashslot(udptable, net, start) - udptable->hash;
		if (WARN_ON_ONCE(udp_hashslot(udptable, net, start + count - 1) -
				 udptable->hash != ((first + count - 1) & mask)))
			goto slow;
	}
	for (i = 0; i < count; i++) {
		/* The chain heads are what the kernel tests for an empty bucket. */
		const struct hlist_head *head = (const void *)(base +
			((first + i) & mask) * stride +
			(proto == PORTRES_TCP ?
			 offsetof(struct inet_bind_hashbucket, chain) :
			 offsetof(struct udp_hslot, head)));

		if (!hlist_empty(head) &&
		    portres_port_in_use(net, proto, start + i))
			return true;
		if (!((i + 1) % 256))
			cond_resched();
	}
	return false;

slow:
	for (i = 0; i < count; i++) {
		if (portres_port_in_use(net, proto, start + i))
			return true;
		if (!((i + 1) % 256))
			cond_resched();
	}
	return false;
}

/* Whether @port is unavailable to a wildcard acquire for another reason. */
static bool portres_search_in_use(const struct portres_search *s,
				  unsigned int port)
{
	/* Leave the ports the admin reserved through the sysctl alone. */
	if (s->admin_reserved && test_bit(port, s->admin_reserved) &&
	    !(s->ours && test_bit(port, s->ours)))
		return true;
	if (!s->net)
		return false;
	cond_resched();
	return portres_port_in_use(s->net, s->proto, port);
}

/**
 * portres_find_free_block() - find a block of ports for a wildcard request
 * @s: what the block must avoid
 * @lo: lowest port the block may start at
 * @hi: highest port the block may end at
 * @count: size of the block
 *
 * Return: the first port of the lowest block of @count ports within
 * [@lo, @hi] that has no bit in @s->busy and no port that
 * portres_search_in_use() finds unavailable, or -EADDRINUSE if there is none.
 */
int portres_find_free_block(const struct portres_search *s, unsigned int lo,
			    unsigned int hi, unsigned int count)
{
	unsigned int start = lo, port;

	if (!count || lo > hi || hi >= PORTRES_NPORTS || count > hi - lo + 1)
		return -EADDRINUSE;

	while (start + count - 1 <= hi) {
		start = bitmap_find_next_zero_area(s->busy, hi + 1, start,
						   count, 0);
		if (start + count - 1 > hi)
			break;
		for (port = start; port < start + count; port++)
			if (portres_search_in_use(s, port))
				break;
		if (port == start + count)
			return start;
		start = port + 1;
	}
	return -EADDRINUSE;
}
