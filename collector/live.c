/*
 * live.c: the live venue feeds' runner: options, one event loop for all
 * feeds, connections with reconnect and backoff, the data watchdog,
 * keepalive ticks, REST snapshot requests, periodic snapshots.
 * The venue protocols are in venue_*.c (see venue.h for the split).
 *
 * Reconnects: exponential backoff from 1 s doubling to a 30 s cap, with
 * jitter (a uniformly random delay in [backoff/2, backoff]), reset once a
 * connection has delivered data for HEALTHY_NS.  Every connection
 * attempt, for whatever reason, waits its backoff delay, which also keeps
 * us far below every venue's connection rate limit.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "backoff.h"
#include "https.h"
#include "util.h"
#include "venue.h"
#include "ws.h"

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000
#define HEALTHY_NS	30000000000LL
#define TICK_MS		100
#define REST_SPACING_NS	500000000LL	/* between REST requests of a feed */
#define REST_TIMEOUT_S	20
#define WS_TIMEOUT_S	15

enum {
	O_URL = 1000, O_REST_URL, O_CA_FILE, O_DEPTH, O_WATCHDOG,
};

const struct option live_longopts[] = {
	{ "url", required_argument, NULL, O_URL },
	{ "rest-url", required_argument, NULL, O_REST_URL },
	{ "ca-file", required_argument, NULL, O_CA_FILE },
	{ "depth", required_argument, NULL, O_DEPTH },
	{ "watchdog", required_argument, NULL, O_WATCHDOG },
	{ NULL, 0, NULL, 0 }
};

const char live_usage[] =
"live venue options:\n"
"  [--url venue=url] [--rest-url venue=url] [--ca-file file]\n"
"  [--depth n] [--watchdog sec]\n";

#define NVENUES	VENUE_MAX

static struct {
	char	*url[NVENUES];
	char	*rest_url[NVENUES];
	char	*ca_file;
	size_t	 depth;
	int64_t	 watchdog_ns;
} lopt = { .watchdog_ns = 60000000000LL };

struct rest_job {
	struct fsym	*s;
	char		 url[FEED_URL_MAX];
	int64_t		 due;		/* mono ns */
};

struct net {
	struct feed		*f;
	struct ws_conn		*ws;
	int64_t			 retry_at;	/* mono ns, 0: none pending */
	struct backoff		 backoff;
	int64_t			 connected_at;
	int64_t			 last_tick;
	struct rest_job		*jobs;
	size_t			 njobs;
	struct https_req	*rest;
	struct fsym		*rest_sym;
	int64_t			 rest_not_before;
};

static struct event_base	*live_base;
static struct evdns_base	*live_dns;
static SSL_CTX			*live_tls;
static struct feed		*live_feeds;
static size_t			 live_nfeeds;

static int
venue_opt(const char *arg, char **slot_tab, const char *what)
{
	const char *eq = strchr(arg, '=');
	const struct venue_ops *v;
	struct ws_url u;
	char err[FEED_URL_MAX + 64];

	if (eq == NULL || (v = venue_find(arg, (size_t)(eq - arg))) == NULL) {
		fprintf(stderr, "collector: --%s %s: expected venue=url with "
		    "venue one of coinbase kraken binance bybit okx\n", what,
		    arg);
		return -1;
	}
	if (strlen(eq + 1) >= FEED_URL_MAX) {
		fprintf(stderr, "collector: --%s: URL too long\n", what);
		return -1;
	}
	if (ws_url_parse(eq + 1, &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "collector: --%s: %s\n", what, err);
		return -1;
	}
	/* the parser takes both kinds: each option its own (collector(1)) */
	if (strcmp(what, "url") == 0 ? strncmp(eq + 1, "ws://", 5) != 0 &&
	    strncmp(eq + 1, "wss://", 6) != 0 : strncmp(eq + 1, "http://", 7)
	    != 0 && strncmp(eq + 1, "https://", 8) != 0) {
		fprintf(stderr, "collector: --%s %s: not a%s URL\n", what, arg,
		    strcmp(what, "url") == 0 ? " ws:// or wss://" :
		    "n http:// or https://");
		return -1;
	}
	slot_tab[v->id] = (char *)(uintptr_t)(eq + 1);
	return 0;
}

