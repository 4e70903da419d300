/*
 * hub.c: wsgate's Redis side.  Two hiredis async connections on the
 * libevent loop: "sub" carries the subscriptions and the messages; "cmd"
 * runs the late-joiner reads (MULTI; GET C.snapshot; LRANGE C.deltas;
 * EXEC) and SMEMBERS PREFIX.channels.
 *
 * Subscriptions.  The table maps each channel or pattern some client
 * asked for to a struct sub with its members (one per client).  Redis
 * sends each message once per gateway, however many clients and patterns
 * want it: client patterns are matched here (glob.c) against one
 * gateway-wide PSUBSCRIBE PREFIX.* (the "cover"), held while any client
 * holds a pattern; an exact channel has its own SUBSCRIBE unless the
 * cover carries it (one outside PREFIX always has).  While the cover
 * comes or goes, a channel's SUBSCRIBE and the cover may both be in
 * effect for a moment; Redis then sends the "message" copy just before
 * the "pmessage" one, and the pmessage of a channel whose SUBSCRIBE is in
 * effect is skipped.  Commands on one connection take effect in order,
 * so the cover is PSUBSCRIBEd before the channels it replaces are
 * UNSUBSCRIBEd, and they are SUBSCRIBEd again before it goes: nothing is
 * missed in between.  A state machine per name (S_IDLE, S_SUBSCRIBING,
 * S_ACTIVE, S_UNSUBSCRIBING) never sends a second command for a name while
 * one is in flight, because hiredis 0.14 keys its callbacks by name.  The
 * sub connection also holds one private subscription for its whole life
 * so that hiredis never leaves subscribed mode (it asserts if a reply
 * arrives then).
 *
 * Routing: each message is framed once (frame_text) and queued to every
 * client with a subscription on its channel or a pattern matching it,
 * once per client however many of its subscriptions match.  The patterns
 * matching a channel are cached per channel (struct route) and kept up to
 * date as patterns come and go, so a message costs a hash lookup or two.
 *
 * Late joiners.  Each client has one struct book per book channel
 * (PREFIX.VENUE.SYMBOL.book) it gets: its seq filter, shared by all its
 * subscriptions, and how far its sync has come.  Once a subscription is
 * in effect (its SUBSCRIBE or the cover confirmed), the client's books it
 * covers that have no snapshot yet are queued (a pattern lists
 * PREFIX.channels for them).  One at a time, each is read on cmd and its
 * snapshot and deltas are sent, then the live frames held during the
 * read whose seq is greater than the last one sent.  The frames of a book
 * still queued are dropped: its read, sent later, covers them, since
 * redispub puts every delta in C.deltas before it publishes it
 * (tickpipe(7)).  This history is paced rather than counted against
 * --output-cap: the next book is read once the client has taken the
 * history already queued down to a quarter of the cap.
 *
 * Redis down: every client gets {"type":"gateway","status":"redis_down"}
 * and, for each book it had, {"type":"book_invalid","channel":C}: what is
 * published meanwhile never reaches wsgate.  Each connection retries with
 * exponential backoff (100 ms .. 5 s); when sub is back every
 * subscription is made again, clients get "redis_up", and their books
 * are synced again as above, or wait for the next snapshot.
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
#define ROUTE_MAX	65536		/* channels whose patterns are cached */
#define SYNC_LINES	20000		/* deltas replayed per book, at most */
#define SYNC_BYTES	(8u << 20)	/* bytes replayed per book, at most */
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

/* The patterns (subs) that match one channel under PREFIX. */
struct route {
	struct route	*next;		/* hash chain */
	struct sub	**pats;
	unsigned	 npats, cap;
	size_t		 len;
	char		 name[];
};

static struct {
	struct rconn	 sub, cmd;
	int		 up;		/* sub connected: data flows */
	struct sub	*tab[HUB_BUCKETS];
	unsigned	 nsubs;
	struct sub	*pats;		/* the pattern subs, by pnext */
	unsigned	 npats;
	struct route	*routes[HUB_BUCKETS];
	unsigned	 nroutes;
	char		*pfx;		/* "PREFIX." */
	size_t		 pfx_len;
	char		*cover;		/* "PREFIX.*", glob-escaped */
	size_t		 cover_len;
	enum sub_state	 cover_st;
	/* XXX unused since routing is local; hub_close still frees them */
	struct frame	*prev;
	char		*prev_chan;
	size_t		 prev_chan_len;
	int		 closing;
} H;

