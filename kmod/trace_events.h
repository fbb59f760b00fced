/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the tracepoint of a bind portres refused.  Included by trace.c
 * only, which defines it (CREATE_TRACE_POINTS); the rest of the module
 * calls portres_refused() (trace.h).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM portres

#if !defined(_PORTRES_TRACE_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PORTRES_TRACE_EVENTS_H

#include <linux/tracepoint.h>

/*
 * bind_refused: a socket of process @pid (@comm) in the network namespace
 * of cookie @netns was refused @port of @protocol (IPPROTO_TCP or
 * IPPROTO_UDP) with -@err because of the reservation @start..@start +
 * @count - 1 (0 and 0 when it is gone: a port still shared by the sockets
 * of an ended reservation).
 */
TRACE_EVENT(bind_refused,
	TP_PROTO(u64 netns, int protocol, u16 port, u16 start, u16 count,
		 int err),
	TP_ARGS(netns, protocol, port, start, count, err),
	TP_STRUCT__entry(
		__field(u64, netns)
		__field(pid_t, pid)
		__array(char, comm, TASK_COMM_LEN)
		__field(int, err)
		__field(u8, protocol)
		__field(u16, port)
		__field(u16, start)
		__field(u16, count)
	),
	TP_fast_assign(
		__entry->netns = netns;
		__entry->pid = task_tgid_nr(current);
		memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
		__entry->err = err;
		__entry->protocol = protocol;
		__entry->port = port;
		__entry->start = start;
		__entry->count = count;
	),
	TP_printk("pid=%d comm=%s netns=%llu protocol=%s port=%u start=%u count=%u err=%d",
		  __entry->pid, __entry->comm, __entry->netns,
		  __entry->protocol == IPPROTO_TCP ? "tcp" : "udp",
		  __entry->port, __entry->start, __entry->count, __entry->err)
);

#endif /* _PORTRES_TRACE_EVENTS_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH kmod
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_events
#include <trace/define_trace.h>
