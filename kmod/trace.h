/* SPDX-License-Identifier: GPL-2.0 */
/*
 * portres: the count and tracepoint of refused binds (trace.c;
 * the tracepoint itself is in trace_events.h).
 */
#ifndef _PORTRES_TRACE_H
#define _PORTRES_TRACE_H

#include "portres.h"

int portres_refused(struct portres_net *pn, int proto, u16 port,
		    const struct portres_resv *resv, int err);

#endif /* _PORTRES_TRACE_H */
