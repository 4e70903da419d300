/*
 * hub.c: wsgate's Redis side.  Two hiredis async connections on the
 * libevent loop: "sub" carries every SUBSCRIBE/PSUBSCRIBE and the
 * messages; "cmd" runs the late-joiner reads (MULTI; GET C.snapshot;
 * LRANGE C.deltas 0 -1; EXEC) and SMEMBERS PREFIX.channels.
 *
 * The subscription table maps a channel or pattern to a struct sub with
 * its members (one per interested client).  A sub is SUBSCRIBEd when it
 * gets its first member and UNSUBSCRIBEd when it loses its last; the
 * state machine (S_IDLE, S_SUBSCRIBING, S_ACTIVE, S_UNSUBSCRIBING) never
 * sends a second command for a name while one is in flight, because
 * hiredis 0.14 keys its callbacks by name.  The sub connection also holds
 * one private subscription for its whole life so that hiredis never
 * leaves subscribed mode (it asserts if a reply arrives then).
 *
 * Fan-out: each Redis message is framed once (frame_text) and the frame
 * is queued to every member's client.  A pmessage that repeats the
 * previous message (same channel and payload: Redis sends one copy per
 * matching subscription, back to back) reuses the frame and its id, so
 * each client gets the message once.
 *
 * Late joiners (exact channels ending in ".book"): the member starts in
 * syncing state and holds the live frames it is sent; once the channel's
 * SUBSCRIBE is confirmed, the snapshot and deltas are read on cmd, sent,
 * then the held frames with seq greater than the last one sent; from then
 * on live frames pass the same seq filter.  A live book_snapshot with a
 * lower seq is let through (the ring was recreated).  Deltas are held
 * back until the client has had a snapshot.  After a Redis reconnect,
 * every book member syncs again the same way, so nothing missed while
 * Redis was down leaves a client's book wrong.
 *
 * Redis down: every client gets {"type":"gateway","status":"redis_down"};
 * each connection retries with exponential backoff (100 ms .. 5 s); when
 * sub is back every sub with members is subscribed again and clients get
 * "redis_up".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <jansson.h>

#include "util.h"
#include "wsgate.h"

#define HUB_BUCKETS	4096
#define KEEP_CHANNEL	"__wsgate.keepalive"
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

struct rconn {
	const char		*name;
	redisAsyncContext	*ac;
	int			 connected;
	int			 ever;		/* connected once */
	int			 backoff_ms;
	struct event		*retry;
};

static struct {
	struct rconn	 sub, cmd;
	int		 up;		/* sub connected: data flows */
	struct sub	*tab[HUB_BUCKETS];
	unsigned	 nsubs;
	struct frame	*prev;		/* last message frame (pmessage dedup) */
	char		*prev_chan;
	size_t		 prev_chan_len;
	int		 closing;
} H;

static void rconn_start(struct rconn *);
static void sub_reply_cb(redisAsyncContext *, void *, void *);
static void sub_send(struct sub *, int subscribe);
static void member_sync(struct member *);

/* --- table --- */

static unsigned
hash(const char *s, size_t n, int pattern)
{
	uint32_t h = 2166136261u ^ (uint32_t)pattern;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % HUB_BUCKETS;
}

static struct sub *
sub_find(const char *s, size_t n, int pattern)
{
	for (struct sub *x = H.tab[hash(s, n, pattern)]; x; x = x->hnext)
		if (x->pattern == pattern && x->len == n &&
		    memcmp(x->name, s, n) == 0)
			return x;
	return NULL;
}

static struct sub *
sub_get(const char *s, size_t n, int pattern)
{
	struct sub *x = sub_find(s, n, pattern);
	unsigned b;

	if (x != NULL)
		return x;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->name = malloc(n + 1)) == NULL) {
		free(x);
		return NULL;
	}
	memcpy(x->name, s, n);
	x->name[n] = 0;
	x->len = n;
	x->pattern = pattern;
	x->book = !pattern && n > 5 && memcmp(s + n - 5, ".book", 5) == 0;
	x->st = S_IDLE;
	b = hash(s, n, pattern);
	x->hnext = H.tab[b];
	H.tab[b] = x;
	H.nsubs++;
	return x;
}

