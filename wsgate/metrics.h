/*
 * metrics.h: wsgate's counters, incremented by every layer through the
 * pointer it is given, and their text for /metrics (metrics.c).
 */
#ifndef WSGATE_METRICS_H
#define WSGATE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lathist.h"

struct wsgate_stats {
	uint64_t	 connections;
	uint64_t	 ws_opened;
	uint64_t	 redis_msgs;
	uint64_t	 not_utf8;	/* of them, or key lines read: not UTF-8 */
	uint64_t	 redis_bytes;
	uint64_t	 msgs_out;
	uint64_t	 bytes_out;
	uint64_t	 client_msgs;
	uint64_t	 client_bytes;
	uint64_t	 client_errors;
	uint64_t	 dropped;
	uint64_t	 slow_disconnects;
	uint64_t	 idle_timeouts;
	uint64_t	 handshake_timeouts;
	uint64_t	 fd_limit_closed;
	uint64_t	 redis_reconnects;
	uint64_t	 redis_errors;
	uint64_t	 redis_refused;	/* subscriptions Redis refused */
	uint64_t	 max_clients_refused;
	uint64_t	 origin_refused;
	uint64_t	 token_refused;
	uint64_t	 sub_limit_refused;
	uint64_t	 sub_backlog_refused;	/* HUB_INFLIGHT_MAX (hub.h) */
	uint64_t	 late_joins;
	uint64_t	 conflate_frames;	/* framed by conflators */
	uint64_t	 conflate_errors;	/* lines they could not read */
	uint64_t	 slow_conflated;	/* channels moved to conflation */
	uint64_t	 books_invalid;	/* book_invalid notices sent */
	uint64_t	 http[600];	/* responses by status */
	uint64_t	 close_codes[16];	/* 1000..1015 sent */

	/*
	 * Per-hop latencies of the messages with a "recv" stamp (wsgate(1)
	 * METRICS): lat_in, received from Redis - recv (the collector to
	 * Redis, redispub included); lat_out, written to a client - received
	 * from Redis, per frame delivered to each client (a message fanned
	 * out to n clients counts n times).
	 */
	struct lathist	 lat_in, lat_out;
};

/* What is not a counter: the state of things when the text is made. */
struct metrics_gauges {
	unsigned	 clients;	/* WebSocket clients */
	unsigned	 connections;	/* all connections */
	unsigned	 subscriptions;
	int		 redis_up;
	double		 uptime;	/* s */
};

/*
 * metrics_rx: a message from Redis, payload[0..len), has just been
 * received: if it is a JSON object with a numeric top-level "recv", its
 * latency is recorded in lat_in and the receive time (wall clock ns) is
 * returned, for the frames made of it (struct frame rx); else 0.
 */
int64_t	metrics_rx(struct wsgate_stats *, const char *payload, size_t len);

char	*metrics_text(const struct wsgate_stats *,
	    const struct metrics_gauges *, size_t *lenp);

#endif