static void rconn_start(struct rconn *);
static void sub_reply_cb(redisAsyncContext *, void *, void *);
static void cover_update(void);
static void member_start(struct member *);

/* --- table --- */

static unsigned
hash(const char *s, size_t n, int pattern)
{
	uint32_t h = 2166136261u ^ (uint32_t)pattern;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % HUB_BUCKETS;
}

/* Makes "PREFIX." and the cover pattern once; 0, or -1 out of memory. */
static int
prefix_init(void)
{
	const char *p = G.conf.prefix;
	size_t n = strlen(p), k = 0;

	if (H.pfx != NULL)
		return 0;
	if ((H.pfx = malloc(n + 2)) == NULL ||
	    (H.cover = malloc(2 * n + 3)) == NULL) {
		free(H.pfx);
		H.pfx = NULL;
		return -1;
	}
	memcpy(H.pfx, p, n);
	memcpy(H.pfx + n, ".", 2);
	H.pfx_len = n + 1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == ']')	/* --prefix has no *?[ */
			H.cover[k++] = '\\';
		H.cover[k++] = p[i];
	}
	memcpy(H.cover + k, ".*", 3);
	H.cover_len = k + 2;
	return 0;
}

/* Is s a channel under PREFIX (one the cover carries)? */
static int
prefixed(const char *s, size_t n)
{
	return H.pfx != NULL && n > H.pfx_len &&
	    memcmp(s, H.pfx, H.pfx_len) == 0;
}

static int
in_effect(enum sub_state st)
{
	return st == S_ACTIVE || st == S_UNSUBSCRIBING;
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

/* --- routes: the patterns matching each channel --- */

static struct route *
route_find(const char *s, size_t n)
{
	for (struct route *r = H.routes[hash(s, n, 2)]; r; r = r->next)
		if (r->len == n && memcmp(r->name, s, n) == 0)
			return r;
	return NULL;
}

static int
route_add(struct route *r, struct sub *x)
{
	if (r->npats == r->cap) {
		unsigned ncap = r->cap ? r->cap * 2 : 4;
		struct sub **v = realloc(r->pats, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		r->pats = v;
		r->cap = ncap;
	}
	r->pats[r->npats++] = x;
	return 0;
}

static void
route_free(struct route *r)
{
	struct route **pp = &H.routes[hash(r->name, r->len, 2)];

	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	free(r->pats);
	free(r);
	H.nroutes--;
}

static void
routes_flush(void)
{
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		while (H.routes[b] != NULL)
			route_free(H.routes[b]);
}

/*
 * route_get: the route of channel s (under PREFIX), made if new by
 * matching every pattern.  NULL if out of memory (the caller matches the
 * patterns itself).
 */
static struct route *
route_get(const char *s, size_t n)
{
	struct route *r = route_find(s, n);
	unsigned b;

	if (r != NULL)
		return r;
	if (H.nroutes >= ROUTE_MAX)
		routes_flush();
	if ((r = calloc(1, sizeof(*r) + n + 1)) == NULL)
		return NULL;
	memcpy(r->name, s, n);
	r->len = n;
	b = hash(s, n, 2);
	r->next = H.routes[b];
	H.routes[b] = r;
	H.nroutes++;
	for (struct sub *x = H.pats; x != NULL; x = x->pnext)
		if (glob_match(x->name, x->len, s, n) && route_add(r, x) != 0) {
			route_free(r);
			return NULL;
		}
	return r;
}

/* A new pattern x: added to the routes of the channels it matches. */
static void
routes_add_pattern(struct sub *x)
{
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct route *r = H.routes[b], *nr; r; r = nr) {
			nr = r->next;
			if (glob_match(x->name, x->len, r->name, r->len) &&
			    route_add(r, x) != 0)
				route_free(r);	/* made again when needed */
		}
}

static void
routes_del_pattern(struct sub *x)
{
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct route *r = H.routes[b]; r; r = r->next)
			for (unsigned i = 0; i < r->npats; i++)
				if (r->pats[i] == x) {
					r->pats[i] = r->pats[--r->npats];
					break;
				}
}

