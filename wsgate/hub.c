/*
 * hub.c: wsgate's Redis side.  Two connections on the libevent loop (a
 * Redis Cluster: see Cluster below): "sub" carries the subscriptions and
 * the messages; "cmd" runs the late-joiner reads (MULTI; GET
 * C.snapshot; GETRANGE C.deltas; EXEC) and SMEMBERS PREFIX.channels.
 * Both are plain non-blocking redisContexts on the loop (evredis.c),
 * with one connect, lookup, liveness and reply bound.  Every reply on
 * sub is classified here, as shard.c does per node: hiredis 0.14's
 * async API takes an error reply to a SUBSCRIBE in subscribed mode for
 * a protocol error and disconnects, so one channel Redis refuses would
 * cut every client off, again at each reconnection.  Each command on
 * cmd is sent with the callback its answer goes to (evr_call), which
 * gets NULL if the connection goes first.
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
 * effect is skipped.  The channels the cover replaces are UNSUBSCRIBEd
 * only once Redis has confirmed it (so that a cover Redis refuses costs
 * them nothing), and, commands on one connection taking effect in
 * order, they are SUBSCRIBEd again before it goes: nothing is missed in
 * between.
 * A state machine per name (S_IDLE, S_SUBSCRIBING, S_ACTIVE,
 * S_UNSUBSCRIBING) never sends a second command for a name while one is
 * in flight.  Each command names one channel or pattern, so it has
 * exactly one answer, its confirmation or an error, paired with it by
 * the order of the commands in flight (struct evr_pend).  The sub
 * connection also holds one private subscription (KEEP_CHANNEL) for its
 * whole life, so that Redis lists it among its pubsub clients even with
 * no channel (tickpipe(8) status finds the gateways so).
 *
 * Refusals.  An error answer to a SUBSCRIBE (or SSUBSCRIBE) is Redis
 * refusing that name, as -NOPERM for a channel the ACL user may not
 * use, unless it is one that passes (refusal()): then it is sent again
 * later.  Each client member of a refused channel gets an error frame
 * naming it with Redis's reason and loses it (its "subscribed" answer
 * then comes without it); nothing is asked again until a client
 * subscribes to it again.  A refused cover costs every client pattern
 * the same way; the exact channels keep their own SUBSCRIBEs.  Nothing
 * else is touched: no redis_down.
 *
 * Answers.  A client's subscribe is answered ({"type":"subscribed"},
 * hub_subscribed) only once each of its channels and patterns is in
 * effect, its member started (member_start) by the SUBSCRIBE, cover or
 * SSUBSCRIBE ack, or at once when already in effect for another client:
 * whatever is published after the client has the answer reaches it
 * (wsgate(1) "Client protocol").  The answers wait in p's queue
 * (struct subreq), in the order of the requests, and go with the peer.
 *
 * Routing: each message is framed once (frame_text) and queued to every
 * client with a subscription on its channel or a pattern matching it,
 * once per client however many of its subscriptions match.  The patterns
 * matching a channel are cached per channel (struct route), so a message
 * costs a hash lookup or two; a pattern that comes or goes makes every
 * list stale, each matched again at its channel's next message (while
 * patterns keep changing, every message matches them all).
 * A message whose payload is not UTF-8, which a text frame must be,
 * goes to nobody, conflators included (not_utf8); nor does a line read
 * from the keys below that is not (replay_ok).
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
 * A latest-value channel (…quote, …topN-Tms, …bar-I, all.SYMBOL.xbest)
 * is synced the same way from its one key, C.last: the line is sent
 * first, then live lines whose seq is greater (FRAME_LATEST).
 *
 * Conflation.  A subscription with max_hz makes its member conflated: the messages of its channel go, once, to the
 * conflator of that channel and rate (conflate.c), kept in the sub (one
 * per rate in use, shared by every member at that rate) instead of to
 * the client.  The conflator frames once per tick and the hub sends the
 * frame to each member at its rate (emit_cb); a member that joined gets
 * the conflator's join frame instead (its book as a snapshot, or its
 * latest line).  A book or latest-value conflator starts by reading its
 * keys on cmd, as a late joiner does, holding live lines meanwhile.  A
 * client that falls behind (hub_peer_behind, from client.c) has its
 * unconflated book channels moved to conflation at --slow-client-hz.
 * A pattern with max_hz (or whose book channels were moved so) brings
 * each channel it matches through an implied member of that channel's
 * exact sub, made when the channel is listed or first seen
 * (implied_add): the same conflators serve it, and the message that
 * made it is no longer delivered through the pattern (the client has
 * had it: p->last_msg_id).
 *
 * Redis down: every client gets {"type":"gateway","status":"redis_down"}
 * and, for each book it had, {"type":"book_invalid","channel":C}: what is
 * published meanwhile never reaches wsgate.  A Redis that stops
 * answering is lost too: sub's connection and cmd's (evredis.c) are
 * closed when a reply is owed and nothing is read for --redis-timeout,
 * a PING sent when quiet.  Each connection retries with
 * exponential backoff (100 ms .. 5 s), from 100 ms again only after one
 * that stayed up 5 s (evr_retry_wait), as do the subscriptions refused
 * in passing and the slot map (good_since); when sub is back every
 * subscription is made again, clients get "redis_up", and their books
 * are synced again as above, or wait for the next snapshot.
 *
 * Losses: a gap line or a status "resync" or "disconnected" on a book
 * channel (redispub publishes it again there: FRAME_LOSS) makes each
 * client's book of it invalid as above, and its conflators' books too
 * (CFL_INVALID): the deltas after it wait for the next snapshot.
 *
 * Sentinel (a sentinel:// URL): before each attempt, sub asks the
 * Sentinels for a replica that is up: --replica if it is, else one other
 * than the one it just lost if there is another (else the primary); cmd takes the server sub found, so
 * that the late-joiner reads and the stream come from one server.  Losing
 * it is a Redis loss as above (status frames, books synced again).  The
 * Sentinels are asked on the loop (evsentinel.c), never with a blocking
 * call: Sentinels that do not answer cost the clients nothing.
 *
 * Cluster (a cluster:// URL, wsgate(1) "Cluster"): there is no sub and
 * no cmd.  shard.c holds a subscription connection per node and the
 * slot map; an exact channel's SUBSCRIBE becomes an SSUBSCRIBE on the
 * node its slot's owner, and the sub remembers that node (node), for
 * its SUNSUBSCRIBE and for answers from a node it has left, which are
 * ignored.  The late-joiner reads use a cmd per node (cmds, cmd_for) and
 * the {C} keys.  No cover, no patterns: hub_subscribe refuses them.  A
 * channel its node drops (a pushed sunsubscribe: the slot moved) or
 * loses with its connection is lost as Redis is above, for that channel
 * alone (sub_lost: redis_down naming it, books invalid, members
 * waiting); the map is read again on the loop (remap_cb; shard.c asks
 * the nodes without blocking, and sh_mapped goes on) and it is
 * subscribed where the map says, then redis_up and synced again.  Not
 * from its keys, though, when the node was lost: the slots it served are
 * distrusted (h->distrust) until a live message of a channel of the slot
 * has come: the new owner may be a replica promoted without the last
 * writes of its primary, and its keys stale until redispub deletes them,
 * which it does for every channel of the slot before it publishes
 * anything of the slot there (redispub(1) CLUSTER).  So books that were
 * lost wait for their next live snapshot, and a channel subscribed
 * meanwhile, by anyone, is not read from its keys either.  (A slot
 * moved is not distrusted: a migration moves its keys whole.)  A
 * wsgate that did not see the node go (started since, or its
 * subscription elsewhere) learns it from the keys: each read gets the
 * owner mark {C}.owner in its MULTI, which redispub sets to the ID of
 * the node it writes C's keys on and the run_id of that node's
 * redis-server process, and keys whose mark is not the ID the map
 * gives the node read, with the run_id INFO server gave first on the
 * same connection (run_id_cb), distrust the slot the same way
 * (owner_stale).  So keys a node back from a restart holds from before
 * it, older than what it acknowledged, are not read either: the mark
 * names the process gone.
 *
 * Clients.  The hub sees a client only as a struct hub_peer (its
 * subscriptions, books and sync) and reaches it only through the
 * callbacks given with it (struct hub_peer_cbs).  A peer is refcounted:
 * a Redis reply still to come holds a reference, so a client may go
 * (hub_peer_drop) while its read is in flight; the reply then finds the
 * peer dropped and does nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "backoff.h"
#include "cluster.h"
#include "conflate.h"
#include "evname.h"
#include "evredis.h"
#include "evsentinel.h"
#include "glob.h"
#include "hash.h"
#include "hub.h"
#include "ratelog.h"
#include "sentinel.h"
#include "shard.h"
#include "util.h"

#define HUB_BUCKETS	4096
#define ROUTE_MAX	65536		/* channels whose patterns are cached */
#define IMPLIED_MAX	4096		/* channels a client's patterns conflate */
#define SYNC_LINES	20000		/* deltas replayed per book, at most */
#define SYNC_BYTES	(8u << 20)	/* bytes replayed per book, at most */
#define KEEP_CHANNEL	"__wsgate.keepalive"
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
#define REFUSED_LOG_MAX	5		/* refusals logged every ... */
#define REFUSED_LOG_NS	(10 * 1000000000LL)
#define UTF8_LOG_MAX	5		/* payloads not UTF-8 logged every ... */
#define UTF8_LOG_NS	(10 * 1000000000LL)
#define CHAN_LOG_MAX	128		/* bytes of a channel name logged */

struct rconn {
	struct hub		*h;
	const char		*name;
	struct evr		*ev;	/* its connection (evredis.c) */
	int			 connected;	/* up (rconn_up) */
	int			 ever;		/* connected once */
	int64_t			 up_at;		/* mono_ns when up, or 0 */
	struct backoff		 backoff;
	struct event		*retry;
	struct redisurl		 at;	/* sentinel://: the server found */
	struct evs		*ask;	/* sentinel://: the Sentinels asked */
	int			 fixed;	/* cluster://: at is a node's */
	char			 lost[264];	/* host:port last lost */
	char			 run_id[41];	/* fixed: at's; "": unknown */
};

/* The patterns (subs) that match one channel under PREFIX. */
struct route {
	struct route	*next;		/* hash chain */
	struct sub	**pats;		/* as of pat_gen gen (route_get) */
	unsigned	 npats, cap;
	uint64_t	 gen;
	size_t		 len;
	char		 name[];
};

enum sub_state { S_IDLE, S_SUBSCRIBING, S_ACTIVE, S_UNSUBSCRIBING };

/* The commands in flight on sub (evr_pend's kind). */
enum sub_cmd { K_AUTH, K_UNSUB, K_SUB, K_PUNSUB, K_PSUB, K_KEEP };

/* A conflator of an exact channel, and how many members use it. */
struct cfslot {
	struct cfl	*c;
	unsigned	 n;
};

/*
 * A channel or pattern clients subscribe to, shared by all of them.  An
 * exact channel has a Redis SUBSCRIBE (st) unless the cover pattern
 * carries it; a pattern is matched in wsgate, never sent to Redis.
 */
struct sub {
	char		*name;
	size_t		 len;
	int		 pattern;
	int		 book;		/* exact channel ending in ".book" */
	int		 latest;	/* exact latest-value channel (C.last) */
	int		 prefixed;	/* exact channel under PREFIX. */
	enum sub_state	 st;
	int		 node;		/* cluster: where st is, or -1 */
	uint16_t	 slot;		/* cluster: the slot of name */
	int		 gone;		/* cluster: lost, clients told */
	int		 refused;	/* by Redis: members being dropped */
	struct member	*members;
	unsigned	 nmembers;
	unsigned	 nconf;		/* of them, conflated */
	unsigned	 nphz;		/* pattern: members with phz or book_hz */
	struct cfslot	*cfv;		/* one per rate in use */
	unsigned	 ncfv;
	struct sub	*hnext;
	struct sub	*pnext;		/* pattern: in the list of patterns */
};

/*
 * One client's interest in one subscription.  Once the subscription is
 * in effect (member_start) the books it covers are queued for a read; a
 * pattern first lists PREFIX.channels for them.
 */
struct member {
	struct hub_peer	*p;
	struct sub	*s;
	struct member	*s_prev, *s_next;	/* in s->members */
	struct member	*c_next;		/* in p->members */
	int		 waiting;	/* for the subscription to take effect */
	int		 listing;	/* SMEMBERS in flight (holds a ref on p) */
	int		 orphan;	/* detached while listing: freed by the cb */
	int		 again;		/* list again once the reply is in */
	struct cfl	*cf;		/* conflated at its rate, or NULL */
	int		 need_join;	/* its client waits for a join frame */
	int		 has_book;	/* its client has the conflated book */
	int		 implied;	/* made for a pattern's conflated channel */
	unsigned	 phz;		/* pattern: max_hz of all its channels */
	unsigned	 book_hz;	/* pattern: its book channels' (slow) */
};

/*
 * A client's book on one book channel, as far as wsgate has sent it: the
 * seq filter shared by every subscription of that client that covers the
 * channel (an exact one and patterns), so each book message reaches it
 * once and in seq order, and its late-joiner sync: queued for a read of
 * its keys (live frames dropped: the read covers them), being read (live
 * frames held), or live; a live snapshot ends the first two.  Kept while
 * some subscription covers it.
 */
enum book_sync { BOOK_LIVE, BOOK_QUEUED, BOOK_READING };

struct book {
	struct book	*next;		/* hash chain in p->books */
	struct book	*qnext;		/* in p's sync queue */
	int		 have_snap;
	int		 latest;	/* a latest-value channel: C.last */
	int64_t		 last_seq;
	enum book_sync	 sync;
	struct frame	**held;		/* live frames held while reading */
	size_t		 nheld, capheld, held_bytes;
	size_t		 held_big;	/* the largest one held */
	size_t		 len;
	char		 name[];
};

/*
 * A subscribe request of a client waiting for its answer
 * ({"type":"subscribed"}): the channels and patterns it took, answered
 * once each of them is in effect (its member no longer waiting).
 */
struct subreq {
	struct subreq	*next;
	json_t		*chans;		/* array of the names, owned */
};

/* A client, as the hub sees it. */
struct hub_peer {
	struct hub		*h;
	const struct hub_peer_cbs *cbs;
	void			*arg;	/* the client; NULL once dropped */
	unsigned		 refs;
	struct hub_peer		*prev, *next;	/* in h->peers */
	struct member		*members;
	unsigned		 nsubs;
	struct book		**books;	/* hash, nbooks_cap slots */
	size_t			 nbooks, nbooks_cap;
	struct book		*sq_head, *sq_tail;	/* queued for a read */
	struct book		*reading;	/* being read, if wanted */
	int			 read_inflight;	/* holds a ref on p */
	uint64_t		 last_msg_id;
	struct subreq		*rq_head, *rq_tail;	/* to answer, in order */
	unsigned		 nrq;
	unsigned		 nimplied;	/* its implied members */
};