static void
sub_free(struct sub *x)
{
	struct sub **pp = &H.tab[hash(x->name, x->len, x->pattern)];

	while (*pp != x)
		pp = &(*pp)->hnext;
	*pp = x->hnext;
	free(x->name);
	free(x);
	H.nsubs--;
}

unsigned
hub_nsubs(void)
{
	return H.nsubs;
}

int
hub_redis_up(void)
{
	return H.up;
}

int
hub_both_connected(void)
{
	return H.sub.connected && H.cmd.connected;
}

/* A sub's member count went to zero or above it: (un)subscribe. */
static void
sub_update(struct sub *x)
{
	if (x->nmembers > 0 && x->st == S_IDLE)
		sub_send(x, 1);
	else if (x->nmembers == 0 && x->st == S_ACTIVE)
		sub_send(x, 0);
	else if (x->nmembers == 0 && x->st == S_IDLE)
		sub_free(x);
}

static void
sub_send(struct sub *x, int subscribe)
{
	const char *cmd = subscribe ? (x->pattern ? "PSUBSCRIBE" :
	    "SUBSCRIBE") : (x->pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE");

	if (!H.sub.connected)
		return;	/* everything is subscribed again on reconnect */
	if (redisAsyncCommand(H.sub.ac, sub_reply_cb, NULL, "%s %b", cmd,
	    x->name,
	    x->len) != REDIS_OK)
		return;
	x->st = subscribe ? S_SUBSCRIBING : S_UNSUBSCRIBING;
}

/* --- a client's books --- */

static size_t
book_slot(const struct client *c, const char *s, size_t n)
{
	return hash(s, n, 0) & (c->nbooks_cap - 1);
}

static struct book *
book_find(struct client *c, const char *s, size_t n)
{
	if (c->nbooks_cap == 0)
		return NULL;
	for (struct book *b = c->books[book_slot(c, s, n)]; b; b = b->next)
		if (b->len == n && memcmp(b->name, s, n) == 0)
			return b;
	return NULL;
}

/* The client's book on channel s, made if new; NULL if out of memory. */
static struct book *
book_get(struct client *c, const char *s, size_t n)
{
	struct book *b = book_find(c, s, n);

	if (b != NULL)
		return b;
	if (c->nbooks >= c->nbooks_cap) {
		size_t ncap = c->nbooks_cap ? c->nbooks_cap * 2 : 8;
		struct book **v = calloc(ncap, sizeof(*v));

		if (v == NULL)
			return NULL;
		for (size_t i = 0; i < c->nbooks_cap; i++)
			for (struct book *x = c->books[i], *nx; x; x = nx) {
				size_t k = hash(x->name, x->len, 0) &
				    (ncap - 1);

				nx = x->next;
				x->next = v[k];
				v[k] = x;
			}
		free(c->books);
		c->books = v;
		c->nbooks_cap = ncap;
	}
	if ((b = calloc(1, sizeof(*b) + n + 1)) == NULL)
		return NULL;
	memcpy(b->name, s, n);
	b->len = n;
	b->last_seq = -1;
	b->next = c->books[book_slot(c, s, n)];
	c->books[book_slot(c, s, n)] = b;
	c->nbooks++;
	return b;
}

static int
is_book_channel(const char *s, size_t n)
{
	return n > 5 && memcmp(s + n - 5, ".book", 5) == 0;
}

/* Does one of c's subscriptions still cover book channel s? */
static int
book_covered(struct client *c, const char *s, size_t n)
{
	for (struct member *m = c->members; m != NULL; m = m->c_next) {
		struct sub *x = m->s;

		if (x == NULL)
			continue;
		if (x->pattern ? glob_match(x->name, x->len, s, n) :
		    x->len == n && memcmp(x->name, s, n) == 0)
			return 1;
	}
	return 0;
}

/* Forgets the books no subscription of c covers any more. */
static void
books_prune(struct client *c)
{
	for (size_t i = 0; i < c->nbooks_cap; i++)
		for (struct book **pp = &c->books[i], *b; (b = *pp) != NULL;) {
			if (book_covered(c, b->name, b->len)) {
				pp = &b->next;
				continue;
			}
			*pp = b->next;
			free(b);
			c->nbooks--;
		}
}

static void
books_free(struct client *c)
{
	for (size_t i = 0; i < c->nbooks_cap; i++)
		for (struct book *b = c->books[i], *nb; b; b = nb) {
			nb = b->next;
			free(b);
		}
	free(c->books);
	c->books = NULL;
	c->nbooks = c->nbooks_cap = 0;
}

/* --- members --- */

static void
want_free(struct member *m)
{
	for (size_t i = 0; i < m->nwant; i++)
		free(m->want[i]);
	free(m->want);
	m->want = NULL;
	m->nwant = 0;
	m->listed = 0;
}

static void
member_free(struct member *m)
{
	for (size_t i = 0; i < m->nbuf; i++)
		frame_unref(m->buf[i].f);
	free(m->buf);
	want_free(m);
	free(m);
}

static void
member_detach(struct member *m)
{
	struct sub *x = m->s;

	if (m->s_prev)
		m->s_prev->s_next = m->s_next;
	else
		x->members = m->s_next;
	if (m->s_next)
		m->s_next->s_prev = m->s_prev;
	x->nmembers--;
	m->s = NULL;
	sub_update(x);
}

/*
 * book_send: sends book frame f to client c if it moves c's book b on:
 * a snapshot with a new seq (an older one only live: the ring was
 * recreated; replay means it comes from the keys or the hold buffer),
 * a delta newer than the last seq once there is a snapshot.
 */
static void
book_send(struct client *c, struct book *b, struct frame *f, int replay)
{
	if (f->kind == FRAME_SNAPSHOT) {
		if (b->have_snap && f->seq == b->last_seq)
			return;
		if (b->have_snap && f->seq < b->last_seq && replay)
			return;
		b->have_snap = 1;
		b->last_seq = f->seq;
	} else if (f->kind == FRAME_DELTA) {
		if (!b->have_snap || f->seq <= b->last_seq)
			return;
		b->last_seq = f->seq;
	}
	client_deliver(c, f);
}

static void
member_hold(struct member *m, struct frame *f, struct book *b)
{
	if (m->nbuf == m->capbuf) {
		size_t ncap = m->capbuf ? m->capbuf * 2 : 16;
		struct held *v;

		if (ncap > 65536 || (v = realloc(m->buf, ncap *
		    sizeof(*v))) == NULL) {
			G.st.slow_disconnects++;
			client_doom(m->c, 1008, "slow client: too much held "
			    "while syncing", 1);
			return;
		}
		m->buf = v;
		m->capbuf = ncap;
	}
	f->refs++;
	m->buf[m->nbuf].f = f;
	m->buf[m->nbuf].b = b;
	m->nbuf++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is book channel s one that syncing member m is reading (so holds)? */
static int
member_wants(const struct member *m, const char *s)
{
	if (!m->s->pattern || !m->listed)
		return 1;
	if (m->nwant == 0)
		return 0;
	return bsearch(&s, m->want, m->nwant, sizeof(*m->want), cmp_str) !=
	    NULL;
}

/*
 * member_release: sends the held frames (in order) that m no longer
 * needs to hold, all of them with all set, and keeps the rest.
 */
static void
member_release(struct member *m, int all)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nbuf; i++) {
		struct held *h = &m->buf[i];

		if (!all && member_wants(m, h->b->name)) {
			m->buf[k++] = *h;
			continue;
		}
		book_send(m->c, h->b, h->f, 1);
		frame_unref(h->f);
	}
	m->nbuf = k;
	if (k == 0) {
		free(m->buf);
		m->buf = NULL;
		m->capbuf = 0;
	}
}