int
live_opt(int ch, const char *arg)
{
	uint64_t v;

	switch (ch) {
	case O_URL:
		return venue_opt(arg, lopt.url, "url");
	case O_REST_URL:
		return venue_opt(arg, lopt.rest_url, "rest-url");
	case O_CA_FILE:
		lopt.ca_file = (char *)(uintptr_t)arg;
		return 0;
	case O_DEPTH:
		if (parse_u64(arg, 1, FEED_DEPTH_MAX, &v) < 0) {
			fprintf(stderr, "collector: --depth %s: must be 1 to "
			    "%d\n", arg, FEED_DEPTH_MAX);
			return -1;
		}
		lopt.depth = (size_t)v;
		return 0;
	case O_WATCHDOG:
		if (parse_u64(arg, 1, 3600, &v) < 0) {
			fprintf(stderr, "collector: --watchdog %s: must be 1 "
			    "to 3600 seconds\n", arg);
			return -1;
		}
		lopt.watchdog_ns = (int64_t)v * 1000000000;
		return 0;
	}
	return -1;
}

int
live_is_feed(const char *name)
{
	return venue_find(name, strcspn(name, ":")) != NULL;
}

/* ---- connections ---- */

static void	net_schedule(struct net *n);

static void
ws_open_cb(struct ws_conn *ws, void *arg)
{
	struct feed *f = arg;
	struct net *n = f->net;
	char why[FEED_URL_MAX + 32];

	(void)ws;
	f->connected = 1;
	n->connected_at = mono_ns();
	f->last_data = n->connected_at;
	f->have_conn_seq = 0;
	f->resub_due = 0;	/* on_open subscribes to everything anew */
	snprintf(why, sizeof(why), "connected to %.2000s", f->url);
	if (f->c->verbose)
		fprintf(stderr, "%s: %s: %s\n", f->c->prog, f->ops->name, why);
	collector_status(f->c, f->ops->id, NULL, ST_CONNECTED, why);
	for (size_t i = 0; i < f->nsyms; i++) {
		f->syms[i].synced = 0;
		f->syms[i].last = 0;
		book_clear(&f->syms[i].book);
		feed_clear_pend(&f->syms[i]);
	}
	f->ops->on_open(f);
}

static void
ws_msg_cb(struct ws_conn *ws, const char *data, size_t len, int binary,
    void *arg)
{
	struct feed *f = arg;

	(void)ws;
	f->msgs++;
	f->last_rx = mono_ns();
	if (binary) {
		feed_malformed(f, "binary message", "", 0);
		return;
	}
	/* adapters read the message in place (json.h): no copy */
	f->ops->on_msg(f, data, len, now_ns());
}

/* The connection is gone: record it, cancel REST work, plan a retry. */
static void
net_down(struct feed *f, const char *why)
{
	struct net *n = f->net;

	if (f->connected || f->c->verbose)
		fprintf(stderr, "%s: %s: disconnected: %s\n", f->c->prog,
		    f->ops->name, why);
	collector_status(f->c, f->ops->id, NULL, ST_DISCONNECTED, why);
	f->connected = 0;
	n->ws = NULL;
	if (n->rest != NULL) {
		https_cancel(n->rest);
		n->rest = NULL;
	}
	n->njobs = 0;
	for (size_t i = 0; i < f->nsyms; i++) {
		f->syms[i].synced = 0;
		f->syms[i].rest_state = 0;
		feed_clear_pend(&f->syms[i]);
	}
	if (n->connected_at != 0 && f->last_data - n->connected_at >=
	    HEALTHY_NS)
		backoff_reset(&n->backoff);
	n->connected_at = 0;
	net_schedule(n);
}

static void
ws_close_cb(struct ws_conn *ws, const char *reason, void *arg)
{
	struct feed *f = arg;

	(void)ws;
	net_down(f, reason);
}

static const struct ws_cbs live_ws_cbs = { ws_open_cb, ws_msg_cb,
    ws_close_cb };

static void
net_schedule(struct net *n)
{
	int64_t delay = backoff_next(&n->backoff);

	n->retry_at = mono_ns() + delay * 1000000;
	if (n->f->c->verbose)
		fprintf(stderr, "%s: %s: reconnecting in %" PRId64 " ms\n",
		    n->f->c->prog, n->f->ops->name, delay);
}

static void
net_connect(struct feed *f)
{
	struct net *n = f->net;
	char url[FEED_URL_MAX + 1024], err[256];

	n->retry_at = 0;
	f->reconnects++;
	if (f->ops->url != NULL)
		f->ops->url(f, f->url, url, sizeof(url));
	else
		snprintf(url, sizeof(url), "%s", f->url);
	n->ws = ws_connect(live_base, live_dns, live_tls, url, &live_ws_cbs,
	    f, WS_TIMEOUT_S, err, sizeof(err));
	if (n->ws == NULL)
		net_down(f, err);
}