struct hub {
	struct event_base	*base;
	struct evname_res	*dns;	/* names looked up (evname.h) */
	const struct wsgate_conf *conf;
	struct wsgate_stats	*st;
	void			(*connected)(void *);
	void			*arg;
	struct rconn	 sub, cmd;
	struct event	*resub;		/* a passing refusal: sent again */
	struct backoff	 resub_bo;
	int64_t		 resub_good;	/* mono_ns since answered, or 0 */
	struct ratelog	 refused_log;	/* a client may ask again and again */
	struct ratelog	 utf8_log;	/* payloads not UTF-8, dropped */
	int		 up;		/* sub connected: data flows */
	struct sub	*tab[HUB_BUCKETS];
	unsigned	 nsubs;
	struct sub	*pats;		/* the pattern subs, by pnext */
	unsigned	 npats;
	struct route	*routes[HUB_BUCKETS];
	unsigned	 nroutes;
	uint64_t	 pat_gen;	/* bumped by each pattern added or gone */
	char		*pfx;		/* "PREFIX." */
	size_t		 pfx_len;
	char		*cover;		/* "PREFIX.*", glob-escaped */
	size_t		 cover_len;
	enum sub_state	 cover_st;
	struct hub_peer	*peers;
	uint64_t	 msg_ids;	/* the last message's frame id */
	int		 closing;
	/* cluster:// (wsgate(1) CLUSTER): shard.c, and a cmd per node */
	struct shard	*sh;
	struct rconn	*cmds[CLUSTER_NODES_MAX];
	struct event	*remap;		/* map read again, subs sent again */
	uint8_t		*distrust;	/* per slot: keys unread (Cluster) */
	int		 need_fetch;
	struct backoff	 remap_bo;
	int64_t		 remap_good;	/* mono_ns since read, answered */
};

static void rconn_start(struct rconn *);
static void rconn_connect(struct rconn *);
static void cover_update(struct hub *);
static void member_start(struct member *);
static void sync_kick(struct hub_peer *);
static void cfl_start(struct hub *, struct cfl *);
static void peer_notice(struct hub_peer *, json_t *);
static void member_unconflate(struct member *);
static void member_remove(struct hub_peer *, struct member *);
static int member_conflate(struct member *, unsigned);
static int member_live(struct hub *, const struct member *);
static void implied_drop(struct hub_peer *);
static int sub_send(struct hub *, const char *, size_t, int, int);
static void subreqs_answer(struct hub_peer *);
static int replay_ok(struct hub *, const char *, size_t, const char *,
    const char *, size_t);

/*
 * good_since, retry_wait: resub_bo and remap_bo start again from 100 ms
 * as a connection's backoff does (evr_retry_wait): only when what they
 * retry has stayed good (*good, since the first success after the last
 * failure) for their cap, 5 s.  Reset by each success, one answer
 * between two refusals (an SSUBSCRIBE taken, then the channel lost and
 * refused again; the slot map read, then the node refusing) had the
 * retry made every 100 ms for ever (wsgate(1)).
 */
static void
good_since(int64_t *good)
{
	if (*good == 0)
		*good = mono_ns();
}

static int64_t
retry_wait(struct backoff *b, int64_t *good)
{
	int64_t ms = evr_retry_wait(b, *good, mono_ns());

	*good = 0;
	return ms;
}

/* --- table --- */

static unsigned
hash(const char *s, size_t n, int pattern)
{
	return fnv1a32(FNV1A32_INIT ^ (uint32_t)pattern, s, n) % HUB_BUCKETS;
}

/* Makes "PREFIX." and the cover pattern once; 0, or -1 out of memory. */
static int
prefix_init(struct hub *h)
{
	const char *p = h->conf->prefix;
	size_t n = strlen(p), k = 0;

	if (h->pfx != NULL)
		return 0;
	if ((h->pfx = malloc(n + 2)) == NULL ||
	    (h->cover = malloc(2 * n + 3)) == NULL) {
		free(h->pfx);
		h->pfx = NULL;
		return -1;
	}
	memcpy(h->pfx, p, n);
	memcpy(h->pfx + n, ".", 2);
	h->pfx_len = n + 1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == ']')	/* --prefix has no *?[ */
			h->cover[k++] = '\\';
		h->cover[k++] = p[i];
	}
	memcpy(h->cover + k, ".*", 3);
	h->cover_len = k + 2;
	return 0;
}

/* Is s a channel under PREFIX (one the cover carries)? */
static int
prefixed(struct hub *h, const char *s, size_t n)
{
	return h->pfx != NULL && n > h->pfx_len &&
	    memcmp(s, h->pfx, h->pfx_len) == 0;
}

static int
in_effect(enum sub_state st)
{
	return st == S_ACTIVE || st == S_UNSUBSCRIBING;
}

static struct sub *
sub_find(struct hub *h, const char *s, size_t n, int pattern)
{
	for (struct sub *x = h->tab[hash(s, n, pattern)]; x; x = x->hnext)
		if (x->pattern == pattern && x->len == n &&
		    memcmp(x->name, s, n) == 0)
			return x;
	return NULL;
}

/* --- routes: the patterns matching each channel --- */

static struct route *
route_find(struct hub *h, const char *s, size_t n)
{
	for (struct route *r = h->routes[hash(s, n, 2)]; r; r = r->next)
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
route_free(struct hub *h, struct route *r)
{
	struct route **pp = &h->routes[hash(r->name, r->len, 2)];

	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
	free(r->pats);
	free(r);
	h->nroutes--;
}

static void
routes_flush(struct hub *h)
{
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		while (h->routes[b] != NULL)
			route_free(h, h->routes[b]);
}

/*
 * route_get: the route of channel s (under PREFIX), made if new, or
 * made again if a pattern came or went since (pat_gen), by matching
 * every pattern: a pattern subscribed or unsubscribed costs nothing
 * until a message comes, not a walk of every cached route (a client
 * subscribing and unsubscribing patterns in a loop would hold up every
 * other).  NULL if out of memory (the caller matches the patterns
 * itself).
 */
static struct route *
route_get(struct hub *h, const char *s, size_t n)
{
	struct route *r = route_find(h, s, n);
	unsigned b;

	if (r != NULL && r->gen == h->pat_gen)
		return r;
	if (r == NULL) {
		if (h->nroutes >= ROUTE_MAX)
			routes_flush(h);
		if ((r = calloc(1, sizeof(*r) + n + 1)) == NULL)
			return NULL;
		memcpy(r->name, s, n);
		r->len = n;
		b = hash(s, n, 2);
		r->next = h->routes[b];
		h->routes[b] = r;
		h->nroutes++;
	}
	r->npats = 0;
	r->gen = h->pat_gen;
	for (struct sub *x = h->pats; x != NULL; x = x->pnext)
		if (glob_match(x->name, x->len, s, n) && route_add(r, x) != 0) {
			route_free(h, r);
			return NULL;
		}
	return r;
}

/* --- subscriptions --- */

static struct sub *
sub_get(struct hub *h, const char *s, size_t n, int pattern)
{
	struct sub *x = sub_find(h, s, n, pattern);
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
	x->slot = (uint16_t)cluster_keyslot(s, n);	/* on_message's */
	x->pattern = pattern;
	x->book = !pattern && n > 5 && memcmp(s + n - 5, ".book", 5) == 0;
	x->latest = !pattern && cfl_latest_channel(s, n);
	x->prefixed = !pattern && prefixed(h, s, n);
	x->st = S_IDLE;
	x->node = -1;
	b = hash(s, n, pattern);
	x->hnext = h->tab[b];
	h->tab[b] = x;
	h->nsubs++;
	if (pattern) {
		x->pnext = h->pats;
		h->pats = x;
		h->npats++;
		h->pat_gen++;	/* the routes are made again (route_get) */
	}
	return x;
}

static void
sub_free(struct hub *h, struct sub *x)
{
	struct sub **pp = &h->tab[hash(x->name, x->len, x->pattern)];

	while (*pp != x)
		pp = &(*pp)->hnext;
	*pp = x->hnext;
	if (x->pattern) {
		for (pp = &h->pats; *pp != x; pp = &(*pp)->pnext)
			;
		*pp = x->pnext;
		h->npats--;
		h->pat_gen++;
	}
	for (unsigned i = 0; i < x->ncfv; i++)
		cfl_close(x->cfv[i].c);
	free(x->cfv);
	free(x->name);
	free(x);
	h->nsubs--;
}

/* hub_redis_nodes: the Redis servers wsgate uses: 1, or a cluster's nodes. */
unsigned
hub_redis_nodes(const struct hub *h)
{
	return h->sh != NULL ? (unsigned)shard_nnodes(h->sh) : 1;
}

unsigned
hub_nsubs(const struct hub *h)
{
	return h->nsubs;
}

/* hub_tick: from the periodic timer: the summaries of lines held back. */
void
hub_tick(struct hub *h, int64_t now)
{
	ratelog_tick(&h->refused_log, now);
	ratelog_tick(&h->utf8_log, now);
}

/* Cluster: is every node's subscription (and cmd, with cmds) up? */
static int
nodes_up(const struct hub *h, int cmds)
{
	int n = h->sh != NULL ? shard_nnodes(h->sh) : 0;

	for (int i = 0; i < n; i++)
		if (!shard_connected(h->sh, i) || (cmds && (h->cmds[i] ==
		    NULL || !h->cmds[i]->connected)))
			return 0;
	return n > 0;
}

int
hub_redis_up(const struct hub *h)
{
	if (h->conf->redis.is_cluster)
		return nodes_up(h, 0);
	return h->up;
}

int
hub_both_connected(const struct hub *h)
{
	if (h->conf->redis.is_cluster)
		return nodes_up(h, 1);
	return h->sub.connected && h->cmd.connected;
}

/*
 * cmd_for: the command connection for the keys of channel s: in a
 * cluster, the one to the node serving s's slot ({s}.snapshot hashes
 * to it), else the one cmd.  In a cluster, h->cmd is never connected.
 */
static struct rconn *
cmd_for(struct hub *h, const char *s, size_t n)
{
	int i;

	if (h->sh == NULL || (i = shard_owner(h->sh, s, n)) < 0 ||
	    h->cmds[i] == NULL)
		return &h->cmd;
	return h->cmds[i];
}

/* The command connection for PREFIX.channels. */
static struct rconn *
cmd_channels(struct hub *h)
{
	char key[512];
	int n;

	if (h->sh == NULL)
		return &h->cmd;
	n = snprintf(key, sizeof(key), "%s.channels", h->conf->prefix);
	if (n < 0 || (size_t)n >= sizeof(key))
		return &h->cmd;
	return cmd_for(h, key, (size_t)n);
}

/*
 * chan_send: SUBSCRIBE or UNSUBSCRIBE exact channel x; in a cluster,
 * SSUBSCRIBE on the node its slot's owner, SUNSUBSCRIBE where it was
 * subscribed (x->node).  0 if sent.
 */
static int
chan_send(struct hub *h, struct sub *x, int subscribe)
{
	int node;

	if (h->sh == NULL)
		return sub_send(h, x->name, x->len, 0, subscribe);
	node = subscribe ? shard_owner(h->sh, x->name, x->len) : x->node;
	if (shard_send(h->sh, node, x->name, x->len, subscribe) != 0)
		return -1;
	x->node = node;
	return 0;
}

/*
 * sub_backlog: the (P)(S)(UN)SUBSCRIBEs that Redis (on a cluster, the
 * node of channel s) has not answered, if HUB_INFLIGHT_MAX or more and
 * the oldest sent HUB_STALL_MS ago or more: Redis holds still, not
 * catching up after a reconnection; else 0.
 */
static size_t
sub_backlog(struct hub *h, const char *s, size_t n)
{
	int64_t oldest;
	size_t k = h->sh != NULL ? shard_inflight(h->sh, shard_owner(h->sh,
	    s, n), &oldest) : evr_inflight(h->sub.ev, &oldest);

	if (k < HUB_INFLIGHT_MAX || oldest == 0 ||
	    mono_ns() - oldest < (int64_t)HUB_STALL_MS * 1000000)
		return 0;
	return k;
}

/* Sends one (P)(UN)SUBSCRIBE on sub, one name; 0 if sent. */
static int
sub_send(struct hub *h, const char *name, size_t len, int pattern,
    int subscribe)
{
	static const char *const cmds[] = { "UNSUBSCRIBE", "SUBSCRIBE",
	    "PUNSUBSCRIBE", "PSUBSCRIBE" };
	int k = pattern * 2 + subscribe;

	if (!h->sub.connected)
		return -1;	/* everything is subscribed again on reconnect */
	return evr_command(h->sub.ev, K_UNSUB + k, name, len, "%s %b",
	    cmds[k], name, len);
}

/*
 * Is the cover wanted and confirmed?  Not before: the channels it
 * carries keep their SUBSCRIBEs until then, in case it is refused.
 */
static int
cover_held(struct hub *h)
{
	return h->npats > 0 && h->cover_st == S_ACTIVE;
}

/* Does exact channel x need its own SUBSCRIBE? */
static int
sub_wanted(struct hub *h, const struct sub *x)
{
	return x->nmembers > 0 && !(x->prefixed && cover_held(h));
}

/*
 * sub_update: moves x towards what it should be: subscribed, not, or
 * freed once idle and memberless (patterns at once: Redis never sees
 * them).  Nothing is sent while a command for x is in flight; its ack
 * calls this again.
 */
static void
sub_update(struct hub *h, struct sub *x)
{
	if (x->refused && x->nmembers > 0)
		return;		/* its members are being dropped */
	if (x->pattern) {
		if (x->nmembers == 0) {
			sub_free(h, x);
			if (h->npats == 0)
				cover_update(h);
		}
		return;
	}
	if (sub_wanted(h, x)) {
		if (x->st == S_IDLE && chan_send(h, x, 1) == 0)
			x->st = S_SUBSCRIBING;
	} else if (x->st == S_ACTIVE) {
		if (chan_send(h, x, 0) == 0)
			x->st = S_UNSUBSCRIBING;
	} else if (x->st == S_IDLE && x->nmembers == 0) {
		sub_free(h, x);
	}
}

/*
 * subs_update: sub_update for every exact channel (prefixed only: those
 * the cover can carry).  Returns 1 if each one with members has its
 * SUBSCRIBE sent or confirmed, so the cover may go.
 */
static int
subs_update(struct hub *h, int prefixed_only)
{
	int ready = 1;

	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = h->tab[b], *nx; x; x = nx) {
			nx = x->hnext;
			if (x->pattern || (prefixed_only && !x->prefixed))
				continue;
			sub_update(h, x);	/* may free x */
		}
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = h->tab[b]; x; x = x->hnext)
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
cover_update(struct hub *h)
{
	if (h->npats > 0) {
		if (h->cover_st == S_IDLE && prefix_init(h) == 0 &&
		    sub_send(h, h->cover, h->cover_len, 1, 1) == 0) {
			h->cover_st = S_SUBSCRIBING;
			subs_update(h, 1);
		}
		return;
	}
	if (h->cover_st == S_ACTIVE && subs_update(h, 1) &&
	    sub_send(h, h->cover, h->cover_len, 1, 0) == 0)
		h->cover_st = S_UNSUBSCRIBING;
}

/* Has m's subscription taken effect (its messages reach wsgate)? */
static int
member_live(struct hub *h, const struct member *m)
{
	const struct sub *x = m->s;

	if (x->pattern)
		return h->cover_st == S_ACTIVE;
	return x->st == S_ACTIVE || (x->prefixed && h->cover_st == S_ACTIVE);
}

/* Starts the waiting members of x whose subscription took effect. */
static void
members_start(struct hub *h, struct sub *x)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next)
		if (m->waiting && member_live(h, m))
			member_start(m);
}

/* --- peers: the clients, through their callbacks --- */

/* Does p's client take messages?  Never once p is dropped. */
static int
peer_open(const struct hub_peer *p)
{
	return p->arg != NULL && p->cbs->open(p->arg);
}