int
hub_subscribe(struct client *c, const char *name, size_t len, char *msg,
    size_t msglen)
{
	int pattern = strpbrk(name, "*?[") != NULL;
	struct member *m;
	struct sub *x;

	for (m = c->members; m != NULL; m = m->c_next)
		if (m->s != NULL && m->s->pattern == pattern &&
		    m->s->len == len && memcmp(m->s->name, name, len) == 0)
			return 0;	/* already */
	if (c->nsubs >= G.conf.max_subs) {
		G.st.sub_limit_refused++;
		snprintf(msg, msglen, "too many subscriptions (at most %llu "
		    "per client)", (unsigned long long)G.conf.max_subs);
		return -1;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (x = sub_get(name, len, pattern)) == NULL) {
		free(m);
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	m->c = c;
	m->s = x;
	m->s_next = x->members;
	if (x->members)
		x->members->s_prev = m;
	x->members = m;
	x->nmembers++;
	m->c_next = c->members;
	c->members = m;
	c->nsubs++;
	if (x->book || x->pattern) {
		m->syncing = 1;
		G.st.late_joins++;
		if (x->st == S_ACTIVE)
			member_sync(m);
	}
	sub_update(x);
	return 0;
}

/* Removes m from c's list; frees it unless a read still refers to it. */
static void
member_remove(struct client *c, struct member *m)
{
	struct member **pp = &c->members;

	while (*pp != m)
		pp = &(*pp)->c_next;
	*pp = m->c_next;
	c->nsubs--;
	if (m->s != NULL)
		member_detach(m);
	if (m->fetching)
		m->orphan = 1;
	else
		member_free(m);
}

int
hub_unsubscribe(struct client *c, const char *name, size_t len)
{
	int pattern = strpbrk(name, "*?[") != NULL;

	for (struct member *m = c->members; m != NULL; m = m->c_next)
		if (m->s != NULL && m->s->pattern == pattern &&
		    m->s->len == len && memcmp(m->s->name, name, len) == 0) {
			member_remove(c, m);
			books_prune(c);
			return 0;
		}
	return -1;
}

void
hub_drop_client(struct client *c)
{
	while (c->members != NULL)
		member_remove(c, c->members);
	books_free(c);
}

/* --- late joiners --- */

/* The end of a sync: true unless m must start over or is gone. */
static int
fetch_done(struct member *m, redisReply *r)
{
	struct client *c = m->c;

	m->fetching = 0;
	if (m->orphan) {
		member_free(m);
		client_unref(c);
		return 0;
	}
	if (r == NULL) {
		/* cmd went away: sync again when it is back */
		want_free(m);
		client_unref(c);
		return 0;
	}
	if (m->again) {
		/* Redis came back meanwhile: what was read may be stale */
		m->again = 0;
		want_free(m);
		member_sync(m);
		client_unref(c);
		return 0;
	}
	return 1;
}

/* Replays one channel's snapshot and deltas (the EXEC replies) to m. */
static void
replay_keys(struct member *m, struct book *b, redisReply *snap,
    redisReply *deltas)
{
	if (snap->type == REDIS_REPLY_STRING) {
		struct frame *f = frame_text(snap->str, snap->len);

		if (f != NULL) {
			frame_parse_book(f);
			if (f->kind == FRAME_SNAPSHOT)
				book_send(m->c, b, f, 1);
			frame_unref(f);
		}
	}
	if (deltas->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i < deltas->elements; i++) {
		redisReply *e = deltas->element[i];
		struct frame *f;

		if (e->type != REDIS_REPLY_STRING ||
		    (f = frame_text(e->str, e->len)) == NULL)
			continue;
		frame_parse_book(f);
		if (f->kind == FRAME_DELTA)
			book_send(m->c, b, f, 1);
		frame_unref(f);
	}
}

/* The end of a sync: the held frames go out, live ones pass from now. */
static void
member_synced(struct member *m)
{
	m->syncing = 0;
	member_release(m, 1);
	want_free(m);
}

/*
 * fetch_cb: the EXEC of GET C.snapshot; LRANGE C.deltas 0 -1 for each
 * channel m reads (its own, or the ones its pattern matched).
 */
static void
fetch_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct member *m = priv;
	struct client *c = m->c;
	size_t n;

	(void)ac;
	if (!fetch_done(m, r))
		return;
	n = m->s->pattern ? m->nwant : 1;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 * n) {
		/* go on without a snapshot: deltas wait for a live one */
		G.st.redis_errors++;
		client_error(c, "%s: cannot read the book: %s", m->s->name,
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *ch = m->s->pattern ? m->want[i] :
			    m->s->name;
			struct book *b = book_get(c, ch, strlen(ch));

			if (b != NULL)
				replay_keys(m, b, r->element[2 * i],
				    r->element[2 * i + 1]);
		}
	}
	member_synced(m);
	client_unref(c);
}

