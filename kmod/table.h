/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the reservation table, per network namespace
 * (table.c; a reservation's block is blocks.c's, blocks.h).
 */
#ifndef _PORTRES_TABLE_H
#define _PORTRES_TABLE_H

#include <linux/notifier.h>

#include "portres.h"

int portres_nets_init(void);
void portres_nets_uninit(void);
bool portres_table_idle(void);
struct portres_net *portres_pernet(const struct net *net);
void portres_net_init(struct portres_net *pn, struct net *net);
void portres_net_uninit(struct portres_net *pn);
void portres_net_check_dead(struct portres_net *pn);

extern unsigned int portres_net_id;

int portres_proto_from_ip(int protocol);
int portres_proto_to_ip(int proto);
const char *portres_proto_name(int proto);

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
struct portres_resv *portres_resv_persistent(struct portres_net *pn, int proto,
					     u16 start, u16 count);
unsigned int portres_resv_ports_in_use(const struct portres_resv *resv);
struct portres_resv *portres_resv_at(struct portres_net *pn, int proto,
				     u16 port);
void portres_resv_release(struct portres_resv *resv);
void portres_sock_closed(struct portres_net *pn, const struct sock *sk);

#endif /* _PORTRES_TABLE_H */