static void
peer_error(struct hub_peer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
peer_error(struct hub_peer *p, const char *fmt, ...)
{
	char reason[640];
	va_list ap;

	if (p->arg == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	p->cbs->error(p->arg, reason);
}

/* Gives p's client the message j (stolen), if it is open. */
static void
peer_notice(struct hub_peer *p, json_t *j)
{
	struct frame *f = frame_json(j);

	if (f != NULL && p->arg != NULL)
		p->cbs->notice(p->arg, f);
	frame_unref(f);
}

static void
peer_unref(struct hub_peer *p)
{
	if (--p->refs == 0)
		free(p);
}

/* --- a client's books --- */

static size_t
book_slot(const struct hub_peer *p, const char *s, size_t n)
{
	return hash(s, n, 0) & (p->nbooks_cap - 1);
}

static struct book *
book_find(struct hub_peer *p, const char *s, size_t n)
{
	if (p->nbooks_cap == 0)
		return NULL;
	for (struct book *b = p->books[book_slot(p, s, n)]; b; b = b->next)
		if (b->len == n && memcmp(b->name, s, n) == 0)
			return b;
	return NULL;
}

/* The client's book on channel s, made if new; NULL if out of memory. */
static struct book *
book_get(struct hub_peer *p, const char *s, size_t n)
{
	struct book *b = book_find(p, s, n);

	if (b != NULL)
		return b;
	if (p->nbooks >= p->nbooks_cap) {
		size_t ncap = p->nbooks_cap ? p->nbooks_cap * 2 : 8;
		struct book **v = calloc(ncap, sizeof(*v));

		if (v == NULL)
			return NULL;
		for (size_t i = 0; i < p->nbooks_cap; i++)
			for (struct book *x = p->books[i], *nx; x; x = nx) {
				size_t k = hash(x->name, x->len, 0) &
				    (ncap - 1);

				nx = x->next;
				x->next = v[k];
				v[k] = x;
			}
		free(p->books);
		p->books = v;
		p->nbooks_cap = ncap;
	}
	if ((b = calloc(1, sizeof(*b) + n + 1)) == NULL)
		return NULL;
	memcpy(b->name, s, n);
	b->len = n;
	b->last_seq = -1;
	b->latest = cfl_latest_channel(s, n);
	b->sync = BOOK_LIVE;
	b->next = p->books[book_slot(p, s, n)];
	p->books[book_slot(p, s, n)] = b;
	p->nbooks++;
	return b;
}

static int
is_book_channel(const char *s, size_t n)
{
	return n > 5 && memcmp(s + n - 5, ".book", 5) == 0;
}

/* A channel read by late joiners: a book or a latest-value channel. */
static int
is_keyed_channel(const char *s, size_t n)
{
	return is_book_channel(s, n) || cfl_latest_channel(s, n);
}

static void
held_free(struct book *b)
{
	for (size_t i = 0; i < b->nheld; i++)
		frame_unref(b->held[i]);
	free(b->held);
	b->held = NULL;
	b->nheld = b->capheld = 0;
	b->held_bytes = b->held_big = 0;
}

/* Takes b out of p's sync: off the queue, its read (if any) ignored. */
static void
book_unsync(struct hub_peer *p, struct book *b)
{
	if (b->sync == BOOK_QUEUED) {
		struct book **pp = &p->sq_head;

		while (*pp != b)
			pp = &(*pp)->qnext;
		*pp = b->qnext;
		if (p->sq_tail == b) {
			p->sq_tail = NULL;
			for (struct book *x = p->sq_head; x; x = x->qnext)
				p->sq_tail = x;
		}
		b->qnext = NULL;
	}
	if (p->reading == b)
		p->reading = NULL;	/* the reply is dropped */
	held_free(b);
	b->sync = BOOK_LIVE;
}

/* {"type":"book_invalid"} for p's book on channel s, counted */
static void
invalid_notice(struct hub_peer *p, const char *s, size_t n, const char *why)
{
	peer_notice(p, json_pack("{s:s,s:s%,s:s}", "type", "book_invalid",
	    "channel", s, n, "reason", why));
	p->h->st->books_invalid++;
}

/*
 * book_invalid: p's book b is no longer known to be exact.  If its
 * client had a snapshot it is told so ({"type":"book_invalid"},
 * tickpipe(7)); deltas are held back until the next snapshot.
 */
static void
book_invalid(struct hub_peer *p, struct book *b, const char *why)
{
	if (b->have_snap && !b->latest)
		invalid_notice(p, b->name, b->len, why);
	b->have_snap = 0;
	b->last_seq = -1;
}

/* Does one of p's subscriptions still cover book channel s? */
static int
book_covered(struct hub_peer *p, const char *s, size_t n)
{
	for (struct member *m = p->members; m != NULL; m = m->c_next) {
		struct sub *x = m->s;

		if (x == NULL)
			continue;
		if (x->pattern ? prefixed(p->h, s, n) &&
		    glob_match(x->name, x->len, s, n) :
		    x->len == n && memcmp(x->name, s, n) == 0)
			return 1;
	}
	return 0;
}

static void
book_free(struct hub_peer *p, struct book *b)
{
	book_unsync(p, b);
	free(b);
	p->nbooks--;
}

/* Forgets the books no subscription of p covers any more. */
static void
books_prune(struct hub_peer *p)
{
	for (size_t i = 0; i < p->nbooks_cap; i++)
		for (struct book **pp = &p->books[i], *b; (b = *pp) != NULL;) {
			if (book_covered(p, b->name, b->len)) {
				pp = &b->next;
				continue;
			}
			*pp = b->next;
			book_free(p, b);
		}
}

static void
books_free(struct hub_peer *p)
{
	for (size_t i = 0; i < p->nbooks_cap; i++)
		for (struct book *b = p->books[i], *nb; b; b = nb) {
			nb = b->next;
			book_free(p, b);
		}
	free(p->books);
	p->books = NULL;
	p->nbooks = p->nbooks_cap = 0;
}

/*
 * book_send: sends book frame f to p's client if it moves its book b on:
 * a snapshot with a new seq (an older one only live: the ring was
 * recreated; replay means it comes from the keys or the held frames),
 * a delta newer than the last seq once there is a snapshot.  A loss
 * line is not sent: it makes the book invalid (book_invalid), and the
 * deltas after it wait for the next snapshot.
 */
static void
book_send(struct hub_peer *p, struct book *b, struct frame *f, int replay)
{
	if (f->kind == FRAME_LOSS) {
		book_invalid(p, b, f->loss);
		return;
	}
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
	} else if (f->kind == FRAME_LATEST) {
		if (f->seq >= 0 && f->seq <= b->last_seq)
			return;
		if (f->seq >= 0)
			b->last_seq = f->seq;
	}
	p->cbs->deliver(p->arg, f);
}

/* The end of b's read: its held frames go out, live ones pass from now. */
static void
book_live(struct hub_peer *p, struct book *b)
{
	b->sync = BOOK_LIVE;
	for (size_t i = 0; i < b->nheld; i++)
		book_send(p, b, b->held[i], 1);
	held_free(b);
}

/*
 * book_hold: keeps a live frame of b while b's keys are read.  If that
 * takes so long that more than --output-cap is held, the largest frame
 * held not counted (as the cap counts a client's queue, client_queued
 * in client.c: a client holds at most the cap and one message), the
 * read is given up: b waits for its next live snapshot instead.
 * Counted whole, one message past the cap (a line of redispub's of up
 * to 1 MiB, the default cap) gave up the read it came during.
 */
static void
book_hold(struct hub_peer *p, struct book *b, struct frame *f)
{
	if (b->nheld == b->capheld) {
		size_t ncap = b->capheld ? b->capheld * 2 : 16;
		struct frame **v = realloc(b->held, ncap * sizeof(*v));

		if (v == NULL) {
			book_unsync(p, b);
			return;
		}
		b->held = v;
		b->capheld = ncap;
	}
	b->held[b->nheld++] = frame_ref(f);
	b->held_bytes += f->len;
	if (f->len > b->held_big)
		b->held_big = f->len;
	if (b->held_bytes - b->held_big > p->h->conf->output_cap)
		book_unsync(p, b);
}

/* Queues book channel s of p for a read unless it has a snapshot. */
static void
book_want(struct hub_peer *p, const char *s, size_t n)
{
	struct book *b = book_get(p, s, n);

	if (b == NULL) {
		p->cbs->fail(p->arg, 1011, "out of memory");
		return;
	}
	if (b->have_snap || b->sync != BOOK_LIVE)
		return;
	b->sync = BOOK_QUEUED;
	b->qnext = NULL;
	if (p->sq_tail != NULL)
		p->sq_tail->qnext = b;
	else
		p->sq_head = b;
	p->sq_tail = b;
}

/* --- conflation: members at a max_hz, through a conflator --- */

/*
 * member_book_invalid: conflated member m's book is lost (why): its
 * client is told if it has one (a member behind, waiting for a join
 * frame, may), as book_invalid tells an unconflated one, and gets the
 * next join frame.
 */
static void
member_book_invalid(struct member *m, const char *why)
{
	struct sub *x = m->s;

	if (m->has_book && x->book)
		invalid_notice(m->p, x->name, x->len, why);
	m->has_book = 0;
	m->need_join = 1;
}

/*
 * emit_cb: a tick of conflator c of sub x: its frame f (if any) to each
 * live member at c's rate.  A member that joined gets the join frame (a
 * snapshot of the conflator's book, or its latest line) instead of a
 * tick's delta, so its first message brings it up to date.  A client
 * still holding more than half of --output-cap skips the ticks of a
 * book or latest-value channel and gets a join frame once it has caught
 * up: conflated data never piles up behind it.
 */
static void
emit_cb(void *arg, struct cfl *c, struct frame *f, enum cfl_how how)
{
	struct sub *x = arg;
	const struct wsgate_conf *conf = NULL;

	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct hub_peer *p = m->p;
		struct frame *j;

		if (m->cf != c || m->waiting || !peer_open(p))
			continue;
		if (how == CFL_PASS) {
			p->cbs->deliver(p->arg, f);
			continue;
		}
		if (how == CFL_INVALID) {
			member_book_invalid(m, f->loss);
			continue;
		}
		conf = p->h->conf;
		if (cfl_kind(c) != CFL_TRADE && cfl_kind(c) != CFL_OTHER &&
		    p->cbs->queued(p->arg) > conf->output_cap / 2) {
			m->need_join = 1;
			cfl_poke(c);	/* and try again next tick */
			continue;
		}
		if (m->need_join) {
			m->need_join = 0;
			if ((how != CFL_FULL || f == NULL) &&
			    (j = cfl_join_frame(c)) != NULL) {
				p->cbs->deliver(p->arg, j);
				m->has_book = x->book;
				continue;
			}
		}
		if (f != NULL) {
			p->cbs->deliver(p->arg, f);
			if (how == CFL_FULL)
				m->has_book = x->book;
		}
	}
}

/*
 * owner_send: on a cluster, the GET {C}.owner that begins the read of
 * C's keys in its MULTI (see owner_stale).  0 if sent.
 */
static int
owner_send(struct evr *e, const char *chan, size_t clen)
{
	return evr_call(e, NULL, NULL, "GET {%b}.owner", chan, clen);
}

/* stands for the keys of a read found stale: as if there were none */
static redisReply no_keys = { .type = REDIS_REPLY_NIL };

/*
 * owner_is: o, an owner mark read on rc (a node's cmd), is
 * "<node ID> <run_id>" of rc's node as the map names it and of the
 * redis-server rc reaches now (run_id_cb).
 */
static int
owner_is(const struct rconn *rc, const char *id, const redisReply *o)
{
	size_t il = strlen(id), rl = strlen(rc->run_id);

	return il > 0 && rl > 0 && o->type == REDIS_REPLY_STRING &&
	    o->len == il + 1 + rl && memcmp(o->str, id, il) == 0 &&
	    o->str[il] == ' ' && memcmp(o->str + il + 1, rc->run_id, rl) == 0;
}

/*
 * owner_stale: on a cluster, r is the EXEC of a read of chan's keys on
 * rc (a node's cmd), its first reply the GET of the owner mark {C}.owner
 * (tickpipe(7)): are its keys stale, copies from a former primary or
 * older than what a restarted node acknowledged?  They are unless the
 * mark names the node ID the map gives rc's node and the run_id of the
 * redis-server rc reaches (owner_is), or there are no keys at all.  A
 * stale read distrusts the slot, as a lost node does (see Cluster
 * above): no key of it is read until a live message of the slot came,
 * which redispub publishes there only once it has deleted and marked
 * the slot's keys (redispub(1) CLUSTER); the caller goes on as if the
 * keys were empty.
 */
static int
owner_stale(struct hub *h, const struct rconn *rc, const char *chan,
    size_t clen, const redisReply *r)
{
	const redisReply *o = r->element[0];
	const char *id = shard_id(h->sh, rc->at.host, rc->at.port);
	int keys = 0;

	if (owner_is(rc, id, o))
		return 0;
	for (size_t i = 1; i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING ||
		    (r->element[i]->type == REDIS_REPLY_ARRAY &&
		    r->element[i]->elements > 0))
			keys = 1;
	if (!keys && o->type == REDIS_REPLY_NIL)
		return 0;
	if (!h->distrust[cluster_keyslot(chan, clen)])
		fprintf(stderr, "wsgate: redis cluster: %.*s: keys on %s:%d "
		    "owned by %.*s, not by it (node %s, run_id %s): stale, "
		    "not read until a message of the slot comes\n",
		    (int)clen, chan, rc->at.host, rc->at.port,
		    o->type == REDIS_REPLY_STRING ? (int)o->len : 4,
		    o->type == REDIS_REPLY_STRING ? o->str : "none",
		    *id != '\0' ? id : "unknown", rc->run_id[0] != '\0' ?
		    rc->run_id : "unknown");
	h->distrust[cluster_keyslot(chan, clen)] = 1;
	return 1;
}

/*
 * deltas_usable: can the book be rebuilt from snap and d, the replies of
 * GET C.snapshot and GETRANGE C.deltas 0 SYNC_BYTES?  C.deltas is a
 * string of lines, each followed by a newline (tickpipe(7)).  0 if snap
 * is a string and d a string of whole lines (or empty), at most
 * SYNC_LINES of them and SYNC_BYTES bytes with the snapshot; -1 if not:
 * no snapshot, too much to replay, or d an error (WRONGTYPE: a list left
 * by an older redispub); the book then waits for its next snapshot.
 * why, if not NULL, says why when there was a snapshot.
 */
static int
deltas_usable(const redisReply *snap, const redisReply *d, const char **why)
{
	size_t lines = 0;
	const char *l, *end;

	if (why != NULL)
		*why = NULL;
	if (snap->type != REDIS_REPLY_STRING)
		return -1;
	if (d->type == REDIS_REPLY_NIL)
		return 0;
	if (d->type != REDIS_REPLY_STRING) {
		if (why != NULL)
			*why = d->type == REDIS_REPLY_ERROR ? d->str :
			    "not a string";
		return -1;
	}
	if (snap->len + d->len > SYNC_BYTES) {
		if (why != NULL)
			*why = "too many bytes to replay";
		return -1;
	}
	if (d->len > 0 && d->str[d->len - 1] != '\n') {
		if (why != NULL)
			*why = "a line without its newline";
		return -1;
	}
	for (l = d->str, end = l + d->len; l < end; l++)
		if (*l == '\n' && ++lines > SYNC_LINES) {
			if (why != NULL)
				*why = "too many deltas to replay";
			return -1;
		}
	return 0;
}

/* a key read in flight: its conflator and its number */
struct cfl_read {
	struct cfl	*c;	/* a reference */
	uint64_t	 read;	/* its number (cfl_hold) */
};

/*
 * cfl_read_cb: the keys of conflator c (EXEC of GET C.snapshot; GETRANGE
 * C.deltas, or GET C.last; on a cluster GET {C}.owner first, in a MULTI
 * with the rest): replayed into it, then it goes live.  A book with no
 * snapshot, deltas it cannot replay (deltas_usable), stale keys
 * (owner_stale) or a snapshot not UTF-8 (replay_ok) waits for a live
 * snapshot; a delta or C.last not UTF-8 is left out.
 */