/* Sends MULTI; GET/LRANGE for each channel; EXEC.  0 if sent. */
static int
fetch_send(struct member *m, char *const *chans, size_t n)
{
	redisAsyncContext *ac = H.cmd.ac;

	if (redisAsyncCommand(ac, NULL, NULL, "MULTI") != REDIS_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (redisAsyncCommand(ac, NULL, NULL, "GET %s.snapshot",
		    chans[i]) != REDIS_OK ||
		    redisAsyncCommand(ac, NULL, NULL, "LRANGE %s.deltas 0 -1",
		    chans[i]) != REDIS_OK)
			return -1;
	if (redisAsyncCommand(ac, fetch_cb, m, "EXEC") != REDIS_OK)
		return -1;
	m->fetching = 1;
	m->c->refs++;
	return 0;
}

/*
 * list_cb: SMEMBERS PREFIX.channels for a pattern member: the book
 * channels it matches are read next; held frames of the others go out
 * now, and from here on only the frames of the channels read are held.
 */
static void
list_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct member *m = priv;
	struct client *c = m->c;
	size_t k = 0;

	(void)ac;
	if (!fetch_done(m, r))
		return;
	if (r->type != REDIS_REPLY_ARRAY) {
		G.st.redis_errors++;
		client_error(c, "%s: cannot list the channels: %s",
		    m->s->name, r->type == REDIS_REPLY_ERROR ? r->str :
		    "unexpected reply");
		member_synced(m);
		client_unref(c);
		return;
	}
	if (r->elements > 0 && (m->want = calloc(r->elements,
	    sizeof(*m->want))) == NULL) {
		client_error(c, "%s: out of memory", m->s->name);
		member_synced(m);
		client_unref(c);
		return;
	}
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *e = r->element[i];

		if (e->type != REDIS_REPLY_STRING ||
		    !is_book_channel(e->str, e->len) ||
		    memchr(e->str, 0, e->len) != NULL ||
		    !glob_match(m->s->name, m->s->len, e->str, e->len) ||
		    (m->want[k] = strdup(e->str)) == NULL)
			continue;
		k++;
	}
	m->nwant = k;
	m->listed = 1;
	if (k > 0)
		qsort(m->want, k, sizeof(*m->want), cmp_str);
	member_release(m, 0);
	if (k == 0 || !H.cmd.connected || fetch_send(m, m->want, k) != 0) {
		if (k > 0)	/* cmd is gone: start over once it is back */
			want_free(m);
		else
			member_synced(m);
	}
	client_unref(c);
}

