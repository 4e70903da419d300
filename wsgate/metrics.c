/*
 * metrics.c: the text of /metrics, in the Prometheus exposition format
 * (version 0.0.4): every counter of struct wsgate_stats and the gauges
 * given, each with its HELP and TYPE lines.  Only text is made here; the
 * caller sends it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "metrics.h"
#include "util.h"

struct mbuf {
	char	*p;
	size_t	 len, cap;
};

static void
mprintf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n);

		if (np == NULL)
			return;
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static void
metric(struct mbuf *b, const char *name, const char *type, const char *help,
    double v)
{
	mprintf(b, "# HELP wsgate_%s %s\n# TYPE wsgate_%s %s\nwsgate_%s %.17g\n",
	    name, help, name, type, name, v);
}

int64_t
metrics_rx(struct wsgate_stats *s, const char *payload, size_t len)
{
	static const char *const names[] = { "recv" };
	struct jv v;
	uint64_t recv;
	int64_t now;

	/*
	 * The scan validates the whole payload (it may be any text
	 * published on the channel), so payloads without the name at all,
	 * wsgate's own and other programs', skip it.
	 */
	if (memmem(payload, len, "\"recv\"", 6) == NULL ||
	    jt_pick(payload, len, names, &v, 1, NULL) != 1 ||
	    jt_type(v) != JT_NUM || jt_u64(v, &recv) != 0 || recv == 0 ||
	    recv > INT64_MAX)
		return 0;
	now = now_ns();
	lathist_add(&s->lat_in, now - (int64_t)recv);
	return now;
}

/*
 * hist: histogram h as a Prometheus histogram in seconds (cumulative
 * buckets at the fixed bounds, lathist.h), and its p50/p99/p999 as the
 * gauge NAME_quantile_seconds, read from the same buckets.
 */
