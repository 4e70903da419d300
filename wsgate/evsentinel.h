/*
 * evsentinel.h: the Sentinel questions (sentinel.h) on the libevent loop: the
 * Sentinels of a sentinel:// URL asked in turn, each on a non-blocking
 * connection of evredis.c's, so that Sentinels that are slow, silent or
 * unreachable cost wsgate's event loop nothing while they are asked:
 * clients, /healthz and /metrics are served meanwhile (wsgate(1)).
 */
#ifndef WSGATE_EVSENTINEL_H
#define WSGATE_EVSENTINEL_H

#include "evturn.h"
#include "sentinel.h"

struct evs;

/*
 * The end of an ask: addr, the server found (sentinel.h), or NULL with
 * err saying each Sentinel's failure as sentinel_why joins them.  Both are evs's, valid during the call.
 */
typedef void evs_done_fn(void *arg, const struct redisurl *addr,
    const char *err);

struct evs	*evs_new(struct event_base *, struct evname_res *,
		    int timeout_ms, evs_done_fn *,
		    void *arg);
int		 evs_ask(struct evs *, const struct redisurl *u,
		    enum sentinel_want, const char *prefer,
		    const char *avoid);
void		 evs_free(struct evs *);

#endif