/*
 * member_sync: reads the late-joiner keys of m's channel, or first the
 * list of channels for a pattern.  The subscription is already active,
 * so every message after the read reaches m (held until the reply
 * arrives).  Without cmd, waits for its reconnect.
 */
static void
member_sync(struct member *m)
{
	m->syncing = 1;
	if (m->fetching) {
		m->again = 1;
		return;
	}
	if (!H.cmd.connected)
		return;
	want_free(m);
	if (!m->s->pattern) {
		char *ch = m->s->name;

		fetch_send(m, &ch, 1);
		return;
	}
	if (redisAsyncCommand(H.cmd.ac, list_cb, m, "SMEMBERS %s.channels",
	    G.conf.prefix) != REDIS_OK)
		return;
	m->fetching = 1;
	m->c->refs++;
}

/* Every syncing member that waits for a read and has none running. */
static void
sync_waiting(void)
{
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = H.tab[b]; x; x = x->hnext)
			if ((x->book || x->pattern) && x->st == S_ACTIVE)
				for (struct member *m = x->members; m;
				    m = m->s_next)
					if (m->syncing && !m->fetching)
						member_sync(m);
}

/* --- channels op --- */

static void
channels_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct client *c = priv;

	(void)ac;
	if (c->st == C_WS) {
		if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
			client_error(c, "channels: %s", r && r->type ==
			    REDIS_REPLY_ERROR ? r->str : "redis unavailable");
		} else {
			json_t *a = json_array();
			char **v = calloc(r->elements + 1, sizeof(*v));
			size_t k = 0;

			for (size_t i = 0; v && i < r->elements; i++)
				if (r->element[i]->type == REDIS_REPLY_STRING)
					v[k++] = r->element[i]->str;
			if (v)
				qsort(v, k, sizeof(*v), cmp_str);
			for (size_t i = 0; i < k; i++)
				json_array_append_new(a, json_string(v[i]));
			free(v);
			client_send_json(c, json_pack("{s:s,s:o}", "type",
			    "channels", "channels", a));
		}
	}
	client_unref(c);
}