static void
cfl_read_cb(void *earg, void *priv, redisReply *r)
{
	const struct rconn *rc = earg;
	struct cfl_read *rd = priv;
	struct cfl *c = rd->c;
	size_t n;
	const char *name = cfl_channel(c, &n);
	struct hub *h = rc->h;
	int cl = h->sh != NULL;
	size_t o = (size_t)cl;	/* GET {C}.owner first */
	int current = cfl_reading(c, rd->read);

	free(rd);
	if (!current) {		/* closed, or a read given up */
		cfl_unref(c);
		return;
	}
	if (r == NULL) {
		cfl_reset(c);	/* lost with the connection */
		cfl_unref(c);
		return;
	}
	if (cl && cfl_kind(c) != CFL_BOOK && r->type == REDIS_REPLY_ARRAY &&
	    r->elements == 2)	/* GET {C}.owner; GET {C}.last */
		r = owner_stale(h, rc, name, n, r) ? &no_keys : r->element[1];
	if (cfl_kind(c) == CFL_BOOK) {
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 + o) {
			fprintf(stderr, "wsgate: %.*s: cannot read the book: "
			    "%s\n", (int)n, name, r->type ==
			    REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		} else if (o && owner_stale(h, rc, name, n, r)) {
			;	/* as if there were no keys */
		} else if (deltas_usable(r->element[o], r->element[o + 1],
		    NULL) == 0 && replay_ok(h, name, n, "snapshot",
		    r->element[o]->str, r->element[o]->len)) {
			redisReply *d = r->element[o + 1];
			size_t len = d->type == REDIS_REPLY_STRING ? d->len : 0;
			const char *nl;

			cfl_replay(c, r->element[o]->str, r->element[o]->len);
			for (size_t i = 0; i < len; i = (size_t)(nl - d->str) + 1) {
				nl = memchr(d->str + i, '\n', len - i);
				if (replay_ok(h, name, n, "deltas", d->str + i,
				    (size_t)(nl - d->str) - i))
					cfl_replay(c, d->str + i,
					    (size_t)(nl - d->str) - i);
			}
		}
	} else if (r->type == REDIS_REPLY_STRING) {
		if (replay_ok(h, name, n, "last", r->str, r->len))
			cfl_replay(c, r->str, r->len);
	} else if (r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "wsgate: %.*s.last: %s\n", (int)n, name,
		    r->str);
	}
	cfl_live(c);
	cfl_unref(c);
}

/*
 * distrusted: on a cluster, are the keys of chan's slot not to be read
 * yet?  Its node was lost, and no message of the slot has come from its
 * new owner since (see Cluster above).
 */
static int
distrusted(const struct hub *h, const char *chan, size_t clen)
{
	return h->distrust != NULL && h->distrust[cluster_keyslot(chan, clen)];
}

/*
 * cfl_start: a member of c is in effect: if c has no source state yet
 * (a book or latest-value channel), its keys are read; then c ticks soon
 * for the member's join frame.  Without cmd, c waits for live data;
 * while its sub distrusts the keys (see Cluster above), c goes on as if
 * they were empty: a book waits for a live snapshot.
 */
static void
cfl_start(struct hub *h, struct cfl *c)
{
	size_t n;
	const char *name = cfl_channel(c, &n);
	struct rconn *rc = cmd_for(h, name, n);
	struct evr *e = rc->ev;
	int cl = h->sh != NULL;
	struct cfl_read *rd;
	struct evr_mark m;
	int sent;

	if (cfl_state(c) == CFL_WAIT && distrusted(h, name, n)) {
		cfl_live(c);	/* as if its keys were empty */
	} else if (cfl_state(c) == CFL_WAIT && rc->connected &&
	    (rd = malloc(sizeof(*rd))) != NULL) {
		/* no callback runs before the loop: rd is filled in below */
		evr_mark(e, &m);
		if (cfl_kind(c) == CFL_BOOK)
			sent = evr_call(e, NULL, NULL, "MULTI") == 0 &&
			    (!cl || owner_send(e, name, n) == 0) &&
			    evr_call(e, NULL, NULL, cl ? "GET {%b}.snapshot" :
			    "GET %b.snapshot", name, n) == 0 && evr_call(e,
			    NULL, NULL, cl ? "GETRANGE {%b}.deltas 0 %u" :
			    "GETRANGE %b.deltas 0 %u", name, n, SYNC_BYTES) ==
			    0 && evr_call(e, cfl_read_cb, rd, "EXEC") == 0;
		else if (cl)
			sent = evr_call(e, NULL, NULL, "MULTI") == 0 &&
			    owner_send(e, name, n) == 0 &&
			    evr_call(e, NULL, NULL, "GET {%b}.last", name,
			    n) == 0 && evr_call(e, cfl_read_cb, rd, "EXEC") ==
			    0;
		else
			sent = evr_call(e, cfl_read_cb, rd, "GET %b.last",
			    name, n) == 0;
		if (sent) {
			rd->c = cfl_ref(c);
			rd->read = cfl_hold(c);
		} else {
			evr_undo(e, &m);	/* no MULTI left open */
			free(rd);
		}
	}
	cfl_poke(c);
}

/* m gets its channel unconflated again (or goes). */
static void
member_unconflate(struct member *m)
{
	struct sub *x = m->s;

	if (m->cf == NULL)
		return;
	for (unsigned i = 0; i < x->ncfv; i++) {
		if (x->cfv[i].c != m->cf)
			continue;
		if (--x->cfv[i].n == 0) {
			cfl_close(x->cfv[i].c);
			x->cfv[i] = x->cfv[--x->ncfv];
		}
		break;
	}
	x->nconf--;
	m->cf = NULL;
	m->need_join = 0;
	m->has_book = 0;
}

/* Forgets p's book on channel s (its seq filter and sync). */
static void
book_forget(struct hub_peer *p, const char *s, size_t n)
{
	struct book **pp, *b;

	if (p->nbooks_cap == 0)
		return;
	for (pp = &p->books[book_slot(p, s, n)]; (b = *pp) != NULL;
	    pp = &b->next)
		if (b->len == n && memcmp(b->name, s, n) == 0) {
			*pp = b->next;
			book_free(p, b);
			return;
		}
}

/*
 * member_conflate: m, on an exact channel, gets it at hz messages a
 * second through the conflator of its sub at that rate (made if new).
 * Its client's book on the channel, if any, is forgotten: the join frame
 * replaces it.  0, or -1 out of memory (m then is unconflated).
 */
static int
member_conflate(struct member *m, unsigned hz)
{
	struct sub *x = m->s;
	struct hub *h = m->p->h;
	struct cfslot *sl = NULL;

	if (m->cf != NULL && cfl_hz(m->cf) == hz)
		return 0;
	member_unconflate(m);
	for (unsigned i = 0; i < x->ncfv; i++)
		if (cfl_hz(x->cfv[i].c) == hz)
			sl = &x->cfv[i];
	if (sl == NULL) {
		struct cfslot *v = realloc(x->cfv, (x->ncfv + 1) * sizeof(*v));
		struct cfl *c;

		if (v == NULL)
			return -1;
		x->cfv = v;
		if ((c = cfl_new(h->base, h->st, x->name, x->len, hz, emit_cb,
		    x)) == NULL)
			return -1;
		sl = &x->cfv[x->ncfv++];
		sl->c = c;
		sl->n = 0;
	}
	sl->n++;
	x->nconf++;
	m->cf = sl->c;
	m->need_join = 1;
	book_forget(m->p, x->name, x->len);
	if (!m->waiting && member_live(h, m))
		cfl_start(h, m->cf);
	return 0;
}

/*
 * pattern_hz: the rate at which pattern member m brings channel s (n
 * bytes, matched by it) to its client: its max_hz, or for a book channel
 * the slow-client rate it was moved to; 0 unconflated.
 */
static unsigned
pattern_hz(const struct member *m, const char *s, size_t n)
{
	if (m->phz > 0)
		return m->phz;
	return m->book_hz > 0 && is_book_channel(s, n) ? m->book_hz : 0;
}

/* Sets pattern member m's rates, keeping its sub's count of them. */
static void
pattern_rates(struct member *m, unsigned phz, unsigned book_hz)
{
	int was = m->phz > 0 || m->book_hz > 0;

	m->phz = phz;
	m->book_hz = book_hz;
	m->s->nphz += (m->phz > 0 || m->book_hz > 0) - was;
}

/* Has p a member (its own or implied) on exact channel s? */
static int
peer_has_exact(struct hub_peer *p, const char *s, size_t n)
{
	for (struct member *m = p->members; m != NULL; m = m->c_next)
		if (m->s != NULL && !m->s->pattern && m->s->len == n &&
		    memcmp(m->s->name, s, n) == 0)
			return 1;
	return 0;
}

/*
 * implied_add: p gets channel s (n bytes), matched by one of its
 * patterns, conflated at hz: through an implied member of the exact
 * channel's sub (not one of the client's subscriptions), on the shared
 * conflator at that rate, so the pattern no longer brings it
 * unconflated.  A new trade or other conflator is fed line (the message
 * that revealed the channel, if any); a book or latest-value one reads
 * its keys, its first frame a snapshot.  slow: tell the client it was
 * moved ({"type":"conflated"}).  0, -1 out of memory, or -2 if p has
 * IMPLIED_MAX of them already (implied_fail).
 */
static int
implied_add(struct hub_peer *p, const char *s, size_t n, unsigned hz,
    int slow, const char *line, size_t len)
{
	struct hub *h = p->h;
	struct member *m;
	struct sub *x;
	int fresh = 1;

	if (p->nimplied >= IMPLIED_MAX)
		return -2;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (x = sub_get(h, s, n, 0)) == NULL) {
		free(m);
		return -1;
	}
	m->p = p;
	m->s = x;
	m->implied = 1;
	m->waiting = 1;
	m->s_next = x->members;
	if (x->members)
		x->members->s_prev = m;
	x->members = m;
	x->nmembers++;
	m->c_next = p->members;
	p->members = m;
	p->nimplied++;
	for (unsigned i = 0; i < x->ncfv; i++)
		if (cfl_hz(x->cfv[i].c) == hz)
			fresh = 0;
	if (member_conflate(m, hz) != 0) {
		member_remove(p, m);
		return -1;
	}
	sub_update(h, x);
	if (member_live(h, m))
		member_start(m);
	if (fresh && line != NULL && (cfl_kind(m->cf) == CFL_TRADE ||
	    cfl_kind(m->cf) == CFL_OTHER))
		cfl_feed(m->cf, line, len);
	if (slow) {
		h->st->slow_conflated++;
		peer_notice(p, json_pack("{s:s,s:s%,s:I,s:s}", "type",
		    "conflated", "channel", s, n, "max_hz", (json_int_t)hz,
		    "reason", "slow client"));
	}
	return 0;
}

/*
 * implied_fail: implied_add's failure closes the client: out of memory
 * (1011), or patterns conflating more than IMPLIED_MAX channels (1008):
 * each one's state is held for the client, and the channels are the
 * publisher's to multiply, not a bound of wsgate's.
 */
static void
implied_fail(struct hub_peer *p, int rc)
{
	char why[80];

	if (rc == -2) {
		snprintf(why, sizeof(why), "patterns with max_hz bring more "
		    "than %d channels", IMPLIED_MAX);
		p->cbs->fail(p->arg, 1008, why);
	} else
		p->cbs->fail(p->arg, 1011, "out of memory");
}

/*
 * implied_drop: p's patterns or their rates changed: its implied
 * members go (made again, at the rates now wanted, by the next message
 * of each channel).  A keyed channel an unconflated pattern of p still
 * covers is read again, as for a late joiner.
 */
static void
implied_drop(struct hub_peer *p)
{
	struct member *m, *nm;

	for (m = p->members; m != NULL; m = nm) {
		struct sub *x = m->s;
		int again = 0;

		nm = m->c_next;
		if (!m->implied || x == NULL)
			continue;
		for (struct member *q = p->members; q != NULL; q = q->c_next)
			if (q->s != NULL && q->s->pattern && !q->waiting &&
			    glob_match(q->s->name, q->s->len, x->name,
			    x->len))
				again = pattern_hz(q, x->name, x->len) == 0 ?
				    (again == 0 ? 1 : again) : -1;
		if (again == 1 && is_keyed_channel(x->name, x->len))
			book_want(p, x->name, x->len);
		member_remove(p, m);
	}
	books_prune(p);
	sync_kick(p);
}

/*
 * behind_patterns: p's book channels that only its patterns bring (the
 * books it has, from them) go to conflation at hz, each told as in
 * hub_peer_behind; those first seen later are moved when they are.
 * Returns how many; *all is cleared if one could not be.
 */
static int
behind_patterns(struct hub_peer *p, unsigned hz, int *all)
{
	char **names = NULL;
	size_t *lens = NULL, k = 0;
	int n = 0;

	if (p->nbooks > 0 && ((names = calloc(p->nbooks, sizeof(*names))) ==
	    NULL || (lens = calloc(p->nbooks, sizeof(*lens))) == NULL)) {
		*all = 0;
		goto err;
	}
	for (size_t i = 0; i < p->nbooks_cap; i++)
		for (struct book *b = p->books[i]; b; b = b->next)
			if (!b->latest && k < p->nbooks &&
			    !peer_has_exact(p, b->name, b->len)) {
				/* copied: implied_add frees the book */
				if ((names[k] = malloc(b->len)) == NULL) {
					*all = 0;
					continue;
				}
				memcpy(names[k], b->name, b->len);
				lens[k++] = b->len;
			}
	for (size_t i = 0; i < k; i++)
		if (implied_add(p, names[i], lens[i], hz, 1, NULL, 0) != 0)
			*all = 0;
		else
			n++;
err:
	for (size_t i = 0; i < k; i++)
		free(names[i]);
	free(names);
	free(lens);
	return n;
}

/*
 * hub_peer_behind: p's client has fallen behind (its output queue is
 * past the threshold): each of its unconflated book channels goes to
 * conflation at --slow-client-hz, and the client is told so
 * ({"type":"conflated"}).  Returns the channels moved; *all is 1 if no
 * book frame can reach the client unconflated any more (no pattern), so
 * that its queued book frames may be dropped.
 */
int
hub_peer_behind(struct hub_peer *p, int *all)
{
	struct hub *h = p->h;
	unsigned hz = (unsigned)h->conf->slow_hz;
	int n = 0;

	*all = hz > 0;
	if (hz == 0)
		return 0;
	for (struct member *m = p->members; m != NULL; m = m->c_next) {
		struct sub *x = m->s;

		if (x == NULL)
			continue;
		if (x->pattern) {
			if (m->phz == 0 && m->book_hz == 0)
				pattern_rates(m, 0, hz);
			continue;
		}
		if (!x->book || m->cf != NULL)
			continue;
		if (member_conflate(m, hz) != 0) {
			*all = 0;
			continue;
		}
		h->st->slow_conflated++;
		peer_notice(p, json_pack("{s:s,s:s%,s:I,s:s}", "type",
		    "conflated", "channel", x->name, x->len, "max_hz",
		    (json_int_t)hz, "reason", "slow client"));
		n++;
	}
	return n + behind_patterns(p, hz, all);
}

/* --- members --- */

static void
member_detach(struct member *m)
{
	struct sub *x = m->s;

	member_unconflate(m);
	if (x->pattern)
		pattern_rates(m, 0, 0);
	if (m->s_prev)
		m->s_prev->s_next = m->s_next;
	else
		x->members = m->s_next;
	if (m->s_next)
		m->s_next->s_prev = m->s_prev;
	x->nmembers--;
	m->s = NULL;
	sub_update(m->p->h, x);
}

/* --max-subscriptions reached: counted, the reason in msg; returns -1 */
static int
sub_limit(struct hub *h, char *msg, size_t msglen)
{
	h->st->sub_limit_refused++;
	snprintf(msg, msglen, "too many subscriptions (at most %llu per "
	    "client)", (unsigned long long)h->conf->max_subs);
	return -1;
}