static void
hist(struct mbuf *b, const char *name, const char *help,
    const struct lathist *h)
{
	static const double qs[] = { 0.5, 0.99, 0.999 };
	uint64_t cum = 0;

	mprintf(b, "# HELP wsgate_%s_seconds %s\n# TYPE wsgate_%s_seconds "
	    "histogram\n", name, help, name);
	for (unsigned i = 0; i < LATHIST_NB - 1; i++) {
		cum += h->b[i];
		mprintf(b, "wsgate_%s_seconds_bucket{le=\"%g\"} %llu\n", name,
		    (double)lathist_le[i] / 1e9, (unsigned long long)cum);
	}
	mprintf(b, "wsgate_%s_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "wsgate_%s_seconds_sum %.9f\nwsgate_%s_seconds_count %llu\n",
	    name, (unsigned long long)h->n, name, (double)h->sum / 1e9, name,
	    (unsigned long long)h->n);
	mprintf(b, "# HELP wsgate_%s_quantile_seconds Quantiles of "
	    "wsgate_%s_seconds, read from its buckets.\n# TYPE "
	    "wsgate_%s_quantile_seconds gauge\n", name, name, name);
	for (unsigned i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		mprintf(b, "wsgate_%s_quantile_seconds{quantile=\"%g\"} "
		    "%.9f\n", name, qs[i],
		    (double)lathist_quantile(h, qs[i]) / 1e9);
}

/*
 * metrics_text: the Prometheus text of counters s and gauges g.  Returns
 * a malloc'd string (its length in *lenp) for the caller to free, or
 * NULL out of memory.
 */
char *
metrics_text(const struct wsgate_stats *s, const struct metrics_gauges *g,
    size_t *lenp)
{
	struct mbuf b = { malloc(4096), 0, 4096 };

	if (b.p == NULL)
		return NULL;
	metric(&b, "clients", "gauge", "Connected WebSocket clients.",
	    g->clients);
	metric(&b, "connections", "gauge", "Open TCP connections.",
	    g->connections);
	metric(&b, "connections_total", "counter", "Accepted TCP "
	    "connections.", (double)s->connections);
	metric(&b, "websocket_opened_total", "counter", "WebSocket "
	    "handshakes completed.", (double)s->ws_opened);
	metric(&b, "subscriptions", "gauge", "Channels and patterns "
	    "clients subscribe to (each counted once).", g->subscriptions);
	metric(&b, "redis_up", "gauge", "1 if the Redis subscriber "
	    "connection is up.", g->redis_up);
	metric(&b, "messages_in_total", "counter", "Messages received "
	    "from Redis.", (double)s->redis_msgs);
	metric(&b, "not_utf8_total", "counter", "Messages from Redis "
	    "dropped for every client, and lines of its keys left out of a "
	    "read: not UTF-8.",
	    (double)s->not_utf8);
	metric(&b, "bytes_in_total", "counter", "Payload bytes received "
	    "from Redis.", (double)s->redis_bytes);
	metric(&b, "messages_out_total", "counter", "Data messages queued "
	    "to clients.", (double)s->msgs_out);
	metric(&b, "bytes_out_total", "counter", "Bytes written to client "
	    "sockets.", (double)s->bytes_out);
	metric(&b, "client_messages_total", "counter", "Messages received "
	    "from clients.", (double)s->client_msgs);
	metric(&b, "client_bytes_total", "counter", "Bytes received from "
	    "WebSocket clients.", (double)s->client_bytes);
	metric(&b, "client_errors_total", "counter", "Bad client messages "
	    "and protocol errors.", (double)s->client_errors);
	metric(&b, "dropped_total", "counter", "Messages not delivered "
	    "(client cut loose or closing).", (double)s->dropped);
	metric(&b, "slow_client_disconnects_total", "counter", "Clients "
	    "closed for exceeding the output cap.",
	    (double)s->slow_disconnects);
	metric(&b, "idle_timeouts_total", "counter", "Clients closed for "
	    "silence.", (double)s->idle_timeouts);
	metric(&b, "handshake_timeouts_total", "counter", "Connections "
	    "that sent no complete request in time.",
	    (double)s->handshake_timeouts);
	metric(&b, "fd_limit_closed_total", "counter", "Connections "
	    "closed on arrival for want of a file descriptor.",
	    (double)s->fd_limit_closed);
	metric(&b, "late_joins_total", "counter", "Book and pattern "
	    "subscriptions "
	    "started from snapshot and deltas.", (double)s->late_joins);
	metric(&b, "conflated_frames_total", "counter", "Frames made by "
	    "the conflators (one per tick of a channel and rate, and one per "
	    "state clients join at), however many clients get each.",
	    (double)s->conflate_frames);
	metric(&b, "conflate_errors_total", "counter", "Lines of conflated "
	    "channels that could not be read.", (double)s->conflate_errors);
	metric(&b, "book_invalid_total", "counter", "book_invalid "
	    "notices sent to clients (a book lost with Redis, or by a "
	    "loss line or a message that does not apply).",
	    (double)s->books_invalid);
	metric(&b, "slow_client_conflations_total", "counter", "Book "
	    "channels of slow clients moved to conflation.",
	    (double)s->slow_conflated);
	metric(&b, "redis_reconnects_total", "counter", "Redis "
	    "reconnections after a loss.", (double)s->redis_reconnects);
	metric(&b, "redis_errors_total", "counter", "Redis error replies.",
	    (double)s->redis_errors);
	mprintf(&b, "# HELP wsgate_refused_total WebSocket upgrades "
	    "refused, by reason.\n# TYPE wsgate_refused_total counter\n");
	mprintf(&b, "wsgate_refused_total{reason=\"max_clients\"} %llu\n",
	    (unsigned long long)s->max_clients_refused);
	mprintf(&b, "wsgate_refused_total{reason=\"origin\"} %llu\n",
	    (unsigned long long)s->origin_refused);
	mprintf(&b, "wsgate_refused_total{reason=\"token\"} %llu\n",
	    (unsigned long long)s->token_refused);
	metric(&b, "subscription_limit_total", "counter", "Subscriptions "
	    "refused by --max-subscriptions.", (double)s->sub_limit_refused);
	metric(&b, "subscription_backlog_total", "counter", "Subscriptions "
	    "to channels new to wsgate refused while 65536 subscribes and "
	    "unsubscribes waited for Redis, the oldest for a second.",
	    (double)s->sub_backlog_refused);
	metric(&b, "redis_refused_total", "counter", "Channels and patterns "
	    "Redis refused to subscribe to (-NOPERM...), their clients told.",
	    (double)s->redis_refused);
	mprintf(&b, "# HELP wsgate_http_responses_total HTTP responses by "
	    "status.\n# TYPE wsgate_http_responses_total counter\n");
	for (int i = 100; i < 600; i++)
		if (s->http[i])
			mprintf(&b, "wsgate_http_responses_total{code=\"%d\"} "
			    "%llu\n", i, (unsigned long long)s->http[i]);
	mprintf(&b, "# HELP wsgate_close_frames_total WebSocket close "
	    "frames sent, by code.\n# TYPE wsgate_close_frames_total "
	    "counter\n");
	for (int i = 0; i < 16; i++)
		if (s->close_codes[i])
			mprintf(&b, "wsgate_close_frames_total{code=\"%d\"} "
			    "%llu\n", 1000 + i,
			    (unsigned long long)s->close_codes[i]);
	hist(&b, "latency_in", "From the collector's receive stamp "
	    "(recv) to the message's receipt from Redis.", &s->lat_in);
	hist(&b, "latency_out", "From the receipt from Redis to the "
	    "write of the frame to a client, per client.", &s->lat_out);
	mprintf(&b, "# HELP wsgate_uptime_seconds Seconds since start.\n"
	    "# TYPE wsgate_uptime_seconds gauge\nwsgate_uptime_seconds %.3f\n",
	    g->uptime);
	*lenp = b.len;
	return b.p;
}