/* --- subscriptions --- */

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
	x->prefixed = !pattern && prefixed(s, n);
	x->st = S_IDLE;
	b = hash(s, n, pattern);
	x->hnext = H.tab[b];
	H.tab[b] = x;
	H.nsubs++;
	if (pattern) {
		x->pnext = H.pats;
		H.pats = x;
		H.npats++;
		routes_add_pattern(x);
	}
	return x;
}

static void
sub_free(struct sub *x)
{
	struct sub **pp = &H.tab[hash(x->name, x->len, x->pattern)];

	while (*pp != x)
		pp = &(*pp)->hnext;
	*pp = x->hnext;
	if (x->pattern) {
		for (pp = &H.pats; *pp != x; pp = &(*pp)->pnext)
			;
		*pp = x->pnext;
		H.npats--;
		routes_del_pattern(x);
	}
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

/* Sends one (P)(UN)SUBSCRIBE on sub; 0 if sent. */
static int
sub_send(const char *name, size_t len, int pattern, int subscribe)
{
	const char *cmd = subscribe ? (pattern ? "PSUBSCRIBE" : "SUBSCRIBE") :
	    (pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE");

	if (!H.sub.connected)
		return -1;	/* everything is subscribed again on reconnect */
	return redisAsyncCommand(H.sub.ac, sub_reply_cb, NULL, "%s %b", cmd,
	    name, len) == REDIS_OK ? 0 : -1;
}

/* Is the cover wanted, and has its PSUBSCRIBE been sent last? */
static int
cover_held(void)
{
	return H.npats > 0 && (H.cover_st == S_SUBSCRIBING ||
	    H.cover_st == S_ACTIVE);
}

/* Does exact channel x need its own SUBSCRIBE? */
static int
sub_wanted(const struct sub *x)
{
	return x->nmembers > 0 && !(x->prefixed && cover_held());
}

/*
 * sub_update: moves x towards what it should be: subscribed, not, or
 * freed once idle and memberless (patterns at once: Redis never sees
 * them).  Nothing is sent while a command for x is in flight; its ack
 * calls this again.
 */
static void
sub_update(struct sub *x)
{
	if (x->pattern) {
		if (x->nmembers == 0) {
			sub_free(x);
			if (H.npats == 0)
				cover_update();
		}
		return;
	}
	if (sub_wanted(x)) {
		if (x->st == S_IDLE && sub_send(x->name, x->len, 0, 1) == 0)
			x->st = S_SUBSCRIBING;
	} else if (x->st == S_ACTIVE) {
		if (sub_send(x->name, x->len, 0, 0) == 0)
			x->st = S_UNSUBSCRIBING;
	} else if (x->st == S_IDLE && x->nmembers == 0) {
		sub_free(x);
	}
}

/*
 * subs_update: sub_update for every exact channel (prefixed only: those
 * the cover can carry).  Returns 1 if each one with members has its
 * SUBSCRIBE sent or confirmed, so the cover may go.
 */
static int
subs_update(int prefixed_only)
{
	int ready = 1;

	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = H.tab[b], *nx; x; x = nx) {
			nx = x->hnext;
			if (x->pattern || (prefixed_only && !x->prefixed))
				continue;
			sub_update(x);	/* may free x */
		}
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = H.tab[b]; x; x = x->hnext)
			if (!x->pattern && x->prefixed && x->nmembers > 0 &&
			    x->st != S_SUBSCRIBING && x->st != S_ACTIVE)
				ready = 0;
	return ready;
}

/*
 * cover_update: PSUBSCRIBE PREFIX.* when the first pattern comes, then
 * the channels it carries are UNSUBSCRIBEd; when the last one goes, they
 * are SUBSCRIBEd again first, then the cover goes.
 */
static void
cover_update(void)
{
	if (H.npats > 0) {
		if (H.cover_st == S_IDLE && prefix_init() == 0 &&
		    sub_send(H.cover, H.cover_len, 1, 1) == 0) {
			H.cover_st = S_SUBSCRIBING;
			subs_update(1);
		}
		return;
	}
	if (H.cover_st == S_ACTIVE && subs_update(1) &&
	    sub_send(H.cover, H.cover_len, 1, 0) == 0)
		H.cover_st = S_UNSUBSCRIBING;
}