/*
 * hub_subscribe: p's client subscribes to channel or pattern name (len
 * bytes, no NUL), conflated at hz messages a second (1..CFL_HZ_MAX;
 * a pattern: every channel it matches) or not (0).  Subscribing again to what it has
 * changes the rate.  Returns 0, or -1 with the reason in msg.
 */
int
hub_subscribe(struct hub_peer *p, const char *name, size_t len,
    unsigned hz, char *msg, size_t msglen)
{
	struct hub *h = p->h;
	int pattern = strpbrk(name, "*?[") != NULL;
	struct member *m;
	struct sub *x;
	size_t k;

	for (m = p->members; m != NULL; m = m->c_next)
		if (m->s != NULL && m->s->pattern == pattern &&
		    m->s->len == len && memcmp(m->s->name, name, len) == 0) {
			/* already: the rate may change */
			if (pattern) {
				if (m->phz != hz) {
					pattern_rates(m, hz, m->book_hz);
					implied_drop(p);
					if (!m->waiting)
						member_start(m);
				}
				return 0;
			}
			if (m->implied) {	/* now the client's own */
				/* counted as a new one: wsgate(1) */
				if (p->nsubs >= h->conf->max_subs)
					return sub_limit(h, msg, msglen);
				m->implied = 0;
				p->nimplied--;
				p->nsubs++;
			}
			if (hz > 0 && member_conflate(m, hz) != 0) {
				snprintf(msg, msglen, "out of memory");
				return -1;
			}
			if (hz == 0 && m->cf != NULL) {
				member_unconflate(m);
				if (!m->waiting)
					member_start(m);
			}
			return 0;
		}
	if (pattern && h->conf->redis.is_cluster) {
		snprintf(msg, msglen, "a pattern cannot be subscribed to on a "
		    "Redis Cluster: name each channel (wsgate(1) CLUSTER)");
		return -1;
	}
	if (!pattern && strcmp(name, KEEP_CHANNEL) == 0) {
		snprintf(msg, msglen, "reserved channel");
		return -1;
	}
	/* a channel the cover carries needs no command */
	if (!pattern && sub_find(h, name, len, 0) == NULL &&
	    !(prefixed(h, name, len) && cover_held(h)) &&
	    (k = sub_backlog(h, name, len)) > 0) {
		h->st->sub_backlog_refused++;
		snprintf(msg, msglen, "Redis is not answering (%zu subscribes "
		    "and unsubscribes wait for it): subscribe later", k);
		return -1;
	}
	if (p->nsubs >= h->conf->max_subs)
		return sub_limit(h, msg, msglen);
	if (prefix_init(h) != 0 || (m = calloc(1, sizeof(*m))) == NULL ||
	    (x = sub_get(h, name, len, pattern)) == NULL) {
		free(m);
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	m->p = p;
	m->s = x;
	m->s_next = x->members;
	if (x->members)
		x->members->s_prev = m;
	x->members = m;
	x->nmembers++;
	m->c_next = p->members;
	p->members = m;
	p->nsubs++;
	m->waiting = 1;
	if (pattern && hz > 0) {
		pattern_rates(m, hz, 0);
		implied_drop(p);	/* made again at the new rates */
	} else if (hz > 0 && member_conflate(m, hz) != 0) {
		member_remove(p, m);
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	if (x->book || x->latest || x->pattern)
		h->st->late_joins++;
	if (x->pattern)
		cover_update(h);
	else
		sub_update(h, x);
	if (member_live(h, m))
		member_start(m);
	return 0;
}

/* Removes m from p's list; frees it unless a read still refers to it. */
static void
member_remove(struct hub_peer *p, struct member *m)
{
	struct member **pp = &p->members;

	while (*pp != m)
		pp = &(*pp)->c_next;
	*pp = m->c_next;
	if (!m->implied)
		p->nsubs--;
	else
		p->nimplied--;
	if (m->s != NULL)
		member_detach(m);
	if (m->listing)
		m->orphan = 1;
	else
		free(m);
}

/* p's own member on channel or pattern s (NUL-terminated), or NULL. */
static struct member *
member_named(struct hub_peer *p, const char *s)
{
	int pattern = strpbrk(s, "*?[") != NULL;
	size_t n = strlen(s);

	for (struct member *m = p->members; m != NULL; m = m->c_next)
		if (m->s != NULL && !m->implied && m->s->pattern == pattern &&
		    m->s->len == n && memcmp(m->s->name, s, n) == 0)
			return m;
	return NULL;
}

/*
 * subreq_ready: is every channel of q in effect for p?  A channel p no
 * longer has (unsubscribed meanwhile) leaves q's list.
 */
static int
subreq_ready(struct hub_peer *p, struct subreq *q)
{
	for (size_t i = 0; i < json_array_size(q->chans);) {
		const char *s = json_string_value(json_array_get(q->chans, i));
		struct member *m = s != NULL ? member_named(p, s) : NULL;

		if (m == NULL) {
			json_array_remove(q->chans, i);
			continue;
		}
		if (m->waiting)
			return 0;
		i++;
	}
	return 1;
}

/*
 * subreqs_answer: sends p's client the answer of each of its subscribe
 * requests whose channels are all in effect, in the order of the
 * requests: one still waiting holds back those after it.
 */
static void
subreqs_answer(struct hub_peer *p)
{
	struct subreq *q;

	while ((q = p->rq_head) != NULL && subreq_ready(p, q)) {
		p->rq_head = q->next;
		if (p->rq_head == NULL)
			p->rq_tail = NULL;
		p->nrq--;
		peer_notice(p, json_pack("{s:s,s:O}", "type", "subscribed",
		    "channels", q->chans));
		json_decref(q->chans);
		free(q);
	}
}

/*
 * hub_subscribed: the answer to a subscribe request of p's client, whose
 * channels and patterns (taken by hub_subscribe) are channels (stolen):
 * {"type":"subscribed","channels":channels}, sent once every one of
 * them is in effect on Redis (its SUBSCRIBE, SSUBSCRIBE or the cover
 * confirmed, or already in effect for another client), so that nothing
 * published from then on misses the client.  One the client
 * unsubscribes meanwhile leaves the list.  Answers go in the order of
 * the requests; those still waiting go with p (hub_peer_drop).  If out
 * of memory, p's client is closed.
 */
void
hub_subscribed(struct hub_peer *p, json_t *channels)
{
	struct subreq *q;

	if (channels == NULL || (q = calloc(1, sizeof(*q))) == NULL) {
		json_decref(channels);
		p->cbs->fail(p->arg, 1011, "out of memory");
		return;
	}
	q->chans = channels;
	p->nrq++;
	if (p->rq_tail != NULL)
		p->rq_tail->next = q;
	else
		p->rq_head = q;
	p->rq_tail = q;
	subreqs_answer(p);
}

/*
 * hub_waiting: how many subscribe requests of p's client wait for their
 * answer; the client may have HUB_WAITING_MAX, so that one asking while
 * Redis is away cannot make wsgate hold ever more.
 */
unsigned
hub_waiting(const struct hub_peer *p)
{
	return p->nrq;
}

/* hub_unsubscribe: 0, or -1 if p had no such subscription. */
int
hub_unsubscribe(struct hub_peer *p, const char *name, size_t len)
{
	int pattern = strpbrk(name, "*?[") != NULL;

	for (struct member *m = p->members; m != NULL; m = m->c_next)
		if (m->s != NULL && m->s->pattern == pattern && !m->implied &&
		    m->s->len == len && memcmp(m->s->name, name, len) == 0) {
			member_remove(p, m);
			if (pattern)
				implied_drop(p);
			books_prune(p);
			subreqs_answer(p);	/* one may wait for m no more */
			return 0;
		}
	return -1;
}

/*
 * hub_peer_new: a client for the hub, reached through cbs with arg.
 * NULL if out of memory.
 */
struct hub_peer *
hub_peer_new(struct hub *h, const struct hub_peer_cbs *cbs, void *arg)
{
	struct hub_peer *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->h = h;
	p->cbs = cbs;
	p->arg = arg;
	p->refs = 1;
	p->next = h->peers;
	if (h->peers != NULL)
		h->peers->prev = p;
	h->peers = p;
	return p;
}

/*
 * hub_peer_drop: p's client is gone: its subscriptions and books go, and
 * no callback of p is called from now on.  p itself is freed once no
 * Redis reply refers to it.
 */
void
hub_peer_drop(struct hub_peer *p)
{
	struct hub *h = p->h;

	while (p->members != NULL)
		member_remove(p, p->members);
	books_free(p);
	while (p->rq_head != NULL) {
		struct subreq *q = p->rq_head;

		p->rq_head = q->next;
		json_decref(q->chans);
		free(q);
	}
	p->rq_tail = NULL;
	p->nrq = 0;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		h->peers = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	p->arg = NULL;
	peer_unref(p);
}

/* --- late joiners --- */

/*
 * replay_line: sends line s, read from b's key C.key, as a history frame
 * of b if it is of kind.  0 if sent or not of kind; 1 if left out, not
 * UTF-8 (replay_ok); -1 out of memory, b then invalid.
 */
static int
replay_line(struct hub_peer *p, struct book *b, const char *s, size_t n,
    int kind, const char *key)
{
	struct frame *f;

	if (!replay_ok(p->h, b->name, b->len, key, s, n))
		return 1;
	if ((f = frame_text(s, n)) == NULL) {
		book_invalid(p, b, "out of memory");
		return -1;
	}
	f->hist = 1;
	frame_parse_book(f);
	if (f->kind == kind)
		book_send(p, b, f, 1);
	frame_unref(f);
	return 0;
}

/*
 * replay_keys: sends p's client the snapshot and deltas (the EXEC
 * replies) of its book b, as history frames.  Nothing if they cannot be
 * replayed (deltas_usable) or the snapshot is not UTF-8: b then waits
 * for the next live snapshot.  A delta not UTF-8 is left out, as a
 * published one is (not_utf8).
 */
static void
replay_keys(struct hub_peer *p, struct book *b, redisReply *snap,
    redisReply *deltas)
{
	const char *why, *nl;
	size_t len;

	if (deltas_usable(snap, deltas, &why) != 0) {
		if (why != NULL && p->h->conf->verbose)
			fprintf(stderr, "wsgate: %s.deltas: %s: waiting for a "
			    "snapshot\n", b->name, why);
		return;
	}
	if (replay_line(p, b, snap->str, snap->len, FRAME_SNAPSHOT,
	    "snapshot") != 0)
		return;
	len = deltas->type == REDIS_REPLY_STRING ? deltas->len : 0;
	for (size_t i = 0; i < len; i = (size_t)(nl - deltas->str) + 1) {
		nl = memchr(deltas->str + i, '\n', len - i);
		if (replay_line(p, b, deltas->str + i,
		    (size_t)(nl - deltas->str) - i, FRAME_DELTA, "deltas") < 0)
			return;
	}
}

/*
 * replay_last: sends p's client C.last (r) of its latest-value channel
 * b, as a history frame; live lines then pass only if their seq is
 * greater.  Not if it is not UTF-8 (replay_ok): then as if there were no
 * C.last.
 */
static void
replay_last(struct hub_peer *p, struct book *b, redisReply *r)
{
	struct frame *f;

	if (!replay_ok(p->h, b->name, b->len, "last", r->str, r->len) ||
	    (f = frame_text(r->str, r->len)) == NULL)
		return;
	f->hist = 1;
	frame_parse_book(f);
	f->kind = FRAME_LATEST;
	book_send(p, b, f, 1);
	frame_unref(f);
}

/*
 * read_cb: the EXEC of GET C.snapshot; GETRANGE C.deltas (or the GET of
 * C.last) for p->reading, after GET {C}.owner on a cluster.
 */
static void
read_cb(void *earg, void *priv, redisReply *r)
{
	const struct rconn *rc = earg;
	struct hub_peer *p = priv;
	struct book *b = p->reading;

	p->read_inflight = 0;
	p->reading = NULL;
	if (b != NULL && b->latest) {
		/* a cluster: MULTI; GET {C}.owner; GET {C}.last; EXEC */
		if (r != NULL && p->h->sh != NULL &&
		    r->type == REDIS_REPLY_ARRAY && r->elements == 2)
			r = owner_stale(p->h, rc, b->name, b->len, r) ?
			    &no_keys : r->element[1];
		if (r != NULL && r->type == REDIS_REPLY_STRING)
			replay_last(p, b, r);
		else if (r != NULL && r->type != REDIS_REPLY_NIL) {
			p->h->st->redis_errors++;
			peer_error(p, "%s.last: %s", b->name, r->type ==
			    REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		}
		b->have_snap = r != NULL;
		book_live(p, b);
	} else if (b != NULL) {
		size_t o = p->h->sh != NULL;	/* GET {C}.owner first */

		if (r != NULL && (r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2 + o)) {
			p->h->st->redis_errors++;
			peer_error(p, "%s: cannot read the book: %s", b->name,
			    r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
		} else if (r != NULL && !(o && owner_stale(p->h, rc, b->name,
		    b->len, r))) {
			replay_keys(p, b, r->element[o], r->element[o + 1]);
		}
		book_live(p, b);
	}
	sync_kick(p);
	peer_unref(p);
}

/* read_send's commands, queued; 0, or -1 when one could not be. */
static int
read_queue(struct hub_peer *p, struct book *b)
{
	struct hub *h = p->h;
	struct rconn *rc = cmd_for(h, b->name, b->len);
	struct evr *e = rc->ev;
	int cl = h->sh != NULL;	/* the {C} keys: tickpipe(7) */

	if (distrusted(h, b->name, b->len))
		return -1;	/* see Cluster above */
	if (b->latest && !cl)
		return rc->connected && evr_call(e, read_cb, p,
		    "GET %b.last", b->name, b->len) == 0 ? 0 : -1;
	if (b->latest)
		return rc->connected && evr_call(e, NULL, NULL, "MULTI") ==
		    0 && owner_send(e, b->name, b->len) == 0 &&
		    evr_call(e, NULL, NULL, "GET {%b}.last", b->name,
		    b->len) == 0 && evr_call(e, read_cb, p, "EXEC") == 0 ?
		    0 : -1;
	if (!rc->connected ||
	    evr_call(e, NULL, NULL, "MULTI") != 0 ||
	    (cl && owner_send(e, b->name, b->len) != 0) ||
	    evr_call(e, NULL, NULL, cl ? "GET {%b}.snapshot" :
	    "GET %b.snapshot", b->name, b->len) != 0 ||
	    evr_call(e, NULL, NULL, cl ? "GETRANGE {%b}.deltas 0 %u" :
	    "GETRANGE %b.deltas 0 %u", b->name, b->len, SYNC_BYTES) != 0 ||
	    evr_call(e, read_cb, p, "EXEC") != 0)
		return -1;
	return 0;
}

/*
 * Sends MULTI; GET C.snapshot; GETRANGE C.deltas; EXEC (a latest-value
 * channel: GET C.last); on a cluster, GET {C}.owner first in the MULTI
 * (a latest-value channel's GET in one too).  0 if sent; else nothing
 * is: what read_queue queued is taken back.
 */
static int
read_send(struct hub_peer *p, struct book *b)
{
	struct evr *e = cmd_for(p->h, b->name, b->len)->ev;
	struct evr_mark m;

	evr_mark(e, &m);
	if (read_queue(p, b) == 0)
		return 0;
	evr_undo(e, &m);	/* no MULTI left open */
	return -1;
}

/*
 * sync_kick: reads p's next queued book, if none is being read and the
 * history queued to its client is below a quarter of --output-cap (the
 * pace).  A book that cannot be read (cmd down) waits for its next
 * snapshot.
 */
static void
sync_kick(struct hub_peer *p)
{
	struct book *b;

	while (!p->read_inflight && (b = p->sq_head) != NULL &&
	    peer_open(p) &&
	    p->cbs->history(p->arg) < p->h->conf->output_cap / 4) {
		p->sq_head = b->qnext;
		if (p->sq_head == NULL)
			p->sq_tail = NULL;
		b->qnext = NULL;
		if (read_send(p, b) != 0) {
			b->sync = BOOK_LIVE;
			continue;
		}
		b->sync = BOOK_READING;
		p->reading = b;
		p->read_inflight = 1;
		p->refs++;
	}
}

/* hub_peer_drained: p's client wrote out what was queued: read on. */
void
hub_peer_drained(struct hub_peer *p)
{
	if (p->sq_head != NULL)
		sync_kick(p);
}

/*
 * pattern_want: keyed channel s, listed for pattern member m: read for
 * a late joiner, or, conflated by the pattern, joined at its rate (a
 * snapshot first) unless the client has it already.
 */
static void
pattern_want(struct member *m, const char *s, size_t n)
{
	struct hub_peer *p = m->p;
	unsigned hz = pattern_hz(m, s, n);
	int rc;

	if (hz == 0) {
		book_want(p, s, n);
		return;
	}
	if (!peer_has_exact(p, s, n) &&
	    (rc = implied_add(p, s, n, hz, m->phz == 0, NULL, 0)) != 0)
		implied_fail(p, rc);
}

/*
 * list_cb: SMEMBERS PREFIX.channels for a pattern member: the book
 * channels it matches are queued for a read.
 */
static void
list_cb(void *earg, void *priv, redisReply *r)
{
	struct member *m = priv;
	struct hub_peer *p = m->p;

	(void)earg;
	m->listing = 0;
	if (m->orphan) {
		free(m);
	} else if (m->again) {
		m->again = 0;	/* Redis came back meanwhile: list again */
		member_start(m);
	} else if (!m->waiting && peer_open(p) && r != NULL) {
		if (r->type != REDIS_REPLY_ARRAY) {
			p->h->st->redis_errors++;
			peer_error(p, "%s: cannot list the channels: %s",
			    m->s->name, r->type == REDIS_REPLY_ERROR ? r->str :
			    "unexpected reply");
		} else {
			for (size_t i = 0; i < r->elements; i++) {
				redisReply *e = r->element[i];

				if (e->type == REDIS_REPLY_STRING &&
				    is_keyed_channel(e->str, e->len) &&
				    memchr(e->str, 0, e->len) == NULL &&
				    prefixed(p->h, e->str, e->len) &&
				    glob_match(m->s->name, m->s->len, e->str,
				    e->len))
					pattern_want(m, e->str, e->len);
			}
			sync_kick(p);
		}
	}
	peer_unref(p);
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
	struct hub *h = m->p->h;
	struct rconn *rc;

	m->waiting = 0;
	subreqs_answer(m->p);	/* before what the start sends */
	if (m->cf != NULL) {
		m->need_join = 1;
		cfl_start(h, m->cf);
		return;
	}
	if (!m->s->pattern) {
		if (m->s->book || m->s->latest) {
			book_want(m->p, m->s->name, m->s->len);
			sync_kick(m->p);
		}
		return;
	}
	if (m->listing) {
		m->again = 1;
		return;
	}
	rc = cmd_channels(h);
	if (!rc->connected || evr_call(rc->ev, list_cb, m,
	    "SMEMBERS %s.channels", h->conf->prefix) != 0)
		return;
	m->listing = 1;
	m->p->refs++;
}

/*
 * books_invalidate: the subscriber connection is lost, so every book of
 * every client may miss messages: each is declared invalid and reset,
 * and every member waits for its subscription to be made again.
 */
static void
books_invalidate(struct hub *h, const char *why)
{
	for (struct hub_peer *p = h->peers; p != NULL; p = p->next)
		for (size_t i = 0; i < p->nbooks_cap; i++)
			for (struct book *b = p->books[i]; b; b = b->next) {
				book_unsync(p, b);
				book_invalid(p, b, why);
			}
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = h->tab[b]; x; x = x->hnext) {
			for (unsigned i = 0; i < x->ncfv; i++)
				cfl_reset(x->cfv[i].c);
			for (struct member *m = x->members; m; m = m->s_next) {
				if (m->cf != NULL)
					member_book_invalid(m, why);
				m->waiting = 1;
			}
		}
}

/* --- channels op --- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
channels_cb(void *earg, void *priv, redisReply *r)
{
	struct hub_peer *p = priv;

	(void)earg;
	if (peer_open(p)) {
		if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
			peer_error(p, "channels: %s", r && r->type ==
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
			peer_notice(p, json_pack("{s:s,s:o}", "type",
			    "channels", "channels", a));
		}
	}
	peer_unref(p);
}

/*
 * hub_channels: answers p's client with the channels redispub has
 * published ({"type":"channels"}) once Redis has said them.  0, or -1
 * if the command connection is down.
 */
int
hub_channels(struct hub_peer *p)
{
	struct rconn *rc = cmd_channels(p->h);

	if (!rc->connected || evr_call(rc->ev, channels_cb, p,
	    "SMEMBERS %s.channels", p->h->conf->prefix) != 0)
		return -1;
	p->refs++;
	return 0;
}

/* --- the subscriber connection --- */

/* Tells every client how Redis is ({"type":"gateway"}). */
static void
gateway_status(struct hub *h, const char *status, const char *reason)
{
	struct frame *f = frame_json(json_pack("{s:s,s:s,s:s}", "type",
	    "gateway", "status", status, "reason", reason));

	if (f == NULL)
		return;
	for (struct hub_peer *p = h->peers; p != NULL; p = p->next)
		p->cbs->notice(p->arg, f);
	frame_unref(f);
}

/*
 * deliver: f, a message on channel chan, to each member of x whose
 * client has not had it yet.  A book frame goes through the client's seq
 * filter for that channel, is held while the book is read, or dropped
 * while its read is queued (the read covers it: redispub deleted the
 * keys before it published a loss line); a message on a book channel
 * that is neither snapshot, delta nor loss line just goes.
 */
static void
deliver(struct hub *h, struct sub *x, struct frame *f, const char *chan,
    size_t clen, int book)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct hub_peer *p = m->p;
		struct book *b;

		if (p->last_msg_id == f->id)
			continue;
		/*
		 * not yet in effect for m: in flight after an UNSUBSCRIBE, or
		 * through another's subscription; m starts with its keys read
		 */
		if (m->waiting)
			continue;
		if (x->nphz > 0 && pattern_hz(m, chan, clen) > 0)
			continue;	/* conflated, or waiting to be */
		p->last_msg_id = f->id;	/* its patterns skip it too */
		if (m->cf != NULL)
			continue;	/* fed through its conflator */
		if (!book || f->kind == FRAME_OTHER) {
			p->cbs->deliver(p->arg, f);
			continue;
		}
		if (!p->cbs->open(p->arg)) {
			h->st->dropped++;
			continue;
		}
		if ((b = book_get(p, chan, clen)) == NULL) {
			h->st->dropped++;
			p->cbs->fail(p->arg, 1011, "out of memory");
			continue;
		}
		/*
		 * a live snapshot is the whole book: it ends a sync queued or
		 * under way (whose keys it makes needless, and which may not
		 * have it: a read given up, keys deleted after a loss)
		 */
		if (f->kind == FRAME_SNAPSHOT && b->sync != BOOK_LIVE)
			book_unsync(p, b);
		if (b->sync == BOOK_READING)
			book_hold(p, b, f);
		else if (b->sync == BOOK_LIVE)
			book_send(p, b, f, 0);
	}
}

/*
 * pattern_conflate: f, a message on channel chan, for the members of
 * pattern x that get chan conflated (pattern_hz) and have no member on
 * chan yet (none had f): each gets an implied member at its rate
 * (implied_add), the message included, and x's deliver then skips it.
 */
static void
pattern_conflate(struct hub *h, struct sub *x, struct frame *f,
    const char *chan, size_t clen, const char *payload, size_t len)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct hub_peer *p = m->p;
		unsigned hz = pattern_hz(m, chan, clen);
		int rc;

		if (hz == 0 || m->waiting || p->last_msg_id == f->id ||
		    !peer_open(p) || memchr(chan, 0, clen) != NULL)
			continue;
		p->last_msg_id = f->id;
		if ((rc = implied_add(p, chan, clen, hz, m->phz == 0, payload,
		    len)) != 0) {
			h->st->dropped++;
			implied_fail(p, rc);
		}
	}
}