int
hub_channels(struct client *c)
{
	if (!H.cmd.connected || redisAsyncCommand(H.cmd.ac, channels_cb, c,
	    "SMEMBERS %s.channels", G.conf.prefix) != REDIS_OK)
		return -1;
	c->refs++;
	return 0;
}

/* --- the subscriber connection --- */

static void
gateway_status(const char *status, const char *reason)
{
	json_t *j = json_pack("{s:s,s:s,s:s}", "type", "gateway", "status",
	    status, "reason", reason);
	char *s = json_dumps(j, JSON_COMPACT);
	struct frame *f;

	json_decref(j);
	if (s != NULL && (f = frame_text(s, strlen(s))) != NULL) {
		client_broadcast(f);
		frame_unref(f);
	}
	free(s);
}

/*
 * deliver: f, a message on channel chan, to every member of x.  A book
 * frame goes through the client's seq filter for that channel, or is
 * held by a member that is reading that channel's keys.
 */
static void
deliver(struct sub *x, struct frame *f, const char *chan, size_t clen,
    int book)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct book *b;

		if (!book) {
			client_deliver(m->c, f);
			continue;
		}
		if ((b = book_get(m->c, chan, clen)) == NULL) {
			G.st.dropped++;
			client_doom(m->c, 1011, "out of memory", 1);
			continue;
		}
		if (m->syncing && member_wants(m, b->name))
			member_hold(m, f, b);
		else
			book_send(m->c, b, f, 0);
	}
}

static void
on_message(const char *chan, size_t clen, const char *pat, size_t plen,
    const char *payload, size_t len)
{
	int book = is_book_channel(chan, clen);
	struct sub *x;
	struct frame *f;

	G.st.redis_msgs++;
	G.st.redis_bytes += len;
	x = pat ? sub_find(pat, plen, 1) : sub_find(chan, clen, 0);
	if (x == NULL || x->nmembers == 0)
		return;
	if (pat != NULL && H.prev != NULL && H.prev_chan_len == clen &&
	    memcmp(H.prev_chan, chan, clen) == 0 &&
	    H.prev->len - H.prev->hlen == len &&
	    memcmp(H.prev->data + H.prev->hlen, payload, len) == 0) {
		f = H.prev;
		f->refs++;
	} else {
		if ((f = frame_text(payload, len)) == NULL) {
			G.st.dropped++;
			return;
		}
		if (book)
			frame_parse_book(f);
		frame_unref(H.prev);
		H.prev = f;
		f->refs++;
		free(H.prev_chan);
		H.prev_chan = malloc(clen);
		if (H.prev_chan != NULL)
			memcpy(H.prev_chan, chan, clen);
		H.prev_chan_len = H.prev_chan ? clen : 0;
	}
	deliver(x, f, chan, clen, book && memchr(chan, 0, clen) == NULL);
	frame_unref(f);
}