/* Has m's subscription taken effect (its messages reach wsgate)? */
static int
member_live(const struct member *m)
{
	const struct sub *x = m->s;

	if (x->pattern)
		return H.cover_st == S_ACTIVE;
	return x->st == S_ACTIVE || (x->prefixed && H.cover_st == S_ACTIVE);
}

/* Starts the waiting members of x whose subscription took effect. */
static void
members_start(struct sub *x)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next)
		if (m->waiting && member_live(m))
			member_start(m);
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
	b->sync = BOOK_LIVE;
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

static void
held_free(struct book *b)
{
	for (size_t i = 0; i < b->nheld; i++)
		frame_unref(b->held[i]);
	free(b->held);
	b->held = NULL;
	b->nheld = b->capheld = 0;
	b->held_bytes = 0;
}

/* Takes b out of c's sync: off the queue, its read (if any) ignored. */
static void
book_unsync(struct client *c, struct book *b)
{
	if (b->sync == BOOK_QUEUED) {
		struct book **pp = &c->sq_head;

		while (*pp != b)
			pp = &(*pp)->qnext;
		*pp = b->qnext;
		if (c->sq_tail == b) {
			c->sq_tail = NULL;
			for (struct book *x = c->sq_head; x; x = x->qnext)
				c->sq_tail = x;
		}
		b->qnext = NULL;
	}
	if (c->reading == b)
		c->reading = NULL;	/* the reply is dropped */
	held_free(b);
	b->sync = BOOK_LIVE;
}

/*
 * book_invalid: c's book b is no longer known to be exact.  If c had a
 * snapshot it is told so ({"type":"book_invalid"}, tickpipe(7)); deltas
 * are held back until the next snapshot.
 */
static void
book_invalid(struct client *c, struct book *b, const char *why)
{
	if (b->have_snap && c->st == C_WS && !c->doom_code)
		client_send_json(c, json_pack("{s:s,s:o,s:s}", "type",
		    "book_invalid", "channel", json_stringn(b->name, b->len),
		    "reason", why));
	b->have_snap = 0;
	b->last_seq = -1;
}

/* Does one of c's subscriptions still cover book channel s? */
static int
book_covered(struct client *c, const char *s, size_t n)
{
	for (struct member *m = c->members; m != NULL; m = m->c_next) {
		struct sub *x = m->s;

		if (x == NULL)
			continue;
		if (x->pattern ? prefixed(s, n) &&
		    glob_match(x->name, x->len, s, n) :
		    x->len == n && memcmp(x->name, s, n) == 0)
			return 1;
	}
	return 0;
}

static void
book_free(struct client *c, struct book *b)
{
	book_unsync(c, b);
	free(b);
	c->nbooks--;
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
			book_free(c, b);
		}
}

static void
books_free(struct client *c)
{
	for (size_t i = 0; i < c->nbooks_cap; i++)
		for (struct book *b = c->books[i], *nb; b; b = nb) {
			nb = b->next;
			book_free(c, b);
		}
	free(c->books);
	c->books = NULL;
	c->nbooks = c->nbooks_cap = 0;
}

/*
 * book_send: sends book frame f to client c if it moves c's book b on:
 * a snapshot with a new seq (an older one only live: the ring was
 * recreated; replay means it comes from the keys or the held frames),
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

/* The end of b's read: its held frames go out, live ones pass from now. */
static void
book_live(struct client *c, struct book *b)
{
	b->sync = BOOK_LIVE;
	for (size_t i = 0; i < b->nheld; i++)
		book_send(c, b, b->held[i], 1);
	held_free(b);
}

/*
 * book_hold: keeps a live frame of b while b's keys are read.  If that
 * takes so long that more than --output-cap is held, the read is given
 * up: b waits for its next live snapshot instead.
 */
static void
book_hold(struct client *c, struct book *b, struct frame *f)
{
	if (b->nheld == b->capheld) {
		size_t ncap = b->capheld ? b->capheld * 2 : 16;
		struct frame **v = realloc(b->held, ncap * sizeof(*v));

		if (v == NULL) {
			book_unsync(c, b);
			return;
		}
		b->held = v;
		b->capheld = ncap;
	}
	f->refs++;
	b->held[b->nheld++] = f;
	b->held_bytes += f->len;
	if (b->held_bytes > G.conf.output_cap)
		book_unsync(c, b);
}