void
feed_reconnect(struct feed *f, const char *why)
{
	struct net *n = f->net;

	if (n == NULL || n->ws == NULL)
		return;
	ws_close(n->ws);
	net_down(f, why);
}

void
feed_send(struct feed *f, const char *text)
{
	struct net *n = f->net;

	if (n == NULL || n->ws == NULL || !f->connected)
		return;
	f->last_send = mono_ns();
	if (f->c->verbose > 1)
		fprintf(stderr, "%s: %s: send %s\n", f->c->prog, f->ops->name,
		    text);
	ws_send_text(n->ws, text, strlen(text));
}

/* ---- REST snapshots: one request at a time per feed, spaced out ---- */

static void
rest_done_cb(int status, const char *body, size_t len, int retry_after,
    const char *err, void *arg)
{
	struct feed *f = arg;
	struct net *n = f->net;
	struct fsym *s = n->rest_sym;
	int64_t now = mono_ns();

	n->rest = NULL;
	n->rest_sym = NULL;
	n->rest_not_before = now + REST_SPACING_NS;
	s->rest_state = 0;
	if (status == 429 || status == 418) {
		/* rate limited (418: banned): wait as told, at least 60 s */
		int64_t wait = (retry_after > 0 ? retry_after : 60) *
		    1000000000LL;

		fprintf(stderr, "%s: %s: REST rate limited (HTTP %d), waiting "
		    "%" PRId64 " s\n", f->c->prog, f->ops->name, status,
		    wait / 1000000000);
		n->rest_not_before = now + wait;
	}
	if (status == 0)
		fprintf(stderr, "%s: %s: %s: REST snapshot: %s\n", f->c->prog,
		    f->ops->name, s->sym, err);
	f->ops->on_rest(f, s, status, body, len, now_ns());
}

int
feed_rest_request(struct feed *f, struct fsym *s, const char *url,
    int64_t delay_ns)
{
	struct net *n = f->net;
	struct rest_job *j;

	if (n == NULL || s->rest_state != 0)
		return n == NULL ? -1 : 0;
	if (n->jobs == NULL) {
		n->jobs = calloc(f->nsyms, sizeof(*n->jobs));
		if (n->jobs == NULL)
			return -1;
	}
	if (n->njobs >= f->nsyms || strlen(url) >= sizeof(j->url))
		return -1;
	j = &n->jobs[n->njobs++];
	j->s = s;
	snprintf(j->url, sizeof(j->url), "%s", url);
	j->due = mono_ns() + delay_ns;
	s->rest_state = 1;
	return 0;
}

static void
rest_run(struct feed *f, int64_t now)
{
	struct net *n = f->net;
	char err[256];

	if (n->rest != NULL || now < n->rest_not_before || !f->connected)
		return;
	for (size_t i = 0; i < n->njobs; i++) {
		struct rest_job j = n->jobs[i];

		if (now < j.due)
			continue;
		memmove(&n->jobs[i], &n->jobs[i + 1],
		    (n->njobs - i - 1) * sizeof(*n->jobs));
		n->njobs--;
		if (f->c->verbose)
			fprintf(stderr, "%s: %s: GET %s\n", f->c->prog,
			    f->ops->name, j.url);
		n->rest_sym = j.s;
		j.s->rest_state = 2;
		n->rest = https_get(live_base, live_dns, live_tls, j.url,
		    REST_TIMEOUT_S, rest_done_cb, f, err, sizeof(err));
		if (n->rest == NULL) {
			n->rest_sym = NULL;
			j.s->rest_state = 0;
			fprintf(stderr, "%s: %s: %s\n", f->c->prog,
			    f->ops->name, err);
			f->ops->on_rest(f, j.s, 0, "", 0, now_ns());
		}
		return;
	}
}

/* ---- the tick: signals, watchdog, keepalives, REST, snapshots ---- */