static void
on_sub_ack(const char *kind, const char *name, size_t n)
{
	int pattern = kind[0] == 'p';
	int unsub = strcasecmp(kind + pattern, "unsubscribe") == 0;
	struct sub *x = sub_find(name, n, pattern);

	if (x == NULL)
		return;
	if (!unsub) {
		x->st = S_ACTIVE;
		if (x->nmembers == 0) {
			sub_send(x, 0);
			return;
		}
		if (x->book || x->pattern)
			for (struct member *m = x->members; m; m = m->s_next)
				member_sync(m);
	} else {
		x->st = S_IDLE;
		sub_update(x);
	}
}

static void
sub_reply_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply, **e;

	(void)ac;
	(void)priv;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
		return;
	e = r->element;
	if (e[0]->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(e[0]->str, "message") == 0 && e[1]->type ==
	    REDIS_REPLY_STRING && e[2]->type == REDIS_REPLY_STRING)
		on_message(e[1]->str, e[1]->len, NULL, 0, e[2]->str, e[2]->len);
	else if (strcmp(e[0]->str, "pmessage") == 0 && r->elements == 4 &&
	    e[3]->type == REDIS_REPLY_STRING)
		on_message(e[2]->str, e[2]->len, e[1]->str, e[1]->len,
		    e[3]->str, e[3]->len);
	else if (e[1]->type == REDIS_REPLY_STRING)
		on_sub_ack(e[0]->str, e[1]->str, e[1]->len);
}

/* --- connections --- */

static void
auth_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct rconn *rc = priv;

	(void)ac;
	if (r != NULL && r->type == REDIS_REPLY_ERROR) {
		G.st.redis_errors++;
		fprintf(stderr, "wsgate: redis %s: %s\n", rc->name, r->str);
	}
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	rconn_start(arg);
}

static void
rconn_retry(struct rconn *rc)
{
	struct timeval tv;

	if (H.closing || rc->retry == NULL)
		return;
	tv.tv_sec = rc->backoff_ms / 1000;
	tv.tv_usec = (rc->backoff_ms % 1000) * 1000;
	event_add(rc->retry, &tv);
	rc->backoff_ms = rc->backoff_ms * 2 > BACKOFF_MAX_MS ?
	    BACKOFF_MAX_MS : rc->backoff_ms * 2;
}

/* Connection rc is gone (failed connect or lost). */
static void
rconn_lost(struct rconn *rc, const char *why)
{
	int was = rc->connected;

	rc->ac = NULL;
	rc->connected = 0;
	if (was || G.conf.verbose)
		fprintf(stderr, "wsgate: redis %s: %s\n", rc->name, why);
	if (rc == &H.sub) {
		for (unsigned b = 0; b < HUB_BUCKETS; b++)
			for (struct sub *x = H.tab[b], *nx; x; x = nx) {
				nx = x->hnext;
				x->st = S_IDLE;
				if (x->nmembers == 0)
					sub_free(x);
			}
		if (H.up) {
			H.up = 0;
			if (!H.closing)
				gateway_status("redis_down", why);
		}
	}
	rconn_retry(rc);
}