/* Queues book channel s of c for a read unless it has a snapshot. */
static void
book_want(struct client *c, const char *s, size_t n)
{
	struct book *b = book_get(c, s, n);

	if (b == NULL) {
		client_doom(c, 1011, "out of memory", 1);
		return;
	}
	if (b->have_snap || b->sync != BOOK_LIVE)
		return;
	b->sync = BOOK_QUEUED;
	b->qnext = NULL;
	if (c->sq_tail != NULL)
		c->sq_tail->qnext = b;
	else
		c->sq_head = b;
	c->sq_tail = b;
}

/* --- members --- */

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
	if (!pattern && strcmp(name, KEEP_CHANNEL) == 0) {
		snprintf(msg, msglen, "reserved channel");
		return -1;
	}
	if (c->nsubs >= G.conf.max_subs) {
		G.st.sub_limit_refused++;
		snprintf(msg, msglen, "too many subscriptions (at most %llu "
		    "per client)", (unsigned long long)G.conf.max_subs);
		return -1;
	}
	if (prefix_init() != 0 || (m = calloc(1, sizeof(*m))) == NULL ||
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
	if (x->book || x->pattern)
		G.st.late_joins++;
	if (x->pattern)
		cover_update();
	else
		sub_update(x);
	if (member_live(m))
		member_start(m);
	else
		m->waiting = 1;
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
	if (m->listing)
		m->orphan = 1;
	else
		free(m);
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

/*
 * replay_keys: sends c the snapshot and deltas (the EXEC replies) of its
 * book b, as history frames.  Nothing if there is no snapshot, or more
 * than SYNC_LINES deltas or SYNC_BYTES bytes: b then waits for the next
 * live snapshot.
 */
static void
replay_keys(struct client *c, struct book *b, redisReply *snap,
    redisReply *deltas)
{
	size_t bytes;

	if (snap->type != REDIS_REPLY_STRING ||
	    deltas->type != REDIS_REPLY_ARRAY)
		return;
	bytes = snap->len;
	for (size_t i = 0; i < deltas->elements; i++)
		if (deltas->element[i]->type == REDIS_REPLY_STRING)
			bytes += deltas->element[i]->len;
	if (deltas->elements > SYNC_LINES || bytes > SYNC_BYTES) {
		if (G.conf.verbose)
			fprintf(stderr, "wsgate: %s: %zu deltas, %zu bytes: too "
			    "many to replay, waiting for a snapshot\n",
			    b->name, deltas->elements, bytes);
		return;
	}
	for (size_t i = 0; i <= deltas->elements; i++) {
		redisReply *e = i == 0 ? snap : deltas->element[i - 1];
		struct frame *f;

		if (e->type != REDIS_REPLY_STRING)
			continue;
		if ((f = frame_text(e->str, e->len)) == NULL) {
			book_invalid(c, b, "out of memory");
			return;
		}
		f->hist = 1;
		frame_parse_book(f);
		if (f->kind == (i == 0 ? FRAME_SNAPSHOT : FRAME_DELTA))
			book_send(c, b, f, 1);
		frame_unref(f);
	}
}

/* read_cb: the EXEC of GET C.snapshot; LRANGE C.deltas for c->reading. */
static void
read_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct client *c = priv;
	struct book *b = c->reading;

	(void)ac;
	c->read_inflight = 0;
	c->reading = NULL;
	if (b != NULL) {
		if (r != NULL && (r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2)) {
			G.st.redis_errors++;
			client_error(c, "%s: cannot read the book: %s", b->name,
			    r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
		} else if (r != NULL) {
			replay_keys(c, b, r->element[0], r->element[1]);
		}
		book_live(c, b);
	}
	hub_sync_kick(c);
	client_unref(c);
}

/* Sends MULTI; GET C.snapshot; LRANGE C.deltas; EXEC.  0 if sent. */
static int
read_send(struct client *c, struct book *b)
{
	redisAsyncContext *ac = H.cmd.ac;

	if (!H.cmd.connected ||
	    redisAsyncCommand(ac, NULL, NULL, "MULTI") != REDIS_OK ||
	    redisAsyncCommand(ac, NULL, NULL, "GET %b.snapshot", b->name,
	    b->len) != REDIS_OK ||
	    redisAsyncCommand(ac, NULL, NULL, "LRANGE %b.deltas 0 %d",
	    b->name, b->len, SYNC_LINES) != REDIS_OK ||
	    redisAsyncCommand(ac, read_cb, c, "EXEC") != REDIS_OK)
		return -1;
	return 0;
}

/*
 * hub_sync_kick: reads c's next queued book, if none is being read and
 * the history queued to c is below a quarter of --output-cap (the pace).
 * A book that cannot be read (cmd down) waits for its next snapshot.
 */
void
hub_sync_kick(struct client *c)
{
	struct book *b;

	while (!c->read_inflight && (b = c->sq_head) != NULL &&
	    c->st == C_WS && c->q.hist < G.conf.output_cap / 4) {
		c->sq_head = b->qnext;
		if (c->sq_head == NULL)
			c->sq_tail = NULL;
		b->qnext = NULL;
		if (read_send(c, b) != 0) {
			b->sync = BOOK_LIVE;
			continue;
		}
		b->sync = BOOK_READING;
		c->reading = b;
		c->read_inflight = 1;
		c->refs++;
	}
}

/*
 * list_cb: SMEMBERS PREFIX.channels for a pattern member: the book
 * channels it matches are queued for a read.
 */
static void
list_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct member *m = priv;
	struct client *c = m->c;

	(void)ac;
	m->listing = 0;
	if (m->orphan) {
		free(m);
	} else if (m->again) {
		m->again = 0;	/* Redis came back meanwhile: list again */
		member_start(m);
	} else if (!m->waiting && c->st == C_WS && r != NULL) {
		if (r->type != REDIS_REPLY_ARRAY) {
			G.st.redis_errors++;
			client_error(c, "%s: cannot list the channels: %s",
			    m->s->name, r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
		} else {
			for (size_t i = 0; i < r->elements; i++) {
				redisReply *e = r->element[i];

				if (e->type == REDIS_REPLY_STRING &&
				    is_book_channel(e->str, e->len) &&
				    memchr(e->str, 0, e->len) == NULL &&
				    prefixed(e->str, e->len) &&
				    glob_match(m->s->name, m->s->len, e->str,
				    e->len))
					book_want(c, e->str, e->len);
			}
			hub_sync_kick(c);
		}
	}
	client_unref(c);
}

/*
 * member_start: m's subscription is in effect, so every message from
 * now on reaches its client: queue the books it covers for a read (a
 * pattern lists PREFIX.channels first).  Without cmd, its books wait for
 * their next live snapshot.
 */
static void
member_start(struct member *m)
{
	m->waiting = 0;
	if (!m->s->pattern) {
		if (m->s->book) {
			book_want(m->c, m->s->name, m->s->len);
			hub_sync_kick(m->c);
		}
		return;
	}
	if (m->listing) {
		m->again = 1;
		return;
	}
	if (!H.cmd.connected || redisAsyncCommand(H.cmd.ac, list_cb, m,
	    "SMEMBERS %s.channels", G.conf.prefix) != REDIS_OK)
		return;
	m->listing = 1;
	m->c->refs++;
}

/*
 * books_invalidate: the subscriber connection is lost, so every book of
 * every client may miss messages: each is declared invalid and reset,
 * and every member waits for its subscription to be made again.
 */
static void
books_invalidate(const char *why)
{
	for (struct client *c = G.clients; c != NULL; c = c->next)
		for (size_t i = 0; i < c->nbooks_cap; i++)
			for (struct book *b = c->books[i]; b; b = b->next) {
				book_unsync(c, b);
				book_invalid(c, b, why);
			}
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = H.tab[b]; x; x = x->hnext)
			for (struct member *m = x->members; m; m = m->s_next)
				m->waiting = 1;
}