static void
feed_counters(struct feed *f)
{
	fprintf(stderr, "%s: %s: msgs %" PRIu64 " data %" PRIu64
	    " malformed %" PRIu64 " resyncs %" PRIu64 " refetches %" PRIu64
	    " connects %" PRIu64 " ignored %" PRIu64 " unknown %" PRIu64 "\n",
	    f->c->prog, f->ops->name, f->msgs, f->data, f->malformed,
	    f->resyncs, f->refetches, f->reconnects, f->ignored, f->unknown);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	static int64_t next_snap;
	int64_t now = mono_ns();
	char why[64];

	(void)fd;
	(void)what;
	if (collector_usr1)
		for (size_t i = 0; i < live_nfeeds; i++)
			feed_counters(&live_feeds[i]);
	if (collector_poll_signals(c)) {
		event_base_loopbreak(live_base);
		return;
	}
	ring_heartbeat(c->ring);	/* and notices a lost ring when idle */
	for (size_t i = 0; i < live_nfeeds; i++) {
		struct feed *f = &live_feeds[i];
		struct net *n = f->net;

		if (n->ws == NULL && n->retry_at != 0 && now >= n->retry_at) {
			net_connect(f);
			continue;
		}
		if (!f->connected)
			continue;
		if (now - f->last_data > lopt.watchdog_ns) {
			snprintf(why, sizeof(why), "watchdog: no data for %"
			    PRId64 " s", lopt.watchdog_ns / 1000000000);
			feed_reconnect(f, why);
			continue;
		}
		if (now - n->last_tick >= 1000000000) {
			n->last_tick = now;
			if (f->ops->on_tick != NULL)
				f->ops->on_tick(f, now);
		}
		rest_run(f, now);
	}
	if (c->snapshot_interval_ns > 0 && now >= next_snap) {
		if (next_snap != 0) {
			int64_t wall = now_ns();

			for (size_t i = 0; i < live_nfeeds; i++) {
				struct feed *f = &live_feeds[i];

				for (size_t k = 0; k < f->nsyms; k++) {
					/* only a book changed since */
					if (!f->syms[k].synced ||
					    f->syms[k].updates ==
					    f->syms[k].snap_updates)
						continue;
					feed_emit_book(f, &f->syms[k],
					    f->syms[k].last_ts, wall, 1);
					c->snapshots++;
				}
			}
		}
		next_snap = now + c->snapshot_interval_ns;
	}
}

/* ---- setup ---- */

static int
feed_init(struct feed *f, struct collector *c, const char *arg,
    const char *symbols)
{
	const char *colon = strchr(arg, ':');
	const char *list;
	char *dup, *tok, *save;
	size_t cnt = 1;

	memset(f, 0, sizeof(*f));
	f->ops = venue_find(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	f->c = c;
	list = colon ? colon + 1 : symbols ? symbols : f->ops->default_symbols;
	for (const char *p = list; *p; p++)
		cnt += *p == ',';
	f->syms = calloc(cnt, sizeof(*f->syms));
	dup = strdup(list);
	if (f->syms == NULL || dup == NULL) {
		free(dup);
		goto oom;
	}
	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct fsym *s = &f->syms[f->nsyms];

		if (!rec_symbol_ok(tok) || venue_native(f->ops, tok, s->native,
		    sizeof(s->native)) != 0) {
			fprintf(stderr, "%s: %s: %s: not a BASE-QUOTE symbol\n",
			    c->prog, f->ops->name, tok);
			free(dup);
			return EX_USAGE;
		}
		if (feed_sym(f, s->native, strlen(s->native)) != NULL)
			continue;	/* listed twice */
		snprintf(s->sym, sizeof(s->sym), "%s", tok);
		book_init(&s->book, 0);
		s->feed = f;
		f->nsyms++;
	}
	free(dup);
	if (f->nsyms == 0) {
		fprintf(stderr, "%s: %s: no symbols\n", c->prog, f->ops->name);
		return EX_USAGE;
	}
	f->depth = lopt.depth ? lopt.depth : f->ops->default_depth;
	snprintf(f->url, sizeof(f->url), "%s", lopt.url[f->ops->id] ?
	    lopt.url[f->ops->id] : f->ops->default_url);
	if (f->ops->default_rest_url != NULL)
		snprintf(f->rest_url, sizeof(f->rest_url), "%s",
		    lopt.rest_url[f->ops->id] ? lopt.rest_url[f->ops->id] :
		    f->ops->default_rest_url);
	f->net = calloc(1, sizeof(struct net));
	if (f->net == NULL)
		goto oom;
	((struct net *)f->net)->f = f;
	backoff_init(&((struct net *)f->net)->backoff, BACKOFF_MIN_MS,
	    BACKOFF_MAX_MS, 1);
	ratelog_init(&f->malformed_log, 5, 10000000000LL, f->ops->name,
	    "malformed messages not logged");
	return 0;
oom:
	fprintf(stderr, "%s: out of memory\n", c->prog);
	return EX_OSERR;
}