/*
 * text_ok: is s[0..len) UTF-8, as a text frame must be?  Eight bytes at
 * a time while they are ASCII (market data is), utf8_valid from the
 * first word that is not: 22 ns for a trade of 185 bytes, where
 * utf8_valid alone took 180.
 */
static int
text_ok(const char *s, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; len - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if (w & 0x8080808080808080ULL)
			break;
	}
	return utf8_valid(s + i, len - i);
}

/*
 * not_utf8: a message on chan whose payload, len bytes, is not UTF-8.  A
 * text frame must be (RFC 6455 5.6): every client of chan would fail its
 * connection (1007), and a conflated batch or latest line holding it is
 * no better, so it goes to nobody.  Counted and logged, rate-limited,
 * with chan's bytes that are not printable ASCII as \xHH (chan may be
 * anything under the cover).
 */
static void
not_utf8(struct hub *h, const char *chan, size_t clen, size_t len)
{
	char name[4 * CHAN_LOG_MAX + 4];

	h->st->not_utf8++;
	text_excerpt(chan, clen, CHAN_LOG_MAX, name);
	ratelog_say(&h->utf8_log, mono_ns(), "redis: %s: a message of %zu "
	    "bytes not UTF-8, dropped", name, len);
}

/*
 * replay_ok: may s[0..len), a line of chan's key C.key (C.snapshot,
 * C.deltas or C.last, read for a late joiner or a conflator), be sent
 * or replayed?  Not if it is not UTF-8 (text_ok): a client would fail
 * its connection (1007) at each subscribe, as for a message published
 * so (not_utf8), which is counted and logged alike, the line naming the
 * key.  Counted at each read of the key.
 */
static int
replay_ok(struct hub *h, const char *chan, size_t clen, const char *key,
    const char *s, size_t len)
{
	char name[4 * CHAN_LOG_MAX + 4];
	int cl = h->sh != NULL;	/* the {C} keys */

	if (text_ok(s, len))
		return 1;
	h->st->not_utf8++;
	text_excerpt(chan, clen, CHAN_LOG_MAX, name);
	ratelog_say(&h->utf8_log, mono_ns(), "redis: %s%s%s.%s: a line of %zu "
	    "bytes not UTF-8, not replayed", cl ? "{" : "", name, cl ? "}" :
	    "", key, len);
	return 0;
}

/*
 * on_message: one copy of a published message, through its channel's
 * SUBSCRIBE or the cover.  A cover copy of a channel whose SUBSCRIBE is
 * in effect is the second copy of one message: skipped.
 */
static void
on_message(struct hub *h, const char *chan, size_t clen, int cover,
    const char *payload, size_t len)
{
	struct sub *x = sub_find(h, chan, clen, 0);
	struct route *r = NULL;
	int book, scan = 0;
	struct frame *f;
	int64_t rx;

	h->st->redis_msgs++;
	h->st->redis_bytes += len;
	if (cover && x != NULL && in_effect(x->st))
		return;
	/*
	 * published on the node of x's slot since redispub rewrote the
	 * slot's keys there (Cluster above)
	 */
	if (h->distrust != NULL && x != NULL && in_effect(x->st))
		h->distrust[x->slot] = 0;
	if (!text_ok(payload, len)) {
		not_utf8(h, chan, clen, len);
		return;
	}
	rx = metrics_rx(h->st, payload, len);	/* per-hop latency */
	if (h->npats > 0 && prefixed(h, chan, clen) &&
	    (r = route_get(h, chan, clen)) == NULL)
		scan = 1;	/* out of memory: match every pattern */
	for (unsigned i = 0; x != NULL && i < x->ncfv; i++)
		cfl_feed(x->cfv[i].c, payload, len);
	if ((x == NULL || x->nmembers == x->nconf) &&
	    (r == NULL || r->npats == 0) && !scan)
		return;
	if ((f = frame_text(payload, len)) == NULL) {
		h->st->dropped++;
		return;
	}
	f->id = ++h->msg_ids;
	f->rx = rx;
	book = is_keyed_channel(chan, clen) && memchr(chan, 0, clen) == NULL;
	if (book) {
		frame_parse_book(f);
		if (!is_book_channel(chan, clen))
			f->kind = FRAME_LATEST;	/* whatever its type */
	}
	if (x != NULL)
		deliver(h, x, f, chan, clen, book);
	for (unsigned i = 0; r != NULL && i < r->npats; i++)
		if (r->pats[i]->nphz > 0)
			pattern_conflate(h, r->pats[i], f, chan, clen, payload,
			    len);
	for (struct sub *y = scan ? h->pats : NULL; y != NULL; y = y->pnext)
		if (y->nphz > 0 && glob_match(y->name, y->len, chan, clen))
			pattern_conflate(h, y, f, chan, clen, payload, len);
	for (unsigned i = 0; r != NULL && i < r->npats; i++)
		deliver(h, r->pats[i], f, chan, clen, book);
	for (struct sub *y = scan ? h->pats : NULL; y != NULL; y = y->pnext)
		if (glob_match(y->name, y->len, chan, clen))
			deliver(h, y, f, chan, clen, book);
	frame_unref(f);
}

static void
on_sub_ack(struct hub *h, const char *kind, const char *name, size_t n)
{
	int pattern = kind[0] == 'p';
	int unsub = strcasecmp(kind + pattern, "unsubscribe") == 0;
	struct sub *x;

	if (pattern) {
		if (h->cover == NULL || n != h->cover_len ||
		    memcmp(name, h->cover, n) != 0)
			return;
		h->cover_st = unsub ? S_IDLE : S_ACTIVE;
		if (!unsub) {
			good_since(&h->resub_good);
			for (unsigned b = 0; b < HUB_BUCKETS; b++)
				for (x = h->tab[b]; x; x = x->hnext)
					if (x->pattern || x->prefixed)
						members_start(h, x);
			subs_update(h, 1);	/* the cover carries them */
		}
		cover_update(h);
		return;
	}
	if ((x = sub_find(h, name, n, 0)) == NULL)
		return;
	x->st = unsub ? S_IDLE : S_ACTIVE;
	if (!unsub) {
		if (h->sh == NULL)
			good_since(&h->resub_good);
		members_start(h, x);
	}
	sub_update(h, x);
	if (h->npats == 0 && h->cover_st == S_ACTIVE)
		cover_update(h);	/* waiting for the channels to come back */
}

/*
 * refusal: is err (an error answer to a (S)(P)SUBSCRIBE, without its
 * '-') Redis refusing that name for good, such as -NOPERM for a channel
 * the ACL user may not use?  Not one that passes or is the
 * connection's: the server loading a dataset, busy with a script, cut
 * from its primary, a cluster slot moving or the cluster down, the
 * client not authenticated, too many clients.
 */
static int
refusal(const char *err)
{
	static const char *const passing[] = { "LOADING", "BUSY",
	    "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN", "MOVED",
	    "ASK", "NOAUTH", NULL };
	size_t n = strcspn(err, " ");

	for (int i = 0; passing[i] != NULL; i++)
		if (strlen(passing[i]) == n && strncmp(err, passing[i], n) == 0)
			return 0;
	return strncmp(err, "ERR max number of clients", 25) != 0;
}

/*
 * sub_refused: Redis refused exact channel x for good (err, refusal
 * above): each client member gets an error frame naming x and the
 * reason, and loses x, its "subscribed" answer now coming without it;
 * then x goes, with nothing more sent for it (x->refused holds
 * sub_update back meanwhile).
 */