/* --- channels op --- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

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
 * deliver: f, a message on channel chan, to each member of x whose
 * client has not had it yet.  A book frame goes through the client's seq
 * filter for that channel, is held while the book is read, or dropped
 * while its read is queued (the read covers it); a message on a book
 * channel that is neither snapshot nor delta just goes.
 */
static void
deliver(struct sub *x, struct frame *f, const char *chan, size_t clen,
    int book)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct client *c = m->c;
		struct book *b;

		if (c->last_msg_id == f->id)
			continue;
		c->last_msg_id = f->id;
		if (!book || f->kind == FRAME_OTHER) {
			client_deliver(c, f);
			continue;
		}
		if (c->st != C_WS) {
			G.st.dropped++;
			continue;
		}
		if ((b = book_get(c, chan, clen)) == NULL) {
			G.st.dropped++;
			client_doom(c, 1011, "out of memory", 1);
			continue;
		}
		if (b->sync == BOOK_READING)
			book_hold(c, b, f);
		else if (b->sync == BOOK_LIVE)
			book_send(c, b, f, 0);
	}
}

/*
 * on_message: one copy of a published message, through its channel's
 * SUBSCRIBE or the cover.  A cover copy of a channel whose SUBSCRIBE is
 * in effect is the second copy of one message: skipped.
 */