static void
feed_fini(struct feed *f)
{
	struct net *n = f->net;

	ratelog_flush(&f->malformed_log);
	if (n != NULL) {
		if (n->ws != NULL)
			ws_close(n->ws);
		if (n->rest != NULL)
			https_cancel(n->rest);
		free(n->jobs);
		free(n);
	}
	for (size_t i = 0; i < f->nsyms; i++) {
		feed_clear_pend(&f->syms[i]);
		free(f->syms[i].pend);
		book_free(&f->syms[i].book);
	}
	free(f->syms);
}

/* live_symbol: one symbol of a live feed's list (list_each), arg ops */
static int
live_symbol(const char *sym, void *arg, char *why, size_t whylen)
{
	const struct venue_ops *ops = arg;
	char native[VENUE_NATIVE_MAX];

	if (rec_symbol_ok(sym) &&
	    venue_native(ops, sym, native, sizeof(native)) == 0)
		return 0;
	snprintf(why, whylen, "%s: not a BASE-QUOTE symbol", sym);
	return -1;
}

int
live_check(struct collector *c, char **feeds, int nfeeds, const char *symbols)
{
	char err[256], why[160];
	const char *list;

	if (nfeeds < 1 || nfeeds > 64) {
		fprintf(stderr, "%s: 1 to 64 live feeds\n", c->prog);
		return EX_USAGE;
	}
	for (int i = 0; i < nfeeds; i++) {
		const char *colon = strchr(feeds[i], ':');
		const struct venue_ops *ops;

		if (!live_is_feed(feeds[i])) {
			fprintf(stderr, "%s: %s: not a live venue feed\n",
			    c->prog, feeds[i]);
			return EX_USAGE;
		}
		/* as feed_init takes them */
		ops = venue_find(feeds[i], strcspn(feeds[i], ":"));
		list = colon ? colon + 1 : symbols ? symbols :
		    ops->default_symbols;
		if (*list == '\0') {
			fprintf(stderr, "%s: %s: no symbols\n", c->prog,
			    ops->name);
			return EX_USAGE;
		}
		if (list_each(list, 64, "BASE-QUOTE", live_symbol,
		    (void *)ops, why, sizeof(why)) != 0) {
			fprintf(stderr, "%s: %s: %s\n", c->prog, ops->name,
			    why);
			return EX_USAGE;
		}
	}
	if ((live_tls = ws_tls_ctx_new(lopt.ca_file, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return lopt.ca_file ? EX_NOINPUT : EX_UNAVAILABLE;
	}
	return 0;
}

int
live_main(struct collector *c, char **feeds, int nfeeds, const char *symbols)
{
	struct event *tick = NULL;
	struct timeval tv = { 0, TICK_MS * 1000 };
	int rv = 0;

	if (live_tls == NULL && (rv = live_check(c, feeds, nfeeds,
	    symbols)) != 0)
		return rv;
	live_feeds = calloc((size_t)nfeeds, sizeof(*live_feeds));
	if (live_feeds == NULL)
		return EX_OSERR;
	for (int i = 0; i < nfeeds; i++) {
		live_nfeeds = (size_t)i + 1;
		if ((rv = feed_init(&live_feeds[i], c, feeds[i], symbols)) != 0)
			goto out;
	}
	srandom((unsigned)(now_ns() ^ getpid()));
	venue_json_init();
	live_base = event_base_new();
	if (live_base == NULL) {
		rv = EX_OSERR;
		goto out;
	}
	live_dns = evdns_base_new(live_base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	tick = event_new(live_base, -1, EV_PERSIST, tick_cb, c);
	if (tick == NULL || event_add(tick, &tv) != 0) {
		rv = EX_OSERR;
		goto out;
	}
	for (size_t i = 0; i < live_nfeeds; i++)
		net_connect(&live_feeds[i]);
	notify_ready(c->ready_fd);
	c->ready_fd = -1;
	event_base_dispatch(live_base);
	rv = 0;
out:
	if (c->verbose)
		for (size_t i = 0; i < live_nfeeds; i++)
			if (live_feeds[i].ops != NULL)
				feed_counters(&live_feeds[i]);
	for (size_t i = 0; i < live_nfeeds; i++)
		feed_fini(&live_feeds[i]);
	free(live_feeds);
	live_feeds = NULL;
	live_nfeeds = 0;
	if (tick != NULL)
		event_free(tick);
	if (live_dns != NULL)
		evdns_base_free(live_dns, 0);
	if (live_base != NULL)
		event_base_free(live_base);
	if (live_tls != NULL)
		SSL_CTX_free(live_tls);
	return rv;
}