static void
sub_refused(struct hub *h, struct sub *x, const char *err)
{
	h->st->redis_refused++;
	ratelog_say(&h->refused_log, mono_ns(), "redis: %s refused: %s",
	    x->name, err);
	x->st = S_IDLE;
	x->node = -1;
	x->gone = 0;
	if (x->nmembers == 0) {
		sub_update(h, x);	/* frees it */
		return;
	}
	x->refused = 1;
	for (;;) {
		struct member *m = x->members;
		struct hub_peer *p = m->p;
		int last = x->nmembers == 1;

		if (!m->implied)
			peer_error(p, "%.*s: refused by Redis: %s", (int)x->len,
			    x->name, err);
		member_remove(p, m);	/* the last one frees x */
		books_prune(p);
		subreqs_answer(p);
		if (last)
			break;
	}
}

/*
 * cover_refused: Redis refused the cover for good: every client
 * pattern is refused as sub_refused does a channel.  The exact channels
 * under PREFIX still have their own SUBSCRIBEs (cover_held).
 */
static void
cover_refused(struct hub *h, const char *err)
{
	struct sub *y;

	h->st->redis_refused++;
	ratelog_say(&h->refused_log, mono_ns(), "redis: %s refused: %s",
	    h->cover, err);
	h->cover_st = S_IDLE;
	while ((y = h->pats) != NULL) {
		y->refused = 1;
		for (;;) {
			struct member *m = y->members;
			struct hub_peer *p = m->p;
			int last = y->nmembers == 1;

			peer_error(p, "%.*s: refused by Redis: %s (to "
			    "PSUBSCRIBE %s)", (int)y->len, y->name, err,
			    h->cover);
			member_remove(p, m);	/* the last one frees y */
			implied_drop(p);
			books_prune(p);
			subreqs_answer(p);
			if (last)
				break;
		}
	}
	subs_update(h, 0);
}

static void
resub_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hub *h = arg;

	(void)fd;
	(void)what;
	cover_update(h);
	subs_update(h, 0);
}

/* A passing refusal: what is not subscribed is sent again, later. */
static void
resub_later(struct hub *h)
{
	int64_t ms = retry_wait(&h->resub_bo, &h->resub_good);
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	if (!h->closing && h->resub != NULL &&
	    !evtimer_pending(h->resub, NULL))
		evtimer_add(h->resub, &tv);
}

static void rconn_lost(struct rconn *, const char *);
static void rconn_up(struct rconn *);
static void rconn_drop(struct rconn *, const char *);

/*
 * sub_error: err, the error answer to sub's command kind on name (len
 * bytes).  AUTH refused, or a command refused for want of it, is the
 * connection's failure: dropped and made again, as when lost.  An
 * UNSUBSCRIBE refused leaves nothing subscribed.
 */
static void
sub_error(struct hub *h, int kind, const char *name, size_t len,
    const char *err)
{
	struct sub *x;

	h->st->redis_errors++;
	if (kind == K_AUTH || strncmp(err, "NOAUTH", 6) == 0) {
		fprintf(stderr, "wsgate: redis subscriber: %s\n", err);
		rconn_drop(&h->sub, err);
		return;
	}
	if (kind == K_UNSUB || kind == K_PUNSUB) {
		on_sub_ack(h, kind == K_UNSUB ? "unsubscribe" : "punsubscribe",
		    name, len);
		return;
	}
	if (kind == K_KEEP) {	/* only tickpipe(8) status misses it */
		fprintf(stderr, "wsgate: redis subscriber: SUBSCRIBE %s: %s\n",
		    name, err);
		/* the first answer, failed (evr_hello: -ERR max number of
		 * clients reached), or -NOPERM, which made sub up */
		if (h->sub.connected)
			return;
		rconn_drop(&h->sub, err);
		return;
	}
	if (!refusal(err))
		fprintf(stderr, "wsgate: redis subscriber: %s %s: %s\n", kind ==
		    K_PSUB ? "PSUBSCRIBE" : "SUBSCRIBE", name, err);
	if (kind == K_PSUB) {
		if (h->cover == NULL || len != h->cover_len ||
		    memcmp(name, h->cover, len) != 0 ||
		    h->cover_st != S_SUBSCRIBING)
			return;
		if (refusal(err)) {
			cover_refused(h, err);
			return;
		}
		h->cover_st = S_IDLE;
	} else {
		if ((x = sub_find(h, name, len, 0)) == NULL ||
		    x->st != S_SUBSCRIBING)
			return;
		if (refusal(err)) {
			sub_refused(h, x, err);
			if (h->npats == 0 && h->cover_st == S_ACTIVE)
				cover_update(h);
			return;
		}
		x->st = S_IDLE;
	}
	resub_later(h);
}

/*
 * subev_reply: one reply on sub.  Pushed: message C payload, pmessage
 * P C payload.  The answer to the oldest command in flight: its
 * confirmation ((p)(un)subscribe NAME count), an error, or +OK (AUTH).
 */
static void
subev_reply(void *arg, redisReply *r)
{
	struct hub *h = arg;
	const struct evr_pend *q;
	redisReply **e = r->element;

	if (!h->sub.connected && evr_oldest(h->sub.ev) != NULL &&
	    evr_hello(r))
		rconn_up(&h->sub);	/* its first answer; else sub_error */
	q = evr_oldest(h->sub.ev);

	if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS) {
		char *name;
		int kind;
		size_t len;

		if (q == NULL)
			return;		/* nothing asked */
		kind = q->kind;
		len = q->len;
		name = r->type == REDIS_REPLY_ERROR ? strdup(q->name) : NULL;
		evr_pop(h->sub.ev);
		if (name != NULL)
			sub_error(h, kind, name, len, r->str);
		else if (r->type == REDIS_REPLY_ERROR)
			h->st->redis_errors++;	/* out of memory */
		free(name);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
	    e[0]->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(e[0]->str, "message") == 0 && e[1]->type ==
	    REDIS_REPLY_STRING && e[2]->type == REDIS_REPLY_STRING)
		on_message(h, e[1]->str, e[1]->len, 0, e[2]->str, e[2]->len);
	else if (strcmp(e[0]->str, "pmessage") == 0 && r->elements == 4 &&
	    e[2]->type == REDIS_REPLY_STRING &&
	    e[3]->type == REDIS_REPLY_STRING)
		on_message(h, e[2]->str, e[2]->len, 1, e[3]->str, e[3]->len);
	else if (e[1]->type == REDIS_REPLY_STRING) {
		if (q != NULL && q->len == e[1]->len &&
		    memcmp(q->name, e[1]->str, q->len) == 0)
			evr_pop(h->sub.ev);
		on_sub_ack(h, e[0]->str, e[1]->str, e[1]->len);
	}
}

/* --- connections --- */

/* SELECT's answer on a command connection: an error is only said. */
static void
auth_cb(void *earg, void *priv, redisReply *r)
{
	struct rconn *rc = earg;

	(void)priv;
	if (r != NULL && r->type == REDIS_REPLY_ERROR) {
		rc->h->st->redis_errors++;
		fprintf(stderr, "wsgate: redis %s: %s\n", rc->name, r->str);
	}
}

/*
 * hello_auth_cb: AUTH, the first command on a command connection: its
 * answer decides (evr_hello): refused, rc is dropped and made again
 * later, not taken up by the PING after it, which Redis answers as its
 * default user when that has no password.
 */
static void
hello_auth_cb(void *earg, void *priv, redisReply *r)
{
	struct rconn *rc = earg;

	(void)priv;
	if (r == NULL || evr_hello(r))
		return;
	rc->h->st->redis_errors++;
	fprintf(stderr, "wsgate: redis %s: %s\n", rc->name, r->str);
	rconn_drop(rc, r->str);
}

/*
 * run_id_cb: INFO server on a node's command connection, sent before
 * anything else on it: the run_id of the redis-server there, which the
 * owner marks of its keys must name (owner_stale).  Any read sent on
 * the connection is answered after it.
 */