static void
on_message(const char *chan, size_t clen, int cover, const char *payload,
    size_t len)
{
	struct sub *x = sub_find(chan, clen, 0);
	struct route *r = NULL;
	int book, scan = 0;
	struct frame *f;

	G.st.redis_msgs++;
	G.st.redis_bytes += len;
	if (cover && x != NULL && in_effect(x->st))
		return;
	if (H.npats > 0 && prefixed(chan, clen) &&
	    (r = route_get(chan, clen)) == NULL)
		scan = 1;	/* out of memory: match every pattern */
	if ((x == NULL || x->nmembers == 0) && (r == NULL || r->npats == 0) &&
	    !scan)
		return;
	if ((f = frame_text(payload, len)) == NULL) {
		G.st.dropped++;
		return;
	}
	book = is_book_channel(chan, clen) && memchr(chan, 0, clen) == NULL;
	if (book)
		frame_parse_book(f);
	if (x != NULL)
		deliver(x, f, chan, clen, book);
	for (unsigned i = 0; r != NULL && i < r->npats; i++)
		deliver(r->pats[i], f, chan, clen, book);
	for (struct sub *p = scan ? H.pats : NULL; p != NULL; p = p->pnext)
		if (glob_match(p->name, p->len, chan, clen))
			deliver(p, f, chan, clen, book);
	frame_unref(f);
}

static void
on_sub_ack(const char *kind, const char *name, size_t n)
{
	int pattern = kind[0] == 'p';
	int unsub = strcasecmp(kind + pattern, "unsubscribe") == 0;
	struct sub *x;

	if (pattern) {
		if (H.cover == NULL || n != H.cover_len ||
		    memcmp(name, H.cover, n) != 0)
			return;
		H.cover_st = unsub ? S_IDLE : S_ACTIVE;
		if (!unsub)
			for (unsigned b = 0; b < HUB_BUCKETS; b++)
				for (x = H.tab[b]; x; x = x->hnext)
					if (x->pattern || x->prefixed)
						members_start(x);
		cover_update();
		return;
	}
	if ((x = sub_find(name, n, 0)) == NULL)
		return;
	x->st = unsub ? S_IDLE : S_ACTIVE;
	if (!unsub)
		members_start(x);
	sub_update(x);
	if (H.npats == 0 && H.cover_st == S_ACTIVE)
		cover_update();	/* waiting for the channels to come back */
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
		on_message(e[1]->str, e[1]->len, 0, e[2]->str, e[2]->len);
	else if (strcmp(e[0]->str, "pmessage") == 0 && r->elements == 4 &&
	    e[2]->type == REDIS_REPLY_STRING &&
	    e[3]->type == REDIS_REPLY_STRING)
		on_message(e[2]->str, e[2]->len, 1, e[3]->str, e[3]->len);
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
		H.cover_st = S_IDLE;
		if (H.up) {
			H.up = 0;
			if (!H.closing)
				gateway_status("redis_down", why);
		}
		if (!H.closing)
			books_invalidate("redis connection lost");
	} else {
		/* queued books cannot be read now: they wait for snapshots */
		for (struct client *c = G.clients; c != NULL; c = c->next)
			hub_sync_kick(c);
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
		cover_update();
		subs_update(0);
		H.up = 1;
		if (G.st.redis_reconnects > 0)
			gateway_status("redis_up", "reconnected");
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