static void
connect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;

	if (status != REDIS_OK) {
		rconn_lost(rc, ac->errstr);
		return;
	}
	rc->connected = 1;
	rc->backoff_ms = BACKOFF_MIN_MS;
	if (rc->ever)
		G.st.redis_reconnects++;
	if (rc->ever || G.conf.verbose)
		fprintf(stderr, "wsgate: redis %s: connected\n", rc->name);
	rc->ever = 1;
	if (rc == &H.sub) {
		for (unsigned b = 0; b < HUB_BUCKETS; b++)
			for (struct sub *x = H.tab[b]; x; x = x->hnext)
				if (x->nmembers > 0 && x->st == S_IDLE)
					sub_send(x, 1);
		H.up = 1;
		if (G.st.redis_reconnects > 0)
			gateway_status("redis_up", "reconnected");
	} else {
		sync_waiting();
	}
	wsgate_check_ready();
}

static void
disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;

	rconn_lost(rc, status == REDIS_OK ? "disconnected" : ac->errstr);
}

static void
rconn_start(struct rconn *rc)
{
	redisAsyncContext *ac;

	if (G.conf.redis.is_unix)
		ac = redisAsyncConnectUnix(G.conf.redis.path);
	else
		ac = redisAsyncConnect(G.conf.redis.host, G.conf.redis.port);
	if (ac == NULL) {
		rconn_retry(rc);
		return;
	}
	if (ac->err) {
		if (G.conf.verbose)
			fprintf(stderr, "wsgate: redis %s: %s\n", rc->name,
			    ac->errstr);
		redisAsyncFree(ac);
		rconn_retry(rc);
		return;
	}
	ac->data = rc;
	rc->ac = ac;
	redisLibeventAttach(ac, G.base);
	redisAsyncSetConnectCallback(ac, connect_cb);
	redisAsyncSetDisconnectCallback(ac, disconnect_cb);
	if (G.conf.password != NULL) {
		if (G.conf.redis.user[0] != '\0')
			redisAsyncCommand(ac, auth_cb, rc, "AUTH %s %s",
			    G.conf.redis.user, G.conf.password);
		else
			redisAsyncCommand(ac, auth_cb, rc, "AUTH %s",
			    G.conf.password);
	}
	if (rc == &H.sub)
		redisAsyncCommand(ac, sub_reply_cb, NULL, "SUBSCRIBE "
		    KEEP_CHANNEL);
	else if (G.conf.redis.db != 0)
		redisAsyncCommand(ac, auth_cb, rc, "SELECT %d",
		    G.conf.redis.db);
}

/*
 * hub_init: starts both connections to G.conf.redis (they complete on
 * the loop).  Returns 0, or -1 with msg.
 */
int
hub_init(char *msg, size_t msglen)
{
	H.sub.name = "subscriber";
	H.cmd.name = "commands";
	H.sub.backoff_ms = H.cmd.backoff_ms = BACKOFF_MIN_MS;
	H.sub.retry = evtimer_new(G.base, retry_cb, &H.sub);
	H.cmd.retry = evtimer_new(G.base, retry_cb, &H.cmd);
	if (H.sub.retry == NULL || H.cmd.retry == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	rconn_start(&H.sub);
	rconn_start(&H.cmd);
	return 0;
}

/*
 * hub_close: frees both connections (their pending callbacks run with
 * no reply, which drops the client references they hold) and stops
 * reconnecting.  Subs go away with their last member.
 */
void
hub_close(void)
{
	H.closing = 1;
	if (H.sub.ac != NULL)
		redisAsyncFree(H.sub.ac);
	if (H.cmd.ac != NULL)
		redisAsyncFree(H.cmd.ac);
	H.sub.ac = H.cmd.ac = NULL;
	/* hub_init may have failed before making them */
	if (H.sub.retry != NULL)
		event_free(H.sub.retry);
	if (H.cmd.retry != NULL)
		event_free(H.cmd.retry);
	H.sub.retry = H.cmd.retry = NULL;
	frame_unref(H.prev);
	H.prev = NULL;
	free(H.prev_chan);
	H.prev_chan = NULL;
}