static void
run_id_cb(void *earg, void *priv, redisReply *r)
{
	struct rconn *rc = earg;
	const char *p;
	size_t n;

	(void)priv;
	if (r == NULL)
		return;
	if (r->type == REDIS_REPLY_STRING &&
	    (p = strstr(r->str, "\nrun_id:")) != NULL &&
	    (n = strspn(p + 8, "0123456789abcdef")) ==
	    sizeof(rc->run_id) - 1) {
		memcpy(rc->run_id, p + 8, n);
		rc->run_id[n] = '\0';
	} else {
		rc->h->st->redis_errors++;
		fprintf(stderr, "wsgate: redis %s %s:%d: no run_id from INFO "
		    "server (%s): its keys are not read\n", rc->name,
		    rc->at.host, rc->at.port, r->type == REDIS_REPLY_ERROR ?
		    r->str : "unexpected reply");
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
	int64_t ms;

	if (rc->h->closing || rc->retry == NULL)
		return;
	ms = evr_retry_wait(&rc->backoff, rc->up_at, mono_ns());
	rc->up_at = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_add(rc->retry, &tv);
}

/* Connection rc is gone (failed connect or lost). */
static void
rconn_lost(struct rconn *rc, const char *why)
{
	struct hub *h = rc->h;
	int was = rc->connected;

	rc->connected = 0;
	rc->run_id[0] = '\0';
	if (was && h->conf->redis.is_sentinel)
		snprintf(rc->lost, sizeof(rc->lost), "%s:%d", rc->at.host,
		    rc->at.port);
	if (was || h->conf->verbose)
		fprintf(stderr, "wsgate: redis %s: %s\n", rc->name, why);
	if (rc == &h->sub) {
		for (unsigned b = 0; b < HUB_BUCKETS; b++)
			for (struct sub *x = h->tab[b], *nx; x; x = nx) {
				nx = x->hnext;
				x->st = S_IDLE;
				if (x->nmembers == 0)
					sub_free(h, x);
			}
		h->cover_st = S_IDLE;
		if (h->up) {
			h->up = 0;
			if (!h->closing)
				gateway_status(h, "redis_down", why);
		}
		if (!h->closing)
			books_invalidate(h, "redis connection lost");
	} else {
		/* queued books cannot be read now: they wait for snapshots */
		for (struct hub_peer *p = h->peers; p != NULL; p = p->next)
			sync_kick(p);
	}
	rconn_retry(rc);
}

/*
 * Connection rc is up: Redis answered its first command (AUTH, else
 * sub's SUBSCRIBE KEEP_CHANNEL or cmd's PING) without an error
 * (evr_hello, the rule shard.c's node connections follow too).  Only
 * then are clients told: a connection refused once made (a refused
 * AUTH, maxclients, a protocol error) is retried with growing backoff,
 * not every 100 ms with redis_up and redis_down; and its backoff is
 * reset only when it is lost after up_at + the backoff's cap
 * (evr_retry_wait), so one that Redis breaks soon after is not either.
 */
static void
rconn_up(struct rconn *rc)
{
	struct hub *h = rc->h;

	rc->connected = 1;
	rc->up_at = mono_ns();
	if (rc->ever)
		h->st->redis_reconnects++;
	if (rc->ever || h->conf->verbose)
		fprintf(stderr, "wsgate: redis %s: connected\n", rc->name);
	rc->ever = 1;
	if (rc == &h->sub) {
		cover_update(h);
		subs_update(h, 0);
		h->up = 1;
		if (h->st->redis_reconnects > 0)
			gateway_status(h, "redis_up", "reconnected");
	}
	h->connected(h->arg);
}

/*
 * hello_cb: the answer to the PING that follows AUTH and SELECT on a
 * command connection: rc is up, or, with an error (evr_hello: -NOAUTH,
 * -LOADING), dropped and made again later.
 */
static void
hello_cb(void *earg, void *priv, redisReply *r)
{
	struct rconn *rc = earg;

	(void)priv;
	if (r == NULL)
		return;
	if (!evr_hello(r)) {
		rc->h->st->redis_errors++;
		rconn_drop(rc, r->str);
	} else
		rconn_up(rc);
}

/*
 * rconn_drop: rc's connection is closed by wsgate (the callbacks of its
 * commands in flight get no reply), as lost for why.
 */
static void
rconn_drop(struct rconn *rc, const char *why)
{
	evr_close(rc->ev);
	rconn_lost(rc, why);
}

/*
 * rconn_find: rc->at, the server to connect to: the URL's, or for
 * sentinel:// what the Sentinels say (see the top).  Returns 0 with
 * rc->at set, 1 while the Sentinels are asked (found_cb goes on), or -1
 * to try again later.
 */
static int
rconn_find(struct rconn *rc)
{
	struct hub *h = rc->h;

	if (rc->fixed)
		return 0;	/* a cluster node's */
	if (!h->conf->redis.is_sentinel) {
		rc->at = h->conf->redis;
		return 0;
	}
	if (rc == &h->cmd && h->sub.connected) {
		rc->at = h->sub.at;
		return 0;
	}
	if (rc->ask == NULL || evs_ask(rc->ask, &h->conf->redis,
	    SENTINEL_REPLICA, h->conf->replica, h->sub.lost[0] != '\0' ?
	    h->sub.lost : NULL) != 0) {
		fprintf(stderr, "wsgate: redis %s: no server from the "
		    "Sentinels: out of memory\n", rc->name);
		return -1;
	}
	return 1;
}

/*
 * found_cb: the Sentinels' answer to rconn_find's question: rc connects
 * to addr, or, with none, tries again with the backoff.  cmd takes sub's
 * server instead if sub came up meanwhile.
 */
static void
found_cb(void *arg, const struct redisurl *addr, const char *err)
{
	struct rconn *rc = arg;
	struct hub *h = rc->h;

	if (addr == NULL) {
		fprintf(stderr, "wsgate: redis %s: no server from the "
		    "Sentinels: %s\n", rc->name, err);
		rconn_retry(rc);
		return;
	}
	if (rc == &h->cmd && h->sub.connected) {
		rc->at = h->sub.at;
	} else {
		rc->at = *addr;
		if (rc == &h->sub || h->conf->verbose)
			fprintf(stderr, "wsgate: redis %s: Sentinels name "
			    "%s:%d\n", rc->name, rc->at.host, rc->at.port);
	}
	rconn_connect(rc);
}

static void
subev_lost(void *arg, const char *why)
{
	rconn_lost(&((struct hub *)arg)->sub, why);
}

static const struct evr_cbs subev_cbs = { subev_reply, subev_lost };

/* A command connection's end (evredis.c): lost as sub is. */
static void
cmd_lost(void *arg, const char *why)
{
	rconn_lost(arg, why);
}

/* Each reply on a command connection answers its command (evr_call). */
static const struct evr_cbs cmd_cbs = { NULL, cmd_lost };

/* sub's first commands: AUTH, and SUBSCRIBE KEEP_CHANNEL (see the top). */
static int
sub_hello(struct hub *h)
{
	const char *pw = h->conf->password, *user = h->conf->redis.user;

	return (pw != NULL && (user[0] != '\0' ? evr_command(h->sub.ev,
	    K_AUTH, "", 0, "AUTH %s %s", user, pw) : evr_command(h->sub.ev,
	    K_AUTH, "", 0, "AUTH %s", pw)) != 0) || evr_command(h->sub.ev,
	    K_KEEP, KEEP_CHANNEL, strlen(KEEP_CHANNEL), "SUBSCRIBE "
	    KEEP_CHANNEL) != 0 ? -1 : 0;
}

/*
 * cmd_hello: a command connection's first commands: AUTH, SELECT, on a
 * node INFO server (run_id_cb), then the PING whose answer makes it up
 * (hello_cb).
 */
static int
cmd_hello(struct rconn *rc)
{
	const struct wsgate_conf *conf = rc->h->conf;
	struct evr *e = rc->ev;

	if (conf->password != NULL && (conf->redis.user[0] != '\0' ?
	    evr_call(e, hello_auth_cb, NULL, "AUTH %s %s", conf->redis.user,
	    conf->password) : evr_call(e, hello_auth_cb, NULL, "AUTH %s",
	    conf->password)) != 0)
		return -1;
	if (conf->redis.db != 0 && evr_call(e, auth_cb, NULL, "SELECT %d",
	    conf->redis.db) != 0)
		return -1;
	if (rc->fixed && evr_call(e, run_id_cb, NULL, "INFO server") != 0)
		return -1;
	return evr_call(e, hello_cb, NULL, "PING");
}

static void
rconn_start(struct rconn *rc)
{
	switch (rconn_find(rc)) {
	case 0:
		rconn_connect(rc);
		break;
	case 1:
		break;		/* found_cb goes on */
	default:
		rconn_retry(rc);
		break;
	}
}

/*
 * rconn_connect: rc's connection to rc->at started, a host name looked
 * up on the loop first (evredis.c), and its first commands sent.
 */
static void
rconn_connect(struct rconn *rc)
{
	struct hub *h = rc->h;

	if (evr_start(rc->ev, &rc->at) != 0) {
		if (h->conf->verbose)
			fprintf(stderr, "wsgate: redis %s: cannot connect: "
			    "%s\n", rc->name, evr_error(rc->ev));
		rconn_retry(rc);
		return;
	}
	if ((rc == &h->sub ? sub_hello(h) : cmd_hello(rc)) != 0) {
		evr_close(rc->ev);
		rconn_retry(rc);
	}
}

/* --- a Redis Cluster (cluster://, wsgate(1) CLUSTER) --- */

/*
 * chan_notice: to each client of exact channel x, a gateway status for
 * x alone ({"type":"gateway","status":...,"channel":C}): "redis_down"
 * when x's node dropped it or was lost, "redis_up" once x is subscribed
 * again.
 */
static void
chan_notice(struct sub *x, const char *status, const char *why)
{
	for (struct member *m = x->members; m != NULL; m = m->s_next)
		peer_notice(m->p, json_pack("{s:s,s:s,s:s%,s:s}", "type",
		    "gateway", "status", status, "channel", x->name, x->len,
		    "reason", why));
}

/*
 * sub_lost: x is no longer subscribed on its node.  If it was in
 * effect, its clients may miss messages until it is subscribed again:
 * they are told (redis_down for x), their books on x are invalid, as
 * for a lost Redis (books_invalidate), and its members wait, to be
 * synced again once it is subscribed on the new owner: not from its
 * keys before a live message of x came (distrust, see Cluster above),
 * so from the next live snapshot.  Sent again by the remap.
 */
static void
sub_lost(struct sub *x, const char *why)
{
	int was = in_effect(x->st);

	x->st = S_IDLE;
	x->node = -1;
	if (!was || x->nmembers == 0)
		return;
	x->gone = 1;
	chan_notice(x, "redis_down", why);
	for (unsigned i = 0; i < x->ncfv; i++)
		cfl_reset(x->cfv[i].c);
	for (struct member *m = x->members; m != NULL; m = m->s_next) {
		struct book *b;

		if (m->cf != NULL) {
			member_book_invalid(m, why);
		} else if ((b = book_find(m->p, x->name, x->len)) != NULL) {
			book_unsync(m->p, b);
			book_invalid(m->p, b, why);
		}
		m->waiting = 1;
	}
}

static void
remap_after(struct hub *h, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	if (!h->closing && h->remap != NULL &&
	    !evtimer_pending(h->remap, NULL))
		evtimer_add(h->remap, &tv);
}

/*
 * remap_soon: on the loop, soon: the slot map read again (fetch), and
 * every channel that should be subscribed and is not, sent to its
 * owner.  Not at once: a node that keeps refusing (-TRYAGAIN,
 * -CLUSTERDOWN) is not asked in a loop.
 */
static void
remap_soon(struct hub *h, int fetch)
{
	h->need_fetch |= fetch;
	remap_after(h, 10);
}

/* A command connection to each node of the map, made once. */
static void
cmds_sync(struct hub *h)
{
	int n = shard_nnodes(h->sh), port;

	for (int i = 0; i < n; i++) {
		struct rconn *rc;
		const char *host;

		if (h->cmds[i] != NULL || (rc = calloc(1, sizeof(*rc))) ==
		    NULL)
			continue;
		rc->h = h;
		rc->name = "node commands";
		rc->fixed = 1;
		rc->at = h->conf->redis;
		host = shard_node(h->sh, i, &port);
		snprintf(rc->at.host, sizeof(rc->at.host), "%s", host);
		rc->at.port = port;
		backoff_init(&rc->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
		rc->ev = evr_new(h->base, h->dns, &cmd_cbs, rc,
		    (int64_t)h->conf->redis_timeout * 1000);
		if (rc->ev == NULL || (rc->retry = evtimer_new(h->base,
		    retry_cb, rc)) == NULL) {
			evr_free(rc->ev);
			free(rc);
			continue;
		}
		h->cmds[i] = rc;
		rconn_start(rc);
	}
}

/*
 * remap_cb: the map read again if asked (need_fetch), then the channels
 * subscribed where it says (sh_mapped), or, with no read asked, at once.
 * While a read is in flight nothing is done: its answer does it all,
 * and reads the map once more if asked meanwhile (the answer may be from
 * before what asked).
 */
static void
remap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hub *h = arg;

	(void)fd;
	(void)what;
	if (shard_remapping(h->sh))
		return;		/* sh_mapped goes on */
	if (h->need_fetch) {
		h->need_fetch = 0;
		shard_remap(h->sh);
		return;		/* sh_mapped goes on */
	}
	subs_update(h, 0);
}

/*
 * sh_mapped: the end of remap_cb's map read: what a read must be
 * followed by (a cmd to each new node, the subscriptions sent), or,
 * with no map, the read tried again with the backoff: a remap asked for
 * during the read (remap_soon, sh_lost) waits for it too, as one asked
 * for while a retry is pending does.
 */
static void
sh_mapped(void *arg, const char *err)
{
	struct hub *h = arg;

	if (err != NULL) {
		fprintf(stderr, "wsgate: redis cluster: cannot read the slot "
		    "map: %s\n", err);
		h->need_fetch = 1;
		evtimer_del(h->remap);
		remap_after(h, retry_wait(&h->remap_bo, &h->remap_good));
		return;
	}
	good_since(&h->remap_good);
	cmds_sync(h);
	if (h->conf->verbose)
		fprintf(stderr, "wsgate: redis cluster: slot map read, %d "
		    "nodes\n", shard_nnodes(h->sh));
	if (h->need_fetch)
		remap_soon(h, 1);
	subs_update(h, 0);
}

static void
sh_message(void *arg, const char *chan, size_t clen, const char *msg,
    size_t len)
{
	on_message(arg, chan, clen, 0, msg, len);
}

/* node confirmed our SSUBSCRIBE or SUNSUBSCRIBE of chan. */
static void
sh_ack(void *arg, int node, const char *chan, size_t clen, int subscribe)
{
	struct hub *h = arg;
	struct sub *x = sub_find(h, chan, clen, 0);
	int port;

	if (x == NULL || x->node != node ||
	    x->st != (subscribe ? S_SUBSCRIBING : S_UNSUBSCRIBING))
		return;		/* an answer from before a move */
	if (subscribe && x->gone) {
		char why[300];
		const char *host = shard_node(h->sh, node, &port);

		x->gone = 0;
		snprintf(why, sizeof(why), "subscribed again on %s:%d", host,
		    port);
		chan_notice(x, "redis_up", why);
	}
	if (!subscribe)
		x->node = -1;
	else
		good_since(&h->remap_good);
	on_sub_ack(h, subscribe ? "subscribe" : "unsubscribe", chan, clen);
}

/*
 * sh_lost: node dropped chan (its slot moved: the map is read again) or
 * refused our SSUBSCRIBE (-MOVED: shard.c has the new owner).  Either
 * way chan is subscribed again where the map says: after -MOVED soon,
 * else with the backoff, after a refusal that passes (-TRYAGAIN,
 * -CLUSTERDOWN, -NOAUTH...: refusal()) as after a drop, so that a node
 * that takes chan and drops it each time is not asked every few ms
 * (wsgate(1) CLUSTER).  A refusal for good (-NOPERM...) drops chan's
 * members (sub_refused): not asked again until a client subscribes.
 */
static void
sh_lost(void *arg, int node, const char *chan, size_t clen, int refused,
    const char *why)
{
	struct hub *h = arg;
	struct sub *x = sub_find(h, chan, clen, 0);
	int moved;

	if (x == NULL || x->node != node || x->st == S_IDLE)
		return;
	moved = refused && strncmp(why, "MOVED ", 6) == 0;
	if (h->conf->verbose || (refused && !moved && !refusal(why)))
		fprintf(stderr, "wsgate: redis cluster: %s: %s\n", x->name,
		    why);
	if (x->st == S_UNSUBSCRIBING && !refused) {
		x->node = -1;	/* as good as our SUNSUBSCRIBE */
		on_sub_ack(h, "unsubscribe", chan, clen);
		return;
	}
	if (refused && refusal(why)) {
		sub_refused(h, x, why);
		return;
	}
	sub_lost(x, refused ? "subscription refused" :
	    "slot moved to another node");
	if (moved) {
		remap_soon(h, 0);
		return;
	}
	h->need_fetch |= !refused;
	/* one step of the backoff for each wait, however many channels
	 * a slot move drops at once */
	if (h->remap != NULL && !evtimer_pending(h->remap, NULL))
		remap_after(h, retry_wait(&h->remap_bo, &h->remap_good));
}

/* node's subscription connection came up or was lost. */
static void
sh_node(void *arg, int node, int up, const char *why)
{
	struct hub *h = arg;
	char msg[400];
	const char *host;
	int port;

	if (up) {
		subs_update(h, 0);
		h->connected(h->arg);
		return;
	}
	host = shard_node(h->sh, node, &port);
	snprintf(msg, sizeof(msg), "redis node %s:%d lost: %s", host, port,
	    why);
	shard_slots_of(h->sh, node, h->distrust);	/* Cluster above */
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		for (struct sub *x = h->tab[b]; x; x = x->hnext)
			if (!x->pattern && x->node == node)
				sub_lost(x, msg);
	remap_soon(h, 1);
}

static const struct shard_cbs shard_cbs = {
	sh_message, sh_ack, sh_lost, sh_node, sh_mapped
};

/*
 * hub_new's part for a cluster: the map is read on the loop, without
 * blocking it (shard.c).
 */
static int
cluster_start(struct hub *h)
{
	const struct wsgate_conf *conf = h->conf;

	backoff_init(&h->remap_bo, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	if ((h->distrust = calloc(CLUSTER_SLOTS, 1)) == NULL ||
	    (h->sh = shard_new(h->base, h->dns, &conf->redis, conf->password,
	    &shard_cbs, h, conf->verbose,
	    (int64_t)conf->redis_timeout * 1000)) == NULL ||
	    (h->remap = evtimer_new(h->base, remap_cb, h)) == NULL)
		return -1;
	remap_soon(h, 1);
	return 0;
}

static void
cluster_close(struct hub *h)
{
	shard_free(h->sh);	/* a map read in flight: sh_mapped not called */
	h->sh = NULL;
	free(h->distrust);
	h->distrust = NULL;
	if (h->remap != NULL)
		event_free(h->remap);
	h->remap = NULL;
	for (int i = 0; i < CLUSTER_NODES_MAX; i++) {
		struct rconn *rc = h->cmds[i];

		if (rc == NULL)
			continue;
		evr_close(rc->ev);	/* callbacks run with no reply */
		if (rc->retry != NULL)
			event_free(rc->retry);
		rc->retry = NULL;
	}
}

/*
 * hub_new: a hub for conf's Redis on base; counters go to st, and
 * connected(arg) is called each time a connection comes up.  Both
 * connections are started (they complete on the loop).  NULL if out of
 * memory.
 */
struct hub *
hub_new(struct event_base *base, const struct wsgate_conf *conf,
    struct wsgate_stats *st, void (*connected)(void *), void *arg)
{
	struct hub *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->base = base;
	h->conf = conf;
	h->st = st;
	h->connected = connected;
	h->arg = arg;
	h->sub.h = h->cmd.h = h;
	h->sub.name = "subscriber";
	h->cmd.name = "commands";
	backoff_init(&h->sub.backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	backoff_init(&h->cmd.backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	backoff_init(&h->resub_bo, BACKOFF_MIN_MS, BACKOFF_MAX_MS, 0);
	ratelog_init(&h->refused_log, REFUSED_LOG_MAX, REFUSED_LOG_NS, NULL,
	    "refusals by Redis not logged");
	ratelog_init(&h->utf8_log, UTF8_LOG_MAX, UTF8_LOG_NS, NULL,
	    "messages not UTF-8 not logged");
	h->sub.retry = evtimer_new(base, retry_cb, &h->sub);
	h->cmd.retry = evtimer_new(base, retry_cb, &h->cmd);
	h->dns = evname_res_new(base);
	if (conf->redis.is_sentinel) {
		h->sub.ask = evs_new(base, h->dns, SENTINEL_TIMEOUT_MS,
		    found_cb, &h->sub);
		h->cmd.ask = evs_new(base, h->dns, SENTINEL_TIMEOUT_MS,
		    found_cb, &h->cmd);
	}
	h->resub = evtimer_new(base, resub_cb, h);
	h->sub.ev = evr_new(base, h->dns, &subev_cbs, h,
	    (int64_t)conf->redis_timeout * 1000);
	h->cmd.ev = evr_new(base, h->dns, &cmd_cbs, &h->cmd,
	    (int64_t)conf->redis_timeout * 1000);
	if (h->dns == NULL || h->sub.retry == NULL || h->cmd.retry == NULL ||
	    h->resub == NULL || h->sub.ev == NULL || h->cmd.ev == NULL ||
	    (conf->redis.is_sentinel &&
	    (h->sub.ask == NULL || h->cmd.ask == NULL)) ||
	    (conf->redis.is_cluster && cluster_start(h) != 0)) {
		hub_close(h);
		hub_free(h);
		return NULL;
	}
	if (conf->redis.is_cluster)
		return h;	/* no sub, no cmd: a pair per node */
	rconn_start(&h->sub);
	rconn_start(&h->cmd);
	return h;
}

/*
 * hub_close: frees both connections (their pending callbacks run with
 * no reply, which drops the peer references they hold) and stops
 * reconnecting.  Subs go away with their last member.
 */
void
hub_close(struct hub *h)
{
	h->closing = 1;
	ratelog_flush(&h->refused_log);
	ratelog_flush(&h->utf8_log);
	if (h->sub.ev != NULL)
		evr_close(h->sub.ev);	/* no callback */
	h->sub.connected = 0;
	if (h->resub != NULL)
		event_free(h->resub);
	h->resub = NULL;
	if (h->cmd.ev != NULL)
		evr_close(h->cmd.ev);	/* callbacks run with no reply */
	if (h->sub.retry != NULL)
		event_free(h->sub.retry);
	if (h->cmd.retry != NULL)
		event_free(h->cmd.retry);
	h->sub.retry = h->cmd.retry = NULL;
	evs_free(h->sub.ask);	/* found_cb not called */
	evs_free(h->cmd.ask);
	h->sub.ask = h->cmd.ask = NULL;
	cluster_close(h);
}

/* hub_free: frees h, closed (hub_close) and with every peer dropped. */
void
hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	routes_flush(h);
	for (unsigned b = 0; b < HUB_BUCKETS; b++)
		while (h->tab[b] != NULL)
			sub_free(h, h->tab[b]);
	for (int i = 0; i < CLUSTER_NODES_MAX; i++) {
		if (h->cmds[i] != NULL)
			evr_free(h->cmds[i]->ev);
		free(h->cmds[i]);
	}
	evr_free(h->sub.ev);
	evr_free(h->cmd.ev);
	free(h->pfx);
	free(h->cover);
	/* last: the lookups cancelled above let go of (evname_res_free) */
	evname_res_free(h->dns);
	free(h);
}
